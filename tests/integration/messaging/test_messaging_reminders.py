"""Booking confirmations and appointment reminders from the tenant's templates, each sent
exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from backend.customers import service as customers_service
from backend.db.session import tenant_session
from backend.messaging import actions, reminders
from backend.scheduling.models import Appointment, Service
from tests.integration.messaging.conftest import A_MAIN, CUSTOMER

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday, 09:00 in Chicago


def make_appointment(tenant_id, *, start, created, status="confirmed", phone=CUSTOMER, name="Jordan Ellis"):
    with tenant_session(tenant_id) as db:
        customer, _ = customers_service.get_or_create_by_phone(db, tenant_id=tenant_id, phone_e164=phone, source="manual")
        customer.name = name
        db.add(customer)
        service = db.exec(select(Service).where(Service.tenant_id == tenant_id)).first()
        service_id = service.id if service else None
        if service_id is None:
            svc = Service(tenant_id=tenant_id, name="Full Detail", duration_minutes=120, price_min_cents=15000,
                          price_max_cents=20000)
            db.add(svc)
            db.flush()
            service_id = svc.id
        appointment = Appointment(tenant_id=tenant_id, customer_id=customer.id, service_id=service_id, start_at=start,
                                  end_at=start + dt.timedelta(hours=2), duration_minutes=120, status=status,
                                  created_at=created, updated_at=created)
        db.add(appointment)
        db.flush()
        return appointment.id


def appointment_row(tenant_id, appointment_id) -> Appointment:
    with tenant_session(tenant_id) as db:
        return db.get(Appointment, (tenant_id, appointment_id))


def confirm(tenant_id, appointment_id, now=T0):
    with tenant_session(tenant_id) as db:
        return reminders.send_booking_confirmation(db, tenant_id=tenant_id, appointment_id=appointment_id, now=now)


def test_booking_confirmation_is_sent_once_from_the_template(world, q):
    appointment_id = make_appointment(world.a.id, start=T0 + dt.timedelta(days=3), created=T0)
    first = confirm(world.a.id, appointment_id)
    second = confirm(world.a.id, appointment_id)
    assert first is not None and second is None
    (text,) = q.outbound(world.a.id)
    assert text.kind == "confirmation" and text.from_number == A_MAIN
    assert text.body.startswith("Hi Jordan! Your Full Detail with Acme Detailing is booked for")
    assert "{" not in text.body
    assert appointment_row(world.a.id, appointment_id).confirmation_sent_at == T0


def test_rolled_back_confirmation_can_be_sent_again(world, q, queued):
    appointment_id = make_appointment(world.a.id, start=T0 + dt.timedelta(days=3), created=T0)
    with pytest.raises(RuntimeError):
        with tenant_session(world.a.id) as db:
            reminders.send_booking_confirmation(db, tenant_id=world.a.id, appointment_id=appointment_id, now=T0)
            raise RuntimeError("booking failed after all")
    assert appointment_row(world.a.id, appointment_id).confirmation_sent_at is None
    assert q.outbound(world.a.id) == [] and queued.calls == []
    assert confirm(world.a.id, appointment_id) is not None


def test_no_confirmation_for_cancelled_or_past_appointments(world, q):
    cancelled = make_appointment(world.a.id, start=T0 + dt.timedelta(days=1), created=T0, status="cancelled")
    past = make_appointment(world.a.id, start=T0 - dt.timedelta(days=1), created=T0 - dt.timedelta(days=2),
                            phone="+19185550166")
    assert confirm(world.a.id, cancelled) is None
    assert confirm(world.a.id, past) is None
    assert q.outbound(world.a.id) == []


def test_reminder_is_sent_once_when_due(world, q):
    appointment_id = make_appointment(world.a.id, start=T0 + dt.timedelta(hours=30), created=T0 - dt.timedelta(days=5))
    with tenant_session(world.a.id) as db:
        db.get(Appointment, (world.a.id, appointment_id)).confirmation_sent_at = T0 - dt.timedelta(days=5)
    assert reminders.send_due_reminders(now=T0) == 0  # 30 h ahead: not due with a 24 h window
    later = T0 + dt.timedelta(hours=7)
    assert reminders.send_due_reminders(now=later) == 1
    assert reminders.send_due_reminders(now=later + dt.timedelta(minutes=5)) == 0
    (text,) = q.outbound(world.a.id)
    assert text.kind == "reminder" and text.body.startswith("Reminder from Acme Detailing: Full Detail")
    assert appointment_row(world.a.id, appointment_id).reminder_sent_at == later


def test_reminder_window_is_the_tenants_setting(world, q):
    from backend.scheduling.models import BookingSettings

    with tenant_session(world.a.id) as db:
        db.add(BookingSettings(tenant_id=world.a.id, reminder_hours_before=48))
    make_appointment(world.a.id, start=T0 + dt.timedelta(hours=40), created=T0 - dt.timedelta(days=5))
    with tenant_session(world.a.id) as db:
        assert reminders.send_due_reminders_for_tenant(db, tenant_id=world.a.id, now=T0) >= 1
    assert [t.kind for t in q.outbound(world.a.id)] == ["reminder"]


def test_appointment_booked_inside_the_window_gets_no_separate_reminder(world, q):
    make_appointment(world.a.id, start=T0 + dt.timedelta(hours=5), created=T0 - dt.timedelta(hours=1))
    reminders.send_due_reminders(now=T0)
    assert [t.kind for t in q.outbound(world.a.id)] == ["confirmation"]


def test_periodic_job_confirms_recent_unconfirmed_bookings_only(world, q):
    recent = make_appointment(world.a.id, start=T0 + dt.timedelta(days=4), created=T0 - dt.timedelta(hours=2))
    make_appointment(world.a.id, start=T0 + dt.timedelta(days=4), created=T0 - dt.timedelta(days=3),
                     phone="+19185550166")
    assert reminders.send_due_reminders(now=T0) == 1
    assert reminders.send_due_reminders(now=T0) == 0
    assert appointment_row(world.a.id, recent).confirmation_sent_at == T0
    assert [t.to_number for t in q.outbound(world.a.id)] == [CUSTOMER]


def test_opted_out_customer_gets_nothing_but_the_stamp_is_set(world, q):
    appointment_id = make_appointment(world.a.id, start=T0 + dt.timedelta(days=2), created=T0)
    with tenant_session(world.a.id) as db:
        actions.do_record_consent(db, tenant_id=world.a.id, phone_e164=CUSTOMER, state="opted_out", source="keyword",
                                  text="STOP")
    row = confirm(world.a.id, appointment_id)
    assert row.status == "suppressed"
    assert appointment_row(world.a.id, appointment_id).confirmation_sent_at is not None


def test_other_tenants_appointments_are_not_reachable(world):
    from backend.errors import NotFound

    appointment_id = make_appointment(world.a.id, start=T0 + dt.timedelta(days=3), created=T0)
    with pytest.raises(NotFound):
        confirm(world.b.id, appointment_id)
