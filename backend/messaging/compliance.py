"""Compliance rules that need no database: consent keywords and quiet hours.

Keywords follow Twilio's default lists and match only when the whole message is the single
keyword (case-insensitive, surrounding whitespace and trailing punctuation ignored).
Quiet hours: promotional texts go out only between 08:00 and 21:00 in the recipient's local
time, taken from the number (phonenumbers' time-zone data) or else the tenant's zone.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import NumberParseException
from phonenumbers import timezone as pn_timezone

from backend.enums import StrEnum

OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})

QUIET_START = dt.time(8, 0)  # first minute marketing may be sent
QUIET_END = dt.time(21, 0)  # first minute it may not


class Keyword(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


def classify_keyword(body: str) -> tuple[Keyword | None, str]:
    """Returns (keyword class, normalised word) for a consent keyword message, else (None, "")."""
    word = (body or "").strip().rstrip(".!?").strip().upper()
    if not word or any(ch.isspace() for ch in word):
        return None, ""
    if word in OPT_OUT_KEYWORDS:
        return Keyword.OPT_OUT, word
    if word in OPT_IN_KEYWORDS:
        return Keyword.OPT_IN, word
    if word in HELP_KEYWORDS:
        return Keyword.HELP, word
    return None, ""


@functools.lru_cache(maxsize=4096)
def zones_for_number(e164: str) -> tuple[str, ...]:
    """Returns the IANA zones phonenumbers associates with a number (empty when unknown)."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except NumberParseException:
        return ()
    zones = tuple(z for z in pn_timezone.time_zones_for_number(parsed) if z and z != "Etc/Unknown")
    valid = []
    for zone in zones:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        valid.append(zone)
    return tuple(valid)


def recipient_zones(e164: str, tenant_timezone: str, now: dt.datetime | None = None) -> tuple[str, ...]:
    """Returns the zones whose clock decides quiet hours for a recipient.

    One zone from the number's region is used as is. When a number maps to several zones the
    tenant's zone is used if it is one of them; otherwise every candidate zone must be inside
    the window (the conservative choice), unless they are too far apart to ever share it.
    Unknown numbers use the tenant's zone.
    """
    zones = zones_for_number(e164)
    if len(zones) == 1:
        return zones
    if tenant_timezone in zones or not zones:
        return (tenant_timezone,)
    at = now or dt.datetime.now(dt.timezone.utc)
    offsets = [at.astimezone(ZoneInfo(z)).utcoffset() for z in zones]
    window = dt.datetime.combine(at.date(), QUIET_END) - dt.datetime.combine(at.date(), QUIET_START)
    if max(offsets) - min(offsets) >= window:
        return (tenant_timezone,)
    return zones


def _inside(local: dt.datetime) -> bool:
    return QUIET_START <= local.time() < QUIET_END


def is_allowed_now(e164: str, tenant_timezone: str, now: dt.datetime) -> bool:
    """True when a promotional text may be sent to `e164` at the instant `now`."""
    zones = recipient_zones(e164, tenant_timezone, now)
    return all(_inside(now.astimezone(ZoneInfo(z))) for z in zones)


def next_allowed_time(e164: str, tenant_timezone: str, now: dt.datetime) -> dt.datetime:
    """Returns `now` if a promotional text may go out now, else the next instant it may (UTC).

    Candidates are every 08:00 local time in each deciding zone over the next three days; the
    earliest one inside every zone's window wins (DST-correct through zoneinfo).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if is_allowed_now(e164, tenant_timezone, now):
        return now.astimezone(dt.timezone.utc)
    zones = recipient_zones(e164, tenant_timezone, now)
    candidates = []
    for zone in zones:
        tz = ZoneInfo(zone)
        local_day = now.astimezone(tz).date()
        for offset in range(0, 4):
            start = dt.datetime.combine(local_day + dt.timedelta(days=offset), QUIET_START, tzinfo=tz)
            if start > now:
                candidates.append(start.astimezone(dt.timezone.utc))
    for candidate in sorted(candidates):
        if all(_inside(candidate.astimezone(ZoneInfo(z))) for z in zones):
            return candidate
    raise AssertionError("no allowed send time within three days")  # unreachable: zones share a window
