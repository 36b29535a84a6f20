"""Whole SMS booking conversations, one per industry, run through the NLU functions the way the
dialogue manager will call them: each customer turn with what the agent was awaiting."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from backend.agent.nlu import (
    Intent,
    classify_intent,
    extract_address,
    extract_attributes,
    extract_choice,
    extract_name,
    extract_zip,
    match_addons,
    match_service,
    parse_when,
)
from tests.unit.agent_nlu.catalogues import ADDONS, AUTO, CLEANING, LAWN, SPECS

TZ = "America/Chicago"
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo(TZ))


def test_auto_detailing_conversation():
    """Price question -> yes -> date -> slot choice -> address -> name -> confirm."""
    first = "Hi! How much for a full detail on my 4Runner? Can you add pet hair removal?"
    assert classify_intent(first).intent is Intent.PRICE
    assert [m.service_id for m in match_service(first, AUTO)] == ["full"]
    assert [m.service_id for m in match_addons(first, ADDONS)] == ["pet"]
    assert extract_attributes(first, SPECS) == {"vehicle_size": "suv"}

    assert classify_intent("yes let's do it", awaiting="confirm").intent is Intent.AFFIRM
    assert classify_intent("next Sat morning", awaiting="date").intent is Intent.INFORM
    hint = parse_when("next Sat morning", now=NOW, tz=TZ, awaiting="date")
    assert hint.dates == (date(2026, 11, 21),) and hint.window.start == time(8)

    slots = ["Sat Nov 21 8:00 AM", "Sat Nov 21 10:30 AM"]
    assert classify_intent("the 10:30 one", awaiting="choice").intent is Intent.INFORM
    assert extract_choice("the 10:30 one", slots) == 1

    address = "4512 S Harvard Ave, Tulsa OK 74135"
    assert classify_intent(address, awaiting="address").intent is Intent.INFORM
    assert extract_address(address).postal_code == "74135"
    assert classify_intent("Mike Jones", awaiting="name").intent is Intent.INFORM
    assert extract_name("Mike Jones", expected=True) == "Mike Jones"
    assert classify_intent("perfect thanks!", awaiting="confirm").intent is Intent.AFFIRM


def test_lawn_care_conversation():
    """Service-area check by ZIP, then a booking with a vague time and a changed mind."""
    assert classify_intent("do you guys come out to 74012?").intent is Intent.SERVICE_AREA
    assert extract_zip("do you guys come out to 74012?") == "74012"

    ask = "great, I need my grass cut, it's about half an acre. anytime next week after 3"
    assert classify_intent(ask).intent is Intent.BOOK
    assert match_service(ask, LAWN)[0].service_id == "mow"
    assert extract_attributes(ask, SPECS) == {"lot_size": "large"}
    hint = parse_when(ask, now=NOW, tz=TZ)
    assert (hint.earliest_date, hint.latest_date) == (date(2026, 11, 23), date(2026, 11, 29))
    assert hint.flexible and hint.window.start == time(15)

    assert classify_intent("hmm neither of those", awaiting="choice").intent is Intent.DENY
    assert classify_intent("can we do 11 instead", awaiting="confirm").intent is Intent.INFORM
    assert classify_intent("actually I need to reschedule my other appointment too", awaiting="confirm").intent is Intent.RESCHEDULE


def test_house_cleaning_conversation():
    """Home size by numbers, an FAQ mid-flow, then an opt-out that must win over the flow."""
    first = "Hi this is Dana. Looking for a deep clean, 3 bed 2 bath about 1,800 sq ft"
    assert classify_intent(first).intent is Intent.BOOK
    assert extract_name(first) == "Dana"
    assert match_service(first, CLEANING)[0].service_id == "deep"
    assert extract_attributes(first, SPECS) == {"bedrooms": "3", "home_size": "medium"}

    assert classify_intent("Do I need to be home?", awaiting="date").intent is Intent.FAQ
    assert classify_intent("the 2nd", awaiting="date").intent is Intent.INFORM
    assert parse_when("the 2nd", now=NOW, tz=TZ).dates == (date(2026, 12, 2),)
    assert classify_intent("please stop texting me", awaiting="confirm").intent is Intent.OPT_OUT_LIKE
