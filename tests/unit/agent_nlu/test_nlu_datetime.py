"""parse_when: SMS date/time phrasing resolved against a pinned `now` (Wednesday 2026-11-18
10:00 America/Chicago unless a test says otherwise), including DST days and month/year rollover."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from backend.agent.nlu.datetime_parse import (
    TimeWindow,
    localize,
    mentions_when,
    parse_when,
)

TZ = "America/Chicago"
CHICAGO = ZoneInfo(TZ)
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=CHICAGO)  # a Wednesday


def when(text: str, now: datetime = NOW, **kwargs):
    return parse_when(text, now=now, tz=TZ, **kwargs)


def d(iso: str) -> date:
    return date.fromisoformat(iso)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow", ["2026-11-19"]),
        ("tmrw", ["2026-11-19"]),
        ("today", ["2026-11-18"]),
        ("tonight", ["2026-11-18"]),
        ("day after tomorrow", ["2026-11-20"]),
        ("tomorrow afternoon", ["2026-11-19"]),
        ("next Sat at 10", ["2026-11-21"]),
        ("next saturday", ["2026-11-21"]),
        ("this Saturday", ["2026-11-21"]),
        ("saturday", ["2026-11-21"]),
        ("wednesday", ["2026-11-18"]),
        ("next wednesday", ["2026-11-25"]),
        ("this coming wednesday", ["2026-11-25"]),
        ("Friday morning", ["2026-11-20"]),
        ("monday or tuesday", ["2026-11-23", "2026-11-24"]),
        ("tomorrow or friday", ["2026-11-19", "2026-11-20"]),
        ("friday after next", ["2026-11-27"]),
        ("a week from friday", ["2026-11-27"]),
        ("tuesday next week", ["2026-11-24"]),
        ("next week tuesday", ["2026-11-24"]),
        ("the 14th", ["2026-12-14"]),
        ("on the 20th", ["2026-11-20"]),
        ("the 18th", ["2026-11-18"]),
        ("the 31st", ["2026-12-31"]),
        ("on the 14 at 3", ["2026-12-14"]),
        ("Friday the 20th", ["2026-11-20"]),
        ("Dec 3", ["2026-12-03"]),
        ("saturday 12/5 would be ideal", ["2026-12-05"]),
        ("dec. 3rd", ["2026-12-03"]),
        ("December third", ["2026-12-03"]),
        ("3rd of December", ["2026-12-03"]),
        ("Dec 3, 2027", ["2027-12-03"]),
        ("2026-12-03", ["2026-12-03"]),
        ("12/3", ["2026-12-03"]),
        ("12/03/2026", ["2026-12-03"]),
        ("11/2", ["2027-11-02"]),
        ("can you come out 11/20 at 1:30pm", ["2026-11-20"]),
        ("in 2 weeks", ["2026-12-02"]),
        ("in 3 days", ["2026-11-21"]),
        ("2 days from now", ["2026-11-20"]),
        ("in a month", ["2026-12-18"]),
        ("Could you come by tomorrow around 3?", ["2026-11-19"]),
    ],
)
def test_parse_when_dates(text, expected):
    """Named days resolve to local dates by the documented conventions."""
    hint = when(text)
    assert hint is not None
    assert list(hint.dates) == [d(x) for x in expected]
    assert hint.earliest_date == d(expected[0]) and hint.latest_date == d(expected[-1])


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("this weekend", "2026-11-21", "2026-11-22"),
        ("next weekend", "2026-11-21", "2026-11-22"),
        ("the weekend after next", "2026-11-28", "2026-11-29"),
        ("sometime the weekend after next", "2026-11-28", "2026-11-29"),
        ("this week", "2026-11-18", "2026-11-22"),
        ("next week", "2026-11-23", "2026-11-29"),
        ("anytime next week", "2026-11-23", "2026-11-29"),
        ("sometime next week in the afternoon", "2026-11-23", "2026-11-29"),
        ("end of the week", "2026-11-19", "2026-11-21"),
        ("later this week", "2026-11-19", "2026-11-21"),
        ("early next week", "2026-11-23", "2026-11-25"),
        ("the week after next", "2026-11-30", "2026-12-06"),
        ("within a week", "2026-11-18", "2026-11-25"),
        ("next month", "2026-12-01", "2026-12-31"),
        ("in december", "2026-12-01", "2026-12-31"),
        ("mon-wed", "2026-11-23", "2026-11-25"),
        ("between monday and wednesday", "2026-11-23", "2026-11-25"),
        ("before friday", "2026-11-18", "2026-11-19"),
        ("by friday", "2026-11-18", "2026-11-20"),
        ("after the 20th", "2026-11-21", None),
    ],
)
def test_parse_when_ranges(text, earliest, latest):
    """Spans come back as earliest/latest bounds with no individual dates."""
    hint = when(text)
    assert hint is not None
    assert hint.dates == ()
    assert hint.earliest_date == d(earliest)
    assert hint.latest_date == (d(latest) if latest else None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10am", [time(10)]),
        ("10 am", [time(10)]),
        ("9:45 a.m.", [time(9, 45)]),
        ("2pm", [time(14)]),
        ("at 2:30", [time(14, 30)]),
        ("at 7", [time(19)]),
        ("at 8", [time(8)]),
        ("at 11:15", [time(11, 15)]),
        ("at 12", [time(12)]),
        ("at 15:30", [time(15, 30)]),
        ("noon", [time(12)]),
        ("12 noon", [time(12)]),
        ("1030am", [time(10, 30)]),
        ("next Sat at 10", [time(10)]),
        ("tmrw @ 3", [time(15)]),
        ("tomorrow 10", [time(10)]),
        ("10 tomorrow", [time(10)]),
        ("sat 10", [time(10)]),
        ("7 in the morning", [time(7)]),
        ("tonight at 8", [time(20)]),
        ("tomorrow evening at 6", [time(18)]),
        ("at 10 or 2", [time(10), time(14)]),
        ("around 10ish", [time(10)]),
    ],
)
def test_parse_when_times(text, expected):
    """Clock times: bare 1-7 are pm, 8-11 am, 12 noon; a part of day overrides the default."""
    hint = when(text)
    assert hint is not None
    assert list(hint.times) == expected


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("tomorrow afternoon", time(12), time(17)),
        ("Friday morning", time(8), time(12)),
        ("tonight", time(17), time(20)),
        ("this evening", time(17), time(20)),
        ("first thing", time(8), time(10)),
        ("first thing tomorrow", time(8), time(10)),
        ("late afternoon", time(15), time(17)),
        ("after 3", time(15), None),
        ("anytime after 3pm", time(15), None),
        ("before 11", None, time(11)),
        ("done by 5", None, time(17)),
        ("between 2 and 4", time(14), time(16)),
        ("2-4pm", time(14), time(16)),
        ("from 10 to 2", time(10), time(14)),
        ("between 9 and noon", time(9), time(12)),
        ("morning before 11", time(8), time(11)),
        ("afternoon after 3", time(15), time(17)),
        ("after lunch", time(13), None),
        ("before noon", None, time(12)),
        ("in the am", time(8), time(12)),
    ],
)
def test_parse_when_windows(text, start, end):
    """Parts of the day and before/after bounds become one local time window."""
    hint = when(text)
    assert hint is not None and hint.window is not None
    assert (hint.window.start, hint.window.end) == (start, end)


@pytest.mark.parametrize("text", ["asap", "ASAP please", "as soon as possible", "soonest you have", "earliest available", "first available", "what's your next available"])
def test_parse_when_asap(text):
    """Urgency phrasings set the asap flag."""
    hint = when(text)
    assert hint is not None and hint.asap


@pytest.mark.parametrize("text", ["anytime", "any time works", "whenever", "I'm flexible"])
def test_parse_when_flexible(text):
    """"Anytime"-style answers set the flexible flag and name no date."""
    hint = when(text)
    assert hint is not None and hint.flexible and hint.dates == ()


@pytest.mark.parametrize(
    "text",
    [
        "", "I sat in my car all day", "the sun is out", "the 2nd one", "I have 2 cars",
        "at 12 Oak St", "74133", "$95", "2026 Honda Civic", "3/2 house", "under 1/4 acre",
        "good morning", "how much for a full detail", "may I book a detail", "3 bed 2 bath",
        "about 2,400 sq ft", "call 918-555-0100", "wed like a quote",
    ],
)
def test_parse_when_ignores_non_dates(text):
    """Numbers that are prices, ZIPs, counts, fractions or choices are never read as dates/times."""
    assert when(text) is None


def test_parse_when_next_weekday_convention():
    """"next <weekday>" is the coming one on other days and one week out on that weekday itself."""
    saturday = datetime(2026, 11, 21, 9, 0, tzinfo=CHICAGO)
    assert when("next Saturday").dates == (d("2026-11-21"),)
    assert when("next Saturday", now=saturday).dates == (d("2026-11-28"),)
    assert when("this Saturday", now=saturday).dates == (d("2026-11-21"),)
    assert when("Saturday", now=saturday).dates == (d("2026-11-21"),)
    assert any("coming" in note for note in when("next Saturday").assumptions)


def test_parse_when_weekend_on_weekend_days():
    """"this weekend" includes today on Saturday/Sunday; "next weekend" is the one after."""
    saturday = datetime(2026, 11, 21, 9, 0, tzinfo=CHICAGO)
    sunday = datetime(2026, 11, 22, 9, 0, tzinfo=CHICAGO)
    assert (when("this weekend", now=saturday).earliest_date, when("this weekend", now=saturday).latest_date) == (d("2026-11-21"), d("2026-11-22"))
    assert (when("this weekend", now=sunday).earliest_date, when("this weekend", now=sunday).latest_date) == (d("2026-11-22"), d("2026-11-22"))
    assert when("next weekend", now=saturday).earliest_date == d("2026-11-28")
    assert when("next weekend", now=sunday).earliest_date == d("2026-11-28")
    assert when("end of the week", now=sunday).earliest_date == d("2026-11-26")


def test_parse_when_bare_hour_assumption_is_recorded():
    """A bare hour read as pm says so, so the agent can confirm "2:30 pm" back in words."""
    hint = when("at 2:30")
    assert any("pm" in note for note in hint.assumptions)


def test_parse_when_month_rollover():
    """On the last day of a month, "tomorrow" and small days of month fall in the next month."""
    last_day = datetime(2026, 11, 30, 15, 0, tzinfo=CHICAGO)
    assert when("tomorrow", now=last_day).dates == (d("2026-12-01"),)
    assert when("the 1st", now=last_day).dates == (d("2026-12-01"),)
    assert when("the 30th", now=last_day).dates == (d("2026-11-30"),)
    assert when("the 29th", now=last_day).dates == (d("2026-12-29"),)


def test_parse_when_year_rollover():
    """In December, "Jan 3" and "1/3" mean next January, and the roll is noted."""
    december = datetime(2026, 12, 20, 12, 0, tzinfo=CHICAGO)
    hint = when("Jan 3", now=december)
    assert hint.dates == (d("2027-01-03"),)
    assert any("next year" in note for note in hint.assumptions)
    assert when("1/3", now=december).dates == (d("2027-01-03"),)
    assert when("the 2nd", now=december).dates == (d("2027-01-02"),)
    assert when("Dec 3", now=december).dates == (d("2027-12-03"),)
    new_years_eve_week = datetime(2026, 12, 30, 12, 0, tzinfo=CHICAGO)  # a Wednesday
    nxt = when("next week", now=new_years_eve_week)
    assert (nxt.earliest_date, nxt.latest_date) == (d("2027-01-04"), d("2027-01-10"))
    assert when("monday", now=new_years_eve_week).dates == (d("2027-01-04"),)


def test_parse_when_dst_spring_forward():
    """On 2026-03-08 (clocks jump 2:00 -> 3:00) days stay calendar days and gaps move forward."""
    saturday_night = datetime(2026, 3, 7, 22, 0, tzinfo=CHICAGO)
    hint = when("tomorrow at 10", now=saturday_night)
    assert hint.starts_at() == datetime(2026, 3, 8, 10, 0, tzinfo=CHICAGO)
    assert hint.starts_at().astimezone(timezone.utc) == datetime(2026, 3, 8, 15, 0, tzinfo=timezone.utc)
    skipped = when("tomorrow at 2:30am", now=saturday_night)
    assert skipped.dates == (d("2026-03-08"),) and skipped.times == (time(2, 30),)
    assert skipped.starts_at().astimezone(timezone.utc) == datetime(2026, 3, 8, 8, 30, tzinfo=timezone.utc)
    early = datetime(2026, 3, 8, 1, 30, tzinfo=CHICAGO)
    in_two = when("in 2 hours", now=early)
    assert in_two.times == (time(4, 30),)
    assert in_two.starts_at().astimezone(timezone.utc) == early.astimezone(timezone.utc) + timedelta(hours=2)


def test_parse_when_dst_fall_back():
    """On 2026-11-01 (1:00-2:00 repeats) relative hours count real time and days stay whole."""
    before = datetime(2026, 11, 1, 0, 30, tzinfo=CHICAGO)
    hint = when("in 2 hours", now=before)
    assert hint.starts_at().astimezone(timezone.utc) == datetime(2026, 11, 1, 7, 30, tzinfo=timezone.utc)
    assert hint.times == (time(1, 30),)
    saturday_night = datetime(2026, 10, 31, 23, 30, tzinfo=CHICAGO)
    assert when("tomorrow", now=saturday_night).dates == (d("2026-11-01"),)
    morning = when("tomorrow at 9", now=saturday_night)
    assert morning.starts_at().utcoffset() == timedelta(hours=-6)
    week = when("next week", now=datetime(2026, 11, 1, 12, 0, tzinfo=CHICAGO))
    assert (week.earliest_date, week.latest_date) == (d("2026-11-02"), d("2026-11-08"))


def test_parse_when_converts_now_to_the_tenant_zone():
    """`now` in UTC is read in the tenant's zone: 03:00 UTC is still the evening before in Chicago."""
    utc_now = datetime(2026, 11, 19, 3, 0, tzinfo=timezone.utc)
    assert when("tomorrow", now=utc_now).dates == (d("2026-11-19"),)
    assert when("today", now=utc_now).dates == (d("2026-11-18"),)


