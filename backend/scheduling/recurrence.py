"""Recurring services: a `dateutil.rrule` per series (weekly, every 2 weeks, monthly, or custom
weekdays every N weeks), evaluated on local dates in the tenant's zone, so a 9:00 visit stays
at 9:00 across DST changes. Occurrences are generated as real appointments on a rolling window
(`BookingSettings.recurrence_window_days`), extended daily by a background job.

An occurrence that cannot be booked automatically (technician busy, closed day) is still created,
unassigned and `requested`, with a note, so staff see it and decide.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence

from dateutil.rrule import MONTHLY, WEEKLY, rrule
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlmodel import Session, col, select

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.customers import service as customers_service
from backend.db.types import utcnow
from backend.errors import Conflict, UserError
from backend.scheduling import actions as scheduling_actions
from backend.scheduling import pricing
from backend.scheduling import service as scheduling_service
from backend.scheduling.enums import (
    OPEN_STATUSES,
    AppointmentEventKind,
    AppointmentSource,
    AppointmentStatus,
    RecurrenceFrequency,
    SeriesStatus,
)
from backend.scheduling.models import (
    Appointment,
    AppointmentAddon,
    RecurringException,
    RecurringSeries,
)
from backend.scheduling.timeutil import (
    format_day,
    hhmm_to_minute,
    local_instant,
    minutes_to_hhmm,
    tenant_zone,
)

log = logging.getLogger(__name__)

PAUSED_REASON = "Recurring schedule paused"
SKIPPED_REASON = "Skipped"


class SeriesIn(BaseModel):
    """A recurring schedule as entered by staff."""

    model_config = ConfigDict(extra="forbid")

    customer_id: str
    service_id: str
    frequency: RecurrenceFrequency
    start_date: dt.date
    start_time: str  # local wall-clock "HH:MM"
    by_weekdays: list[int] = []  # 0 = Monday; weekly/biweekly default to the start date's weekday
    by_monthday: int | None = Field(default=None, ge=1, le=31)
    interval: int = Field(default=1, ge=1, le=12)  # custom: every N weeks
    until_date: dt.date | None = None
    technician_id: str | None = None
    addon_ids: list[str] = []
    attributes: dict[str, str] = {}
    notes: str = Field(default="", max_length=2000)

    @field_validator("by_weekdays")
    @classmethod
    def _weekdays(cls, v: list[int]) -> list[int]:
        if any(not 0 <= d <= 6 for d in v):
            raise ValueError("Weekdays are 0 (Monday) to 6 (Sunday).")
        return sorted(set(v))

    @field_validator("start_time")
    @classmethod
    def _time(cls, v: str) -> str:
        try:
            minute = hhmm_to_minute(v)
        except UserError as exc:
            raise ValueError(str(exc)) from None
        if minute >= 1440:
            raise ValueError("The start time must be before midnight.")
        return minutes_to_hhmm(minute)

    @model_validator(mode="after")
    def _rule(self):
        if self.frequency == RecurrenceFrequency.CUSTOM and not self.by_weekdays:
            raise ValueError("A custom schedule needs at least one weekday.")
        if self.until_date is not None and self.until_date < self.start_date:
            raise ValueError("The schedule must end after it starts.")
        return self


def build_rule(series: RecurringSeries):
    """Returns the dateutil rrule (over local midnight datetimes) for a series."""
    dtstart = dt.datetime.combine(series.start_date, dt.time(0))
    until = dt.datetime.combine(series.until_date, dt.time(0)) if series.until_date else None
    weekdays = list(series.by_weekdays or []) or [series.start_date.weekday()]
    if series.frequency == RecurrenceFrequency.WEEKLY.value:
        return rrule(WEEKLY, dtstart=dtstart, interval=1, byweekday=weekdays, until=until)
    if series.frequency == RecurrenceFrequency.BIWEEKLY.value:
        return rrule(WEEKLY, dtstart=dtstart, interval=2, byweekday=weekdays, until=until)
    if series.frequency == RecurrenceFrequency.MONTHLY.value:
        day = series.by_monthday or series.start_date.day
        if day > 28:
            # The 29th–31st fall on the month's last day in shorter months.
            return rrule(MONTHLY, dtstart=dtstart, bymonthday=(day, -1), bysetpos=1, until=until)
        return rrule(MONTHLY, dtstart=dtstart, bymonthday=day, until=until)
    return rrule(WEEKLY, dtstart=dtstart, interval=max(series.interval, 1), byweekday=weekdays, until=until)


def occurrence_dates(series: RecurringSeries, *, start: dt.date, end: dt.date) -> list[dt.date]:
    """Returns the series' local occurrence dates in [start, end]."""
    rule = build_rule(series)
    return [
        d.date()
        for d in rule.between(dt.datetime.combine(start, dt.time(0)), dt.datetime.combine(end, dt.time(0)), inc=True)
    ]


