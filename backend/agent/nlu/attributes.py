"""Pricing attributes in a customer's words — vehicle size, lot size, home size, pet size/coat —
mapped onto the options a tenant prices by ("it's a 4Runner" -> suv, "about 2,400 sq ft" ->
large, "half an acre" -> medium).

Options are matched by their words (value and synonyms) and, when an option carries a numeric
range and unit, by any measurement in the message. A measurement beats a loose word ("small
yard, about 1 acre" is priced by the acre), and two words pointing at different options leave
the attribute out, so the agent asks instead of quoting the wrong price.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from backend.agent.nlu.text import NUMBER_WORDS, fold

# Unit spellings -> canonical unit. Options name their unit with any of these.
_UNIT_ALIASES: Mapping[str, str] = MappingProxyType({
    "acre": "acres", "acres": "acres", "ac": "acres",
    "sqft": "sqft", "sq ft": "sqft", "square feet": "sqft", "square foot": "sqft", "sf": "sqft",
    "ft2": "sqft",
    "bedroom": "bedrooms", "bedrooms": "bedrooms", "bed": "bedrooms", "beds": "bedrooms",
    "br": "bedrooms", "bd": "bedrooms", "bdrm": "bedrooms",
    "bathroom": "bathrooms", "bathrooms": "bathrooms", "bath": "bathrooms", "baths": "bathrooms",
    "ba": "bathrooms",
    "lb": "lbs", "lbs": "lbs", "pound": "lbs", "pounds": "lbs",
})
_UNIT_RE = (
    r"(?P<unit>acres?|ac\b|sq\.?\s*f(?:ee)?t\.?|sqft|square\s+f(?:ee|oo)t|sf\b|ft2|"
    r"bed(?:room)?s?\b|bdrms?\b|br\b|bds?\b|bath(?:room)?s?\b|ba\b|lbs?\b|pounds?\b)"
)
_FRACTION_WORDS = MappingProxyType(
    {"half": 0.5, "quarter": 0.25, "third": 1 / 3, "three quarters": 0.75, "three quarter": 0.75}
)
_BELOW = frozenset({"under", "less than", "below", "not quite", "just under", "smaller than", "<", "almost", "nearly"})
_ABOVE = frozenset({"over", "more than", "above", "bigger than", "larger than", "just over", ">"})
_NUMBER = (
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\s+\d+/\d+|\d+/\d+|\d*\.\d+|\d+)(?P<k>\s*k\b)?"
    r"(?P<and_half>\s+and\s+a\s+half)?"
)
_WORD_NUMBER = (
    r"(?P<word>(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten)(?:\s+and\s+a\s+half)?|"
    r"(?:a\s+|one\s+)?(?:half|quarter|third|three\s+quarters?)(?:\s+(?:of\s+)?an?)?)"
)
_MEASURE = re.compile(
    rf"(?P<qual>\b(?:under|less than|below|not quite|just under|smaller than|over|more than|above|"
    rf"bigger than|larger than|at least|just over|about|around|approx(?:imately)?|roughly|almost|"
    rf"nearly|maybe)\s+|[<>~]\s*)?"
    rf"(?:{_NUMBER}|\b{_WORD_NUMBER})[\s-]*(?:of\s+an?\s+)?{_UNIT_RE}"
    rf"(?P<and_half_after>\s+and\s+a\s+half)?",
    re.IGNORECASE,
)
# Option values that only rank ("small", "large") are not words a customer uses for the thing
# itself; a "small yard" must not make the pet small. Such values match only via synonyms.
_SCALE_WORDS = frozenset(
    "small medium large xl xlarge xxl extra large extra small xs s m l big huge tiny standard "
    "regular basic premium short long low high mid average".split()
)
# Everyday words for a kind of thing, weaker than a model or size named beside them.
_CATEGORY_WORDS = frozenset("car cars vehicle vehicles truck trucks suv suvs pickup auto ride".split())
_SEVERAL = re.compile(r"\b(?:and|both|two|plus|also)\b")
_BARE_NUMBER = re.compile(r"\s*(?:about|around|maybe|like)?\s*(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*[.!]?\s*")
_NEGATED = re.compile(r"\b(?:not|no|isn'?t|ain'?t|never|without|instead of)\s+(?:\w+\s+){0,2}$")


@dataclass(frozen=True)
class AttributeOption:
    """One priced option: its value, words that mean it, and an optional numeric range.

    The value itself also counts as a word for the option ("suv") unless it is only a scale
    word such as "small" or "large", which would match unrelated phrases.

    A numeric option holds values `min_value <= x < max_value` in `unit` (acres, sqft,
    bedrooms, bathrooms, lbs, or any spelling of those); a value equal to `max_value` still
    lands here when no other option holds it, so integer counts can use inclusive bounds.
    """

    value: str
    synonyms: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    unit: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "synonyms", tuple(self.synonyms))
        if self.unit is not None:
            object.__setattr__(self, "unit", canonical_unit(self.unit))


@dataclass(frozen=True)
class AttributeSpec:
    """An attribute a price depends on (e.g. "vehicle_size") and its options."""

    key: str
    options: tuple[AttributeOption, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))


@dataclass(frozen=True)
class Measurement:
    """A number with a unit found in text ("2,400 sq ft" -> 2400.0 sqft)."""

    value: float
    unit: str
    text: str


def canonical_unit(unit: str) -> str:
    """Returns the canonical unit name for a spelling ("sq ft" -> "sqft"); unknown units as given."""
    key = re.sub(r"[.\s]+", " ", unit.lower()).strip()
    return _UNIT_ALIASES.get(key, _UNIT_ALIASES.get(key.replace(" ", ""), key))


def _unit_of(raw: str) -> str:
    raw = re.sub(r"[.\s]+", " ", raw.lower()).strip()
    if raw.startswith("sq") or raw.startswith("square") or raw in ("sf", "ft2"):
        return "sqft"
    return _UNIT_ALIASES.get(raw, raw)


def _to_number(m: re.Match[str]) -> float | None:
    num, word = m.group("num"), m.group("word")
    if num:
        num = num.replace(",", "")
        if " " in num.strip():
            whole, frac = num.split()
            a, b = frac.split("/")
            value = int(whole) + int(a) / int(b) if int(b) else None
        elif "/" in num:
            a, b = num.split("/")
            value = int(a) / int(b) if int(b) else None
        else:
            value = float(num)
        if value is None:
            return None
        if m.group("k"):
            value *= 1000
    else:
        w = re.sub(r"\s+", " ", word.lower()).strip()
        w = re.sub(r"\s+(?:of\s+)?an?$", "", w)
        w = re.sub(r"^(?:a|one)\s+(?=half|quarter|third|three)", "", w)
        half = w.endswith(" and a half")
        w = w.replace(" and a half", "")
        if w in _FRACTION_WORDS:
            value = _FRACTION_WORDS[w]
        elif w in ("a", "an"):
            value = 1.0
        elif w in NUMBER_WORDS:
            value = float(NUMBER_WORDS[w])
        else:
            return None
        if half:
            value += 0.5
    if m.group("and_half") or m.group("and_half_after"):
        value += 0.5
    return value


def extract_measurements(text: str) -> list[Measurement]:
    """Returns every "<number> <unit>" in `text`, with under/over qualifiers nudging the value.

    "under 1/4 acre" comes back just below 0.25 and "over 3,000 sq ft" just above 3000, so they
    fall into the bucket the customer meant.
    """
    out: list[Measurement] = []
    for m in _MEASURE.finditer(fold(text or "")):
        value = _to_number(m)
        if value is None:
            continue
        qualifier = (m.group("qual") or "").strip().lower()
        nudge = max(abs(value), 1.0) * 1e-6
        if qualifier in _BELOW:
            value -= nudge
        elif qualifier in _ABOVE:
            value += nudge
        out.append(Measurement(value, _unit_of(m.group("unit")), m.group(0).strip()))
    return out


def _alias_pattern(alias: str) -> re.Pattern[str] | None:
    words = _split_alnum(alias)
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![a-z0-9]){body}(?:s|es)?(?![a-z0-9])")


def _split_alnum(text: str) -> list[str]:
    s = fold(text).replace("-", " ")
    s = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", s)
    return [w for w in re.split(r"[\s,;!?()\"]+", s) if w and w not in (".",)]


def _bucket(value: float, unit: str, options: Sequence[AttributeOption]) -> str | None:
    numeric = [o for o in options if o.unit == unit and (o.min_value is not None or o.max_value is not None)]
    inside = [
        o for o in numeric
        if (o.min_value is None or value >= o.min_value) and (o.max_value is None or value < o.max_value)
    ]
    if not inside:
        inside = [
            o for o in numeric
            if (o.min_value is None or value >= o.min_value) and (o.max_value is None or value <= o.max_value)
        ]
    values = {o.value for o in inside}
    return inside[0].value if len(values) == 1 else None


def _by_measurement(measurements: list[Measurement], spec: AttributeSpec) -> tuple[bool, str | None]:
    """Returns (measured, value): measured is True when any measurement used this spec's units."""
    units = {o.unit for o in spec.options if o.unit}
    picks = set()
    measured = False
    for measurement in measurements:
        if measurement.unit in units:
            measured = True
            picks.add(_bucket(measurement.value, measurement.unit, spec.options))
    if not measured:
        return False, None
    return True, (picks.pop() if len(picks) == 1 else None)


