"""Address normalisation: one canonical key per street address, so that "12 Oak Street Apt 3"
and "12 oak st., #3" are recognised as the same household."""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "street": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr", "lane": "ln",
    "boulevard": "blvd", "court": "ct", "place": "pl", "terrace": "ter", "circle": "cir",
    "parkway": "pkwy", "highway": "hwy", "square": "sq", "trail": "trl", "way": "way",
    "north": "n", "south": "s", "east": "e", "west": "w",
    "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
    "apartment": "unit", "apt": "unit", "suite": "unit", "ste": "unit", "#": "unit", "unit": "unit",
}


def address_key(line1: str, line2: str = "", city: str = "", postal_code: str = "") -> str:
    """Returns the normalised household key for an address, or "" when there is no street line
    (an apartment number alone, "Apt 3", would group strangers across a whole ZIP)."""
    if not re.search(r"[a-z0-9]", (line1 or "").lower()):
        return ""
    street = f"{line1} {line2}".lower().replace("#", " # ")
    words = [w for w in re.split(r"[^a-z0-9#]+", street) if w]
    if not words:
        return ""
    normalised = " ".join(_ABBREVIATIONS.get(w, w) for w in words)
    normalised = re.sub(r"\bunit unit\b", "unit", normalised)
    zip5 = re.sub(r"\D", "", postal_code)[:5]
    place = zip5 or " ".join(re.split(r"[^a-z0-9]+", city.lower())).strip()
    return f"{normalised}|{place}"
