"""SMS segment counting, as carriers bill it.

GSM-7 (3GPP TS 23.038 default alphabet): 160 septets in one message, 153 per part when split;
characters of the extension table (``^{}[]~|\\€`` and form feed) take two septets and an escape
pair is never split across parts. Any other character switches the whole message to UCS-2:
70 UTF-16 code units in one message, 67 per part; a character outside the BMP (most emoji)
is a surrogate pair of 2 units that is never split.
"""

from __future__ import annotations

import dataclasses

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclasses.dataclass(frozen=True)
class SegmentInfo:
    """How a text will be sent: encoding, parts, and what is left in the last part."""

    encoding: str  # "GSM-7" | "UCS-2"
    segments: int  # 0 for an empty text
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    per_segment: int  # capacity of each part at this length (160/153 or 70/67)
    remaining: int  # units still free in the last part
    non_gsm_characters: tuple[str, ...] = ()  # what forced UCS-2, for the composer hint


def is_gsm7(text: str) -> bool:
    """True when every character of `text` is in the GSM-7 basic or extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def _weights(text: str, gsm: bool) -> list[int]:
    if gsm:
        return [2 if ch in GSM7_EXTENDED else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _pack(weights: list[int], capacity: int) -> tuple[int, int]:
    """Returns (parts, units used in the last part) with no character split across parts."""
    parts, used = 1, 0
    for weight in weights:
        if used + weight > capacity:
            parts += 1
            used = 0
        used += weight
    return parts, used


def count_segments(text: str) -> SegmentInfo:
    """Returns the segment count and encoding of an SMS body."""
    text = text or ""
    gsm = is_gsm7(text)
    single, part = (GSM7_SINGLE, GSM7_PART) if gsm else (UCS2_SINGLE, UCS2_PART)
    encoding = "GSM-7" if gsm else "UCS-2"
    weights = _weights(text, gsm)
    units = sum(weights)
    odd = () if gsm else tuple(dict.fromkeys(ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENDED))
    if units == 0:
        return SegmentInfo(encoding, 0, 0, single, single, odd)
    if units <= single:
        return SegmentInfo(encoding, 1, units, single, single - units, odd)
    parts, used = _pack(weights, part)
    return SegmentInfo(encoding, parts, units, part, part - used, odd)


# Typographic characters phones and text editors insert, with the GSM-7 text carriers expect
# (the same idea as Twilio's "Smart Encoding"): one curly quote would otherwise switch the whole
# message to UCS-2 and more than double its segments.
_SMART_REPLACEMENTS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ",
    "\u200b": "", "\u2060": "", "\ufeff": "", "\u2022": "-", "\u00b7": "-", "\u2192": "->",
})


def smart_encode(text: str) -> str:
    """Returns `text` with typographic punctuation replaced by GSM-7 equivalents; other
    characters (accents, emoji) are kept."""
    return (text or "").translate(_SMART_REPLACEMENTS)