def test_parse_when_requires_aware_now():
    """A naive `now` is refused instead of silently assuming a zone."""
    with pytest.raises(ValueError):
        parse_when("tomorrow", now=datetime(2026, 11, 18, 10, 0), tz=TZ)


def test_parse_when_awaiting_time_accepts_bare_hour():
    """Only when the agent asked for a time does a bare "3" become 3 pm."""
    assert when("3") is None
    assert when("3", awaiting="time").times == (time(15),)
    assert when("can we do 11 instead", awaiting="confirm").times == (time(11),)


def test_parse_when_awaiting_date_accepts_bare_day():
    """Only when the agent asked for a date does a bare "15" become the 15th."""
    assert when("15") is None
    assert when("15", awaiting="date").dates == (d("2026-12-15"),)


def test_parse_when_matched_text_and_exact_values():
    """The hint reports the phrases it used and a single exact date/time when there is one."""
    hint = when("Can you do next Sat at 10 for a full detail?")
    assert hint.matched == ("next Sat", "10")
    assert hint.exact_date == d("2026-11-21") and hint.exact_time == time(10)
    assert hint.starts_at() == datetime(2026, 11, 21, 10, 0, tzinfo=CHICAGO)
    assert when("monday or tuesday").exact_date is None


def test_when_hint_candidate_dates_caps_open_ranges():
    """candidate_dates lists named dates, or range days capped at max_days."""
    assert when("next week").candidate_dates() == tuple(d("2026-11-23") + timedelta(days=i) for i in range(7))
    assert len(when("after the 20th").candidate_dates(max_days=5)) == 5
    assert when("monday or tuesday").candidate_dates() == (d("2026-11-23"), d("2026-11-24"))


