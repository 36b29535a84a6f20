"""Service/add-on matching against small catalogues per industry, and attribute extraction from
words and measurements."""

from __future__ import annotations

import pytest

from backend.agent.nlu.attributes import (
    canonical_unit,
    extract_attributes,
    extract_measurements,
)
from backend.agent.nlu.services_match import match_addons, match_service
from tests.unit.agent_nlu.catalogues import ADDONS, AUTO, CLEANING, LAWN, SPECS


@pytest.mark.parametrize(
    ("text", "catalogue", "expected"),
    [
        ("how much for a full detail on an SUV", AUTO, "full"),
        ("complete detail please", AUTO, "full"),
        ("I'd like a full detailing", AUTO, "full"),
        ("full detial", AUTO, "full"),
        ("fulldetail", AUTO, "full"),
        ("full details for 2 cars", AUTO, "full"),
        ("just the inside", AUTO, "int"),
        ("quick wash", AUTO, "wash"),
        ("ceramic coating", AUTO, "cer"),
        ("ceramik coat", AUTO, "cer"),
        ("no ceramic, just a full detail", AUTO, "full"),
        ("mow", LAWN, "mow"),
        ("mowing", LAWN, "mow"),
        ("can you cut my grass", LAWN, "mow"),
        ("lawn cut", LAWN, "mow"),
        ("need my lawn mowed", LAWN, "mow"),
        ("trim the hedges", LAWN, "hedge"),
        ("leaves everywhere, need them gone", LAWN, "leaf"),
        ("aerate my lawn", LAWN, "aer"),
        ("weed n feed", LAWN, "fert"),
        ("deep clean", CLEANING, "deep"),
        ("deep cleaning", CLEANING, "deep"),
        ("I need a regular cleaning", CLEANING, "std"),
        ("move out cleaning", CLEANING, "move"),
        ("we're moving out friday", CLEANING, "move"),
    ],
)
def test_match_service(text, catalogue, expected):
    """The best match is the service the customer means, across phrasing, plurals and typos."""
    matches = match_service(text, catalogue)
    assert matches and matches[0].service_id == expected


@pytest.mark.parametrize(
    ("text", "catalogue"),
    [
        ("I need a detail", AUTO),
        ("what time do you close", AUTO),
        ("can you come tomorrow at 10", AUTO),
        ("trim", LAWN),
        ("clean my house", CLEANING),
        ("how much", CLEANING),
        ("I'd like a retail job", AUTO),
        ("hello", LAWN),
    ],
)
def test_match_service_finds_nothing_for_vague_or_unrelated_text(text, catalogue):
    """Words shared by several services, or no service words at all, match nothing."""
    assert match_service(text, catalogue) == []


def test_match_service_ranks_several_requested_services():
    """"Interior and exterior" matches both, each fully, ahead of anything partial."""
    ids = [m.service_id for m in match_service("interior and exterior detail", AUTO)]
    assert ids[:2] == ["int", "ext"]


def test_match_service_negation_excludes():
    """A service the customer rules out is not matched."""
    ids = [m.service_id for m in match_service("I don't want the interior, just exterior detail", AUTO)]
    assert ids == ["ext"]


def test_match_service_scores_and_strength():
    """Exact names score 100 and are strong; partial names score lower."""
    exact = match_service("Full Detail", AUTO)[0]
    assert exact.score == 100.0 and exact.strong and exact.alias == "Full Detail"
    partial = match_service("exterior", AUTO)[0]
    assert partial.service_id == "ext" and 60 <= partial.score < 100


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add pet hair removal", ["pet"]),
        ("and dog hair please", ["pet"]),
        ("headlights are foggy", ["head"]),
        ("engine bay", ["eng"]),
        ("clay bar and odor removal", ["clay", "odor"]),
        ("the car smells like smoke", ["odor"]),
        ("no clay bar", []),
        ("just the full detail", []),
    ],
)
def test_match_addons(text, expected):
    """Every add-on asked for is returned; negated or absent ones are not."""
    assert [m.service_id for m in match_addons(text, ADDONS)] == expected



@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it's a 4Runner", {"vehicle_size": "suv"}),
        ("I have an F150", {"vehicle_size": "truck"}),
        ("2019 Honda Civic sedan", {"vehicle_size": "sedan"}),
        ("Minivan", {"vehicle_size": "van"}),
        ("crossovers", {"vehicle_size": "suv"}),
        ("how much for a full detail on an SUV", {"vehicle_size": "suv"}),
        ("not an suv, it's a sedan", {"vehicle_size": "sedan"}),
        ("I have a sedan and a truck", {}),
        ("half an acre", {"lot_size": "large"}),
        ("quarter acre", {"lot_size": "medium"}),
        ("1/4 acre", {"lot_size": "medium"}),
        ("under 1/4 acre", {"lot_size": "small"}),
        ("1.5 acres", {"lot_size": "large"}),
        ("an acre and a half", {"lot_size": "large"}),
        ("small yard", {"lot_size": "small"}),
        ("small yard, about 1 acre", {"lot_size": "large"}),
        ("about 2,400 sq ft", {"home_size": "medium"}),
        ("2400sqft", {"home_size": "medium"}),
        ("2.4k sq ft", {"home_size": "medium"}),
        ("3000 square feet", {"home_size": "large"}),
        ("3 bed 2 bath", {"bedrooms": "3"}),
        ("3br", {"bedrooms": "3"}),
        ("two bedroom apartment", {"home_size": "small", "bedrooms": "1-2"}),
        ("4 bedrooms", {"bedrooms": "4+"}),
        ("she's a 40 lb beagle", {"pet_size": "medium"}),
        ("fluffy golden retriever", {"pet_size": "large", "coat": "long"}),
        ("how much for a bath", {}),
        ("can you come tomorrow", {}),
    ],
)
def test_extract_attributes(text, expected):
    """Words and measurements land in the right option; conflicting words leave the key out."""
    assert extract_attributes(text, SPECS) == expected


def test_extract_attributes_expected_bare_number():
    """A bare number answers the attribute the agent asked about, in that attribute's unit."""
    assert extract_attributes("3", SPECS, expected="bedrooms") == {"bedrooms": "3"}
    assert extract_attributes("2,000", SPECS, expected="home_size") == {"home_size": "medium"}
    assert extract_attributes("3", SPECS) == {}


def test_extract_measurements_nudges_qualified_values():
    """"under" and "over" move the value just across the stated boundary."""
    under, mixed = extract_measurements("under 1/4 acre and 2 1/2 acres")
    assert under.unit == "acres" and under.value < 0.25
    assert mixed.value == 2.5
    (over,) = extract_measurements("over 3,000 sq. ft.")
    assert over.unit == "sqft" and over.value > 3000


@pytest.mark.parametrize(("raw", "expected"), [("sq ft", "sqft"), ("Acre", "acres"), ("bed", "bedrooms"), ("pounds", "lbs"), ("hours", "hours")])
def test_canonical_unit(raw, expected):
    """Unit spellings in options and text meet on one name."""
    assert canonical_unit(raw) == expected
