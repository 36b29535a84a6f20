"""The availability engine: bookable start times with the technicians who can take them.

Rules, each applied on its own (and unit-tested that way):
- business hours per weekday, on days that are not closed;
- the lunch break: a job may not overlap it — unless the job is longer than every lunch-free part
  of that opening window (an all-day job), in which case the crew breaks on site;
- a slot grid every `slot_increment_minutes` from the start of each (lunch-free) window;
- the job (duration from pricing: services + add-ons + attribute modifiers) fits inside the
  window and inside one of the technician's weekly working windows;
- the technician is active, skilled in every requested service and not on time off;
- existing appointments of the technician, widened on both sides by buffer + travel padding;
- minimum notice before the start, and a booking horizon in days.

Wall-clock rules are evaluated in the tenant's zone and converted to instants with zoneinfo, and
slots step through real time from the window start: a spring-forward day skips the missing hour,
a fall-back day offers both 1:30 CDT and 1:30 CST. Everything is loaded once per call with lean
Core reads (backend.scheduling.reads, tenant filter built in); each slot check is a bisect over a
technician's sorted busy intervals.
"""

from __future__ import annotations

import bisect
import collections
import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from backend.db.types import utcnow
from backend.errors import NotFound, UserError
from backend.scheduling import pricing, reads
from backend.scheduling.enums import BLOCKING_STATUSES
from backend.scheduling.models import (
    Appointment,
    BookingSettings,
    BusinessClosure,
    BusinessHours,
    Service,
    Technician,
    TechnicianHours,
    TechnicianSkill,
    TechnicianTimeOff,
)
from backend.scheduling.timeutil import UTC, local_instant
from backend.scheduling.timeutil import zone as zone_for

MAX_RANGE_DAYS = 92


@dataclasses.dataclass(frozen=True)
class Slot:
    start: dt.datetime  # aware, in the tenant's zone
    end: dt.datetime
    # Technicians free for the whole job, best assignment first (lightest load).
    technician_ids: tuple[str, ...]


class _Busy:
    """A technician's busy intervals (epoch seconds), sorted by start, with O(log n) lookups."""

    __slots__ = ("starts", "ends", "max_end")

    def __init__(self, intervals: Iterable[tuple[int, int]]):
        ordered = sorted(intervals)
        self.starts = [s for s, _ in ordered]
        self.ends = [e for _, e in ordered]
        self.max_end: list[int] = []  # running maximum of ends: non-decreasing, so bisectable
        running = -(2**62)
        for end in self.ends:
            running = max(running, end)
            self.max_end.append(running)

    def is_free(self, start: int, end: int) -> bool:
        """True when no interval overlaps [start, end)."""
        i = bisect.bisect_left(self.starts, end)
        return i == 0 or self.max_end[i - 1] <= start

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        """Returns the intervals overlapping [start, end), sorted by start."""
        first = bisect.bisect_right(self.max_end, start)
        last = bisect.bisect_left(self.starts, end)
        return [(self.starts[k], self.ends[k]) for k in range(first, last) if self.ends[k] > start]


@dataclasses.dataclass(frozen=True)
class _OpeningWindow:
    """One opening window of a weekday (minutes) and its lunch-free parts."""

    start: int
    end: int
    parts: tuple[tuple[int, int], ...]


