"""Matches what a customer asks for ("full detail", "cut my grass", "deep cleaning") against a
tenant's service or add-on catalogue.

Each catalogue name and synonym is compared word by word with the message: words are stemmed
("mowing" -> "mow"), a few trade equivalences are folded ("complete" -> "full", "lawn cut" ->
"lawn mow"), typos are forgiven with rapidfuzz, and every word is weighted by how rare it is in
this catalogue — "detail" says little when every service is a detail, "interior" says a lot.
A service only matches when most of its distinctive words are present, so "I need a detail"
against Full/Interior/Exterior Detail matches none of them and the agent asks which one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

from rapidfuzz import fuzz, process

from backend.agent.nlu.text import stem, tokens

MIN_SCORE = 60.0
STRONG_SCORE = 85.0

# Trade equivalences folded on both sides before comparing (keys are raw lower-case words).
_EQUIVALENT = MappingProxyType({
    "complete": "full", "entire": "full", "whole": "full", "cut": "mow", "cuts": "mow",
    "cutting": "mow", "mowed": "mow", "mown": "mow", "cleanup": "clean", "hoover": "vacuum",
    "hoovering": "vacuum", "shampooed": "shampoo", "carwash": "car wash", "inside": "interior",
    "outside": "exterior", "int": "interior", "ext": "exterior", "aerating": "aerate",
    "aeration": "aerate", "fertilizing": "fertilize", "fertilization": "fertilize",
    "fertilizer": "fertilize", "movein": "move in", "moveout": "move out",
})
_STOPWORDS = frozenset(
    "a an the and of for with my your our to on in at please i me we you do does can could would "
    "like want need get some just also it its is are be this that how much what".split()
)
# Words that name the trade rather than the service; they count, but for little.
_LOW_INFORMATION = frozenset(
    stem(word)
    for word in "service package pkg special treatment job option lawn yard grass car auto vehicle "
    "house home residential add addon upgrade extra removal restoration repair cleaning install "
    "application".split()
)
_NEGATORS = frozenset({"no", "not", "don't", "dont", "without", "skip", "except", "minus", "never", "nothing"})
_NEGATION_BREAK = frozenset({"but", "just", "only", "and", "instead", "rather"})


@dataclass(frozen=True)
class ServiceRef:
    """A catalogue entry to match against: a service or an add-on, with extra ways to say it."""

    id: str
    name: str
    synonyms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "synonyms", tuple(self.synonyms))


@dataclass(frozen=True)
class ServiceMatch:
    """One catalogue entry the message asks for: score 0-100 and the name/synonym that matched."""

    service_id: str
    name: str
    score: float
    alias: str

    @property
    def strong(self) -> bool:
        """Returns whether the match is good enough to act on without asking."""
        return self.score >= STRONG_SCORE


def canonical_tokens(text: str) -> list[str]:
    """Returns the comparison keys of `text`: equivalences folded, stemmed, stopwords dropped."""
    out: list[str] = []
    for tok in tokens(text):
        for part in _EQUIVALENT.get(tok, tok).split():
            key = stem(part)
            if key not in _STOPWORDS and part not in _STOPWORDS:
                out.append(key)
    return out


def _message_tokens(text: str) -> list[tuple[str, bool]]:
    """Returns (key, negated) for each word of the message; "no wax", "not the interior" negate."""
    out: list[tuple[str, bool]] = []
    negate_left = 0
    for tok in tokens(text):
        if tok in _NEGATORS:
            negate_left = 3
            continue
        if tok in _NEGATION_BREAK:
            negate_left = 0
        for part in _EQUIVALENT.get(tok, tok).split():
            key = stem(part)
            if key in _STOPWORDS or part in _STOPWORDS:
                continue
            out.append((key, negate_left > 0))
        if negate_left:
            negate_left -= 1
    return out


def _similar(word: str, candidates: list[str]) -> float:
    if word in candidates:
        return 1.0
    if len(word) < 5 or not candidates:
        return 0.0
    best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=80)
    return best[1] / 100.0 if best else 0.0


def _alias_score(alias_keys: list[str], said: list[str], weights: dict[str, float]) -> float:
    if not alias_keys:
        return 0.0
    total = sum(weights[k] for k in alias_keys)
    covered = 0.0
    skip_next = False
    for i, key in enumerate(alias_keys):
        if skip_next:
            skip_next = False
            covered += weights[key]
            continue
        if i + 1 < len(alias_keys) and key + alias_keys[i + 1] in said:
            covered += weights[key]  # "fulldetail", "carwash": two alias words typed as one
            skip_next = True
            continue
        covered += weights[key] * _similar(key, said)
    return 100.0 * covered / total if total else 0.0


def _weights(catalogue: Sequence[ServiceRef]) -> tuple[list[list[tuple[str, list[str]]]], dict[str, float]]:
    aliases: list[list[tuple[str, list[str]]]] = []
    document_frequency: dict[str, int] = {}
    for ref in catalogue:
        entry = []
        seen: set[str] = set()
        for alias in (ref.name, *ref.synonyms):
            keys = list(dict.fromkeys(canonical_tokens(alias)))
            if keys:
                entry.append((alias, keys))
                seen.update(keys)
        aliases.append(entry)
        for key in seen:
            document_frequency[key] = document_frequency.get(key, 0) + 1
    weights = {
        key: (0.15 if key in _LOW_INFORMATION else 1.0) / df for key, df in document_frequency.items()
    }
    return aliases, weights


def match_service(
    text: str, services: Sequence[ServiceRef], *, min_score: float = MIN_SCORE
) -> list[ServiceMatch]:
    """Returns the services `text` asks for, best first; empty when nothing matches well enough.

    Scores are 0-100: 100 means every word of a name or synonym is present, `STRONG_SCORE` (85)
    and up is safe to act on, `MIN_SCORE` (60) to `STRONG_SCORE` should be confirmed. Words the
    customer negates ("no wax", "not the interior") do not count.
    """
    said_pairs = _message_tokens(text)
    said = [key for key, negated in said_pairs if not negated]
    if not said or not services:
        return []
    aliases, weights = _weights(services)
    found: list[tuple[float, int, int, ServiceMatch]] = []
    for index, (ref, entry) in enumerate(zip(services, aliases, strict=True)):
        best: tuple[float, int, str] | None = None
        for alias, keys in entry:
            score = round(_alias_score(keys, said, weights), 1)
            if best is None or (score, len(keys)) > (best[0], best[1]):
                best = (score, len(keys), alias)
        if best and best[0] >= min_score:
            found.append((-best[0], -best[1], index, ServiceMatch(ref.id, ref.name, best[0], best[2])))
    found.sort(key=lambda item: item[:3])
    return [match for *_, match in found]


def match_addons(text: str, addons: Sequence[ServiceRef], *, min_score: float = MIN_SCORE) -> list[ServiceMatch]:
    """Returns every add-on `text` asks for ("and pet hair removal", "add the clay bar"), best first.

    Same scoring as `match_service`; several add-ons can match one message, and negated ones
    ("no ceramic") never do.
    """
    return match_service(text, addons, min_score=min_score)