def occurrence_start(series: RecurringSeries, day: dt.date, zone) -> dt.datetime:
    """Returns the aware start of an occurrence: the same wall-clock time on every date."""
    return local_instant(day, series.local_start_minute, zone)


@dataclasses.dataclass
class GenerateResult:
    created: list[Appointment] = dataclasses.field(default_factory=list)
    # Occurrences created unassigned because they could not be booked automatically.
    needs_attention: list[Appointment] = dataclasses.field(default_factory=list)


def create_series(
    db: Session, *, tenant_id: str, series_in: SeriesIn, acting_user: StaffContext | None, now: dt.datetime | None = None
) -> tuple[RecurringSeries, GenerateResult]:
    """Creates a recurring schedule and books its occurrences on the rolling window."""
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=series_in.customer_id)
    service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=series_in.service_id)
    if series_in.technician_id is not None:
        scheduling_service.access_technician_by_id(db, tenant_id=tenant_id, technician_id=series_in.technician_id)
    quote = pricing.quote_price(db, tenant_id=tenant_id, service_id=service.id, addon_ids=series_in.addon_ids,
                                attributes=series_in.attributes)
    series = RecurringSeries(
        tenant_id=tenant_id,
        customer_id=customer.id,
        service_id=service.id,
        technician_id=series_in.technician_id,
        frequency=series_in.frequency.value,
        interval=series_in.interval,
        by_weekdays=series_in.by_weekdays,
        by_monthday=series_in.by_monthday,
        start_date=series_in.start_date,
        local_start_minute=hhmm_to_minute(series_in.start_time),
        until_date=series_in.until_date,
        addon_ids=quote.addon_ids,
        attributes=quote.attributes,
        notes=series_in.notes.strip(),
    )
    db.add(series)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="series.created",
                 target_type="recurring_series", target_id=series.id,
                 summary=f"{service.name} {series.frequency} at {series_in.start_time} from {series.start_date}")
    result = generate_occurrences(db, tenant_id=tenant_id, series_id=series.id, acting_user=acting_user, now=now)
    return series, result


def _existing_dates(db: Session, *, tenant_id: str, series_id: str) -> set[dt.date]:
    return set(
        db.exec(
            select(Appointment.occurrence_date).where(
                Appointment.tenant_id == tenant_id, Appointment.series_id == series_id
            )
        ).all()
    )


def _skipped_dates(db: Session, *, tenant_id: str, series_id: str) -> set[dt.date]:
    return set(
        db.exec(
            select(RecurringException.occurrence_date).where(
                RecurringException.tenant_id == tenant_id, RecurringException.series_id == series_id
            )
        ).all()
    )


def generate_occurrences(
    db: Session,
    *,
    tenant_id: str,
    series_id: str,
    acting_user: StaffContext | None = None,
    now: dt.datetime | None = None,
    through: dt.date | None = None,
) -> GenerateResult:
    """Books the series' missing occurrences from today through the rolling window (idempotent)."""
    now = now or utcnow()
    series = scheduling_service.access_series_by_id(db, tenant_id=tenant_id, series_id=series_id)
    result = GenerateResult()
    if series.status != SeriesStatus.ACTIVE.value:
        return result
    service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=series.service_id)
    if not service.active:
        # The business stopped offering the service: book no new visits of it (booked ones stay).
        return result
    zone = tenant_zone(db, tenant_id=tenant_id)
    settings = scheduling_service.booking_settings_or_default(db, tenant_id=tenant_id)
    today = now.astimezone(zone).date()
    last = through or today + dt.timedelta(days=settings.recurrence_window_days)
    first = max(today, series.start_date)
    if series.until_date is not None:
        last = min(last, series.until_date)
    if last < first:
        return result
    existing = _existing_dates(db, tenant_id=tenant_id, series_id=series.id)
    skipped = _skipped_dates(db, tenant_id=tenant_id, series_id=series.id)
    for day in occurrence_dates(series, start=first, end=last):
        if day in existing or day in skipped:
            continue
        start = occurrence_start(series, day, zone)
        if start <= now:
            continue
        appointment, problem = _book_occurrence(db, tenant_id=tenant_id, series=series, day=day, start=start,
                                                acting_user=acting_user, now=now)
        result.created.append(appointment)
        if problem:
            result.needs_attention.append(appointment)
    series.generated_through = max(series.generated_through or last, last)
    series.updated_at = now
    db.add(series)
    db.flush()
    return result