def test_time_window_contains():
    """Windows include their start and exclude their end; open ends are unbounded."""
    window = TimeWindow(time(12), time(17))
    assert window.contains(time(12)) and not window.contains(time(17))
    assert TimeWindow(start=time(15)).contains(time(19))


def test_localize_resolves_ambiguous_time_to_first_occurrence():
    """1:30 on fall-back night is the first (daylight) 1:30."""
    assert localize(d("2026-11-01"), time(1, 30), TZ).utcoffset() == timedelta(hours=-5)


@pytest.mark.parametrize(("text", "expected"), [("see you tuesday", True), ("how much is it", False), ("asap", True), ("74133", False)])
def test_mentions_when(text, expected):
    """mentions_when is a cheap yes/no on the same rules."""
    assert mentions_when(text) is expected


def test_parse_when_is_deterministic():
    """The same input gives an equal hint every time."""
    assert when("next Sat at 10 or sunday afternoon") == when("next Sat at 10 or sunday afternoon")


@pytest.mark.parametrize(("text", "expected"), [
    ("can we do 11 instead of 10 on tuesday", time(11)),
    ("could you do 3pm instead of 1", time(15)),
    ("2:30 rather than 1:30", time(14, 30)),
])
def test_parse_when_the_time_after_instead_of_is_the_one_replaced(text, expected):
    """"11 instead of 10" asks for 11: the time after "instead of" / "rather than" is the old one."""
    assert when(text).times == (expected,)