@dataclasses.dataclass
class Engine:
    """Everything one availability computation needs, loaded once."""

    zone: ZoneInfo
    settings: BookingSettings
    business: dict[int, list[_OpeningWindow]]
    closures: set[dt.date]
    technicians: list[Technician]
    tech_hours: dict[str, dict[int, list[tuple[int, int]]]]
    busy: dict[str, _Busy]
    day_load: dict[tuple[str, dt.date], int]  # booked seconds per technician per local day
    range_load: dict[str, int]
    last_assigned: dict[str, float]
    now: dt.datetime
    _epochs: dict[tuple[dt.date, int], int] = dataclasses.field(default_factory=dict)

    @property
    def increment(self) -> int:
        return max(self.settings.slot_increment_minutes, 5) * 60

    def today(self) -> dt.date:
        return self.now.astimezone(self.zone).date()

    def last_bookable_day(self) -> dt.date:
        return self.today() + dt.timedelta(days=self.settings.horizon_days)

    def earliest_start(self, enforce_notice: bool = True) -> int:
        notice = self.settings.min_notice_minutes * 60 if enforce_notice else 0
        return int(self.now.timestamp()) + notice

    def _epoch(self, day: dt.date, minute: int) -> int:
        key = (day, minute)
        value = self._epochs.get(key)
        if value is None:
            value = self._epochs[key] = int(local_instant(day, minute, self.zone).timestamp())
        return value

    def windows(self, day: dt.date, duration_minutes: int) -> list[tuple[int, int]]:
        """Returns the day's bookable windows (epoch seconds) for a job of this length: the
        lunch-free parts of each opening window, or the whole window when the job is longer than
        every part. Empty on closed days."""
        if day in self.closures:
            return []
        result = []
        for window in self.business.get(day.weekday(), ()):
            if any(e - s >= duration_minutes for s, e in window.parts):
                result.extend((self._epoch(day, s), self._epoch(day, e)) for s, e in window.parts)
            else:
                result.append((self._epoch(day, window.start), self._epoch(day, window.end)))
        return result

    def tech_windows(self, technician_id: str, day: dt.date) -> list[tuple[int, int]]:
        return [
            (self._epoch(day, s), self._epoch(day, e))
            for s, e in self.tech_hours.get(technician_id, {}).get(day.weekday(), ())
        ]

    def day_order(self, day: dt.date) -> list[Technician]:
        """Technicians in assignment order for a day: lightest day first, then lightest overall,
        then the one assigned least recently (round robin), then display order."""
        position = {t.id: i for i, t in enumerate(self.technicians)}
        return sorted(
            self.technicians,
            key=lambda t: (
                self.day_load.get((t.id, day), 0),
                self.range_load.get(t.id, 0),
                self.last_assigned.get(t.id, 0.0),
                position[t.id],
            ),
        )

    def free_at(self, start: int, end: int, day: dt.date) -> tuple[str, ...]:
        """Returns the technicians (best first) who can take [start, end) on `day`."""
        free = []
        for tech in self.day_order(day):
            if not any(ws <= start and end <= we for ws, we in self.tech_windows(tech.id, day)):
                continue
            busy = self.busy.get(tech.id)
            if busy is None or busy.is_free(start, end):
                free.append(tech.id)
        return tuple(free)


def _split(start: int, end: int, lunch: tuple[int, int] | None) -> tuple[tuple[int, int], ...]:
    if lunch is None or lunch[1] <= start or lunch[0] >= end:
        return ((start, end),)
    parts = []
    if start < lunch[0]:
        parts.append((start, lunch[0]))
    if lunch[1] < end:
        parts.append((lunch[1], end))
    return tuple(parts)


def load_settings(db: Session, tenant_id: str) -> BookingSettings:
    """Returns the tenant's booking settings row (read-only), or unsaved defaults."""
    rows = reads.fetch_all(db, BookingSettings, tenant_id)
    return rows[0] if rows else BookingSettings(tenant_id=tenant_id)


