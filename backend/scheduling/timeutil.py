"""Tenant-zone time arithmetic. Instants are stored UTC; days, opening hours and recurrence are
wall-clock in the tenant's zone (`Tenant.timezone`), converted with zoneinfo so DST days have 23
or 25 hours and 9 am stays 9 am."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from backend.errors import UserError
from backend.tenancy.models import Tenant

UTC = dt.timezone.utc


@functools.lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """Returns the ZoneInfo for a zone name (cached)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"Unknown time zone {name!r}.") from None


def tenant_zone(db: Session, *, tenant_id: str) -> ZoneInfo:
    """Returns the tenant's zone (tenants is a global table; the row is the tenant's own)."""
    tenant = db.get(Tenant, tenant_id)
    return zone(tenant.timezone if tenant else "America/Chicago")


def local_instant(day: dt.date, minute: int, tz: ZoneInfo) -> dt.datetime:
    """Returns the aware instant of wall-clock `minute` after local midnight on `day`.

    A wall time skipped by spring-forward maps forward (2:30 → 3:30 CDT); an ambiguous fall-back
    time maps to its first occurrence (fold=0). minute=1440 is the next midnight.
    """
    day += dt.timedelta(days=minute // 1440)
    minute %= 1440
    naive = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
    aware = naive.replace(tzinfo=tz)
    # Normalise through UTC so a non-existent wall time becomes the real instant after the gap.
    return aware.astimezone(UTC).astimezone(tz)


def day_bounds_utc(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Returns [start, end) of a local calendar day as UTC instants (23/24/25 hours long)."""
    return local_instant(day, 0, tz).astimezone(UTC), local_instant(day, 1440, tz).astimezone(UTC)


def to_local(value: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    if value.tzinfo is None:
        raise UserError("Times must include a time zone (e.g. 2026-03-10T09:00:00-05:00).")
    return value.astimezone(tz)


def minutes_to_hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def hhmm_to_minute(value: str) -> int:
    """Parses "9:00", "09:00" or "17:30" into minutes after midnight ("24:00" allowed as end)."""
    try:
        hours, minutes = value.strip().split(":")
        total = int(hours) * 60 + int(minutes)
    except (ValueError, AttributeError):
        raise UserError(f"{value!r} is not a time like 09:00.") from None
    if not 0 <= int(minutes) < 60 or not 0 <= total <= 1440:
        raise UserError(f"{value!r} is not a time like 09:00.")
    return total


def format_day(value: dt.datetime | dt.date) -> str:
    """'Tue, Mar 10' — the format customers see in messages."""
    return f"{value:%a}, {value:%b} {value.day}"


def format_time(value: dt.datetime) -> str:
    """'9:00 AM'."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def format_money(cents: int) -> str:
    """'$229' for whole dollars, '$45.50' otherwise."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    if cents % 100 == 0:
        return f"{sign}${cents // 100:,}"
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def format_price_range(min_cents: int, max_cents: int) -> str:
    if min_cents == max_cents:
        return format_money(min_cents)
    return f"{format_money(min_cents)}–{format_money(max_cents)}"
