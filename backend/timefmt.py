"""Showing instants to people: always in the tenant's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def local(instant: dt.datetime, tz: str) -> dt.datetime:
    return instant.astimezone(ZoneInfo(tz))


def short(instant: dt.datetime | None, tz: str) -> str:
    """Returns e.g. "Nov 21, 2:05 PM" in the given zone ("" for None)."""
    if instant is None:
        return ""
    value = local(instant, tz)
    return f"{value:%b} {value.day}, {value:%-I:%M %p}"


def with_zone(instant: dt.datetime | None, tz: str) -> str:
    """Returns e.g. "Nov 21, 2026 2:05 PM CST"."""
    if instant is None:
        return ""
    value = local(instant, tz)
    return f"{value:%b} {value.day}, {value.year} {value:%-I:%M %p %Z}"