def load_engine(
    db: Session,
    *,
    tenant_id: str,
    technicians: Sequence[Technician],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None = None,
    exclude_appointment_id: str | None = None,
    with_last_assigned: bool = False,
    settings: BookingSettings | None = None,
    zone: ZoneInfo | None = None,
) -> Engine:
    """Loads hours, closures, time off and appointments around [start, end) in a few reads."""
    zone = zone or zone_for(reads.tenant_timezone_name(db, tenant_id))
    settings = settings or load_settings(db, tenant_id)
    lunch = None
    if settings.lunch_start_minute is not None and settings.lunch_end_minute is not None:
        lunch = (settings.lunch_start_minute, settings.lunch_end_minute)
    business: dict[int, list[_OpeningWindow]] = {}
    for weekday, open_minute, close_minute in sorted(
        reads.fetch_columns(db, BusinessHours, tenant_id, ("weekday", "open_minute", "close_minute"))
    ):
        business.setdefault(weekday, []).append(
            _OpeningWindow(open_minute, close_minute, _split(open_minute, close_minute, lunch))
        )

    local_start = start.astimezone(zone).date() - dt.timedelta(days=1)
    local_end = end.astimezone(zone).date() + dt.timedelta(days=1)
    closure_table = BusinessClosure.__table__
    closures = {
        row[0]
        for row in reads.fetch_columns(
            db, BusinessClosure, tenant_id, ("day",), closure_table.c.day >= local_start, closure_table.c.day <= local_end
        )
    }

    tech_ids = [t.id for t in technicians]
    tech_hours: dict[str, dict[int, list[tuple[int, int]]]] = {t: {} for t in tech_ids}
    pad = (settings.buffer_minutes + settings.travel_padding_minutes) * 60
    intervals: dict[str, list[tuple[int, int]]] = {t: [] for t in tech_ids}
    day_load: dict[tuple[str, dt.date], int] = {}
    range_load: dict[str, int] = {}
    last_assigned: dict[str, float] = {}
    if tech_ids:
        hours_table = TechnicianHours.__table__
        for tech_id, weekday, s, e in reads.fetch_columns(
            db, TechnicianHours, tenant_id, ("technician_id", "weekday", "start_minute", "end_minute"),
            hours_table.c.technician_id.in_(tech_ids),
        ):
            tech_hours[tech_id].setdefault(weekday, []).append((s, e))

        table = Appointment.__table__
        margin = dt.timedelta(seconds=pad) + dt.timedelta(days=2)
        rows = reads.fetch_expressions(
            db, Appointment, tenant_id,
            (table.c.id, table.c.technician_id, reads.epoch_seconds(db, table.c.start_at),
             reads.epoch_seconds(db, table.c.end_at)),
            table.c.technician_id.in_(tech_ids),
            table.c.status.in_(sorted(BLOCKING_STATUSES)),
            table.c.start_at < end + margin,
            table.c.start_at >= start - margin,
        )
        # Local day boundaries (DST-aware) to attribute each appointment's load to its day.
        days = [local_start + dt.timedelta(days=i) for i in range((local_end - local_start).days + 2)]
        day_starts = [int(local_instant(d, 0, zone).timestamp()) for d in days]
        window_start = int(start.timestamp()) - pad
        for appointment_id, tech_id, s, e in rows:
            if appointment_id == exclude_appointment_id or s is None or e is None:
                continue
            s, e = int(s), int(e)
            if e + pad <= window_start:
                continue
            intervals[tech_id].append((s - pad, e + pad))
            index = bisect.bisect_right(day_starts, s) - 1
            if 0 <= index < len(days):
                key = (tech_id, days[index])
                day_load[key] = day_load.get(key, 0) + (e - s)
            range_load[tech_id] = range_load.get(tech_id, 0) + (e - s)

        off_table = TechnicianTimeOff.__table__
        for tech_id, off_start, off_end in reads.fetch_columns(
            db, TechnicianTimeOff, tenant_id, ("technician_id", "starts_at", "ends_at"),
            off_table.c.technician_id.in_(tech_ids),
            off_table.c.starts_at < end + dt.timedelta(days=1),
            off_table.c.ends_at > start - dt.timedelta(days=1),
        ):
            intervals[tech_id].append((int(off_start.timestamp()), int(off_end.timestamp())))

        if with_last_assigned:
            statement = (
                select(table.c.technician_id, func.max(table.c.created_at))
                .where(table.c.tenant_id == tenant_id, table.c.technician_id.in_(tech_ids))
                .group_by(table.c.technician_id)
            )
            for tech_id, created in reads._execute(db, statement):
                if created is not None:
                    created = created if created.tzinfo else created.replace(tzinfo=UTC)
                    last_assigned[tech_id] = created.timestamp()

    return Engine(
        zone=zone,
        settings=settings,
        business=business,
        closures=closures,
        technicians=list(technicians),
        tech_hours=tech_hours,
        busy={t: _Busy(v) for t, v in intervals.items()},
        day_load=day_load,
        range_load=range_load,
        last_assigned=last_assigned,
        now=now or utcnow(),
    )


