"""The scheduling states driven directly (no browser), signed in as a member of tenant B, with
tenant A's ids forced into them: A's rows are never shown, changed or booked against, and bad
input changes nothing. Plus the happy paths through the same handlers (book via the dialog,
reschedule, complete with a price in dollars, services and team editors)."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.db.types import utcnow
from backend.scheduling import actions
from backend.scheduling import service as scheduling_service
from backend.scheduling.models import Appointment, Service, Technician
from backend.scheduling.timeutil import local_instant
from servicepro_app.auth_middleware import access_for
from state.appointments import AppointmentState
from state.calendar import BookingState, CalendarState
from state.dashboard import DashboardState
from state.services import ServiceEditorState, ServicesState
from state.session import Access
from state.team import SchedulingSettingsState, TeamState
from tests import factories
from tests.scheduling_helpers import CHICAGO, Biz, make_business
from tests.state_harness import call, state_for


@pytest.fixture()
def pair(db):
    """Businesses A and B (America/Chicago), each with an admin context."""
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    alice = factories.make_member(a.tenant_id, email="alice@a.example", name="Alice Admin")
    bob = factories.make_member(b.tenant_id, email="bob@b.example", name="Bob Admin")
    return a, b, factories.context_for(alice, a.tenant_id), factories.context_for(bob, b.tenant_id)


def _tomorrow() -> dt.date:
    return utcnow().astimezone(CHICAGO).date() + dt.timedelta(days=1)


def _book(biz: Biz, hhmm: str = "10:00", day: dt.date | None = None) -> Appointment:
    day = day or _tomorrow()
    hours, minutes = (int(x) for x in hhmm.split(":"))
    with biz.session() as db:
        return actions.book_appointment(db, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                        service_id=biz.service_id, start=local_instant(day, hours * 60 + minutes, CHICAGO),
                                        technician_id=biz.tech_id)


def _appointment(biz: Biz, appointment_id: str) -> Appointment:
    with biz.session() as db:
        row = scheduling_service.access_appointment_by_id(db, tenant_id=biz.tenant_id, appointment_id=appointment_id)
        db.expunge(row)
        return row


def _count_appointments(biz: Biz) -> int:
    with biz.session() as db:
        return len(scheduling_service.list_appointments(db, tenant_id=biz.tenant_id))


def test_access_levels_of_the_scheduling_states():
    """Everyone in a business may use the calendar, bookings, appointments and view services;
    only owners/admins reach the editors."""
    for cls in (CalendarState, BookingState, AppointmentState, ServicesState, DashboardState):
        assert access_for(cls) is Access.TENANT, cls.__name__
    for cls in (ServiceEditorState, TeamState, SchedulingSettingsState):
        assert access_for(cls) is Access.TENANT_ADMIN, cls.__name__


# ---- calendar ------------------------------------------------------------------------------


async def test_calendar_shows_own_appointments_in_the_technicians_column(pair):
    a, _b, alice, _bob = pair
    appointment = _book(a, "10:30")
    s = state_for(CalendarState, alice)
    await call(s, CalendarState.set_day, _tomorrow().isoformat())
    assert [c["label"] for c in s.columns] == ["Alex Tech"]
    block = next(b for b in s.blocks if b["id"] == appointment.id)
    assert (block["start"], block["technician"], block["column"], block["customer"]) == (
        "10:30", "Alex Tech", "0", "Casey Customer")
    assert block["href"] == f"/appointments/{appointment.id}"
    await call(s, CalendarState.set_mode, "week")
    assert len(s.columns) == 7 and any(b["id"] == appointment.id for b in s.blocks)


async def test_calendar_of_tenant_b_never_shows_tenant_a(pair):
    a, _b, _alice, bob = pair
    appointment = _book(a, "10:30")
    s = state_for(CalendarState, bob)
    await call(s, CalendarState.set_day, _tomorrow().isoformat())
    assert s.blocks == [] and a.tech_id not in str(s.technician_options)
    # A's technician id is not an option for B, so it is ignored …
    await call(s, CalendarState.set_technician, a.tech_id)
    assert s.technician == "all"
    # … and forced into the state it falls back to B's own calendar.
    s.technician = a.tech_id
    await call(s, CalendarState.go_today)
    assert s.technician == "all" and appointment.id not in str(s.blocks)
    # A's appointment id sent to the navigation helper only builds a link; the page checks it.
    assert s.error == ""


async def test_calendar_refuses_malformed_input(pair):
    _a, _b, alice, _bob = pair
    s = state_for(CalendarState, alice)
    await call(s, CalendarState.load)
    day = s.day
    for bad in ("2026-13-40", "tomorrow", {"x": 1}, None, "9" * 500):
        await call(s, CalendarState.set_day, bad)
        assert s.day == day
    await call(s, CalendarState.set_mode, "month")
    assert s.mode == "day"
    assert await call(s, CalendarState.open_appointment, "../../etc/passwd") is None


# ---- booking -------------------------------------------------------------------------------


async def _fill_booking(s, biz: Biz, day: dt.date):
    await call(s, BookingState.start, day.isoformat())
    await call(s, BookingState.search_customers, "Casey")
    assert [r["name"] for r in s.customer_results] == ["Casey Customer"]
    await call(s, BookingState.pick_customer, s.customer_results[0]["id"])
    await call(s, BookingState.pick_service, biz.service_id)
    await call(s, BookingState.set_attribute, "size", "large")
    await call(s, BookingState.set_technician, biz.tech_id)


async def test_booking_through_the_dialog_books_and_shows_the_price(pair):
    a, _b, alice, _bob = pair
    s = state_for(BookingState, alice)
    day = _tomorrow()
    await _fill_booking(s, a, day)
    assert s.price_label == "$65–$85" and s.duration_label == "1 h 30 min"
    slot = next(x for x in s.slots if x["label"] == "10:00 AM")
    await call(s, BookingState.pick_slot, slot["key"])
    await call(s, BookingState.set_notes, "Gate code 4321")
    events = await call(s, BookingState.book)
    assert s.error == "" and s.open is False
    assert any("show_booked" in str(e) for e in events)
    with a.session() as db:
        [row] = scheduling_service.list_appointments(db, tenant_id=a.tenant_id)
        db.expunge(row)
    assert row.technician_id == a.tech_id and row.attributes == {"size": "large"} and row.notes == "Gate code 4321"
    assert row.start_at == local_instant(day, 600, CHICAGO).astimezone(dt.timezone.utc)
    assert (row.price_quoted_min_cents, row.price_quoted_max_cents) == (6500, 8500)


async def test_booking_a_taken_slot_shows_the_message_and_changes_nothing(pair):
    a, _b, alice, _bob = pair
    s = state_for(BookingState, alice)
    day = _tomorrow()
    await _fill_booking(s, a, day)
    slot = next(x for x in s.slots if x["label"] == "10:00 AM")
    await call(s, BookingState.pick_slot, slot["key"])
    _book(a, "10:30", day)  # someone else takes the technician meanwhile
    await call(s, BookingState.book)
    assert "no longer available" in s.error and s.open is True
    assert _count_appointments(a) == 1
    assert all(x["key"] != slot["key"] for x in s.slots)  # refreshed


async def test_booking_state_of_tenant_b_cannot_use_tenant_a_ids(pair):
    a, b, _alice, bob = pair
    s = state_for(BookingState, bob)
    await call(s, BookingState.start, _tomorrow().isoformat())
    await call(s, BookingState.pick_customer, a.customer_id)
    assert s.customer_id == "" and s.customer_error == "No such customer."
    await call(s, BookingState.pick_service, a.service_id)
    assert s.service_id == ""  # not one of B's services: ignored
    await call(s, BookingState.search_customers, "Casey")
    assert [r["id"] for r in s.customer_results] == [b.customer_id]
    # Forced straight into the state, A's ids still go through the backend lookups in B.
    s.customer_id, s.service_id, s.custom_time, s.date = a.customer_id, a.service_id, "10:00", _tomorrow().isoformat()
    await call(s, BookingState.book)
    assert s.error in ("No such customer.", "No such service.")
    assert _count_appointments(a) == 0 and _count_appointments(b) == 0


async def test_booking_validates_its_arguments(pair):
    a, _b, alice, _bob = pair
    s = state_for(BookingState, alice)
    await _fill_booking(s, a, _tomorrow())
    await call(s, BookingState.set_attribute, "size", "enormous")
    assert s.attribute_values["size"] == "large"
    await call(s, BookingState.toggle_addon, "not-an-addon", True)
    assert s.addon_ids == []
    await call(s, BookingState.pick_slot, "2020-01-01T10:00:00-06:00")
    assert s.slot_key == ""
    await call(s, BookingState.set_technician, {"evil": True})
    assert s.technician == a.tech_id
    await call(s, BookingState.set_custom_time, "99:99")
    await call(s, BookingState.book)
    assert "is not a time" in s.error and _count_appointments(a) == 0


async def test_new_customer_from_the_dialog_is_created_in_the_own_tenant(pair):
    a, b, alice, _bob = pair
    s = state_for(BookingState, alice)
    await call(s, BookingState.start, "")
    await call(s, BookingState.create_customer, {"name": "Nia New", "phone": "(918) 555-0177", "city": "Tulsa"})
    assert s.customer_name == "Nia New" and s.customer_error == ""
    await call(s, BookingState.create_customer, {"name": "Dup", "phone": "(918) 555-0177"})
    assert "already belongs" in s.customer_error
    t = state_for(BookingState, factories.context_for(factories.make_member(b.tenant_id), b.tenant_id))
    await call(t, BookingState.search_customers, "Nia")
    assert t.customer_results == []


# ---- appointment detail --------------------------------------------------------------------


async def test_appointment_page_of_tenant_b_cannot_see_or_change_tenant_a(pair):
    a, _b, _alice, bob = pair
    appointment = _book(a)
    s = state_for(AppointmentState, bob)
    await call(s, AppointmentState.open_appointment, appointment.id)
    assert s.not_found and s.detail.id == "" and s.error == "No such appointment."
    # Even with A's id forced into the backend var, every action is looked up inside B.
    s._appointment_id = appointment.id
    await call(s, AppointmentState.cancel, {"reason": "forged"})
    await call(s, AppointmentState.save_notes, {"notes": "forged"})
    await call(s, AppointmentState.complete, {"price_charged": "1"})
    s.reschedule_time, s.reschedule_date = "13:00", _tomorrow().isoformat()
    await call(s, AppointmentState.reschedule)
    after = _appointment(a, appointment.id)
    assert (after.status, after.notes, after.start_at, after.price_charged_cents) == (
        "confirmed", "", appointment.start_at, None)


async def test_appointment_lifecycle_notes_and_reschedule_through_the_state(pair):
    a, _b, alice, _bob = pair
    appointment = _book(a, "10:00")
    s = state_for(AppointmentState, alice)
    await call(s, AppointmentState.open_appointment, appointment.id)
    assert s.detail.customer_name == "Casey Customer" and s.detail.technician_name == "Alex Tech"
    await call(s, AppointmentState.save_notes, {"notes": "Ring twice"})
    assert s.detail.notes == "Ring twice"

    await call(s, AppointmentState.set_reschedule_open, True)
    slot = next(x for x in s.reschedule_slots if x["label"] == "2:00 PM")
    await call(s, AppointmentState.pick_reschedule_slot, slot["key"])
    await call(s, AppointmentState.reschedule)
    assert s.reschedule_error == "" and s.detail.time_label == "2:00 PM – 3:00 PM"
    assert "Moved to" in s.message

    await call(s, AppointmentState.transition, "completed")  # needs the price form
    assert _appointment(a, appointment.id).status == "confirmed"
    await call(s, AppointmentState.complete, {"price_charged": "12.5x"})
    assert "Charged price" in s.error and _appointment(a, appointment.id).status == "confirmed"
    await call(s, AppointmentState.complete, {"price_charged": "$72.50"})
    row = _appointment(a, appointment.id)
    assert (row.status, row.price_charged_cents) == ("completed", 7250)
    assert s.detail.price_charged == "$72.50" and s.detail.transitions == []
    await call(s, AppointmentState.set_price_charged, {"price_charged": "80"})
    assert _appointment(a, appointment.id).price_charged_cents == 8000
    assert [h.what for h in s.detail.history][-1] == "Charged price $72.50 → $80"


async def test_photo_upload_is_stored_privately_and_bad_files_are_refused(pair, tmp_path):
    a, _b, alice, _bob = pair
    appointment = _book(a)
    s = state_for(AppointmentState, alice)
    await call(s, AppointmentState.open_appointment, appointment.id)

    class Upload:
        def __init__(self, data: bytes, name: str):
            self._data, self.name = data, name

        async def read(self, size: int = -1) -> bytes:
            return self._data

    await call(s, AppointmentState.upload_photos, ["not-a-file", {"name": "x"}])  # a forged plain event
    assert s.error == "Choose a photo first." and s.detail.photos == []
    await call(s, AppointmentState.upload_photos, [Upload(b"not an image", "x.txt")])
    assert "JPEG" in s.error and s.detail.photos == []
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    await call(s, AppointmentState.upload_photos, [Upload(png, "car.png")])
    assert s.error == "" and len(s.detail.photos) == 1
    assert s.detail.photos[0].url == f"/files/appointment-photos/{s.detail.photos[0].id}"
    from backend.config import get_settings

    stored = list((get_settings().data_dir / "private" / a.tenant_id).rglob("*.png"))
    assert len(stored) == 1


# ---- services ------------------------------------------------------------------------------


async def test_services_of_tenant_b_never_show_or_edit_tenant_a(pair):
    a, _b, _alice, bob = pair
    s = state_for(ServicesState, bob)
    await call(s, ServicesState.load)
    assert [x.name for x in s.services] == ["Wash"] and a.service_id not in {x.id for x in s.services}
    e = state_for(ServiceEditorState, bob)
    await call(e, ServiceEditorState.edit_service, a.service_id)
    assert e.service_open is False
    e.service_form = {**e.service_form, "id": a.service_id}
    await call(e, ServiceEditorState.save_service, {"name": "Hijacked", "price_min": "1", "duration_minutes": "30",
                                                    "active": "on"})
    assert e.form_error == "No such service."
    await call(e, ServiceEditorState.edit_modifiers, a.service_id)
    assert e.modifiers_open is False
    with a.session() as db:
        assert db.get(Service, (a.tenant_id, a.service_id)).name == "Wash"


async def test_service_editor_converts_dollars_exactly_and_refuses_bad_input(pair):
    a, _b, alice, _bob = pair
    e = state_for(ServiceEditorState, alice)
    await call(e, ServiceEditorState.edit_service, "")
    form = {"name": "Ceramic", "price_min": "1,299.99", "price_max": "1499.5", "duration_minutes": "240",
            "deposit_percent": "25", "active": "on", "synonyms": "coating, ceramic coat"}
    await call(e, ServiceEditorState.save_service, {**form, "price_min": "12.345"})
    assert "Lowest price" in e.form_error
    await call(e, ServiceEditorState.save_service, {**form, "price_max": "5"})
    assert "highest price cannot be below" in e.form_error
    await call(e, ServiceEditorState.save_service, {**form, "deposit_percent": "101"})
    assert "Deposit" in e.form_error
    with a.session() as db:
        assert [x.name for x in scheduling_service.list_services(db, tenant_id=a.tenant_id)] == ["Wash"]
    await call(e, ServiceEditorState.save_service, form)
    assert e.form_error == ""
    with a.session() as db:
        created = next(x for x in scheduling_service.list_services(db, tenant_id=a.tenant_id) if x.name == "Ceramic")
        assert (created.price_min_cents, created.price_max_cents, created.deposit_percent) == (129999, 149950, 25)

    await call(e, ServiceEditorState.edit_modifiers, a.service_id)
    assert [r.option_value for r in e.modifier_rows] == ["small", "large"]
    await call(e, ServiceEditorState.save_modifiers, {"price__size__large": "30", "minutes__size__large": "45",
                                                      "price__size__small": "-2.50", "minutes__size__small": "0"})
    assert e.form_error == ""
    with a.session() as db:
        mods = {m.option_value: (m.price_delta_cents, m.duration_delta_minutes)
                for m in scheduling_service.get_modifiers(db, tenant_id=a.tenant_id, service_ids=[a.service_id])}
    assert mods == {"large": (3000, 45), "small": (-250, 0)}


# ---- team and settings ---------------------------------------------------------------------


async def test_team_of_tenant_b_never_shows_or_edits_tenant_a(pair):
    a, b, _alice, bob = pair
    s = state_for(TeamState, bob)
    await call(s, TeamState.load)
    assert [t.name for t in s.technicians] == ["Alex Tech"] and a.tech_id not in {t.id for t in s.technicians}
    await call(s, TeamState.edit_technician, a.tech_id)
    assert s.tech_open is False
    s.tech_form = {**s.tech_form, "id": a.tech_id}
    await call(s, TeamState.save_technician, {"name": "Hijacked", "active": "on", "hours_0": "08:00-17:00"})
    assert s.form_error == "No such technician."
    s.time_off_tech_id = a.tech_id
    await call(s, TeamState.add_time_off, {"start_date": _tomorrow().isoformat(), "reason": "forged"})
    assert s.form_error == "No such technician."
    with a.session() as db:
        assert db.get(Technician, (a.tenant_id, a.tech_id)).name == "Alex Tech"
        assert scheduling_service.get_time_off(db, tenant_id=a.tenant_id, start=utcnow() - dt.timedelta(days=1),
                                               end=utcnow() + dt.timedelta(days=30)) == []
    # A login of business A cannot be linked to B's technician.
    with a.session() as db:
        from backend.scheduling import views

        foreign_membership = views.member_choices(db, tenant_id=a.tenant_id)[0].value
    await call(s, TeamState.edit_technician, b.tech_id)
    await call(s, TeamState.save_technician, {"name": "Alex Tech", "login": foreign_membership, "active": "on"})
    assert s.form_error == "Choose a staff login of this business."
    # No user ids in the public vars: logins are referred to by membership row ids.
    assert bob.user_id not in str(s.members)


async def test_team_editor_saves_hours_skills_and_time_off(pair):
    a, _b, alice, _bob = pair
    s = state_for(TeamState, alice)
    await call(s, TeamState.load)
    await call(s, TeamState.edit_technician, a.tech_id)
    await call(s, TeamState.save_technician, {"name": "Alex Tech", "color": "#123abc", "active": "on",
                                              "hours_0": "9:00-12:00, 13:00-17:00", "hours_1": "nonsense"})
    assert "Tuesday" in s.form_error
    await call(s, TeamState.save_technician, {"name": "Alex Tech", "color": "#123abc", "active": "on",
                                              "hours_0": "9:00-12:00, 13:00-17:00", "login": "none"})
    assert s.form_error == ""
    tech = next(t for t in s.technicians if t.id == a.tech_id)
    assert tech.color == "#123abc" and tech.hours[0].text == "09:00-12:00, 13:00-17:00" and tech.hours[1].text == ""
    await call(s, TeamState.open_time_off, a.tech_id)
    day = _tomorrow().isoformat()
    await call(s, TeamState.add_time_off, {"start_date": day, "start_time": "13:00", "end_date": day,
                                           "end_time": "15:00", "reason": "Dentist"})
    assert s.form_error == ""
    [off] = next(t for t in s.technicians if t.id == a.tech_id).time_off
    assert "1:00 PM" in off.label and off.reason == "Dentist"
    await call(s, TeamState.remove_time_off, off.id)
    assert next(t for t in s.technicians if t.id == a.tech_id).time_off == []


async def test_scheduling_settings_change_only_the_own_tenant(pair):
    a, b, _alice, bob = pair
    s = state_for(SchedulingSettingsState, bob)
    await call(s, SchedulingSettingsState.load)
    form = {f"day_{d}": "09:00-15:00" for d in range(5)}
    await call(s, SchedulingSettingsState.save_hours, {**form, "lunch": "12:00-13:00"})
    assert s.error == "" and s.settings["lunch"] == "12:00-13:00"
    await call(s, SchedulingSettingsState.save_hours, {**form, "day_2": "15:00-09:00"})
    assert "Wednesday" in s.error
    await call(s, SchedulingSettingsState.save_rules, {
        "slot_increment_minutes": "15", "buffer_minutes": "10", "travel_padding_minutes": "5",
        "min_notice_hours": "1.5", "horizon_days": "30", "cancellation_notice_hours": "12",
        "reminder_hours_before": "24", "auto_confirm": "on"})
    assert s.error == "" and s.settings["min_notice_hours"] == "1.5"
    await call(s, SchedulingSettingsState.save_rules, {"slot_increment_minutes": "1"})
    assert "Slot" in s.error
    await call(s, SchedulingSettingsState.add_closure, {"day": _tomorrow().isoformat(), "name": "Holiday"})
    assert [c.name for c in s.closures] == ["Holiday"]
    await call(s, SchedulingSettingsState.save_area, {"zips": "741*, 74105", "radius_miles": "20",
                                                      "base_latitude": "36.15", "base_longitude": "-95.99"})
    assert s.error == "" and s.settings["zips"] == "741*, 74105"
    await call(s, SchedulingSettingsState.save_area, {"zips": "hello"})
    assert "not a ZIP" in s.error
    with a.session() as db:
        assert [h.open_minute for h in scheduling_service.get_business_hours(db, tenant_id=a.tenant_id)] == [480] * 7
        assert scheduling_service.get_closures(db, tenant_id=a.tenant_id) == []
        assert scheduling_service.booking_settings_or_default(db, tenant_id=a.tenant_id).slot_increment_minutes == 30
        assert scheduling_service.get_area_zips(db, tenant_id=a.tenant_id) == []
    with b.session() as db:
        assert set(scheduling_service.get_area_zips(db, tenant_id=b.tenant_id)) == {"74105", "741*"}


async def test_dashboard_of_tenant_b_does_not_count_tenant_a(pair):
    a, _b, alice, bob = pair
    _book(a, "10:00")
    s = state_for(DashboardState, bob)
    await call(s, DashboardState.load)
    assert s.upcoming == [] and s.numbers["appointments_week"] == 0 and s.numbers["appointments_today"] == 0
    t = state_for(DashboardState, alice)
    await call(t, DashboardState.load)
    assert [u["customer"] for u in t.upcoming] == ["Casey Customer"]
    assert s.numbers["revenue_30d_cents"] == 0
