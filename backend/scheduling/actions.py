"""Appointment actions: book, reschedule, cancel, lifecycle transitions, price and notes, photos.

Booking is concurrency-safe: the candidate technicians are locked first (PostgreSQL: SELECT ...
FOR UPDATE in id order; SQLite: the transaction starts with a write to their rows, which
serialises writers), then the slot is re-validated against committed appointments and the row is
inserted in the same transaction. Two customers racing for the last slot can never both get it;
the loser gets `SlotTaken` with the next openings.

Every action records an `appointment_events` row (who/when/from/to) and an audit row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import event, update
from sqlmodel import Session, col, select

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.customers import service as customers_service
from backend.customers import stats as customer_stats
from backend.db.locks import lock_rows
from backend.db.types import utcnow
from backend.errors import Conflict, PermissionDenied, UserError
from backend.scheduling import availability, pricing
from backend.scheduling import service as scheduling_service
from backend.scheduling.enums import (
    OPEN_STATUSES,
    TRANSITIONS,
    AppointmentEventKind,
    AppointmentSource,
    AppointmentStatus,
)
from backend.scheduling.models import (
    Appointment,
    AppointmentAddon,
    AppointmentEvent,
    AppointmentPhoto,
    Technician,
)
from backend.scheduling.timeutil import (
    format_day,
    format_money,
    format_time,
    minutes_to_hhmm,
    tenant_zone,
)
from backend.storage import private as private_storage

# Sources booked by the business itself: minimum notice and horizon do not apply to them.
STAFF_SOURCES = frozenset(
    {AppointmentSource.STAFF.value, AppointmentSource.RECURRING.value, AppointmentSource.DEMO.value}
)
MAX_PHOTO_BYTES = 15 * 1024 * 1024


class SlotTaken(Conflict):
    """The requested time is no longer free; `alternatives` holds the next open slots."""

    def __init__(self, message: str, alternatives: Sequence[availability.Slot] = ()):
        super().__init__(message)
        self.alternatives = list(alternatives)


# ---- helpers --------------------------------------------------------------------------------


def lock_technicians(db: Session, *, tenant_id: str, technician_ids: Sequence[str]) -> None:
    """Serialises bookings that involve any of these technicians until the transaction ends."""
    ids = sorted(set(technician_ids))
    if not ids:
        return
    if db.get_bind().dialect.name == "postgresql":
        db.exec(
            select(Technician.id)
            .where(Technician.tenant_id == tenant_id, col(Technician.id).in_(ids))
            .order_by(Technician.id)
            .with_for_update()
        ).all()
    else:
        # SQLite: the first write takes the database write lock (busy_timeout waits for it), and
        # this is the transaction's first write, so no stale read snapshot can survive it.
        db.execute(
            update(Technician)
            .where(Technician.tenant_id == tenant_id, col(Technician.id).in_(ids))
            .values(booking_seq=Technician.booking_seq + 1)
            .execution_options(synchronize_session=False)
        )


def lock_appointment(db: Session, *, tenant_id: str, appointment_id: str) -> None:
    """Serialises changes to one appointment until the transaction ends, so a staff "complete"
    and a customer "cancel" arriving together cannot both apply: the second sees the first."""
    if not isinstance(appointment_id, str):
        return  # access_appointment_by_id refuses it
    lock_rows(db, Appointment, Appointment.tenant_id == tenant_id, Appointment.id == appointment_id)
    db.get(Appointment, (tenant_id, appointment_id), populate_existing=True)  # drop a stale cached copy


def _actor_name(acting_user: StaffContext | None, source: str) -> str:
    if acting_user is not None:
        return acting_user.user_name
    return "system" if source in STAFF_SOURCES or source == "system" else "customer"


def record_appointment_event(
    db: Session,
    *,
    tenant_id: str,
    appointment: Appointment,
    kind: str,
    acting_user: StaffContext | None,
    actor_name: str,
    from_status: str = "",
    to_status: str = "",
    detail: dict | None = None,
    at: dt.datetime | None = None,
) -> AppointmentEvent:
    row = AppointmentEvent(
        tenant_id=tenant_id,
        appointment_id=appointment.id,
        at=at or utcnow(),
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_user_id=acting_user.user_id if acting_user else None,
        actor_name=actor_name[:200],
        detail=detail or {},
    )
    db.add(row)
    return row


def _aware(value: dt.datetime, name: str = "start") -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise UserError(f"The {name} must be a date and time.")
    if value.tzinfo is None:
        raise UserError(f"The {name} time needs a time zone (e.g. 2026-03-10T09:00:00-05:00).")
    return value


def _next_openings(
    db: Session, *, tenant_id: str, service_ids: Sequence[str], addon_ids, attributes, technician_id, after: dt.datetime,
    now: dt.datetime,
) -> list[availability.Slot]:
    zone = tenant_zone(db, tenant_id=tenant_id)
    day = after.astimezone(zone).date()
    try:
        slots = availability.find_slots(
            db, tenant_id=tenant_id, service_ids=service_ids, addon_ids=addon_ids, attributes=attributes,
            start_date=day, end_date=day + dt.timedelta(days=6), technician_id=technician_id, now=now,
        )
    except UserError:
        return []
    return [s for s in slots if s.start > after][:3]


def _describe_slots(slots: Sequence[availability.Slot]) -> str:
    parts = []
    last_day = None
    for slot in slots:
        day = format_day(slot.start)
        parts.append(format_time(slot.start) if day == last_day else f"{day} at {format_time(slot.start)}")
        last_day = day
    return ", ".join(parts)


def _refuse(
    db: Session,
    *,
    tenant_id: str,
    engine: availability.Engine,
    problem: str,
    start: dt.datetime,
    service_ids: Sequence[str],
    addon_ids,
    attributes,
    technician_id: str | None,
    now: dt.datetime,
) -> None:
    local = start.astimezone(engine.zone)
    when = f"{format_day(local)} at {format_time(local)}"
    settings = engine.settings
    if problem == "past":
        raise UserError(f"{when} has already passed.")
    if problem == "notice":
        earliest = dt.datetime.fromtimestamp(engine.earliest_start(), engine.zone)
        hours = settings.min_notice_minutes / 60
        raise UserError(
            f"We need at least {hours:g} hours' notice; the earliest we can book is "
            f"{format_day(earliest)} at {format_time(earliest)}."
        )
    if problem == "horizon":
        raise UserError(
            f"We book up to {settings.horizon_days} days ahead; choose a date on or before "
            f"{format_day(engine.last_bookable_day())}."
        )
    if problem == "closed":
        raise UserError(f"We're closed on {format_day(local)}.")
    if problem == "hours":
        windows = engine.business.get(local.weekday(), [])
        hours = ", ".join(f"{minutes_to_hhmm(w.start)}–{minutes_to_hhmm(w.end)}" for w in windows) or "closed"
        raise UserError(f"{when} is outside our hours (that day: {hours}), or the job would run past closing.")
    alternatives = _next_openings(
        db, tenant_id=tenant_id, service_ids=service_ids, addon_ids=addon_ids, attributes=attributes,
        technician_id=technician_id, after=start, now=now,
    )
    message = f"Sorry — {when} is no longer available."
    if alternatives:
        message += f" The next openings are {_describe_slots(alternatives)}."
    raise SlotTaken(message, alternatives)


def _check_customer_free(
    db: Session, *, tenant_id: str, customer_id: str, start: dt.datetime, end: dt.datetime,
    exclude_appointment_id: str | None = None,
) -> None:
    """Refuses a customer-channel booking that overlaps the customer's own open appointment:
    a repeated web/text request must not send a second technician to the same customer.
    (Staff may still book overlapping jobs on purpose, e.g. two cars at once.)"""
    query = select(Appointment).where(
        Appointment.tenant_id == tenant_id,
        Appointment.customer_id == customer_id,
        col(Appointment.status).in_(sorted(OPEN_STATUSES)),
        Appointment.start_at < end.astimezone(dt.timezone.utc),
        Appointment.end_at > start.astimezone(dt.timezone.utc),
    )
    if exclude_appointment_id is not None:
        query = query.where(Appointment.id != exclude_appointment_id)
    existing = db.exec(query.order_by(Appointment.start_at)).first()
    if existing is None:
        return
    service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=existing.service_id)
    local = existing.start_at.astimezone(tenant_zone(db, tenant_id=tenant_id))
    raise Conflict(
        f"You already have {service.name} booked on {format_day(local)} at {format_time(local)}; "
        "reschedule that visit or choose a time after it."
    )


def customer_address(customer) -> str:
    parts = [customer.address_line1, customer.address_line2, customer.city,
             " ".join(p for p in (customer.region, customer.postal_code) if p)]
    return ", ".join(p for p in parts if p)


# ---- booking --------------------------------------------------------------------------------


def book_appointment(
    db: Session,
    *,
    tenant_id: str,
    customer_id: str,
    service_id: str,
    start: dt.datetime,
    addon_ids: Sequence[str] = (),
    attributes: Mapping[str, str] | None = None,
    technician_id: str | None = None,
    source: str = "staff",
    notes: str = "",
    acting_user: StaffContext | None = None,
    asset_id: str | None = None,
    address: str | None = None,
    price_quoted_cents: tuple[int, int] | None = None,
    series_id: str | None = None,
    occurrence_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Books a service for a customer at `start` (aware datetime) and returns the appointment.

    Re-validates the slot under a technician lock; raises SlotTaken (a Conflict) with the next
    openings when it is gone, UserError when the time breaks a rule (hours, notice, ...).
    With no `technician_id` the least-loaded free technician is assigned. Customer channels
    (web, sms, agent, ...) must respect minimum notice and the horizon; staff bookings need not.
    """
    if source not in AppointmentSource.values():
        raise UserError(f"Unknown booking source {source!r}.")
    start = _aware(start)
    now = now or utcnow()
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=service_id)
    asset = None
    if asset_id is not None:
        asset = customers_service.access_asset_by_id(db, tenant_id=tenant_id, asset_id=asset_id)
        if asset.customer_id != customer.id:
            raise UserError("That vehicle, pet or property belongs to another customer.")
    merged_attributes = {**(asset.attributes if asset else {}), **dict(attributes or {})}
    quote = pricing.quote_price(
        db, tenant_id=tenant_id, service_id=service.id, addon_ids=addon_ids, attributes=merged_attributes
    )
    if source not in STAFF_SOURCES:
        _check_customer_free(db, tenant_id=tenant_id, customer_id=customer.id, start=start,
                             end=start + dt.timedelta(minutes=quote.duration_minutes))
    candidates = availability.eligible_technicians(
        db, tenant_id=tenant_id, service_ids=[service.id], technician_id=technician_id
    )
    if not candidates:
        raise UserError(f"Nobody is set up to do {service.name} yet; add it to a technician's skills.")

    lock_technicians(db, tenant_id=tenant_id, technician_ids=[t.id for t in candidates])
    zone = tenant_zone(db, tenant_id=tenant_id)
    engine = availability.load_engine(
        db, tenant_id=tenant_id, technicians=candidates,
        start=start - dt.timedelta(days=1), end=start + dt.timedelta(days=1), now=now, with_last_assigned=True,
    )
    check = availability.check_start(
        engine, start=start, duration_minutes=quote.duration_minutes, enforce_notice=source not in STAFF_SOURCES
    )
    if check.problem:
        _refuse(db, tenant_id=tenant_id, engine=engine, problem=check.problem, start=start,
                service_ids=[service.id], addon_ids=addon_ids, attributes=merged_attributes,
                technician_id=technician_id, now=now)
    assigned = check.technician_ids[0]

    confirmed = source in STAFF_SOURCES or engine.settings.auto_confirm
    status = AppointmentStatus.CONFIRMED.value if confirmed else AppointmentStatus.REQUESTED.value
    quoted_min, quoted_max = price_quoted_cents or (quote.min_cents, quote.max_cents)
    appointment = Appointment(
        tenant_id=tenant_id,
        customer_id=customer.id,
        service_id=service.id,
        technician_id=assigned,
        asset_id=asset.id if asset else None,
        series_id=series_id,
        occurrence_date=occurrence_date,
        start_at=start.astimezone(dt.timezone.utc),
        end_at=(start + dt.timedelta(minutes=quote.duration_minutes)).astimezone(dt.timezone.utc),
        duration_minutes=quote.duration_minutes,
        status=status,
        source=source,
        attributes=quote.attributes,
        address=(address if address is not None else customer_address(customer))[:400],
        notes=(notes or "").strip(),
        price_quoted_min_cents=quoted_min,
        price_quoted_max_cents=quoted_max,
        deposit_cents=quote.deposit_cents,
        confirmed_at=now if confirmed else None,
        created_by_user_id=acting_user.user_id if acting_user else None,
    )
    db.add(appointment)
    db.flush()
    for line in quote.lines:
        if line.kind == "addon":
            db.add(AppointmentAddon(tenant_id=tenant_id, appointment_id=appointment.id, addon_id=line.ref_id,
                                    name=line.label, price_min_cents=line.min_cents,
                                    price_max_cents=line.max_cents, duration_minutes=line.duration_minutes))
    actor = _actor_name(acting_user, source)
    record_appointment_event(db, tenant_id=tenant_id, appointment=appointment, kind=AppointmentEventKind.CREATED.value,
                  acting_user=acting_user, actor_name=actor, to_status=status,
                  detail={"source": source, "start": start.isoformat(), "technician_id": assigned}, at=now)
    local = start.astimezone(zone)
    audit.record(
        db, tenant_id=tenant_id, acting_user=acting_user, action="appointment.booked",
        target_type="appointments", target_id=appointment.id,
        summary=f"Booked {service.name} for {customer.name or customer.phone} on {format_day(local)} "
                f"at {format_time(local)} ({source})",
    )
    db.flush()
    return appointment


