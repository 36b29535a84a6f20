"""Booking confirmations and appointment reminders, from the tenant's SMS templates
(`backend.scheduling.templates.render_sms_template`), through the outbox.

Exactly once: each send first stamps `Appointment.confirmation_sent_at` / `reminder_sent_at`
with a conditional UPDATE (only if still empty) in the same transaction as the outbox row, so
concurrent callers, a retried job or several workers never send twice; a rollback unstamps.
Rescheduling clears the stamps (scheduling area), so the new time is confirmed and reminded.

- `send_booking_confirmation` — the scheduling/agent code calls it when a booking is made;
  the periodic job also confirms recently booked or rescheduled appointments nobody confirmed.
- `send_due_reminders` — the periodic job: open appointments starting within the tenant's
  `reminder_hours_before`. An appointment booked inside that window gets no separate reminder
  (its confirmation is recent enough).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import update
from sqlmodel import Session, select

from backend.customers import service as customers_service
from backend.db.session import platform_session, tenant_session
from backend.db.types import utcnow
from backend.messaging import actions as messaging_actions
from backend.messaging.enums import MessageKind
from backend.messaging.models import OutboundMessage
from backend.phones import to_e164
from backend.scheduling import service as scheduling_service
from backend.scheduling import templates as scheduling_templates
from backend.scheduling.enums import AppointmentStatus
from backend.scheduling.models import Appointment
from backend.tenancy.features import GATED_STATUSES
from backend.tenancy.models import Tenant

log = logging.getLogger(__name__)

NOTIFY_STATUSES = (AppointmentStatus.REQUESTED.value, AppointmentStatus.CONFIRMED.value)
# The periodic job confirms appointments booked or changed this recently and not confirmed.
CONFIRMATION_LOOKBACK = dt.timedelta(hours=24)


def _stamp(db: Session, *, tenant_id: str, appointment_id: str, column: str, now: dt.datetime) -> bool:
    """Sets the sent-at column if it is still empty; True if this caller won."""
    field = getattr(Appointment, column)
    result = db.execute(
        update(Appointment)
        .where(Appointment.tenant_id == tenant_id, Appointment.id == appointment_id, field.is_(None))
        .values({column: now}),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


def _send_for(
    db: Session, *, tenant_id: str, appointment: Appointment, template: str, kind: str, column: str,
    now: dt.datetime,
) -> OutboundMessage | None:
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=appointment.customer_id)
    phone = to_e164(customer.phone or "")
    if phone is None:
        return None
    if not _stamp(db, tenant_id=tenant_id, appointment_id=appointment.id, column=column, now=now):
        return None
    body = scheduling_templates.render_sms_template(
        db, tenant_id=tenant_id, key=template, appointment=appointment, customer=customer
    )
    return messaging_actions.send_sms(db, tenant_id=tenant_id, to=phone, body=body, kind=kind, now=now,
                                      sender_name="automatic " + ("reminder" if kind == "reminder" else "confirmation"))


def send_booking_confirmation(
    db: Session, *, tenant_id: str, appointment_id: str, now: dt.datetime | None = None
) -> OutboundMessage | None:
    """Queues the booking confirmation for an appointment, once. Returns the outbox row, or
    None when it was already sent, the appointment is not open or in the past, or the
    customer has no textable number. (An opted-out customer's row is stored "suppressed".)"""
    now = now or utcnow()
    appointment = scheduling_service.access_appointment_by_id(db, tenant_id=tenant_id, appointment_id=appointment_id)
    if appointment.confirmation_sent_at is not None or appointment.status not in NOTIFY_STATUSES:
        return None
    if appointment.start_at <= now:
        return None
    return _send_for(db, tenant_id=tenant_id, appointment=appointment, template="booking_confirmation",
                     kind=MessageKind.CONFIRMATION.value, column="confirmation_sent_at", now=now)


def _reminder_window(db: Session, tenant_id: str) -> dt.timedelta | None:
    settings = scheduling_service.booking_settings_or_default(db, tenant_id=tenant_id)
    hours = settings.reminder_hours_before or 0
    return dt.timedelta(hours=hours) if hours > 0 else None


def send_due_reminders_for_tenant(db: Session, *, tenant_id: str, now: dt.datetime | None = None) -> int:
    """Queues every due reminder (and missing recent confirmation) of one tenant; returns how
    many texts were queued."""
    now = now or utcnow()
    sent = 0
    window = _reminder_window(db, tenant_id)
    if window is not None:
        due = db.exec(
            select(Appointment).where(
                Appointment.tenant_id == tenant_id,
                Appointment.status.in_(NOTIFY_STATUSES),
                Appointment.reminder_sent_at.is_(None),
                Appointment.start_at > now,
                Appointment.start_at <= now + window,
            ).order_by(Appointment.start_at)
        ).all()
        for appointment in due:
            if appointment.created_at > appointment.start_at - window:
                continue  # booked inside the window: the confirmation serves as the reminder
            if _send_for(db, tenant_id=tenant_id, appointment=appointment, template="reminder",
                         kind=MessageKind.REMINDER.value, column="reminder_sent_at", now=now) is not None:
                sent += 1
    unconfirmed = db.exec(
        select(Appointment.id).where(
            Appointment.tenant_id == tenant_id,
            Appointment.status.in_(NOTIFY_STATUSES),
            Appointment.confirmation_sent_at.is_(None),
            Appointment.start_at > now,
            Appointment.updated_at >= now - CONFIRMATION_LOOKBACK,
        )
    ).all()
    for appointment_id in unconfirmed:
        if send_booking_confirmation(db, tenant_id=tenant_id, appointment_id=appointment_id, now=now) is not None:
            sent += 1
    return sent


def send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """The periodic job: reminders and missing confirmations for every active tenant, each in
    its own transaction (one tenant's failure does not stop the others)."""
    now = now or utcnow()
    with platform_session("jobs:sms-reminders") as pdb:
        tenant_ids = [t.id for t in pdb.exec(select(Tenant)).all() if t.status not in GATED_STATUSES]
    total = 0
    for tenant_id in tenant_ids:
        try:
            with tenant_session(tenant_id) as db:
                total += send_due_reminders_for_tenant(db, tenant_id=tenant_id, now=now)
        except Exception:
            log.exception("sending reminders failed for tenant %s", tenant_id)
    return total
