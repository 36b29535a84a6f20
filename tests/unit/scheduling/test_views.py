"""Read models behind the scheduling pages (backend.scheduling.views): calendar placement in the
tenant's zone (DST included), lanes for overlaps, unassigned column, technician filter, booking
choices, slots, appointment detail, services/team/settings overviews, parsers and the dashboard
numbers — and that another tenant's ids are "not found"."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.analytics.dashboard import dashboard_numbers
from backend.errors import NotFound, UserError
from backend.invoices import actions as invoices_actions
from backend.scheduling import actions, views
from backend.scheduling.models import Appointment
from tests import factories
from tests.scheduling_helpers import NOW, TUESDAY, add_technician, at, make_business

SPRING_MONDAY = dt.date(2026, 3, 9)  # first weekday after the 2026-03-08 spring-forward


def _book(biz, start, **kwargs):
    with biz.session() as db:
        return actions.book_appointment(db, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                        service_id=biz.service_id, start=start, now=NOW, **kwargs)


def _calendar(biz, day, days=1, **kwargs):
    with biz.session() as db:
        return views.calendar_view(db, tenant_id=biz.tenant_id, start_day=day, days=days, now=NOW, **kwargs)


# ---- parsers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "cents"), [
    ("129", 12900), ("$1,299.50", 129950), ("45.5", 4550), ("0.01", 1), (" 7 ", 700), ("0", 0),
])
def test_parse_dollars_is_exact(text, cents):
    assert views.parse_dollars(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "1.234", "12e3", "-5", "NaN", "1" * 12, None, "$", "1.2.3"])
def test_parse_dollars_refuses_anything_else(text):
    with pytest.raises(UserError):
        views.parse_dollars(text)


def test_parse_dollars_negative_only_when_allowed_and_round_trips():
    assert views.parse_dollars("-5", allow_negative=True) == -500
    for cents in (0, 1, 99, 100, 4550, 12900, 129950):
        assert views.parse_dollars(views.cents_to_dollars_text(cents)) == cents


def test_parse_windows_and_back():
    assert views.parse_windows("08:00-12:00, 13:00–17:30") == [(480, 720), (780, 1050)]
    assert views.parse_windows("closed") == []
    assert views.parse_windows("") == []
    assert views.windows_text([(480, 1020)]) == "08:00-17:00"
    for bad in ("8-17", "17:00-08:00", "08:00", "25:00-26:00"):
        with pytest.raises(UserError):
            views.parse_windows(bad, day_name="Monday")


def test_assign_lanes_puts_overlaps_side_by_side():
    lanes = views.assign_lanes([("a", 0, 60), ("b", 30, 90), ("c", 60, 120), ("d", 200, 260)])
    assert lanes == {"a": (0, 2), "b": (1, 2), "c": (0, 2), "d": (0, 1)}


# ---- calendar ------------------------------------------------------------------------------


def test_calendar_day_places_appointments_by_local_time_in_technician_columns(db):
    biz = make_business()
    other = add_technician(biz, "Blake Second")
    first = _book(biz, at(TUESDAY, "09:30"), technician_id=biz.tech_id)
    second = _book(biz, at(TUESDAY, "11:00"), technician_id=other)
    view = _calendar(biz, TUESDAY)
    assert [t.name for t in view.technicians] == ["Alex Tech", "Blake Second"]
    by_id = {e.id: e for e in view.entries}
    assert (by_id[first.id].technician_id, by_id[first.id].start_minute, by_id[first.id].end_minute) == (
        biz.tech_id, 570, 630)
    assert (by_id[second.id].technician_id, by_id[second.id].start_minute) == (other, 660)
    assert by_id[first.id].time_label == "9:30 AM – 10:30 AM"
    assert by_id[first.id].customer == "Casey Customer"
    assert (view.first_minute, view.last_minute) == (480, 1020)
    assert not view.has_unassigned
    assert view.title == "Tue, Mar 3, 2026"


def test_calendar_is_dst_correct_across_the_spring_forward_week(db):
    """9:00 local is at minute 540 before and after the clocks change (UTC offset differs)."""
    biz = make_business()
    before = _book(biz, at(dt.date(2026, 3, 7), "09:00"))
    after = _book(biz, at(SPRING_MONDAY, "09:00"))
    assert before.start_at.hour != after.start_at.hour  # 15:00 UTC vs 14:00 UTC
    view = _calendar(biz, dt.date(2026, 3, 3), days=7)
    by_id = {e.id: e for e in view.entries}
    assert by_id[before.id].day == dt.date(2026, 3, 7) and by_id[before.id].start_minute == 540
    week = _calendar(biz, SPRING_MONDAY, days=7)
    assert {e.id: e.start_minute for e in week.entries} == {after.id: 540}
    assert week.title == "Mar 9 – 15, 2026"


def test_calendar_in_another_zone_uses_that_zone(db):
    biz = make_business(timezone="America/Denver")
    appointment = _book(biz, dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-7))))
    entry = _calendar(biz, TUESDAY).entries[0]
    assert (entry.id, entry.start_minute) == (appointment.id, 600)


def test_calendar_unassigned_column_cancelled_filter_and_technician_filter(db):
    biz = make_business()
    other = add_technician(biz, "Blake Second")
    kept = _book(biz, at(TUESDAY, "09:00"), technician_id=biz.tech_id)
    moved = _book(biz, at(TUESDAY, "13:00"), technician_id=other)
    cancelled = _book(biz, at(TUESDAY, "15:00"), technician_id=biz.tech_id)
    with biz.session() as db:
        actions.cancel_appointment(db, tenant_id=biz.tenant_id, appointment_id=cancelled.id, acting_user=None,
                                   source="staff", now=NOW)
        row = db.get(Appointment, (biz.tenant_id, moved.id))
        row.technician_id = None
        db.add(row)
    view = _calendar(biz, TUESDAY)
    assert view.has_unassigned
    assert {e.id for e in view.entries} == {kept.id, moved.id}
    assert {e.id for e in _calendar(biz, TUESDAY, include_cancelled=True).entries} == {kept.id, moved.id, cancelled.id}
    only = _calendar(biz, TUESDAY, technician_id=biz.tech_id)
    assert [t.id for t in only.technicians] == [biz.tech_id]
    assert [e.id for e in only.entries] == [kept.id] and not only.has_unassigned


def test_calendar_overlapping_entries_get_lanes_in_week_view(db):
    biz = make_business()
    other = add_technician(biz, "Blake Second")
    a = _book(biz, at(TUESDAY, "09:00"), technician_id=biz.tech_id)
    b = _book(biz, at(TUESDAY, "09:30"), technician_id=other)
    week = {e.id: e for e in _calendar(biz, dt.date(2026, 3, 2), days=7).entries}
    assert {(week[a.id].lane, week[a.id].lanes), (week[b.id].lane, week[b.id].lanes)} == {(0, 2), (1, 2)}
    day = {e.id: e for e in _calendar(biz, TUESDAY).entries}
    assert day[a.id].lanes == day[b.id].lanes == 1  # different technician columns


def test_calendar_of_another_tenant_hides_rows_and_refuses_its_technician(db):
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    _book(a, at(TUESDAY, "10:00"))
    assert _calendar(b, TUESDAY).entries == []
    with pytest.raises(NotFound):
        _calendar(b, TUESDAY, technician_id=a.tech_id)


def test_closed_days_are_marked(db):
    biz = make_business(hours={d: [(480, 1020)] for d in range(5)})
    view = _calendar(biz, dt.date(2026, 3, 2), days=7)
    assert [d.closed for d in view.days] == [False] * 5 + [True, True]


# ---- booking choices, slots, detail --------------------------------------------------------


def test_booking_choices_quote_and_slots(db):
    biz = make_business()
    with biz.session() as db_:
        choices = views.booking_choices(db_, tenant_id=biz.tenant_id, service_id=biz.service_id)
        assert [a.key for a in choices.attributes] == ["size"]
        assert [o.value for o in choices.attributes[0].options] == ["small", "large"]
        assert [t.label for t in choices.technicians] == ["Alex Tech"]
        slots = views.slot_choices(db_, tenant_id=biz.tenant_id, service_id=biz.service_id, day=TUESDAY,
                                   attributes={"size": "large"}, now=NOW)
    assert slots[0].label == "8:00 AM" and slots[0].technician_label == "Alex Tech"
    assert dt.datetime.fromisoformat(slots[0].key) == at(TUESDAY, "08:00")
    assert slots[-1].label == "3:30 PM"  # 90 minutes with size=large must end by 17:00


def test_appointment_detail_lists_transitions_history_and_prices(db):
    biz = make_business()
    appointment = _book(biz, at(TUESDAY, "10:00"), attributes={"size": "large"})
    with biz.session() as db_:
        detail = views.appointment_detail(db_, tenant_id=biz.tenant_id, appointment_id=appointment.id, now=NOW)
    assert detail.status == "confirmed"
    assert [t.value for t in detail.transitions] == ["in_progress", "completed", "cancelled"]  # no-show only later
    assert detail.price_quoted == "$65–$85" and detail.price_charged == ""
    assert detail.price_charged_input == "65"
    assert detail.time_label == "10:00 AM – 11:30 AM"
    assert [(a.label, a.hint) for a in detail.attributes] == [("Vehicle size", "Large SUV")]
    assert detail.history[0].what.startswith("Booked")
    later = at(TUESDAY, "12:00")
    with biz.session() as db_:
        assert "no_show" in [t.value for t in views.appointment_detail(
            db_, tenant_id=biz.tenant_id, appointment_id=appointment.id, now=later).transitions]


def test_appointment_detail_of_another_tenant_is_not_found(db):
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    appointment = _book(a, at(TUESDAY, "10:00"))
    with b.session() as db_:
        with pytest.raises(NotFound):
            views.appointment_detail(db_, tenant_id=b.tenant_id, appointment_id=appointment.id)
        with pytest.raises(NotFound):
            views.booking_choices(db_, tenant_id=b.tenant_id, service_id=a.service_id)
        with pytest.raises(NotFound):
            views.customer_asset_choices(db_, tenant_id=b.tenant_id, customer_id=a.customer_id)
        assert views.customer_choices(db_, tenant_id=b.tenant_id, query="Casey") != []  # b's own Casey
        assert all(c.id != a.customer_id for c in views.customer_choices(db_, tenant_id=b.tenant_id, query="Casey"))


# ---- services, team, settings --------------------------------------------------------------


def test_services_overview_shows_modifiers_in_dollars(db):
    biz = make_business()
    with biz.session() as db_:
        overview = views.services_overview(db_, tenant_id=biz.tenant_id)
    service = overview.services[0]
    assert (service.name, service.price_label, service.price_min, service.duration_label) == ("Wash", "$50–$70", "50",
                                                                                              "1 h")
    assert [(m.option_value, m.price_delta, m.duration_delta, m.summary) for m in service.modifiers] == [
        ("small", "0", 0, "no change"), ("large", "15", 30, "+$15 · +30 min")]


def test_team_overview_links_logins_by_membership_only_within_the_tenant(db):
    biz = make_business()
    other = make_business(slug="other-biz")
    member = factories.make_member(biz.tenant_id, role="staff", name="Sam Staff")
    stranger = factories.make_member(other.tenant_id, role="staff", name="Stranger")
    with biz.session() as db_:
        overview = views.team_overview(db_, tenant_id=biz.tenant_id)
        assert [m.label for m in overview.members] == ["Sam Staff (staff)"]
        membership_id = overview.members[0].value
        assert views.user_id_for_membership(db_, tenant_id=biz.tenant_id, membership_id=membership_id) == member.id
        assert views.user_id_for_membership(db_, tenant_id=biz.tenant_id, membership_id=None) is None
    with other.session() as db_:
        foreign = views.member_choices(db_, tenant_id=other.tenant_id)[0].value
    with biz.session() as db_:
        with pytest.raises(UserError):
            views.user_id_for_membership(db_, tenant_id=biz.tenant_id, membership_id=foreign)
    tech = overview.technicians[0]
    assert tech.hours[0].text == "08:00-17:00" and tech.skills_label == "All services"
    assert stranger.id not in str(overview)


def test_scheduling_settings_view(db):
    biz = make_business(settings={"min_notice_minutes": 90})
    with biz.session() as db_:
        view = views.scheduling_settings_view(db_, tenant_id=biz.tenant_id, now=NOW)
    assert view.business_hours[0].text == "08:00-17:00"
    assert view.min_notice_hours == "1.5" and view.slot_increment_minutes == 30 and view.zone_name == "America/Chicago"


# ---- dashboard -----------------------------------------------------------------------------


def test_dashboard_scheduling_numbers_are_tenant_local_and_scoped(db):
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    monday_now = at(dt.date(2026, 3, 2), "07:00")
    today = _book(a, at(dt.date(2026, 3, 2), "10:00"))
    _book(a, at(dt.date(2026, 3, 5), "10:00"))
    _book(a, at(dt.date(2026, 3, 9), "10:00"))  # next week
    with a.session() as db_:
        for status in ("in_progress", "completed"):
            actions.transition_appointment(db_, tenant_id=a.tenant_id, appointment_id=today.id, to_status=status,
                                           acting_user=None, price_charged_cents=9000 if status == "completed" else None,
                                           now=monday_now + dt.timedelta(hours=4))
        invoice = invoices_actions.create_invoice_from_appointment(db_, tenant_id=a.tenant_id, appointment_id=today.id,
                                                                   acting_user=None, now=monday_now)
        invoices_actions.send_invoice(db_, tenant_id=a.tenant_id, invoice_id=invoice.id, acting_user=None,
                                      now=monday_now)
        invoices_actions.record_payment(db_, tenant_id=a.tenant_id, invoice_id=invoice.id, amount_cents=4000,
                                        method="cash", received_at=monday_now, acting_user=None)
        numbers = dashboard_numbers(db_, tenant_id=a.tenant_id, now=monday_now + dt.timedelta(hours=6))
    assert (numbers.appointments_today, numbers.appointments_week) == (1, 2)
    assert (numbers.revenue_30d_cents, numbers.completed_30d, numbers.average_ticket_cents) == (4000, 1, 9000)
    with b.session() as db_:
        other = dashboard_numbers(db_, tenant_id=b.tenant_id, now=monday_now + dt.timedelta(hours=6))
        upcoming = views.upcoming_appointments(db_, tenant_id=b.tenant_id, now=monday_now)
    assert (other.appointments_today, other.appointments_week, other.revenue_30d_cents) == (0, 0, 0)
    assert upcoming == []
    with a.session() as db_:
        upcoming = views.upcoming_appointments(db_, tenant_id=a.tenant_id, now=monday_now)
    # Today's job is completed, so the next open ones follow, labelled in the tenant's zone.
    assert [u.when for u in upcoming] == ["Thu, Mar 5 10:00 AM", "Mon, Mar 9 10:00 AM"]