def _book_occurrence(
    db: Session, *, tenant_id: str, series: RecurringSeries, day: dt.date, start: dt.datetime,
    acting_user: StaffContext | None, now: dt.datetime,
) -> tuple[Appointment, str]:
    addon_ids = _live_addon_ids(db, tenant_id=tenant_id, addon_ids=series.addon_ids)
    attempts = [series.technician_id, None] if series.technician_id else [None]
    problem = ""
    for technician_id in attempts:
        try:
            appointment = scheduling_actions.book_appointment(
                db, tenant_id=tenant_id, customer_id=series.customer_id, service_id=series.service_id, start=start,
                addon_ids=addon_ids, attributes=series.attributes, technician_id=technician_id,
                source=AppointmentSource.RECURRING.value, notes=series.notes, acting_user=acting_user,
                series_id=series.id, occurrence_date=day, now=now,
            )
            return appointment, ""
        except UserError as exc:
            problem = str(exc)
    return _create_unassigned(db, tenant_id=tenant_id, series=series, day=day, start=start, addon_ids=addon_ids,
                              problem=problem, acting_user=acting_user, now=now), problem


def _live_addon_ids(db: Session, *, tenant_id: str, addon_ids: Sequence[str]) -> list[str]:
    """Returns the series' add-ons that still exist and are active (checked inside the tenant)."""
    if not addon_ids:
        return []
    try:
        addons = scheduling_service.access_addons_by_ids(db, tenant_id=tenant_id, addon_ids=list(addon_ids))
    except UserError:
        addons = [
            a for a in scheduling_service.list_addons(db, tenant_id=tenant_id) if a.id in set(addon_ids)
        ]
    return [a.id for a in addons if a.active]


def _create_unassigned(
    db: Session, *, tenant_id: str, series: RecurringSeries, day: dt.date, start: dt.datetime, addon_ids,
    problem: str, acting_user: StaffContext | None, now: dt.datetime,
) -> Appointment:
    quote = pricing.quote_price(db, tenant_id=tenant_id, service_id=series.service_id, addon_ids=addon_ids,
                                attributes=series.attributes)
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=series.customer_id)
    note = f"Needs attention — could not be booked automatically: {problem}"
    appointment = Appointment(
        tenant_id=tenant_id, customer_id=series.customer_id, service_id=series.service_id, technician_id=None,
        series_id=series.id, occurrence_date=day, start_at=start.astimezone(dt.timezone.utc),
        end_at=(start + dt.timedelta(minutes=quote.duration_minutes)).astimezone(dt.timezone.utc),
        duration_minutes=quote.duration_minutes, status=AppointmentStatus.REQUESTED.value,
        source=AppointmentSource.RECURRING.value, attributes=quote.attributes,
        address=scheduling_actions.customer_address(customer)[:400],
        notes=(f"{series.notes}\n{note}" if series.notes else note)[:5000],
        price_quoted_min_cents=quote.min_cents, price_quoted_max_cents=quote.max_cents,
        deposit_cents=quote.deposit_cents,
    )
    db.add(appointment)
    db.flush()
    for line in quote.lines:
        if line.kind == "addon":
            db.add(AppointmentAddon(tenant_id=tenant_id, appointment_id=appointment.id, addon_id=line.ref_id,
                                    name=line.label, price_min_cents=line.min_cents, price_max_cents=line.max_cents,
                                    duration_minutes=line.duration_minutes))
    scheduling_actions.record_appointment_event(
        db, tenant_id=tenant_id, appointment=appointment, kind=AppointmentEventKind.CREATED.value,
        acting_user=acting_user, actor_name="system", to_status=appointment.status,
        detail={"source": "recurring", "needs_attention": problem[:300]}, at=now,
    )
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="series.occurrence_needs_attention",
                 target_type="appointments", target_id=appointment.id,
                 summary=f"Recurring visit on {format_day(day)} needs a technician: {problem}"[:500])
    return appointment


def _occurrence_appointment(db: Session, *, tenant_id: str, series_id: str, day: dt.date) -> Appointment | None:
    return db.exec(
        select(Appointment).where(
            Appointment.tenant_id == tenant_id, Appointment.series_id == series_id, Appointment.occurrence_date == day
        )
    ).first()