def reschedule_appointment(
    db: Session,
    *,
    tenant_id: str,
    appointment_id: str,
    new_start: dt.datetime,
    technician_id: str | None = None,
    acting_user: StaffContext | None = None,
    source: str | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Moves an open appointment to `new_start`, keeping its technician when free.

    Without staff (acting_user None) the tenant policy applies: no changes within
    `cancellation_notice_hours` of the current start, and the new time must respect minimum
    notice. Clears confirmation/reminder stamps so the messaging area confirms the new time.
    """
    new_start = _aware(new_start, "new start")
    now = now or utcnow()
    lock_appointment(db, tenant_id=tenant_id, appointment_id=appointment_id)
    appointment = scheduling_service.access_appointment_by_id(db, tenant_id=tenant_id, appointment_id=appointment_id)
    by_customer = acting_user is None and (source or "customer") not in STAFF_SOURCES
    if appointment.status not in (AppointmentStatus.REQUESTED.value, AppointmentStatus.CONFIRMED.value):
        raise Conflict(f"A {appointment.status.replace('_', ' ')} appointment cannot be rescheduled.")
    settings = scheduling_service.booking_settings_or_default(db, tenant_id=tenant_id)
    if by_customer:
        _check_change_policy(db, tenant_id=tenant_id, appointment=appointment, settings=settings, now=now,
                             verb="rescheduled")
        _check_customer_free(db, tenant_id=tenant_id, customer_id=appointment.customer_id, start=new_start,
                             end=new_start + dt.timedelta(minutes=appointment.duration_minutes),
                             exclude_appointment_id=appointment.id)
    service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=appointment.service_id)
    if technician_id is not None:
        candidates = availability.eligible_technicians(
            db, tenant_id=tenant_id, service_ids=[service.id], technician_id=technician_id
        )
    else:
        candidates = availability.eligible_technicians(db, tenant_id=tenant_id, service_ids=[service.id])
        if appointment.technician_id and appointment.technician_id not in {t.id for t in candidates}:
            try:
                candidates.append(
                    scheduling_service.access_technician_by_id(
                        db, tenant_id=tenant_id, technician_id=appointment.technician_id
                    )
                )
            except UserError:
                pass
    if not candidates:
        raise UserError(f"Nobody is set up to do {service.name}.")
    lock_technicians(db, tenant_id=tenant_id, technician_ids=[t.id for t in candidates])
    engine = availability.load_engine(
        db, tenant_id=tenant_id, technicians=candidates,
        start=new_start - dt.timedelta(days=1), end=new_start + dt.timedelta(days=1), now=now,
        exclude_appointment_id=appointment.id, with_last_assigned=True,
    )
    check = availability.check_start(
        engine, start=new_start, duration_minutes=appointment.duration_minutes, enforce_notice=by_customer
    )
    addon_ids = [a.addon_id for a in scheduling_service.get_appointment_addons(
        db, tenant_id=tenant_id, appointment_ids=[appointment.id]).get(appointment.id, [])]
    if check.problem:
        _refuse(db, tenant_id=tenant_id, engine=engine, problem=check.problem, start=new_start,
                service_ids=[service.id], addon_ids=addon_ids, attributes=appointment.attributes,
                technician_id=technician_id, now=now)
    free = check.technician_ids
    assigned = appointment.technician_id if appointment.technician_id in free else free[0]
    old_start, old_tech = appointment.start_at, appointment.technician_id
    appointment.start_at = new_start.astimezone(dt.timezone.utc)
    appointment.end_at = (new_start + dt.timedelta(minutes=appointment.duration_minutes)).astimezone(dt.timezone.utc)
    appointment.technician_id = assigned
    appointment.confirmation_sent_at = None
    appointment.reminder_sent_at = None
    appointment.updated_at = now
    db.add(appointment)
    actor = _actor_name(acting_user, source or ("staff" if acting_user else "customer"))
    record_appointment_event(db, tenant_id=tenant_id, appointment=appointment, kind=AppointmentEventKind.RESCHEDULED.value,
                  acting_user=acting_user, actor_name=actor, from_status=appointment.status,
                  to_status=appointment.status,
                  detail={"from": old_start.isoformat(), "to": new_start.isoformat(),
                          "from_technician_id": old_tech, "technician_id": assigned}, at=now)
    local = new_start.astimezone(engine.zone)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="appointment.rescheduled",
                 target_type="appointments", target_id=appointment.id,
                 summary=f"Moved {service.name} to {format_day(local)} at {format_time(local)}")
    db.flush()
    return appointment


def _check_change_policy(db: Session, *, tenant_id: str, appointment: Appointment, settings, now, verb: str) -> None:
    hours = settings.cancellation_notice_hours
    if hours and appointment.start_at - now < dt.timedelta(hours=hours):
        from backend.tenancy import service as tenancy_service

        config = tenancy_service.get_config(db, tenant_id=tenant_id)
        contact = ""
        if config and config.contact_phone:
            from backend.phones import display

            contact = f" at {display(config.contact_phone)}"
        raise PermissionDenied(
            f"Appointments can't be {verb} online within {hours} hours of the start time. "
            f"Please call us{contact} and we'll help."
        )


def cancel_appointment(
    db: Session,
    *,
    tenant_id: str,
    appointment_id: str,
    reason: str = "",
    acting_user: StaffContext | None = None,
    source: str | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Cancels an open appointment. Without staff the tenant's cancellation window applies."""
    now = now or utcnow()
    lock_appointment(db, tenant_id=tenant_id, appointment_id=appointment_id)
    appointment = scheduling_service.access_appointment_by_id(db, tenant_id=tenant_id, appointment_id=appointment_id)
    if appointment.status not in OPEN_STATUSES:
        raise Conflict(f"This appointment is already {appointment.status.replace('_', ' ')}.")
    by_customer = acting_user is None and (source or "customer") not in STAFF_SOURCES
    if by_customer:
        if appointment.status == AppointmentStatus.IN_PROGRESS.value:
            raise PermissionDenied("This appointment has already started; please call us.")
        settings = scheduling_service.booking_settings_or_default(db, tenant_id=tenant_id)
        _check_change_policy(db, tenant_id=tenant_id, appointment=appointment, settings=settings, now=now,
                             verb="cancelled")
    return do_transition_appointment(db, tenant_id=tenant_id, appointment=appointment,
                             to_status=AppointmentStatus.CANCELLED.value, acting_user=acting_user,
                             actor_name=_actor_name(acting_user, source or ("staff" if acting_user else "customer")),
                             reason=reason, now=now)


def transition_appointment(
    db: Session,
    *,
    tenant_id: str,
    appointment_id: str,
    to_status: str,
    acting_user: StaffContext | None = None,
    reason: str = "",
    price_charged_cents: int | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Moves an appointment along requested → confirmed → in_progress → completed (or to
    cancelled / no_show), recording who and when. Completing sets the charged price (default:
    the quoted minimum) and refreshes the customer's totals."""
    now = now or utcnow()
    lock_appointment(db, tenant_id=tenant_id, appointment_id=appointment_id)
    appointment = scheduling_service.access_appointment_by_id(db, tenant_id=tenant_id, appointment_id=appointment_id)
    if to_status not in AppointmentStatus.values():
        raise UserError(f"Unknown status {to_status!r}; use one of {', '.join(AppointmentStatus.values())}.")
    return do_transition_appointment(db, tenant_id=tenant_id, appointment=appointment, to_status=to_status,
                             acting_user=acting_user, actor_name=_actor_name(acting_user, "staff"),
                             reason=reason, price_charged_cents=price_charged_cents, now=now)


def do_transition_appointment(
    db: Session,
    *,
    tenant_id: str,
    appointment: Appointment,
    to_status: str,
    acting_user: StaffContext | None,
    actor_name: str,
    reason: str = "",
    price_charged_cents: int | None = None,
    now: dt.datetime,
) -> Appointment:
    """Applies a lifecycle move to an appointment already loaded inside the tenant (no
    cancellation-policy check: callers decide who may do it), recording who and when."""
    current = appointment.status
    if to_status == current:
        raise Conflict(f"The appointment is already {current.replace('_', ' ')}.")
    if to_status not in TRANSITIONS[current]:
        raise Conflict(
            f"A {current.replace('_', ' ')} appointment cannot become {to_status.replace('_', ' ')}."
        )
    if to_status == AppointmentStatus.NO_SHOW.value and now < appointment.start_at:
        raise Conflict("An appointment can be marked as a no-show only after its start time.")
    if price_charged_cents is not None:
        if to_status != AppointmentStatus.COMPLETED.value:
            raise UserError("The charged price is set when the job is completed.")
        if not isinstance(price_charged_cents, int) or price_charged_cents < 0:
            raise UserError("The charged price must be a whole number of cents, zero or more.")
    appointment.status = to_status
    if to_status == AppointmentStatus.CONFIRMED.value:
        appointment.confirmed_at = now
    elif to_status == AppointmentStatus.IN_PROGRESS.value:
        appointment.started_at = now
    elif to_status == AppointmentStatus.COMPLETED.value:
        appointment.completed_at = now
        if price_charged_cents is not None:
            appointment.price_charged_cents = price_charged_cents
        elif appointment.price_charged_cents is None:
            appointment.price_charged_cents = appointment.price_quoted_min_cents
    elif to_status == AppointmentStatus.CANCELLED.value:
        appointment.cancelled_at = now
        appointment.cancel_reason = (reason or "").strip()[:300]
    appointment.updated_at = now
    db.add(appointment)
    detail = {"reason": reason[:300]} if reason else {}
    if to_status == AppointmentStatus.COMPLETED.value:
        detail["price_charged_cents"] = appointment.price_charged_cents
    record_appointment_event(db, tenant_id=tenant_id, appointment=appointment, kind=AppointmentEventKind.STATUS.value,
                  acting_user=acting_user, actor_name=actor_name, from_status=current, to_status=to_status,
                  detail=detail, at=now)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action=f"appointment.{to_status}",
                 target_type="appointments", target_id=appointment.id,
                 summary=f"Appointment {current} → {to_status}" + (f": {reason[:200]}" if reason else ""))
    db.flush()
    if AppointmentStatus.COMPLETED.value in (current, to_status):
        customer_stats.recompute_customer_stats(db, tenant_id=tenant_id, customer_id=appointment.customer_id)
    return appointment


def set_price_charged(
    db: Session, *, tenant_id: str, appointment_id: str, price_charged_cents: int, acting_user: StaffContext | None
) -> Appointment:
    """Corrects the charged price of a completed appointment (customer totals follow)."""
    appointment = scheduling_service.access_appointment_by_id(db, tenant_id=tenant_id, appointment_id=appointment_id)
    if appointment.status != AppointmentStatus.COMPLETED.value:
        raise Conflict("The charged price is set when the job is completed.")
    if not isinstance(price_charged_cents, int) or price_charged_cents < 0:
        raise UserError("The charged price must be a whole number of cents, zero or more.")
    old = appointment.price_charged_cents
    appointment.price_charged_cents = price_charged_cents
    appointment.updated_at = utcnow()
    db.add(appointment)
    record_appointment_event(db, tenant_id=tenant_id, appointment=appointment, kind=AppointmentEventKind.PRICE.value,
                  acting_user=acting_user, actor_name=_actor_name(acting_user, "staff"),
                  detail={"from": old, "to": price_charged_cents})
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="appointment.price_charged",
                 target_type="appointments", target_id=appointment.id,
                 summary=f"Charged {format_money(price_charged_cents)}")
    db.flush()
    customer_stats.recompute_customer_stats(db, tenant_id=tenant_id, customer_id=appointment.customer_id)
    return appointment


