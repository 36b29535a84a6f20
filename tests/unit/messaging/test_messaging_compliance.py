"""Consent keywords and quiet hours (pure rules, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.messaging.compliance import (
    HELP_KEYWORDS,
    OPT_IN_KEYWORDS,
    OPT_OUT_KEYWORDS,
    Keyword,
    classify_keyword,
    is_allowed_now,
    next_allowed_time,
    recipient_zones,
)

UTC = dt.timezone.utc
NY = "+12125550100"
HONOLULU = "+18085550100"
TULSA = "+19185550100"
LONDON = "+447911123456"


def test_keyword_lists_match_twilio_defaults():
    assert OPT_OUT_KEYWORDS == {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
    assert OPT_IN_KEYWORDS == {"START", "YES", "UNSTOP"}
    assert HELP_KEYWORDS == {"HELP", "INFO"}


@pytest.mark.parametrize("word", sorted(OPT_OUT_KEYWORDS))
@pytest.mark.parametrize("variant", [str.upper, str.lower, str.title, lambda w: f"  {w}.  "])
def test_opt_out_keywords_any_case(word, variant):
    assert classify_keyword(variant(word)) == (Keyword.OPT_OUT, word)


@pytest.mark.parametrize("word", sorted(OPT_IN_KEYWORDS))
def test_opt_in_keywords(word):
    assert classify_keyword(word.lower()) == (Keyword.OPT_IN, word)


@pytest.mark.parametrize("word", sorted(HELP_KEYWORDS))
def test_help_keywords(word):
    assert classify_keyword(f"{word.lower()}!") == (Keyword.HELP, word)


@pytest.mark.parametrize("body", ["stop it", "please STOP", "STOPPED", "help me", "", "   ", "yes please", "S T O P"])
def test_only_a_single_keyword_word_counts(body):
    """A keyword inside a sentence is a normal message, not a consent change."""
    assert classify_keyword(body) == (None, "")


def test_number_region_decides_the_zone():
    assert recipient_zones(NY, "America/Chicago") == ("America/New_York",)
    assert recipient_zones(HONOLULU, "America/Chicago") == ("Pacific/Honolulu",)


def test_unknown_region_falls_back_to_tenant_zone():
    assert recipient_zones("+1", "America/Denver") == ("America/Denver",)


def test_same_instant_differs_by_recipient_zone():
    """13:30 UTC in January is 08:30 in New York but 03:30 in Honolulu."""
    now = dt.datetime(2026, 1, 15, 13, 30, tzinfo=UTC)
    assert is_allowed_now(NY, "America/Chicago", now)
    assert not is_allowed_now(HONOLULU, "America/Chicago", now)
    assert next_allowed_time(NY, "America/Chicago", now) == now
    assert next_allowed_time(HONOLULU, "America/Chicago", now) == dt.datetime(2026, 1, 15, 18, 0, tzinfo=UTC)


def test_window_is_8_to_21_local():
    tz_day = dt.datetime(2026, 1, 15, tzinfo=UTC)
    # New York is UTC-5 in January.
    assert not is_allowed_now(NY, "UTC", tz_day.replace(hour=12, minute=59))  # 07:59
    assert is_allowed_now(NY, "UTC", tz_day.replace(hour=13))  # 08:00
    assert is_allowed_now(NY, "UTC", tz_day.replace(hour=1, minute=59) + dt.timedelta(days=1))  # 20:59
    assert not is_allowed_now(NY, "UTC", tz_day.replace(hour=2) + dt.timedelta(days=1))  # 21:00


def test_late_evening_defers_to_next_morning():
    now = dt.datetime(2026, 1, 16, 3, 0, tzinfo=UTC)  # 22:00 in New York on the 15th
    assert next_allowed_time(NY, "America/Chicago", now) == dt.datetime(2026, 1, 16, 13, 0, tzinfo=UTC)


def test_dst_change_is_respected():
    """On 2026-03-08 New York moves to UTC-4: 08:00 local is 12:00 UTC that day."""
    now = dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 02:00 EST → deferred to 08:00 EDT
    assert next_allowed_time(NY, "America/Chicago", now) == dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


def test_tenant_zone_used_when_number_maps_to_several_zones_including_it():
    zones = recipient_zones(LONDON, "Europe/London")
    assert zones == ("Europe/London",)


def test_next_allowed_time_needs_an_aware_datetime():
    with pytest.raises(ValueError):
        next_allowed_time(NY, "UTC", dt.datetime(2026, 1, 1, 12, 0))


def test_tulsa_number_uses_central_time():
    now = dt.datetime(2026, 7, 1, 12, 59, tzinfo=UTC)  # 07:59 CDT
    assert not is_allowed_now(TULSA, "America/New_York", now)
    assert next_allowed_time(TULSA, "America/New_York", now) == dt.datetime(2026, 7, 1, 13, 0, tzinfo=UTC)