def _day_slots(engine: Engine, day: dt.date, duration_minutes: int, earliest: int) -> list[Slot]:
    """Returns the day's slots. Per technician (in assignment order) the free stretches are the
    opening windows ∩ their working windows minus their busy intervals; every grid point where the
    job fits in a free stretch adds the technician to that start."""
    windows = engine.windows(day, duration_minutes)
    if not windows:
        return []
    duration = duration_minutes * 60
    step = engine.increment
    day_start, day_end = windows[0][0], windows[-1][1]
    found: dict[int, list[str]] = collections.defaultdict(list)
    for tech in engine.day_order(day):
        tech_id = tech.id
        tech_windows = engine.tech_windows(tech_id, day)
        if not tech_windows:
            continue
        busy = engine.busy.get(tech_id)
        blocks = busy.overlapping(day_start, day_end) if busy is not None else []
        for window_start, window_end in windows:
            for tech_start, tech_end in tech_windows:
                free_start, free_end = max(window_start, tech_start), min(window_end, tech_end)
                if free_end - free_start < duration:
                    continue
                cursor = free_start
                stretches = []
                for block_start, block_end in blocks:
                    if block_end <= cursor:
                        continue
                    if block_start >= free_end:
                        break
                    if block_start > cursor:
                        stretches.append((cursor, block_start))
                    cursor = block_end
                    if cursor >= free_end:
                        break
                if cursor < free_end:
                    stretches.append((cursor, free_end))
                for stretch_start, stretch_end in stretches:
                    lowest = max(stretch_start, earliest)
                    # First grid point (window_start + k * step) at or after `lowest`.
                    first = window_start + max(-(-(lowest - window_start) // step), 0) * step
                    for t in range(first, stretch_end - duration + 1, step):
                        found[t].append(tech_id)
    zone = engine.zone
    return [
        Slot(dt.datetime.fromtimestamp(t, zone), dt.datetime.fromtimestamp(t + duration, zone), tuple(found[t]))
        for t in sorted(found)
    ]


def _as_date(value, name: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise UserError(f"{name} must be a date (YYYY-MM-DD).")
    return value


def _is_id(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 40


def eligible_technicians(
    db: Session,
    *,
    tenant_id: str,
    service_ids: Sequence[str],
    technician_id: str | None = None,
    services_checked: bool = False,
) -> list[Technician]:
    """Returns active technicians skilled in all the services, in display order (only the
    preferred one when `technician_id` is given). Raises NotFound for ids that are not the
    tenant's, UserError when the preferred technician cannot do the work. `services_checked`
    skips re-reading services the caller has just validated (pricing does)."""
    service_ids = list(dict.fromkeys(service_ids))
    if not service_ids or not all(_is_id(i) for i in service_ids):
        raise NotFound("One of those services does not exist.")
    if not services_checked:
        found = reads.fetch_columns(db, Service, tenant_id, ("id",), Service.__table__.c.id.in_(service_ids))
        if len(found) != len(service_ids):
            raise NotFound("One of those services does not exist.")
    table, skill_table = Technician.__table__, TechnicianSkill.__table__
    skills: dict[str, set[str]] = {}
    active = {}
    for row in reads.fetch_join(
        db, tenant_id, TechnicianSkill, Technician, ("technician_id", "id"),
        (skill_table.c.service_id, *table.c), skill_table.c.service_id.in_(service_ids),
    ):
        skills.setdefault(row.id, set()).add(row.service_id)
        if row.active:
            active[row.id] = row
    active = list(active.values())
    if technician_id is not None:
        if not _is_id(technician_id):
            raise NotFound("No such technician.")
        found = reads.fetch_all(db, Technician, tenant_id, table.c.id == technician_id)
        if not found:
            raise NotFound("No such technician.")
        preferred = found[0]
        if not preferred.active:
            raise UserError(f"{preferred.name} is not taking bookings.")
        if not set(service_ids) <= skills.get(preferred.id, set()):
            names = " and ".join(
                row[0] for row in reads.fetch_columns(db, Service, tenant_id, ("name",),
                                                      Service.__table__.c.id.in_(service_ids))
            )
            raise UserError(f"{preferred.name} does not do {names}.")
        return [preferred]
    needed = set(service_ids)
    candidates = {tech_id for tech_id, done in skills.items() if needed <= done}
    technicians = [t for t in active if t.id in candidates]
    return sorted(technicians, key=lambda t: (t.sort_order, t.name))


def find_slots(
    db: Session,
    *,
    tenant_id: str,
    service_ids: Sequence[str],
    addon_ids: Sequence[str] = (),
    attributes: Mapping[str, str] | None = None,
    start_date: dt.date,
    end_date: dt.date,
    technician_id: str | None = None,
    now: dt.datetime | None = None,
    exclude_appointment_id: str | None = None,
) -> list[Slot]:
    """Returns bookable start times between two local dates (inclusive), in order.

    Each Slot has aware `start`/`end` in the tenant's zone and the technicians who can take it,
    best assignment first. Honours business hours, closures, lunch, slot increment, minimum
    notice, horizon, technician skills/hours/time off, and existing appointments with buffer
    and travel padding. `exclude_appointment_id` is the visit being moved: its own time counts
    as free, so "an hour later" can overlap where it is now.
    """
    if isinstance(service_ids, str):
        service_ids = [service_ids]
    start_date = _as_date(start_date, "start_date")
    end_date = _as_date(end_date, "end_date")
    if end_date < start_date:
        raise UserError("The end date must be on or after the start date.")
    if (end_date - start_date).days >= MAX_RANGE_DAYS:
        raise UserError(f"Search at most {MAX_RANGE_DAYS} days at a time.")
    now = now or utcnow()
    if now.tzinfo is None:
        raise UserError("now must be timezone-aware.")
    quote = pricing.quote_services(
        db, tenant_id=tenant_id, service_ids=service_ids, addon_ids=addon_ids, attributes=attributes
    )
    technicians = eligible_technicians(db, tenant_id=tenant_id, service_ids=service_ids, technician_id=technician_id,
                                       services_checked=True)
    if not technicians:
        return []
    zone_name, settings = reads.tenant_timezone_and_settings(db, tenant_id, BookingSettings)
    zone = zone_for(zone_name)
    settings = settings or BookingSettings(tenant_id=tenant_id)
    today = now.astimezone(zone).date()
    first = max(start_date, today)
    last = min(end_date, today + dt.timedelta(days=settings.horizon_days))
    if last < first:
        return []
    engine = load_engine(
        db, tenant_id=tenant_id, technicians=technicians, start=local_instant(first, 0, zone),
        end=local_instant(last, 1440, zone), now=now, settings=settings, zone=zone,
        exclude_appointment_id=exclude_appointment_id,
    )
    earliest = engine.earliest_start()
    slots: list[Slot] = []
    day = first
    while day <= last:
        slots.extend(_day_slots(engine, day, quote.duration_minutes, earliest))
        day += dt.timedelta(days=1)
    return slots


@dataclasses.dataclass(frozen=True)
class StartCheck:
    technician_ids: tuple[str, ...]
    # "" when bookable; else "past" | "notice" | "horizon" | "closed" | "hours" | "taken"
    problem: str = ""


def check_start(
    engine: Engine, *, start: dt.datetime, duration_minutes: int, enforce_notice: bool = True
) -> StartCheck:
    """Checks one start time against every rule; returns the free technicians (best first) or
    the first rule that refuses it. Off-grid starts are accepted if everything else fits."""
    local = start.astimezone(engine.zone)
    day = local.date()
    t = int(start.timestamp())
    end = t + duration_minutes * 60
    if t < int(engine.now.timestamp()):
        return StartCheck((), "past")
    if enforce_notice:
        if t < engine.earliest_start():
            return StartCheck((), "notice")
        if day > engine.last_bookable_day():
            return StartCheck((), "horizon")
    if day in engine.closures:
        return StartCheck((), "closed")
    if not any(ws <= t and end <= we for ws, we in engine.windows(day, duration_minutes)):
        return StartCheck((), "hours")
    free = engine.free_at(t, end, day)
    if not free:
        return StartCheck((), "taken")
    return StartCheck(free)
