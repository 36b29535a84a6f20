"""Money and rate input typed by people, parsed exactly into integers (no floats anywhere).

Staff type dollars ("45", "45.5", "$1,234.56") and percentages ("8.25", "8.25%"); documents
store integer cents and basis points. Anything that is not an exact amount raises UserError
with a message naming the field.
"""

from __future__ import annotations

import re

from backend.errors import UserError

MAX_AMOUNT_CENTS = 100_000_000  # $1,000,000: anything larger on a service invoice is a typo

_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d{0,2}))?")
_PERCENT = re.compile(r"(\d{1,3})?(?:\.(\d{0,2}))?")


def parse_cents(raw, *, field: str = "Amount", allow_zero: bool = True, max_cents: int = MAX_AMOUNT_CENTS) -> int:
    """Returns the dollar amount typed in `raw` as integer cents, or raises UserError.

    Accepts "45", "45.5", "45.50", "$1,234.56" and whole-dollar ints; refuses negatives,
    fractions of a cent, floats and anything else.
    """
    if isinstance(raw, bool) or raw is None:
        raise UserError(f"{field}: enter an amount like 45.00.")
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace(" ", "")
    else:
        raise UserError(f"{field}: enter an amount like 45.00.")
    if text.startswith("-"):
        raise UserError(f"{field} cannot be negative.")
    text = text.removeprefix("$").removeprefix("US$")
    match = _AMOUNT.fullmatch(text) if text and len(text) <= 20 else None
    if match is None or (match.group(1) is None and not match.group(2)):
        if "." in text and len(text.rsplit(".", 1)[1]) > 2 and text.replace(".", "", 1).replace(",", "").isdigit():
            raise UserError(f"{field}: use at most two decimals (whole cents).")
        raise UserError(f"{field}: {str(raw)[:30]!r} is not an amount like 45.00.")
    dollars = int((match.group(1) or "0").replace(",", ""))
    cents = int((match.group(2) or "").ljust(2, "0") or "0")
    total = dollars * 100 + cents
    if total == 0 and not allow_zero:
        raise UserError(f"{field} must be more than $0.")
    if total > max_cents:
        raise UserError(f"{field} can be at most ${max_cents // 100:,}.")
    return total


def parse_optional_cents(raw, *, field: str = "Amount") -> int | None:
    """Like parse_cents, but a blank input means "not given" (None)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return parse_cents(raw, field=field)


def parse_percent_bps(raw, *, field: str = "Rate", max_bps: int = 10_000) -> int:
    """Returns a percentage typed as "8.25" / "8.25%" / "8" in basis points (825), exactly.

    A blank input is 0. Refuses negatives, more than two decimals and values above `max_bps`.
    """
    if isinstance(raw, bool) or raw is None:
        return 0
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace(" ", "").removesuffix("%")
    else:
        raise UserError(f"{field}: enter a percentage like 8.25.")
    if not text:
        return 0
    if text.startswith("-"):
        raise UserError(f"{field} cannot be negative.")
    match = _PERCENT.fullmatch(text) if len(text) <= 10 else None
    if match is None or (match.group(1) is None and not match.group(2)):
        raise UserError(f"{field}: {str(raw)[:20]!r} is not a percentage like 8.25 (at most two decimals).")
    bps = int(match.group(1) or "0") * 100 + int((match.group(2) or "").ljust(2, "0") or "0")
    if bps > max_bps:
        raise UserError(f"{field} can be at most {max_bps // 100}%.")
    return bps


def cents_input(cents: int | None) -> str:
    """Returns cents as the text an amount field is pre-filled with ("45.50"; "" for None)."""
    if cents is None:
        return ""
    return f"{cents // 100}.{cents % 100:02d}"


def bps_input(bps: int) -> str:
    """Returns basis points as the text a rate field is pre-filled with ("8.25", "8", "0")."""
    whole, frac = divmod(int(bps), 100)
    return f"{whole}" if not frac else f"{whole}.{frac:02d}".rstrip("0")


def format_cents(cents: int) -> str:
    """Returns "$1,234.50" — always two decimals, for documents and tables."""
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def format_bps(bps: int) -> str:
    """Returns "8.25%"."""
    return bps_input(bps) + "%"
