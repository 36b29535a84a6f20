"""Text folding, tokenising and light stemming shared by the NLU parsers, so that every parser
sees "Mowing", "mow" and "mowed" — or a curly apostrophe and a straight one — the same way."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

# One-to-one character replacements only: `fold` must keep string length so that regex spans
# found on the folded text can be cut out of the original message.
_FOLD_TABLE = MappingProxyType(str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"',
        "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    }
))

NUMBER_WORDS: Mapping[str, int] = MappingProxyType({
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
})

ORDINAL_WORDS: Mapping[str, int] = MappingProxyType({
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "twenty first": 21, "twenty second": 22,
    "twenty third": 23, "twenty fourth": 24, "twenty fifth": 25, "twenty sixth": 26,
    "twenty seventh": 27, "twenty eighth": 28, "twenty ninth": 29, "thirtieth": 30,
    "thirty first": 31,
})

_IRREGULAR = MappingProxyType(
    {"leaves": "leaf", "children": "child", "feet": "foot", "teeth": "tooth", "mice": "mouse"}
)
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STEM_EXCEPTIONS = frozenset(
    {"gas", "bus", "glass", "grass", "this", "yes", "has", "was", "his", "is", "us", "plus",
     "thing", "spring", "ring", "king", "bring", "string", "ceiling", "siding", "awning",
     "during", "morning", "evening", "red", "bed", "shed", "need", "seed", "speed", "feed",
     "weed", "bleed", "hundred", "wing", "sting", "swing", "sling"}
)


def fold(text: str) -> str:
    """Returns `text` lower-cased with typographic quotes, dashes and spaces made ASCII; same length.

    Falls back to the unlowered (but still folded) text for the rare characters whose lower-case
    form has a different length, so spans always line up with the original message.
    """
    folded = (text or "").translate(_FOLD_TABLE)
    lowered = folded.lower()
    return lowered if len(lowered) == len(folded) else folded


def normalize(text: str, *, keep_case: bool = False) -> str:
    """Returns `text` NFKC-normalised, folded and with runs of whitespace collapsed to one space.

    `keep_case=True` skips lower-casing, for rules that look at capitals (place names).
    """
    folded = unicodedata.normalize("NFKC", text or "").translate(_FOLD_TABLE)
    if not keep_case:
        folded = fold(folded)
    return re.sub(r"\s+", " ", folded).strip()


def tokens(text: str) -> list[str]:
    """Returns the lower-case word tokens of `text`, with possessive "'s" dropped."""
    out: list[str] = []
    for tok in _TOKEN_RE.findall(normalize(text)):
        if tok.endswith("'s"):
            tok = tok[:-2]
        out.append(tok)
    return out


def stem(token: str) -> str:
    """Returns a crude stem shared by a word's plural and -ing/-ed forms ("mowing" -> "mow").

    Not a linguistic stemmer: it only has to map both sides of a comparison to the same key, so
    it is applied to catalogue names and customer text alike ("edge" and "edging" -> "edg").
    """
    t = token.lower()
    if t in _IRREGULAR:
        return _IRREGULAR[t]
    if len(t) <= 3 or t in _STEM_EXCEPTIONS or not t.isalpha():
        return t
    if t.endswith("ies") and len(t) > 4:
        t = t[:-3] + "y"
    elif t.endswith("sses") or re.search(r"(?:x|ch|sh|zz)es$", t):
        t = t[:-2]
    elif t.endswith("s") and not t.endswith(("ss", "us", "is")):
        t = t[:-1]
    for suffix in ("ing", "ed"):
        if t.endswith(suffix) and len(t) - len(suffix) >= 3:
            t = t[: -len(suffix)]
            if len(t) >= 3 and t[-1] == t[-2] and t[-1] in "bdgmnprt":
                t = t[:-1]
            break
    if t.endswith("e") and len(t) > 3:
        t = t[:-1]
    return t