def skip_occurrence(
    db: Session,
    *,
    tenant_id: str,
    series_id: str,
    occurrence_date: dt.date,
    reason: str = "",
    acting_user: StaffContext | None,
    now: dt.datetime | None = None,
) -> RecurringException:
    """Skips one occurrence: it will not be generated, and a booked one is cancelled."""
    now = now or utcnow()
    series = scheduling_service.access_series_by_id(db, tenant_id=tenant_id, series_id=series_id)
    if occurrence_date not in occurrence_dates(series, start=occurrence_date, end=occurrence_date):
        raise UserError(f"{format_day(occurrence_date)} is not a date of this recurring schedule.")
    if occurrence_date in _skipped_dates(db, tenant_id=tenant_id, series_id=series.id):
        raise Conflict(f"{format_day(occurrence_date)} is already skipped.")
    appointment = _occurrence_appointment(db, tenant_id=tenant_id, series_id=series.id, day=occurrence_date)
    if appointment is not None:
        if appointment.status == AppointmentStatus.IN_PROGRESS.value or appointment.status not in (
            OPEN_STATUSES | {AppointmentStatus.CANCELLED.value}
        ):
            raise Conflict(f"The visit on {format_day(occurrence_date)} is already {appointment.status}.")
        if appointment.status in OPEN_STATUSES:
            scheduling_actions.do_transition_appointment(
                db, tenant_id=tenant_id, appointment=appointment, to_status=AppointmentStatus.CANCELLED.value,
                acting_user=acting_user, actor_name=acting_user.user_name if acting_user else "system",
                reason=SKIPPED_REASON, now=now,
            )
    row = RecurringException(tenant_id=tenant_id, series_id=series.id, occurrence_date=occurrence_date,
                             reason=(reason or SKIPPED_REASON).strip()[:200])
    db.add(row)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="series.occurrence_skipped",
                 target_type="recurring_series", target_id=series.id, summary=f"Skipped {format_day(occurrence_date)}")
    return row


def restore_occurrence(
    db: Session,
    *,
    tenant_id: str,
    series_id: str,
    occurrence_date: dt.date,
    acting_user: StaffContext | None,
    now: dt.datetime | None = None,
) -> Appointment | None:
    """Un-skips one occurrence and books it again (if it is still in the future)."""
    now = now or utcnow()
    series = scheduling_service.access_series_by_id(db, tenant_id=tenant_id, series_id=series_id)
    row = db.exec(
        select(RecurringException).where(
            RecurringException.tenant_id == tenant_id,
            RecurringException.series_id == series.id,
            RecurringException.occurrence_date == occurrence_date,
        )
    ).first()
    if row is None:
        raise UserError(f"{format_day(occurrence_date)} is not skipped.")
    db.delete(row)
    _drop_cancelled_occurrence(db, tenant_id=tenant_id, series_id=series.id, day=occurrence_date,
                               reason=SKIPPED_REASON, now=now)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="series.occurrence_restored",
                 target_type="recurring_series", target_id=series.id,
                 summary=f"Restored {format_day(occurrence_date)}")
    if series.status != SeriesStatus.ACTIVE.value:
        return None
    generate_occurrences(db, tenant_id=tenant_id, series_id=series.id, acting_user=acting_user, now=now,
                         through=max(occurrence_date, series.generated_through or occurrence_date))
    return _occurrence_appointment(db, tenant_id=tenant_id, series_id=series.id, day=occurrence_date)


def _drop_cancelled_occurrence(
    db: Session, *, tenant_id: str, series_id: str, day: dt.date, reason: str, now: dt.datetime
) -> None:
    """Deletes a future occurrence the system cancelled (skip/pause) so it can be generated again."""
    appointment = _occurrence_appointment(db, tenant_id=tenant_id, series_id=series_id, day=day)
    if (
        appointment is not None
        and appointment.status == AppointmentStatus.CANCELLED.value
        and appointment.cancel_reason == reason
        and appointment.start_at > now
    ):
        db.delete(appointment)
        db.flush()