def update_appointment_notes(
    db: Session, *, tenant_id: str, appointment_id: str, notes: str, acting_user: StaffContext | None
) -> Appointment:
    appointment = scheduling_service.access_appointment_by_id(db, tenant_id=tenant_id, appointment_id=appointment_id)
    notes = (notes or "").strip()
    if len(notes) > 5000:
        raise UserError("Notes can be at most 5,000 characters.")
    appointment.notes = notes
    appointment.updated_at = utcnow()
    db.add(appointment)
    record_appointment_event(db, tenant_id=tenant_id, appointment=appointment, kind=AppointmentEventKind.NOTE.value,
                  acting_user=acting_user, actor_name=_actor_name(acting_user, "staff"))
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="appointment.notes_updated",
                 target_type="appointments", target_id=appointment.id, summary="Updated notes")
    return appointment


# ---- photos ---------------------------------------------------------------------------------

_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def sniff_image(data: bytes) -> tuple[str, str] | None:
    """Returns (content type, extension) for JPEG, PNG, WebP or HEIC bytes, else None."""
    for signature, content_type, ext in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return content_type, ext
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "image/heic", "heic"
    return None


def add_appointment_photo(
    db: Session,
    *,
    tenant_id: str,
    appointment_id: str,
    data: bytes,
    filename: str = "",
    caption: str = "",
    acting_user: StaffContext | None,
) -> AppointmentPhoto:
    """Stores a photo privately (never in a public upload dir) and attaches it to the appointment.
    Only JPEG, PNG, WebP and HEIC up to 15 MB are accepted, recognised by their bytes."""
    appointment = scheduling_service.access_appointment_by_id(db, tenant_id=tenant_id, appointment_id=appointment_id)
    if not isinstance(data, bytes | bytearray) or not data:
        raise UserError("The photo is empty.")
    if len(data) > MAX_PHOTO_BYTES:
        raise UserError("Photos can be at most 15 MB.")
    kind = sniff_image(bytes(data))
    if kind is None:
        raise UserError("Only JPEG, PNG, WebP or HEIC photos can be attached.")
    content_type, ext = kind
    key = private_storage.save(tenant_id, f"appointments/{appointment.id}", bytes(data), ext)
    # Remove the file again if this transaction does not commit.
    event.listen(db, "after_rollback", lambda _s: private_storage.delete(tenant_id, key), once=True)
    photo = AppointmentPhoto(
        tenant_id=tenant_id, appointment_id=appointment.id, storage_key=key, content_type=content_type,
        size_bytes=len(data), original_name=(filename or "").strip()[:200], caption=(caption or "").strip()[:300],
        uploaded_by_user_id=acting_user.user_id if acting_user else None,
    )
    db.add(photo)
    db.flush()
    record_appointment_event(db, tenant_id=tenant_id, appointment=appointment, kind=AppointmentEventKind.PHOTO.value,
                  acting_user=acting_user, actor_name=_actor_name(acting_user, "staff"), detail={"photo_id": photo.id})
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="appointment.photo_added",
                 target_type="appointment_photos", target_id=photo.id, summary="Added a photo")
    return photo


def delete_appointment_photo(db: Session, *, tenant_id: str, photo_id: str, acting_user: StaffContext | None) -> None:
    photo = scheduling_service.access_photo_by_id(db, tenant_id=tenant_id, photo_id=photo_id)
    key = photo.storage_key
    db.delete(photo)
    db.flush()
    event.listen(db, "after_commit", lambda _s: private_storage.delete(tenant_id, key), once=True)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="appointment.photo_deleted",
                 target_type="appointment_photos", target_id=photo_id, summary="Deleted a photo")
