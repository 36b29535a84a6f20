"""Finds when a customer wants a visit in SMS text ("tomorrow afternoon", "next Sat at 10",
"the 14th", "after 3", "asap") and turns it into local dates, times and windows that the
scheduler can check against real availability.

Explicit rules handle the phrasings customers actually text, because generic parsers guess
wrong on them ("the 14th" in the past, "at 2:30" as 2:30 am). dateparser parses the month-name
and ISO date fragments those rules locate ("Sept. 3rd", "3rd of December", "2026-12-03").
All arithmetic is done on local calendar dates (and on UTC instants for "in 2 hours"), so a DST
change never shifts a day or an hour.

Conventions (pinned by tests):
- "<weekday>" / "this <weekday>": the first such day on or after today (today included).
- "next <weekday>": the first such day strictly after today, i.e. the coming one; on that weekday
  itself it is one week out. "<weekday> after next" and "a week from <weekday>" add 7 days.
- "this weekend": the coming Saturday and Sunday (today included); "next weekend": the first
  weekend that starts after today. "next week": Monday to Sunday of the following week.
- "end of the week": Thursday to Saturday of this week (from today); "early next week": Mon-Wed.
- A bare day of month ("the 14th") or a date without a year that has passed means the next one.
- A bare hour 1-7 means pm, 8-11 am, 12 noon, 13-23 the 24-hour clock; a part of day in the
  same message wins ("7 in the morning", "tonight at 8").
- Windows: morning 8-12, afternoon 12-17, evening/tonight 17-20, first thing 8-10, lunch 11-13.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo

import dateparser
from dateutil.relativedelta import relativedelta

from backend.agent.nlu.text import NUMBER_WORDS, ORDINAL_WORDS, fold

MORNING = (time(8), time(12))
AFTERNOON = (time(12), time(17))
EVENING = (time(17), time(20))

_WINDOWS: Mapping[str, tuple[time, time]] = MappingProxyType({
    "morning": MORNING,
    "early morning": (time(8), time(10)),
    "mid morning": (time(9), time(11)),
    "late morning": (time(10), time(12)),
    "afternoon": AFTERNOON,
    "early afternoon": (time(12), time(15)),
    "mid afternoon": (time(13), time(16)),
    "late afternoon": (time(15), time(17)),
    "evening": EVENING,
    "early evening": (time(17), time(19)),
    "late evening": (time(18), time(20)),
    "first thing": (time(8), time(10)),
    "lunch": (time(11), time(13)),
    "end of day": (time(15), time(17)),
})
_AM_LABELS = frozenset({"morning", "early morning", "mid morning", "late morning", "first thing"})
_PM_LABELS = frozenset(
    {"afternoon", "early afternoon", "mid afternoon", "late afternoon", "evening",
     "early evening", "late evening", "end of day"}
)

_WEEKDAYS: Mapping[str, int] = MappingProxyType({
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "weds": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sat": 5, "sunday": 6, "sun": 6,
})
# Abbreviations that are also ordinary words ("I sat", "the sun", "we'd" typed "wed").
_CONTEXT_ABBREVIATIONS = frozenset({"sat", "sun", "wed"})
_WD = (
    r"(?:monday|mon|tuesday|tues|tue|wednesday|weds|wed|thursday|thurs|thur|thu|friday|fri|"
    r"saturday|sat|sunday|sun)"
)

_MONTHS: Mapping[str, int] = MappingProxyType({
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
})
_MON = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_ORD_WORD = "|".join(sorted((w.replace(" ", "[ -]") for w in ORDINAL_WORDS), key=len, reverse=True))
_COUNT = (
    r"(?:\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"a couple(?: of)?|couple(?: of)?|a few|few)"
)
_TOMORROW = r"(?:tomorrow|tomorow|tommorow|tommorrow|tomorrw|tmrw|tmrow|tmr|tmw|tmro|2morrow|2morow|2moro)"

_NOT_TIME_FOLLOWERS = (
    r"(?:weeks?|wks?|days?|months?|mos?|years?|yrs?|hours?|hrs?|minutes?|mins?|acres?|ac|sq|square|"
    r"ft|feet|foot|beds?|bedrooms?|baths?|bathrooms?|br|ba|bd|cars?|vehicles?|trucks?|suvs?|vans?|"
    r"dogs?|cats?|pets?|people|persons?|kids?|rooms?|stor(?:y|ies)|floors?|dollars?|bucks|k|percent|"
    r"miles?|mi|lbs?|pounds?|times?|of|x|stars?|points?|seats?|rows?|st|nd|rd|th|street|ave|avenue|"
    r"road|dr|drive|ln|lane|blvd|ct|court|way|pl|place|cir|pkwy|hwy|trl|ter)\b"
)
# Words that may follow a bare hour ("at 10 tomorrow", "at 3 works?"); anything else makes a
# bare number too doubtful to be a time ("at 12 Oak St", "about 2 cars").
_BARE_HOUR_FOLLOWERS = frozenset(
    {"or", "and", "to", "til", "till", "until", "on", "in", "at", "this", "next", "tomorrow",
     "today", "tonight", "tmrw", "tmr", "morning", "afternoon", "evening", "night", "if", "is",
     "works", "work", "would", "will", "ok", "okay", "please", "pls", "plz", "then", "for",
     "sounds", "good", "fine", "instead", "maybe", "thanks", "thx", "ty", "sharp", "latest",
     "earliest", "that", "should", "but", "so", "i", "we", "be", "could", "can",
     "perfect", "great", "cool", "yes", "with", "any", "day", "the", "either",
     "available", "open", "free", "possible", "preferably", "ideally", "pm", "am", "-", "too",
     "early", "late", "alright"}
    | set(_WEEKDAYS)
)
_ORDINAL_FOLLOWERS = frozenset(
    {"at", "in", "or", "and", "of", "if", "is", "works", "work", "would", "will", "please", "pls",
     "morning", "afternoon", "evening", "night", "around", "after", "before", "by", "then",
     "for", "ok", "okay", "maybe", "instead", "too", "possible", "available", "good", "fine",
     "between", "from", "anytime", "sometime", "early", "late", "could", "can", "perhaps",
     "preferably", "ideally", "that", "thanks", "thx", "sounds", "@", "-", "through", "thru",
     "to", "until", "til", "till", "but", "so", "we", "i", "you", "this", "next"}
)


# "come by tomorrow" is a visit, "by tomorrow" a deadline.
_VISIT_VERB_BEFORE_BY = re.compile(
    r"\b(?:come|comes|coming|came|stop|stopping|stopped|swing|swinging|drop|dropping|pass)\s*$"
)


_ABBREVIATION_CONTEXT_BEFORE = frozenset(
    {"on", "by", "or", "and", "until", "til", "till", "before", "after", "from", "thru", "through", "to",
     ",", "/", "&", "-", "this", "next"}
)
_ABBREVIATION_CONTEXT_AFTER = frozenset(
    {"at", "@", "or", "and", "morning", "afternoon", "evening", "night", "am", "pm", "works", "-", "/",
     ",", "?", "&"}
)
_NOT_DATE_AFTER_SLASH = re.compile(
    r"\s*(?:acres?|ac\b|of\b|miles?|lots?\b|inch|off\b|price|tank|tons?\b|cups?\b|cut\b|house|home|"
    r"condo|apt|apartment|bed|bd|br\b|bath|ba\b|split|would (?:recommend|use|hire|book)|recommend|stars?|rating|service|job|"
    r"experience|!)"
)
_RATING_BEFORE = re.compile(r"\b(?:rated?|rating|give|giving|score)\s*$")
_HOUR_PREFIX = re.compile(
    r"(?:^|[\s,(])(?:at|@|around|round|about|by|after|before|until|til|till|from|no later than|(?:can|could) (?:we|you|u) do|"
    r"no earlier than|say|like|maybe|how about|what about|approx|approximately|~)\s*$"
)
_TIME_BOUND_BEFORE = re.compile(
    r"(?:^|[\s,(])(after|past|no earlier than|from|starting at|before|by|until|til|till|no later than|"
    r"around|about|approx|approximately|~)\s*(?:at\s*)?$"
)
_PART_OF_DAY_AFTER = re.compile(
    r"\s*(?:in the (?:morning|afternoon|evening)|at night|tonight|this (?:morning|afternoon|evening))\b"
)
_POD_SPELLINGS = MappingProxyType(
    {"morn": "morning", "aft": "afternoon", "night": "evening", "nite": "evening", "lunch time": "lunch",
     "lunchtime": "lunch"}
)


@dataclass(frozen=True)
class TimeWindow:
    """A local time-of-day window; either bound may be open ("after 3" -> start 15:00, no end)."""

    start: time | None = None
    end: time | None = None
    label: str | None = None

    def contains(self, t: time) -> bool:
        """Returns whether `t` falls in the window (start inclusive, end exclusive)."""
        return (self.start is None or t >= self.start) and (self.end is None or t < self.end)


@dataclass(frozen=True)
class WhenHint:
    """What a message says about when: candidate dates or a date range, times, a window, flags.

    `dates` lists days the customer named ("monday or tuesday"); when they gave a span instead
    ("next week", "after the 15th") `dates` is empty and `earliest_date`/`latest_date` bound it
    (`latest_date` None means open-ended). `times` are exact local times ("10am or 2pm" gives
    two). `instant` is the exact aware moment for "in 2 hours"-style requests. `assumptions`
    spells out every guess made (bare hour read as pm, "next Sat" read as the coming one, a
    rolled-over year) so the agent can confirm it back in words.
    """

    tz: str
    dates: tuple[date, ...] = ()
    earliest_date: date | None = None
    latest_date: date | None = None
    times: tuple[time, ...] = ()
    window: TimeWindow | None = None
    asap: bool = False
    flexible: bool = False
    approximate: bool = False
    assumptions: tuple[str, ...] = ()
    matched: tuple[str, ...] = ()
    instant: datetime | None = None

    @property
    def exact_time(self) -> time | None:
        """Returns the one exact time asked for, or None when there is none or several."""
        return self.times[0] if len(self.times) == 1 else None

    @property
    def exact_date(self) -> date | None:
        """Returns the one candidate date, or None when there is none, several, or a range."""
        if len(self.dates) == 1:
            return self.dates[0]
        if not self.dates and self.earliest_date is not None and self.earliest_date == self.latest_date:
            return self.earliest_date
        return None

    def starts_at(self) -> datetime | None:
        """Returns the aware start instant when exactly one date and one time were given.

        A wall time skipped by DST moves forward by the gap (2:30 on spring-forward day is 3:30);
        a repeated wall time resolves to its first occurrence.
        """
        if self.instant is not None:
            return self.instant
        day, at = self.exact_date, self.exact_time
        if day is None or at is None:
            return None
        return localize(day, at, self.tz)

    def candidate_dates(self, *, max_days: int = 14) -> tuple[date, ...]:
        """Returns the named dates, or the days of the range capped at `max_days` days."""
        if self.dates:
            return self.dates
        if self.earliest_date is None:
            return ()
        last = self.latest_date or self.earliest_date + timedelta(days=max_days - 1)
        span = min((last - self.earliest_date).days + 1, max_days)
        return tuple(self.earliest_date + timedelta(days=i) for i in range(max(span, 0)))


def localize(day: date, at: time, tz: str) -> datetime:
    """Returns the aware datetime for a local wall time, moving times in a DST gap forward."""
    zone = ZoneInfo(tz)
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone, fold=0)
    # A wall time that does not exist does not survive a round trip through UTC; the round trip
    # lands on the instant the clock actually showed, one gap later.
    return aware.astimezone(timezone.utc).astimezone(zone)


def parse_when(text: str, *, now: datetime, tz: str, awaiting: str | None = None) -> WhenHint | None:
    """Returns what `text` says about when the customer wants the visit, or None if nothing.

    `now` must be timezone-aware; it is converted to `tz`, and every date and time in the result
    is local to `tz`. `awaiting="time"` lets a bare number ("3") count as an hour and
    `awaiting="date"` lets a bare number 1-31 count as a day of the month.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("parse_when needs a timezone-aware `now`.")
    zone = ZoneInfo(tz)
    scan = _Scan(text or "", now.astimezone(zone), tz, awaiting)
    return scan.run()