def _by_words(text: str, spec: AttributeSpec) -> str | None:
    s = " ".join(_split_alnum(text))
    hits: list[tuple[int, int, str]] = []
    for option in spec.options:
        value = option.value.lower()
        own = () if value in _SCALE_WORDS or not re.search(r"[a-z]", value) else (option.value,)
        for alias in (*own, *option.synonyms):
            pattern = _alias_pattern(alias)
            if pattern is None:
                continue
            for m in pattern.finditer(s):
                if _NEGATED.search(s[: m.start()]):
                    continue
                hits.append((m.start(), m.end(), option.value))
    # A longer phrase wins over a word inside it ("half acre" over "acre", "mini van" over "van").
    kept = [
        h for h in hits
        if not any(o[0] <= h[0] and h[1] <= o[1] and (o[1] - o[0]) > (h[1] - h[0]) for o in hits)
    ]
    values = {value for _, _, value in kept}
    if len(values) > 1 and not _SEVERAL.search(s):
        # A model or body style beats a category word: "my wife's car ... it's a RAV4" is a RAV4.
        specific = {value for start, end, value in kept if s[start:end].strip() not in _CATEGORY_WORDS}
        if len(specific) == 1:
            return specific.pop()
    return values.pop() if len(values) == 1 else None


def extract_attributes(
    text: str, specs: Sequence[AttributeSpec], *, expected: str | None = None
) -> dict[str, str]:
    """Returns {spec key: option value} for every attribute `text` settles unambiguously.

    `expected` names the key the agent just asked about; then a bare number ("3") is read in
    that spec's unit when the spec has exactly one numeric unit.
    """
    measurements = extract_measurements(text)
    found: dict[str, str] = {}
    for spec in specs:
        extra = list(measurements)
        if expected == spec.key and not any(m.unit in {o.unit for o in spec.options} for m in measurements):
            units = {o.unit for o in spec.options if o.unit}
            bare = _BARE_NUMBER.fullmatch(fold(text or ""))
            if bare and len(units) == 1:
                number = float(bare.group(1).replace(",", ""))
                extra.append(Measurement(number, units.pop(), bare.group(0).strip()))
        measured, value = _by_measurement(extra, spec)
        if measured:
            if value is not None:
                found[spec.key] = value
            continue
        value = _by_words(text, spec)
        if value is not None:
            found[spec.key] = value
    return found
