"""Booking, assignment, reschedule/cancel policy, lifecycle transitions with who/when, price
quoted vs charged, and photos in private storage."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from backend.audit.models import AuditLog
from backend.config import get_settings
from backend.errors import Conflict, NotFound, PermissionDenied, UserError
from backend.scheduling import actions
from backend.scheduling import service as scheduling_service
from backend.scheduling.models import AppointmentEvent
from tests import factories
from tests.scheduling_helpers import (
    NOW,
    TUESDAY,
    WEDNESDAY,
    add_technician,
    at,
    make_business,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def book(biz, day=TUESDAY, time="10:00", now=NOW, **kwargs):
    with biz.session() as db:
        kwargs.setdefault("customer_id", biz.customer_id)
        kwargs.setdefault("service_id", biz.service_id)
        return actions.book_appointment(db, tenant_id=biz.tenant_id, start=at(day, time), now=now, **kwargs)


def staff(biz):
    user = factories.make_member(biz.tenant_id, email=f"staff-{biz.tenant_id[-6:]}@example.com", name="Sam Staff")
    return factories.context_for(user, biz.tenant_id, role="staff")


def test_book_appointment_stores_quote_and_utc_times(db):
    biz = make_business()
    appointment = book(biz, attributes={"size": "crossover"}, source="web")
    assert appointment.status == "confirmed"
    assert appointment.technician_id == biz.tech_id
    assert appointment.start_at == at(TUESDAY, "10:00")
    assert appointment.start_at.utcoffset() == dt.timedelta(0)
    assert appointment.duration_minutes == 90
    assert (appointment.price_quoted_min_cents, appointment.price_quoted_max_cents) == (6500, 8500)
    assert appointment.attributes == {"size": "large"}
    assert appointment.deposit_cents == 1300
    assert appointment.address == "12 Oak Street, Tulsa, 74105"
    with biz.session() as db:
        events = scheduling_service.get_appointment_events(db, tenant_id=biz.tenant_id, appointment_id=appointment.id)
        assert [(e.kind, e.to_status, e.actor_name) for e in events] == [("created", "confirmed", "customer")]
        assert db.exec(select(AuditLog).where(AuditLog.action == "appointment.booked")).one()


def test_book_appointment_second_booking_gets_slot_taken_with_alternatives(db):
    biz = make_business()
    book(biz)
    with pytest.raises(actions.SlotTaken) as caught:
        book(biz)
    message = str(caught.value)
    assert "Tue, Mar 3 at 10:00 AM is no longer available" in message
    assert "11:00 AM" in message
    assert caught.value.alternatives and caught.value.alternatives[0].start == at(TUESDAY, "11:00")
    assert isinstance(caught.value, Conflict)


def test_book_appointment_refuses_a_customers_overlapping_web_booking(db):
    """A customer booking twice from the web (two technicians free) gets one visit, not two;
    staff may still book overlapping jobs on purpose, and a customer may not reschedule onto
    their own other visit."""
    biz = make_business()
    add_technician(biz, "Blair Second")
    book(biz, source="web")
    with pytest.raises(Conflict, match="already have Wash booked on Tue, Mar 3 at 10:00"):
        book(biz, time="10:30", source="web")
    with biz.session() as db:
        assert len(scheduling_service.list_appointments(db, tenant_id=biz.tenant_id)) == 1
    book(biz, time="10:30", source="staff")
    later = book(biz, time="13:00", source="web")
    with biz.session() as db, pytest.raises(Conflict, match="already have Wash"):
        actions.reschedule_appointment(db, tenant_id=biz.tenant_id, appointment_id=later.id,
                                       new_start=at(TUESDAY, "10:00"), now=NOW - dt.timedelta(days=3))
    book(biz, day=WEDNESDAY, source="web")  # another day is fine
    with biz.session() as db:
        actions.cancel_appointment(db, tenant_id=biz.tenant_id, appointment_id=later.id, now=NOW)
    assert book(biz, time="13:00", source="web").status == "confirmed"  # a cancelled visit does not block


def test_book_appointment_assigns_least_loaded_then_round_robin(db):
    biz = make_business()
    second = add_technician(biz, "Blake Second")
    first = book(biz, time="08:00")
    assert first.technician_id == biz.tech_id  # tie: display order
    assert book(biz, time="08:00").technician_id == second
    # Both have one job today; round robin picks the one assigned least recently.
    assert book(biz, time="10:00").technician_id == biz.tech_id
    assert book(biz, time="10:00").technician_id == second


def test_book_appointment_preferred_technician(db):
    biz = make_business()
    second = add_technician(biz, "Blake Second")
    assert book(biz, technician_id=second).technician_id == second
    with pytest.raises(actions.SlotTaken):
        book(biz, technician_id=second)


def test_book_appointment_rules_give_specific_messages(db):
    biz = make_business(settings={"min_notice_minutes": 24 * 60, "horizon_days": 10})
    with pytest.raises(UserError, match="24 hours' notice"):
        book(biz, day=NOW.date(), time="12:00", source="web")
    with pytest.raises(UserError, match="up to 10 days ahead"):
        book(biz, day=NOW.date() + dt.timedelta(days=11), source="web")
    with pytest.raises(UserError, match="outside our hours"):
        book(biz, time="16:30", source="web")
    with pytest.raises(UserError, match="already passed"):
        book(biz, day=NOW.date() - dt.timedelta(days=1), source="staff")
    # Staff may book inside the notice window.
    assert book(biz, day=NOW.date(), time="12:00", source="staff").status == "confirmed"


def test_book_appointment_refuses_naive_times_and_foreign_ids(db):
    biz = make_business()
    other = make_business(slug="other-biz")
    with biz.session() as s:
        with pytest.raises(UserError, match="time zone"):
            actions.book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                     service_id=biz.service_id, start=dt.datetime(2026, 3, 3, 10), now=NOW)
    with pytest.raises(NotFound):
        book(biz, customer_id=other.customer_id)
    with pytest.raises(NotFound):
        book(biz, service_id=other.service_id)


def test_book_appointment_without_auto_confirm_is_requested(db):
    biz = make_business(settings={"auto_confirm": False})
    assert book(biz, source="web").status == "requested"
    assert book(biz, time="12:00", source="staff").status == "confirmed"


def test_reschedule_appointment_moves_and_clears_message_stamps(db):
    biz = make_business()
    appointment = book(biz)
    with biz.session() as s:
        row = scheduling_service.access_appointment_by_id(s, tenant_id=biz.tenant_id, appointment_id=appointment.id)
        row.confirmation_sent_at = row.reminder_sent_at = NOW
        s.add(row)
    ctx = staff(biz)
    with biz.session() as s:
        moved = actions.reschedule_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                               new_start=at(WEDNESDAY, "14:00"), acting_user=ctx, now=NOW)
        assert moved.start_at == at(WEDNESDAY, "14:00")
        assert moved.confirmation_sent_at is None and moved.reminder_sent_at is None
        events = scheduling_service.get_appointment_events(s, tenant_id=biz.tenant_id, appointment_id=appointment.id)
        assert events[-1].kind == "rescheduled" and events[-1].actor_name == "Sam Staff"
    # The old time is free again, the new one taken.
    book(biz)
    with pytest.raises(actions.SlotTaken):
        book(biz, day=WEDNESDAY, time="14:00")


def test_reschedule_to_overlapping_time_of_itself_is_allowed(db):
    biz = make_business()
    appointment = book(biz)
    with biz.session() as s:
        moved = actions.reschedule_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                               new_start=at(TUESDAY, "10:30"), acting_user=staff(biz), now=NOW)
    assert moved.start_at == at(TUESDAY, "10:30")


def test_customer_changes_within_policy_window_need_staff(db):
    """No customer reschedule/cancel within cancellation_notice_hours; staff can."""
    biz = make_business(settings={"cancellation_notice_hours": 24})
    appointment = book(biz)
    late = at(TUESDAY, "08:00")
    with biz.session() as s:
        with pytest.raises(PermissionDenied, match="within 24 hours"):
            actions.cancel_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id, now=late)
        with pytest.raises(PermissionDenied, match="within 24 hours"):
            actions.reschedule_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                           new_start=at(WEDNESDAY, "10:00"), now=late)
    with biz.session() as s:
        cancelled = actions.cancel_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                               reason="Sick", acting_user=staff(biz), now=late)
        assert cancelled.status == "cancelled" and cancelled.cancel_reason == "Sick"


def test_customer_can_cancel_early_enough(db):
    biz = make_business()
    appointment = book(biz)
    with biz.session() as s:
        row = actions.cancel_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id, now=NOW)
        assert row.status == "cancelled"
        events = scheduling_service.get_appointment_events(s, tenant_id=biz.tenant_id, appointment_id=appointment.id)
        assert (events[-1].from_status, events[-1].to_status, events[-1].actor_name) == ("confirmed", "cancelled",
                                                                                       "customer")
        with pytest.raises(Conflict, match="already cancelled"):
            actions.cancel_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id, now=NOW)


def test_transition_appointment_lifecycle_records_who_and_when(db):
    biz = make_business(settings={"auto_confirm": False})
    appointment = book(biz, source="web")
    ctx = staff(biz)
    times = [at(TUESDAY, "07:00"), at(TUESDAY, "10:02"), at(TUESDAY, "11:05")]
    with biz.session() as s:
        for status, when in zip(("confirmed", "in_progress", "completed"), times, strict=True):
            actions.transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                           to_status=status, acting_user=ctx, now=when)
        row = scheduling_service.access_appointment_by_id(s, tenant_id=biz.tenant_id, appointment_id=appointment.id)
        assert (row.confirmed_at, row.started_at, row.completed_at) == tuple(times)
        assert row.price_charged_cents == row.price_quoted_min_cents == 5000
        events = scheduling_service.get_appointment_events(s, tenant_id=biz.tenant_id, appointment_id=appointment.id)
        assert [(e.from_status, e.to_status) for e in events[1:]] == [
            ("requested", "confirmed"), ("confirmed", "in_progress"), ("in_progress", "completed")]
        assert {e.actor_user_id for e in events[1:]} == {ctx.user_id}
        assert [e.at for e in events[1:]] == times


def test_transition_appointment_refuses_invalid_moves(db):
    biz = make_business()
    appointment = book(biz)
    with biz.session() as s:
        with pytest.raises(Conflict, match="only after its start"):
            actions.transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                           to_status="no_show", now=NOW)
        with pytest.raises(UserError, match="Unknown status"):
            actions.transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                           to_status="done", now=NOW)
        actions.transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                       to_status="completed", price_charged_cents=6200, now=at(TUESDAY, "11:00"))
        with pytest.raises(Conflict, match="cannot become"):
            actions.transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                           to_status="cancelled", now=NOW)


def test_no_show_after_start(db):
    biz = make_business()
    appointment = book(biz)
    with biz.session() as s:
        row = actions.transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                             to_status="no_show", now=at(TUESDAY, "10:20"))
        assert row.status == "no_show"


def test_set_price_charged_and_notes(db):
    biz = make_business()
    appointment = book(biz)
    with biz.session() as s:
        with pytest.raises(Conflict):
            actions.set_price_charged(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                      price_charged_cents=100, acting_user=None)
        actions.transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                       to_status="completed", now=at(TUESDAY, "11:00"))
        row = actions.set_price_charged(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                        price_charged_cents=6900, acting_user=None)
        assert (row.price_quoted_min_cents, row.price_quoted_max_cents, row.price_charged_cents) == (5000, 7000, 6900)
        row = actions.update_appointment_notes(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                               notes="  Dog in yard ", acting_user=None)
        assert row.notes == "Dog in yard"


def test_add_appointment_photo_is_private(db):
    biz = make_business()
    appointment = book(biz)
    with biz.session() as s:
        photo = actions.add_appointment_photo(s, tenant_id=biz.tenant_id, appointment_id=appointment.id, data=PNG,
                                              filename="after.png", acting_user=None)
    path = get_settings().data_dir / "private" / biz.tenant_id / photo.storage_key
    assert path.read_bytes() == PNG
    assert photo.content_type == "image/png"
    assert "upload" not in str(path) and ".web" not in str(path)
    with biz.session() as s:
        with pytest.raises(UserError, match="Only JPEG, PNG"):
            actions.add_appointment_photo(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                          data=b"<svg onload=alert(1)>", acting_user=None)


def test_add_appointment_photo_rolled_back_leaves_no_file(db):
    biz = make_business()
    appointment = book(biz)
    with pytest.raises(RuntimeError):
        with biz.session() as s:
            photo = actions.add_appointment_photo(s, tenant_id=biz.tenant_id, appointment_id=appointment.id,
                                                  data=PNG, acting_user=None)
            key = photo.storage_key
            raise RuntimeError("boom")
    assert not (get_settings().data_dir / "private" / biz.tenant_id / key).exists()


def test_access_appointment_by_id_same_error_for_missing_and_foreign(db):
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    appointment = book(a)
    with b.session() as s:
        for bad in (appointment.id, "nope", None, 42):
            with pytest.raises(NotFound, match="No such appointment"):
                scheduling_service.access_appointment_by_id(s, tenant_id=b.tenant_id, appointment_id=bad)
    with b.session() as s:
        assert s.exec(select(AppointmentEvent)).all() == []