def mentions_when(text: str) -> bool:
    """Returns whether `text` contains any date, time, window or asap expression."""
    reference = datetime(2001, 1, 3, 9, 0, tzinfo=timezone.utc)
    return parse_when(text, now=reference, tz="UTC") is not None


# --------------------------------------------------------------------------------------------
# Internals. One `_Scan` per call collects the parts it finds; nothing is shared between calls.


@dataclass(frozen=True)
class _TimeItem:
    hour: int
    minute: int
    meridiem: str | None
    role: str  # "exact", "start" or "end"
    approximate: bool = False


@dataclass(frozen=True)
class _WeekdayItem:
    weekday: int
    mod: str | None
    after_next: bool
    start: int
    end: int
    plural: bool = False


class _Scan:
    """Scratch state of one `parse_when` call: the folded text, the spans already used, and the
    date/time parts found so far. Created per call and discarded, never shared."""

    def __init__(self, original: str, now: datetime, tz: str, awaiting: str | None) -> None:
        self.original = original
        self.now = now
        self.tz = tz
        self.awaiting = awaiting
        self.s = fold(original)
        self.today = now.date()
        self.claimed: list[tuple[int, int]] = []
        self.spans: list[tuple[int, int]] = []
        self.dates: list[tuple[date, int]] = []
        self.ranges: list[tuple[date, date | None]] = []
        self.week_context: list[tuple[date, date]] = []
        self.weekdays: list[_WeekdayItem] = []
        self.date_after: list[date] = []
        self.date_before: list[date] = []
        self.time_items: list[_TimeItem] = []
        self.time_ranges: list[tuple[int, int, str | None, int, int, str | None]] = []
        self.fixed_times: list[time] = []
        self.pods: list[str] = []
        self.bound_start: list[time] = []
        self.bound_end: list[time] = []
        self.asap = False
        self.flexible = False
        self.approximate = False
        self.instant: datetime | None = None
        self.notes: list[str] = []

    # -- span bookkeeping ---------------------------------------------------------------------

    def _free(self, start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in self.claimed)

    def _claim(self, start: int, end: int, *, record: bool = True) -> None:
        self.claimed.append((start, end))
        if record:
            self.spans.append((start, end))

    def _each(self, pattern: re.Pattern[str]):
        # Unlike finditer, a match that overlaps a claimed span is retried one character later,
        # so "anytime next week" still yields "next week" after "anytime" was claimed.
        pos = 0
        while pos <= len(self.s):
            m = pattern.search(self.s, pos)
            if m is None:
                return
            if self._free(m.start(), m.end()):
                yield m
                pos = max(m.end(), m.start() + 1)
            else:
                pos = m.start() + 1

    def _before(self, start: int) -> str:
        return self.s[:start].rstrip()

    def _next_word(self, end: int) -> str:
        m = re.match(r"\s*([a-z@-]+|[^\sa-z0-9])?", self.s[end:])
        return (m.group(1) or "") if m else ""

    def _date_prefix(self, start: int) -> tuple[str | None, int]:
        """Returns a bound word just before a date ("before friday") and where it starts."""
        m = re.search(
            r"(?:^|\s)(before|by|until|till|til|no later than|after|no earlier than|starting|from)"
            r"\s+(?:the\s+|on\s+)?$",
            self.s[:start],
        )
        if not m:
            return None, start
        if m.group(1) == "by" and _VISIT_VERB_BEFORE_BY.search(self.s[: m.start(1)]):
            return None, start  # "come by tomorrow" is a visit, not a deadline
        return m.group(1), m.start(1)

    def _add_date(self, day: date, start: int, end: int) -> None:
        word, word_start = self._date_prefix(start)
        if word in ("before",):
            self.date_before.append(day - timedelta(days=1))
        elif word in ("by", "until", "till", "til", "no later than"):
            self.date_before.append(day)
        elif word in ("after",):
            self.date_after.append(day + timedelta(days=1))
        elif word in ("no earlier than", "starting"):
            self.date_after.append(day)
        else:
            self.dates.append((day, start))
            self._claim(start, end)
            return
        self._claim(word_start, end)

    # -- the scan -----------------------------------------------------------------------------

    def run(self) -> WhenHint | None:
        """Returns the hint for the whole message, or None when it names no date or time."""
        self._ignore_greetings()
        self._flags()
        self._relative_offsets()
        self._relative_days()
        self._month_names()
        self._numeric_dates()
        self._weeks_and_months()
        self._weekday_ranges()
        self._weekends()
        self._weekdays()
        self._ordinal_days()
        self._bare_day_answer()
        self._time_bounds_named()
        self._time_ranges()
        self._named_times()
        self._times()
        self._parts_of_day()
        return self._build()

    def _ignore_greetings(self) -> None:
        greeting = re.compile(
            r"\b(?:good|gm|have a (?:good|great|nice)) (?:morning|afternoon|evening|night|day|weekend|one)\b"
        )
        for m in self._each(greeting):
            self._claim(m.start(), m.end(), record=False)
        # "11 instead of 10": the time after "instead of" / "rather than" is the one being replaced.
        replaced = re.compile(r"\b(?:instead of|rather than)\s+(?:the\s+)?(?:at\s+)?\d{1,2}(?::\d{2})?"
                              r"(?:\s*(?:am|pm|a\.m\.|p\.m\.|o'?clock))?(?!\s*(?:st|nd|rd|th)\b)")
        for m in self._each(replaced):
            self._claim(m.start(), m.end(), record=False)

    def _flags(self) -> None:
        asap = re.compile(
            r"\b(?:asap|a\.s\.a\.p\.?|as soon as (?:possible|you can|u can)|soon as possible|"
            r"soonest|earliest(?: available| possible| opening| slot| time| appointment| you can| you have)?|"
            r"first available|next available|right away|right now|immediately|today if possible|"
            r"as early as possible)\b"
        )
        for m in self._each(asap):
            self.asap = True
            self._claim(m.start(), m.end())
        flexible = re.compile(
            r"\b(?:any ?time|whenever|any day|flexible|open schedule|doesn'?t matter|"
            r"don'?t care when|no preference|whatever works|whatever is open)\b"
        )
        for m in self._each(flexible):
            self.flexible = True
            self._claim(m.start(), m.end())

    def _relative_offsets(self) -> None:
        units = r"(?P<unit>days?|weeks?|wks?|months?|mos?|hours?|hrs?|minutes?|mins?)"
        forward = re.compile(
            rf"\b(?P<pre>in|within)\s+(?:about\s+|around\s+|like\s+|roughly\s+)?(?P<n>{_COUNT})\s+{units}\b"
        )
        from_now = re.compile(rf"\b(?P<n>{_COUNT})\s+{units}\s+from\s+(?P<base>now|today|{_TOMORROW})\b")
        week_from = re.compile(rf"\b(?:a|one) week from\s+(?:this\s+|next\s+)?(?P<wd>{_WD})\b")
        for m in self._each(forward):
            self._offset(m, within=m.group("pre") == "within", base=self.today)
        for m in self._each(from_now):
            base = self.today + timedelta(days=0 if m.group("base") in ("now", "today") else 1)
            self._offset(m, within=False, base=base)
        for m in self._each(week_from):
            day = _upcoming(self.today, _WEEKDAYS[m.group("wd")], strictly_after=True) + timedelta(days=7)
            self._add_date(day, m.start(), m.end())

    def _offset(self, m: re.Match[str], *, within: bool, base: date) -> None:
        raw = m.group("n")
        word = raw.replace(" of", "").strip()
        if word.isdigit():
            n = int(word)
        elif word in ("a", "an"):
            n = 1
        elif "couple" in word:
            n, self.approximate = 2, True
        elif "few" in word:
            n, self.approximate = 3, True
        else:
            n = NUMBER_WORDS[word]
        unit = m.group("unit")
        if unit.startswith(("h", "mi")):
            delta = timedelta(hours=n) if unit.startswith("h") else timedelta(minutes=n)
            moment = (self.now.astimezone(timezone.utc) + delta).astimezone(self.now.tzinfo)
            if within:
                self.asap = True
            else:
                moment = moment.replace(second=0, microsecond=0)
                self.dates.append((moment.date(), m.start()))
                self.fixed_times.append(moment.time().replace(fold=0))
                self.instant = moment
            self._claim(m.start(), m.end())
            return
        if unit.startswith("d"):
            target = base + timedelta(days=n)
        elif unit.startswith("w"):
            target = base + timedelta(weeks=n)
        else:
            target = base + relativedelta(months=n)
        if within:
            self.ranges.append((self.today, target))
            self._claim(m.start(), m.end())
        else:
            self._add_date(target, m.start(), m.end())

    def _relative_days(self) -> None:
        table = (
            (rf"\b(?:the\s+)?day after {_TOMORROW}\b", 2, None),
            (r"\b(?:tonight|tonite|2nite|2night)\b", 0, "evening"),
            (r"\bthis (?P<pod>morning|afternoon|evening|aft)\b", 0, "pod"),
            (r"\blater today\b", 0, None),
            (r"\b(?:today|tdy|2day)\b", 0, None),
            (rf"\b{_TOMORROW}\b", 1, None),
        )
        for pattern, offset, pod in table:
            for m in self._each(re.compile(pattern)):
                self._add_date(self.today + timedelta(days=offset), m.start(), m.end())
                if pod == "evening":
                    self.pods.append("evening")
                elif pod == "pod":
                    self.pods.append("afternoon" if m.group("pod") == "aft" else m.group("pod"))

    def _month_names(self) -> None:
        day = rf"(?P<day>\d{{1,2}}|{_ORD_WORD})(?:st|nd|rd|th)?"
        year = r"(?:,?\s+(?P<year>\d{4}))?"
        month_day = re.compile(rf"\b(?P<mon>{_MON})\.?\s+(?:the\s+)?{day}\b{year}(?!\s*(?::|am\b|pm\b|a\.m|p\.m))")
        day_month = re.compile(rf"\b(?:the\s+)?{day}\s+(?:of\s+)?(?P<mon>{_MON})\b\.?{year}")
        iso = re.compile(r"\b(?P<iso>\d{4}-\d{1,2}-\d{1,2})\b")
        for pattern in (iso, month_day, day_month):
            for m in self._each(pattern):
                if "mon" in m.groupdict() and m.group("mon") == "may" and not re.match(r"\d", m.group("day")):
                    continue  # "may first" is more often a sentence than a date
                parsed = self._dateparser_fragment(m)
                if parsed is not None:
                    self._add_date(parsed, m.start(), m.end())
        month_only = re.compile(
            rf"\b(?P<pre>in|during|early|mid|late|end of|beginning of|start of|sometime in|"
            rf"the end of|the beginning of|the start of|first week of|last week of)\s+(?P<mon>{_MON})\b"
        )
        for m in self._each(month_only):
            self._month_range(_MONTHS[m.group("mon")], m.group("pre"), m)

    def _dateparser_fragment(self, m: re.Match[str]) -> date | None:
        groups = m.groupdict()
        fragment = m.group(0)
        if groups.get("day") and not groups["day"].isdigit():
            number = ORDINAL_WORDS[groups["day"].replace("-", " ")]
            fragment = f"{groups['mon']} {number}" + (f" {groups['year']}" if groups.get("year") else "")
        settings = {
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": self.now.replace(tzinfo=None),
            "TIMEZONE": self.tz,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "DATE_ORDER": "MDY",
            "REQUIRE_PARTS": ["day", "month"],
            "PREFER_DAY_OF_MONTH": "first",
        }
        parsed = dateparser.parse(fragment, languages=["en"], settings=settings)
        if parsed is None:
            return None
        has_year = bool(groups.get("year") or groups.get("iso"))
        if has_year:
            if parsed.date() < self.today:
                self.notes.append(f"{parsed.date().isoformat()} is in the past")
            return parsed.date()
        return self._roll_year(parsed.month, parsed.day, m.group(0))

    def _roll_year(self, month: int, day: int, said: str) -> date | None:
        for year in (self.today.year, self.today.year + 1):
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue
            if candidate >= self.today:
                if year != self.today.year:
                    self.notes.append(f"'{said.strip()}' read as {candidate.isoformat()} (next year)")
                return candidate
        return None

    def _month_range(self, month: int, pre: str, m: re.Match[str]) -> None:
        year = self.today.year if month >= self.today.month else self.today.year + 1
        last = calendar.monthrange(year, month)[1]
        first_day, last_day = 1, last
        if pre in ("early", "beginning of", "start of", "the beginning of", "the start of"):
            last_day = 10
        elif pre == "mid":
            first_day, last_day = 11, 20
        elif pre in ("late", "end of", "the end of"):
            first_day = 21
        elif pre == "first week of":
            last_day = 7
        elif pre == "last week of":
            first_day = last - 6
        start, end = date(year, month, first_day), date(year, month, last_day)
        if end < self.today:
            return
        self.ranges.append((max(start, self.today), end))
        self._claim(m.start(), m.end())

    def _numeric_dates(self) -> None:
        pattern = re.compile(r"(?<![\d/$.,:#-])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/%])")
        for m in self._each(pattern):
            if _NOT_DATE_AFTER_SLASH.match(self.s, m.end()) or _RATING_BEFORE.search(self.s[: m.start()]):
                continue  # "1/4 acre", "3/2 house", "10/10 would recommend"
            month, day = int(m.group("m")), int(m.group("d"))
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            if m.group("y"):
                year = int(m.group("y"))
                year = year + 2000 if year < 100 else year
                try:
                    parsed = date(year, month, day)
                except ValueError:
                    continue
                if parsed < self.today:
                    self.notes.append(f"{parsed.isoformat()} is in the past")
            else:
                parsed = self._roll_year(month, day, m.group(0))
                if parsed is None:
                    continue
            self._add_date(parsed, m.start(), m.end())

    def _weeks_and_months(self) -> None:
        week_start = self.today - timedelta(days=self.today.weekday())
        pre = (
            r"(?:(?P<pre>early|earlier|beginning of|start of|mid|middle of|late|later|end of|the end of|"
            r"the beginning of|the middle of|the start of|sometime|anytime|any time|any day)\s+)?"
        )
        after_next = re.compile(rf"\b{pre}(?:the\s+)?week after next\b")
        week = re.compile(rf"\b{pre}(?:the\s+)?(?P<which>this|next|the following|following)\s+(?:week|wk)\b")
        bare_week = re.compile(r"\b(?P<pre>end|the end|beginning|start|middle)\s+of\s+(?:the\s+)?(?:week|wk)\b")
        for m in self._each(after_next):
            self._week_range(week_start + timedelta(weeks=2), m.group("pre"), m, roll=False)
        for m in self._each(week):
            offset = 0 if m.group("which") == "this" else 1
            if m.group("pre") in ("anytime", "any time", "any day"):
                self.flexible = True
            self._week_range(week_start + timedelta(weeks=offset), m.group("pre"), m, roll=False)
        for m in self._each(bare_week):
            self._week_range(week_start, m.group("pre"), m, roll=True)
        month = re.compile(rf"\b{pre}(?:the\s+)?(?P<which>this|next)\s+month\b")
        end_month = re.compile(r"\b(?:the\s+)?end of (?:the|this) month\b")
        for m in self._each(end_month):
            self._month_range(self.today.month, "end of", m)
        for m in self._each(month):
            target = self.today + relativedelta(months=0 if m.group("which") == "this" else 1)
            self._month_range(target.month, m.group("pre") or "in", m)

    def _week_range(self, monday: date, pre: str | None, m: re.Match[str], *, roll: bool) -> None:
        pre = (pre or "").replace("the ", "")
        first, last = 0, 6
        if pre in ("early", "earlier", "beginning of", "start of", "beginning", "start"):
            first, last = 0, 2
        elif pre in ("mid", "middle of", "middle"):
            first, last = 1, 3
        elif pre in ("late", "later", "end of", "end"):
            first, last = 3, 5
        start, end = monday + timedelta(days=first), monday + timedelta(days=last)
        if end < self.today and roll:
            start, end = start + timedelta(weeks=1), end + timedelta(weeks=1)
        start = max(start, self.today)
        if pre == "later" and monday <= self.today:
            start = max(start, self.today + timedelta(days=1))
        if end < start:
            self.notes.append(f"'{m.group(0).strip()}' has already passed")
            self._claim(m.start(), m.end(), record=False)
            return
        if not pre:
            self.week_context.append((start, end))
        else:
            self.ranges.append((start, end))
        self._claim(m.start(), m.end())

    def _weekday_ranges(self) -> None:
        pattern = re.compile(
            rf"\b(?:(?P<between>between)\s+|from\s+)?(?P<mod>this|next)?\s*(?P<a>{_WD})\.?\s*"
            rf"(?P<sep>-|to|through|thru|till|til|until|and)\s*(?P<b>{_WD})\b\.?"
        )
        for m in self._each(pattern):
            if m.group("sep") == "and" and not m.group("between"):
                continue
            first = _upcoming(self.today, _WEEKDAYS[m.group("a")], strictly_after=m.group("mod") == "next")
            gap = (_WEEKDAYS[m.group("b")] - _WEEKDAYS[m.group("a")]) % 7
            self.ranges.append((first, first + timedelta(days=gap)))
            self._claim(m.start(), m.end())

    def _weekends(self) -> None:
        pattern = re.compile(
            r"\b(?P<mod>this coming|this|next|the|coming|on the|over the)?\s*week-?ends?\b(?P<after>\s+after next)?")
        for m in self._each(pattern):
            mod = (m.group("mod") or "").strip()
            weekday = self.today.weekday()
            if m.group("after"):
                # "the weekend after next": one week after the coming weekend.
                saturday = self.today + timedelta(days=(5 - weekday) % 7 or 7) + timedelta(days=7)
                start, end = saturday, saturday + timedelta(days=1)
            elif mod in ("next", "coming", "this coming"):
                saturday = self.today + timedelta(days=(5 - weekday) % 7 or 7)
                start, end = saturday, saturday + timedelta(days=1)
                if mod == "next" and weekday < 5:
                    self.notes.append(f"'next weekend' read as the coming weekend ({start.isoformat()})")
            elif weekday == 6:
                start = end = self.today
            else:
                start = self.today + timedelta(days=5 - weekday) if weekday < 5 else self.today
                end = start + timedelta(days=1) if weekday < 5 else self.today + timedelta(days=1)
            self.ranges.append((start, end))
            self._claim(m.start(), m.end())

    def _weekdays(self) -> None:
        pattern = re.compile(
            rf"(?<!['\w])(?:(?P<mod>this coming|this past|coming|this|next|last|on|every)\s+)?"
            rf"(?P<wd>{_WD})(?P<pl>s)?\b\.?(?P<after>\s+after next)?"
        )
        for m in self._each(pattern):
            word, mod = m.group("wd"), m.group("mod")
            if word in _CONTEXT_ABBREVIATIONS and not self._abbreviation_in_context(m):
                continue
            if mod in ("last", "this past"):
                self._claim(m.start(), m.end(), record=False)
                continue
            self.weekdays.append(
                _WeekdayItem(_WEEKDAYS[word], mod, bool(m.group("after")), m.start(), m.end(), bool(m.group("pl")))
            )
            self._claim(m.start(), m.end())

    def _abbreviation_in_context(self, m: re.Match[str]) -> bool:
        if m.group("mod"):
            return True
        before = re.search(r"([a-z]+|[,/&-])\s*$", self.s[: m.start()])
        after = self._next_word(m.end())
        if before and before.group(1) in _ABBREVIATION_CONTEXT_BEFORE:
            return True
        if after in _ABBREVIATION_CONTEXT_AFTER:
            return True
        if re.match(r"\s*\d", self.s[m.end():]):
            return True
        return not self.s[: m.start()].strip(" ,.!?") and not self.s[m.end():].strip(" ,.!?")

    def _ordinal_days(self) -> None:
        ordinal = re.compile(r"(?<![\w$#/.-])(?:(?:on\s+)?the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)\b")
        on_the = re.compile(r"\bon the (?P<d>\d{1,2})\b(?!\s*(?::|am\b|pm\b|a\.m|p\.m)|[/.,]\d)")
        for pattern in (ordinal, on_the):
            for m in self._each(pattern):
                follower = self._next_word(m.end())
                is_word = bool(re.match(r"[\w@-]", follower))
                if follower and is_word and follower not in _ORDINAL_FOLLOWERS and follower not in _WEEKDAYS:
                    continue  # "the 2nd one", "41st St", "my 3rd car"
                day = int(m.group("d"))
                if not 1 <= day <= 31:
                    continue
                self._add_date(_day_of_month(self.today, day), m.start(), m.end())

    def _bare_day_answer(self) -> None:
        if self.awaiting != "date":
            return
        m = re.fullmatch(r"\s*(?:the\s+)?(?P<d>\d{1,2})\s*[.!?]*\s*", self.s)
        if m and 1 <= int(m.group("d")) <= 31 and self._free(m.start(), m.end()):
            self._add_date(_day_of_month(self.today, int(m.group("d"))), m.start("d"), m.end("d"))

    # -- times --------------------------------------------------------------------------------

    def _time_bounds_named(self) -> None:
        table = (
            (r"\bafter lunch\b", "start", time(13)),
            (r"\bbefore lunch\b", "end", time(12)),
            (r"\bafter work\b", "start", time(17)),
            (r"\bafter school\b", "start", time(15)),
            (r"\b(?:after|past) (?:noon|midday|12 noon)\b", "start", time(12)),
            (r"\b(?:before|by) (?:noon|midday|12 noon)\b", "end", time(12)),
        )
        for pattern, role, at in table:
            for m in self._each(re.compile(pattern)):
                (self.bound_start if role == "start" else self.bound_end).append(at)
                self._claim(m.start(), m.end())

    def _time_ranges(self) -> None:
        ampm = r"(?:a\.?m\.?|p\.?m\.?)"
        pattern = re.compile(
            rf"(?:\b(?P<pre>between|btwn|btw|from)\s+)?"
            rf"(?<![\w$#/.,:-])(?P<h1>\d{{1,2}})(?::(?P<m1>[0-5]\d))?\s*(?P<a1>{ampm})?\s*"
            rf"(?P<sep>-|to|and|till|til|until|thru|through)\s*"
            rf"(?:(?P<h2>\d{{1,2}})(?::(?P<m2>[0-5]\d))?\s*(?P<a2>{ampm})?|(?P<noon>noon|midday))(?![\w/%]|[.,]\d)"
        )
        for m in self._each(pattern):
            g = m.groupdict()
            if g["sep"] == "and" and not g["pre"]:
                continue
            if not (g["pre"] or g["a1"] or g["a2"] or g["m1"] or g["m2"] or g["noon"]):
                continue
            if re.match(rf"\s*{_NOT_TIME_FOLLOWERS}", self.s[m.end():]):
                continue
            h2, m2, a2 = (12, 0, "pm") if g["noon"] else (int(g["h2"]), int(g["m2"] or 0), _meridiem(g["a2"]))
            self.time_ranges.append((int(g["h1"]), int(g["m1"] or 0), _meridiem(g["a1"]), h2, m2, a2))
            self._claim(m.start(), m.end())

    def _named_times(self) -> None:
        for m in self._each(re.compile(r"\b(?:12\s*)?(?:noon|midday|mid-day)\b")):
            self._time_from(m, 12, 0, "pm")

    def _times(self) -> None:
        compact = re.compile(r"(?<![\w$#/.,:-])(?P<hm>\d{3,4})\s*(?P<ampm>a\.?m\.?|p\.?m\.?)(?!\w)")
        for m in self._each(compact):
            hm = int(m.group("hm"))
            if hm % 100 < 60:
                self._time_from(m, hm // 100, hm % 100, _meridiem(m.group("ampm")))
        single = re.compile(
            r"(?<![\w$#/.,:-])(?P<h>\d{1,2})(?::(?P<m>[0-5]\d))?(?P<sp>\s*)"
            r"(?P<ampm>a\.m\.?|p\.m\.?|am|pm|a|p)?(?P<ish>\s*ish)?(?P<oc>\s*o'?clock)?(?![\w/%:]|[.,]\d)"
        )
        last_end = -1
        for m in self._each(single):
            g = m.groupdict()
            hour, minute = int(g["h"]), int(g["m"] or 0)
            meridiem = _meridiem(g["ampm"])
            end = m.end()
            if g["ampm"] in ("a", "p") and g["sp"]:
                meridiem, end = None, m.start("sp")
                if g["ish"] or g["oc"]:
                    continue
            explicit = bool(g["m"] or meridiem or g["ish"] or g["oc"])
            if not explicit and not self._bare_hour_ok(m.start(), end, last_end):
                continue
            if hour > 23 or (meridiem and not 1 <= hour <= 12):
                continue
            if g["ish"]:
                self.approximate = True
            if self._time_from(m, hour, minute, meridiem, end=end):
                last_end = end

    def _bare_hour_ok(self, start: int, end: int, last_time_end: int) -> bool:
        if re.match(rf"\s*{_NOT_TIME_FOLLOWERS}", self.s[end:]):
            return False
        follower = self._next_word(end)
        if follower and follower not in _BARE_HOUR_FOLLOWERS and re.match(r"[a-z]", follower):
            return False
        before = self.s[:start]
        if _HOUR_PREFIX.search(before):
            return True
        # "is 8 too early?", "would 9 work?"
        if re.search(r"(?:^|\s)(?:is|would|does|will)\s*$", before) and re.match(
            r"\s*(?:too (?:early|late)|ok|okay|good|fine|possible|available|work|works|better|alright)\b",
            self.s[end:],
        ):
            return True
        if last_time_end >= 0 and re.fullmatch(r"\s*(?:or|and|to|-|,|/)\s*", self.s[last_time_end:start]):
            return True
        # Right after a date ("tomorrow 10", "sat 10") or right before one ("10 tomorrow").
        for a, b in self.spans:
            if b <= start and re.fullmatch(r"[\s,]*(?:at\s*)?", self.s[b:start]):
                return True
            if a >= end and re.fullmatch(r"[\s,]*", self.s[end:a]):
                return True
        if _PART_OF_DAY_AFTER.match(self.s, end):
            return True
        # While a time is being settled, "can we do 11 instead" / "try 2" name an hour.
        if self.awaiting in ("time", "confirm", "when") and (
            re.search(r"(?:^|\s)(?:do|try|make it|how about|what about|instead)\s*$", before)
            or re.match(r"\s*(?:instead|works|work|then|is better|would be better)\b", self.s[end:])
        ):
            return True
        lone_number = r"\s*(?:at\s+)?\d{1,2}\s*(?:works|is good|please|pls|ok)?[\s.!?]*"
        return self.awaiting == "time" and re.fullmatch(lone_number, self.s) is not None

    def _time_from(
        self, m: re.Match[str], hour: int, minute: int, meridiem: str | None, *, end: int | None = None
    ) -> bool:
        end = m.end() if end is None else end
        before = self.s[: m.start()]
        role, approx = "exact", False
        bound = _TIME_BOUND_BEFORE.search(before)
        if bound and bound.group(1) == "by" and _VISIT_VERB_BEFORE_BY.search(before[: bound.start(1)]):
            bound = None
        if bound:
            word = bound.group(1)
            if word in ("after", "past", "no earlier than", "from", "starting at"):
                role = "start"
            elif word in ("before", "by", "until", "til", "till", "no later than"):
                role = "end"
            else:
                approx = True
        self.time_items.append(_TimeItem(hour, minute, meridiem, role, approx))
        if approx:
            self.approximate = True
        self._claim(bound.start(1) if bound and role != "exact" else m.start(), end)
        return True

    def _parts_of_day(self) -> None:
        pattern = re.compile(
            r"\b(?P<q>early|late|mid|first thing)?[\s-]*(?:in\s+the\s+|this\s+|on\s+the\s+)?"
            r"(?P<pod>mornings?|morn|afternoons?|aft|evenings?|nights?|nite|lunch ?time|lunch)\b"
        )
        for m in self._each(pattern):
            pod = m.group("pod").rstrip("s")
            pod = _POD_SPELLINGS.get(pod, pod)
            q = m.group("q")
            if pod == "lunch" or q == "first thing":
                label = "first thing" if q == "first thing" else "lunch"
            else:
                label = f"{q} {pod}" if q else pod
                if label not in _WINDOWS:
                    label = pod
            self.pods.append(label)
            self._claim(m.start(), m.end())
        for m in self._each(re.compile(r"\bfirst thing\b|\bfirst appointment\b|\bfirst slot\b")):
            self.pods.append("first thing")
            self._claim(m.start(), m.end())
        for m in self._each(re.compile(r"\bend of (?:the )?(?:day|business day)\b")):
            self.pods.append("end of day")
            self._claim(m.start(), m.end())
        for m in self._each(re.compile(r"\bin the (?P<x>a\.?m\.?|p\.?m\.?)(?!\w)")):
            self.pods.append("morning" if m.group("x").startswith("a") else "afternoon")
            self._claim(m.start(), m.end())

    # -- assembling the hint ------------------------------------------------------------------

    def _build(self) -> WhenHint | None:
        notes = self.notes
        dates = [d for d, _ in self.dates]
        ranges = list(self.ranges)
        self._resolve_weekdays(dates)
        for start, end in self.week_context:
            ranges.append((start, end))

        earliest = max(self.date_after) if self.date_after else None
        latest = min(self.date_before) if self.date_before else None
        if dates or ranges:
            if ranges and dates and all(e is not None and (e - s).days < 14 for s, e in ranges):
                for s, e in ranges:
                    dates.extend(s + timedelta(days=i) for i in range((e - s).days + 1))
                ranges = []
            if ranges and dates:
                lo = min(min(dates), min(s for s, _ in ranges))
                ends = [e for _, e in ranges]
                hi = None if None in ends else max(max(dates), *ends)
                ranges, dates = [(lo, hi)], []
            if dates:
                dates = sorted(set(dates))
                if earliest:
                    dates = [d for d in dates if d >= earliest]
                if latest:
                    dates = [d for d in dates if d <= latest]
                lo_date, hi_date = (dates[0], dates[-1]) if dates else (None, None)
                if not dates:
                    notes.append("named dates fall outside the stated bounds")
            else:
                lo_date = min(s for s, _ in ranges)
                ends = [e for _, e in ranges]
                hi_date = None if None in ends else max(ends)
                if earliest:
                    lo_date = max(lo_date, earliest)
                if latest:
                    hi_date = latest if hi_date is None else min(hi_date, latest)
        elif earliest or latest:
            lo_date = earliest or self.today
            hi_date = latest
        else:
            lo_date = hi_date = None

        window, times = self._resolve_times(notes)
        if not (dates or lo_date or hi_date or times or window or self.asap or self.flexible):
            return None
        return WhenHint(
            tz=self.tz,
            dates=tuple(dates),
            earliest_date=lo_date,
            latest_date=hi_date,
            times=times,
            window=window,
            asap=self.asap,
            flexible=self.flexible,
            approximate=self.approximate,
            assumptions=tuple(dict.fromkeys(notes)),
            matched=tuple(self.original[a:b].strip() for a, b in sorted(self.spans)),
            instant=self.instant if len(dates) == 1 and len(times) == 1 else None,
        )

    def _resolve_weekdays(self, dates: list[date]) -> None:
        explicit = list(dates)
        for item in self.weekdays:
            context = self.week_context[0] if self.week_context and item.mod != "next" else None
            if context is not None:
                monday = context[1] - timedelta(days=context[1].weekday())
                day = monday + timedelta(days=item.weekday)
                if day < self.today:
                    notes = f"{calendar.day_name[item.weekday]} of that week has passed"
                    self.notes.append(notes)
                    continue
            else:
                strictly_after = item.mod in ("next", "coming", "this coming")
                day = _upcoming(self.today, item.weekday, strictly_after=strictly_after)
                if item.after_next:
                    day = _upcoming(self.today, item.weekday, strictly_after=True) + timedelta(days=7)
                if item.mod == "next" and day - self.today < timedelta(days=7):
                    name = calendar.day_name[item.weekday]
                    self.notes.append(f"'next {name}' read as the coming one ({day.isoformat()})")
                if item.plural or item.mod == "every":
                    name = calendar.day_name[item.weekday]
                    self.notes.append(f"recurring '{name}' read as the next one ({day.isoformat()})")
            if any(d.weekday() == item.weekday for d in explicit):
                continue  # "Friday the 20th": the weekday restates the date
            if explicit:
                self.notes.append(
                    f"{calendar.day_name[item.weekday]} does not match "
                    + ", ".join(f"{d:%A} {d.isoformat()}" for d in explicit)
                )
            word, word_start = self._date_prefix(item.start)
            if word and word != "from":
                self.spans[self.spans.index((item.start, item.end))] = (word_start, item.end)
            if word in ("before",):
                self.date_before.append(day - timedelta(days=1))
            elif word in ("by", "until", "till", "til", "no later than"):
                self.date_before.append(day)
            elif word == "after":
                self.date_after.append(day + timedelta(days=1))
            elif word in ("no earlier than", "starting"):
                self.date_after.append(day)
            else:
                dates.append(day)
        if self.weekdays and self.week_context:
            self.week_context.clear()

    def _resolve_times(self, notes: list[str]) -> tuple[TimeWindow | None, tuple[time, ...]]:
        labels = list(dict.fromkeys(self.pods))
        context = None
        if labels and all(label in _AM_LABELS for label in labels):
            context = "am"
        elif labels and all(label in _PM_LABELS for label in labels):
            context = "pm"
        times: list[time] = list(self.fixed_times)
        starts, ends = list(self.bound_start), list(self.bound_end)
        for item in self.time_items:
            at = _clock(item.hour, item.minute, item.meridiem, context, notes)
            if at is None:
                continue
            if item.role == "start":
                starts.append(at)
            elif item.role == "end":
                ends.append(at)
            else:
                times.append(at)
        range_windows = []
        for h1, m1, a1, h2, m2, a2 in self.time_ranges:
            span = _clock_range(h1, m1, a1, h2, m2, a2, context)
            if span is None:
                notes.append("time range not understood")
            else:
                range_windows.append(span)
        window: TimeWindow | None = None
        if labels:
            spans = [_WINDOWS[label] for label in labels]
            window = TimeWindow(min(s for s, _ in spans), max(e for _, e in spans), " or ".join(labels))
            if len(labels) > 1:
                notes.append("several parts of the day named; window covers all of them")
        for start, end in range_windows:
            window = _intersect(window, TimeWindow(start, end, "range"), notes)
        if starts or ends:
            bound = TimeWindow(max(starts) if starts else None, min(ends) if ends else None, "bounds")
            window = _intersect(window, bound, notes)
        return window, tuple(sorted(dict.fromkeys(times)))


def _intersect(a: TimeWindow | None, b: TimeWindow, notes: list[str]) -> TimeWindow:
    if a is None:
        return b
    start = max((t for t in (a.start, b.start) if t is not None), default=None)
    end = min((t for t in (a.end, b.end) if t is not None), default=None)
    if start is not None and end is not None and start >= end:
        notes.append("time window and bounds do not overlap; kept the explicit bounds")
        return b
    label = a.label if (start, end) == (a.start, a.end) else (a.label or b.label)
    return TimeWindow(start, end, label)


def _meridiem(raw: str | None) -> str | None:
    if not raw:
        return None
    return "am" if raw.startswith("a") else "pm"


def _clock(hour: int, minute: int, meridiem: str | None, context: str | None, notes: list[str]) -> time | None:
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        return time(hour % 12 + (12 if meridiem == "pm" else 0), minute)
    if hour > 23:
        return None
    if hour == 0 or hour >= 13:
        return time(hour, minute)
    if hour == 12:
        return time(12, minute)
    if context == "am":
        return time(hour, minute)
    if context == "pm":
        return time(hour + 12, minute)
    if hour <= 7:
        notes.append(f"{hour}:{minute:02d} without am/pm read as pm")
        return time(hour + 12, minute)
    return time(hour, minute)


def _clock_range(
    h1: int, m1: int, a1: str | None, h2: int, m2: int, a2: str | None, context: str | None
) -> tuple[time, time] | None:
    def at(hour: int, minute: int, meridiem: str) -> time | None:
        """Returns hour:minute on the given side of noon, or None for an impossible hour."""
        if not 1 <= hour <= 12:
            return None
        return time(hour % 12 + (12 if meridiem == "pm" else 0), minute)

    if h1 > 23 or h2 > 23:
        return None
    if a1 and a2:
        start, end = at(h1, m1, a1), at(h2, m2, a2)
    elif a2:
        end = at(h2, m2, a2)
        start = at(h1, m1, a2)
        if start is None or end is None or start >= end:
            start = at(h1, m1, "am" if a2 == "pm" else "pm")
    else:
        start = at(h1, m1, a1) if a1 else _clock(h1, m1, None, context, [])
        if start is None:
            return None
        end = None
        for candidate in ((h2, m2),) if h2 >= 13 else ((h2, m2), (h2 + 12, m2)):
            if candidate[0] <= 23 and time(*candidate) > start:
                end = time(*candidate)
                break
        if end is None and h2 == 12:
            end = time(12, m2) if time(12, m2) > start else None
    if start is None or end is None or start >= end:
        return None
    return start, end


def _upcoming(today: date, weekday: int, *, strictly_after: bool) -> date:
    delta = (weekday - today.weekday()) % 7
    if strictly_after and delta == 0:
        delta = 7
    return today + timedelta(days=delta)


def _day_of_month(today: date, day: int) -> date:
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    raise ValueError(f"no month has day {day}")