def pause_series(
    db: Session, *, tenant_id: str, series_id: str, acting_user: StaffContext | None, now: dt.datetime | None = None
) -> RecurringSeries:
    """Pauses a series: no new occurrences, and future booked ones are cancelled."""
    now = now or utcnow()
    series = scheduling_service.access_series_by_id(db, tenant_id=tenant_id, series_id=series_id)
    if series.status != SeriesStatus.ACTIVE.value:
        raise Conflict(f"This recurring schedule is {series.status}, not active.")
    future = db.exec(
        select(Appointment).where(
            Appointment.tenant_id == tenant_id,
            Appointment.series_id == series.id,
            Appointment.start_at > now,
            col(Appointment.status).in_([AppointmentStatus.REQUESTED.value, AppointmentStatus.CONFIRMED.value]),
        )
    ).all()
    for appointment in future:
        scheduling_actions.do_transition_appointment(
            db, tenant_id=tenant_id, appointment=appointment, to_status=AppointmentStatus.CANCELLED.value,
            acting_user=acting_user, actor_name=acting_user.user_name if acting_user else "system",
            reason=PAUSED_REASON, now=now,
        )
    series.status = SeriesStatus.PAUSED.value
    series.updated_at = now
    db.add(series)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="series.paused",
                 target_type="recurring_series", target_id=series.id,
                 summary=f"Paused; cancelled {len(future)} upcoming visits")
    return series


def resume_series(
    db: Session, *, tenant_id: str, series_id: str, acting_user: StaffContext | None, now: dt.datetime | None = None
) -> GenerateResult:
    """Resumes a paused series and books the occurrences on the window again."""
    now = now or utcnow()
    series = scheduling_service.access_series_by_id(db, tenant_id=tenant_id, series_id=series_id)
    if series.status != SeriesStatus.PAUSED.value:
        raise Conflict(f"This recurring schedule is {series.status}, not paused.")
    paused = db.exec(
        select(Appointment).where(
            Appointment.tenant_id == tenant_id,
            Appointment.series_id == series.id,
            Appointment.start_at > now,
            Appointment.status == AppointmentStatus.CANCELLED.value,
            Appointment.cancel_reason == PAUSED_REASON,
        )
    ).all()
    for appointment in paused:
        db.delete(appointment)
    db.flush()
    series.status = SeriesStatus.ACTIVE.value
    series.updated_at = now
    db.add(series)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="series.resumed",
                 target_type="recurring_series", target_id=series.id, summary="Resumed")
    return generate_occurrences(db, tenant_id=tenant_id, series_id=series.id, acting_user=acting_user, now=now)


def end_series(
    db: Session, *, tenant_id: str, series_id: str, acting_user: StaffContext | None, now: dt.datetime | None = None
) -> RecurringSeries:
    """Ends a series and cancels its future open occurrences."""
    now = now or utcnow()
    series = scheduling_service.access_series_by_id(db, tenant_id=tenant_id, series_id=series_id)
    if series.status == SeriesStatus.ENDED.value:
        raise Conflict("This recurring schedule has already ended.")
    for appointment in db.exec(
        select(Appointment).where(
            Appointment.tenant_id == tenant_id,
            Appointment.series_id == series.id,
            Appointment.start_at > now,
            col(Appointment.status).in_([AppointmentStatus.REQUESTED.value, AppointmentStatus.CONFIRMED.value]),
        )
    ).all():
        scheduling_actions.do_transition_appointment(
            db, tenant_id=tenant_id, appointment=appointment, to_status=AppointmentStatus.CANCELLED.value,
            acting_user=acting_user, actor_name=acting_user.user_name if acting_user else "system",
            reason="Recurring schedule ended", now=now,
        )
    series.status = SeriesStatus.ENDED.value
    today = now.astimezone(tenant_zone(db, tenant_id=tenant_id)).date()  # the tenant's day, not UTC's
    series.until_date = min(series.until_date or today, today)
    series.updated_at = now
    db.add(series)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="series.ended",
                 target_type="recurring_series", target_id=series.id, summary="Ended")
    return series


def extend_all_series(db: Session, *, tenant_id: str, now: dt.datetime | None = None) -> int:
    """Extends every active series of the tenant to the rolling window; returns visits created.
    A series whose data no longer prices (e.g. a removed option) is logged and skipped in its own
    savepoint, so it cannot stop the tenant's other series from being extended."""
    created = 0
    for series in db.exec(
        select(RecurringSeries).where(
            RecurringSeries.tenant_id == tenant_id, RecurringSeries.status == SeriesStatus.ACTIVE.value
        )
    ).all():
        try:
            with db.begin_nested():
                created += len(generate_occurrences(db, tenant_id=tenant_id, series_id=series.id, now=now).created)
        except UserError as exc:
            log.warning("recurring series %s of tenant %s not extended: %s", series.id, tenant_id, exc)
    return created


def list_series(db: Session, *, tenant_id: str, customer_id: str | None = None) -> list[RecurringSeries]:
    query = select(RecurringSeries).where(RecurringSeries.tenant_id == tenant_id)
    if customer_id is not None:
        query = query.where(RecurringSeries.customer_id == customer_id)
    return list(db.exec(query.order_by(RecurringSeries.created_at)).all())
