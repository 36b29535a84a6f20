"""Each availability rule on its own: business hours, closed days, lunch, minimum notice,
horizon, slot increment, buffer, travel padding, technician hours / time off / skills, existing
appointments, preferred technician, durations from attributes and add-ons, and tenancy."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.errors import NotFound, UserError
from backend.scheduling import availability, technicians
from backend.scheduling.actions import book_appointment, cancel_appointment
from backend.scheduling.hours import (
    BookingSettingsUpdate,
    add_closure,
    update_booking_settings,
)
from tests.scheduling_helpers import (
    CHICAGO,
    NOW,
    TUESDAY,
    WEDNESDAY,
    add_technician,
    at,
    hhmm,
    make_business,
)


def slots_for(biz, day=TUESDAY, end=None, now=NOW, **kwargs):
    with biz.session() as db:
        kwargs.setdefault("service_ids", [biz.service_id])
        return availability.find_slots(db, tenant_id=biz.tenant_id, start_date=day, end_date=end or day,
                                       now=now, **kwargs)


def starts(slots):
    return [hhmm(s.start) for s in slots]


def set_settings(biz, **values):
    with biz.session() as db:
        update_booking_settings(db, tenant_id=biz.tenant_id, acting_user=None,
                                settings_in=BookingSettingsUpdate(**values))


def book(biz, day, time, **kwargs):
    with biz.session() as db:
        kwargs.setdefault("customer_id", biz.customer_id)
        kwargs.setdefault("service_id", biz.service_id)
        return book_appointment(db, tenant_id=biz.tenant_id, start=at(day, time), now=NOW, **kwargs)


def test_find_slots_business_hours(db):
    """Slots start on the grid inside opening hours and the job ends by closing time."""
    biz = make_business(hours={1: [(9 * 60, 12 * 60)]})
    assert starts(slots_for(biz)) == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    assert slots_for(biz, day=WEDNESDAY) == []  # no hours on Wednesday: closed


def test_find_slots_split_business_hours(db):
    """Two opening windows on a day each get their own grid."""
    biz = make_business(hours={1: [(9 * 60, 10 * 60), (14 * 60, 15 * 60 + 30)]})
    assert starts(slots_for(biz)) == ["09:00", "14:00", "14:30"]


def test_find_slots_closed_day(db):
    """A closure removes the whole day and nothing else."""
    biz = make_business()
    with biz.session() as db_:
        add_closure(db_, tenant_id=biz.tenant_id, day=TUESDAY, name="Mardi Gras", acting_user=None)
    assert slots_for(biz) == []
    assert slots_for(biz, day=WEDNESDAY)


def test_find_slots_lunch_break(db):
    """No job overlaps lunch; the grid restarts when lunch ends."""
    biz = make_business(settings={"lunch_start_minute": 12 * 60, "lunch_end_minute": 13 * 60})
    got = starts(slots_for(biz))
    assert "11:00" in got and "13:00" in got
    assert not {"11:30", "12:00", "12:30"} & set(got)


def test_find_slots_lunch_break_all_day_job(db):
    """A job longer than either lunch-free part may span lunch (the crew breaks on site)."""
    biz = make_business(duration=6 * 60, settings={"lunch_start_minute": 12 * 60, "lunch_end_minute": 12 * 60 + 30})
    got = starts(slots_for(biz))
    assert got[0] == "08:00" and got[-1] == "11:00"


def test_find_slots_minimum_notice(db):
    """Starts earlier than now + notice are not offered; the grid is kept."""
    biz = make_business(settings={"min_notice_minutes": 120})
    now = at(TUESDAY, "08:10")
    assert starts(slots_for(biz, now=now))[0] == "10:30"
    assert starts(slots_for(biz, day=WEDNESDAY, now=now))[0] == "08:00"


def test_find_slots_past_days_are_skipped(db):
    biz = make_business()
    assert slots_for(biz, day=TUESDAY, now=at(WEDNESDAY, "07:00")) == []


def test_find_slots_horizon(db):
    """Days after today + horizon_days are not bookable."""
    biz = make_business(settings={"horizon_days": 7})
    last = NOW.date() + dt.timedelta(days=7)
    got = slots_for(biz, day=last, end=last + dt.timedelta(days=2))
    assert got and {s.start.date() for s in got} == {last}


def test_find_slots_increment(db):
    biz = make_business(hours={1: [(9 * 60, 12 * 60)]}, settings={"slot_increment_minutes": 60})
    assert starts(slots_for(biz)) == ["09:00", "10:00", "11:00"]
    set_settings(biz, slot_increment_minutes=15)
    assert starts(slots_for(biz))[:3] == ["09:00", "09:15", "09:30"]
    assert starts(slots_for(biz))[-1] == "11:00"


def test_find_slots_existing_appointment_blocks_its_technician(db):
    biz = make_business()
    book(biz, TUESDAY, "10:00")
    got = starts(slots_for(biz))
    assert "09:00" in got and "11:00" in got
    assert not {"09:30", "10:00", "10:30"} & set(got)


def test_find_slots_cancelled_appointment_frees_the_time(db):
    biz = make_business()
    appointment = book(biz, TUESDAY, "10:00")
    with biz.session() as db_:
        cancel_appointment(db_, tenant_id=biz.tenant_id, appointment_id=appointment.id, acting_user=None,
                           source="staff", now=NOW)
    assert "10:00" in starts(slots_for(biz))


def test_find_slots_buffer_between_jobs(db):
    """A buffer keeps that much free time on both sides of an existing job."""
    biz = make_business(settings={"buffer_minutes": 30})
    book(biz, TUESDAY, "10:00")
    got = starts(slots_for(biz))
    assert "08:30" in got and "11:30" in got
    assert not {"09:00", "09:30", "10:00", "10:30", "11:00"} & set(got)


def test_find_slots_travel_padding(db):
    """Travel padding works like the buffer and adds to it."""
    biz = make_business(settings={"travel_padding_minutes": 30})
    book(biz, TUESDAY, "10:00")
    got = starts(slots_for(biz))
    assert "08:30" in got and "11:30" in got and "11:00" not in got and "09:00" not in got
    set_settings(biz, buffer_minutes=30)
    got = starts(slots_for(biz))
    assert "08:00" in got and "12:00" in got and "08:30" not in got and "11:30" not in got


def test_find_slots_buffer_does_not_apply_at_opening(db):
    biz = make_business(settings={"buffer_minutes": 30, "travel_padding_minutes": 30})
    assert starts(slots_for(biz))[0] == "08:00"


def test_find_slots_technician_hours(db):
    """The job must fit the technician's own weekly hours as well as the business hours."""
    biz = make_business()
    with biz.session() as db_:
        technicians.set_technician_hours(db_, tenant_id=biz.tenant_id, technician_id=biz.tech_id,
                                         hours={1: [(10 * 60, 14 * 60)]}, acting_user=None)
    assert starts(slots_for(biz)) == ["10:00", "10:30", "11:00", "11:30", "12:00", "12:30", "13:00"]
    assert slots_for(biz, day=WEDNESDAY) == []


def test_find_slots_technician_time_off(db):
    biz = make_business()
    with biz.session() as db_:
        technicians.add_time_off(db_, tenant_id=biz.tenant_id, technician_id=biz.tech_id,
                                 starts_at=at(TUESDAY, "12:00"), ends_at=at(TUESDAY, "15:00"),
                                 reason="Dentist", acting_user=None)
    got = starts(slots_for(biz))
    assert "11:00" in got and "15:00" in got
    assert not {"11:30", "12:00", "14:30"} & set(got)


def test_find_slots_technician_skills(db):
    """Only technicians skilled in the service are offered; with none, there are no slots."""
    biz = make_business()
    other = add_technician(biz, "Blake Other", skilled=False)
    assert all(s.technician_ids == (biz.tech_id,) for s in slots_for(biz))
    with biz.session() as db_:
        technicians.set_technician_skills(db_, tenant_id=biz.tenant_id, technician_id=biz.tech_id, service_ids=[],
                                          acting_user=None)
    assert slots_for(biz) == []
    with biz.session() as db_:
        technicians.set_technician_skills(db_, tenant_id=biz.tenant_id, technician_id=other,
                                          service_ids=[biz.service_id], acting_user=None)
    assert {s.technician_ids for s in slots_for(biz)} == {(other,)}


def test_find_slots_inactive_technician_is_not_offered(db):
    biz = make_business()
    with biz.session() as db_:
        technicians.update_technician(db_, tenant_id=biz.tenant_id, technician_id=biz.tech_id, acting_user=None,
                                      technician_in=technicians.TechnicianIn(name="Alex Tech", active=False))
    assert slots_for(biz) == []


def test_find_slots_lists_every_free_technician_lightest_first(db):
    biz = make_business()
    second = add_technician(biz, "Blake Second")
    book(biz, TUESDAY, "08:00", technician_id=biz.tech_id)
    nine = next(s for s in slots_for(biz) if hhmm(s.start) == "09:00")
    assert nine.technician_ids == (second, biz.tech_id)  # the first has an hour booked already
    eight = next(s for s in slots_for(biz) if hhmm(s.start) == "08:00")
    assert eight.technician_ids == (second,)


def test_find_slots_preferred_technician(db):
    biz = make_business()
    second = add_technician(biz, "Blake Second")
    assert {s.technician_ids for s in slots_for(biz, technician_id=second)} == {(second,)}
    unskilled = add_technician(biz, "Casey Unskilled", skilled=False)
    with pytest.raises(UserError, match="does not do Wash"):
        slots_for(biz, technician_id=unskilled)


def test_find_slots_duration_follows_attributes_and_addons(db):
    """size=large adds 30 minutes, so the last start moves back half an hour."""
    biz = make_business(hours={1: [(9 * 60, 12 * 60)]})
    assert starts(slots_for(biz, attributes={"size": "suv"}))[-1] == "10:30"
    from backend.scheduling import catalogue

    with biz.session() as db_:
        addon = catalogue.create_addon(db_, tenant_id=biz.tenant_id, acting_user=None,
                                       addon_in=catalogue.AddonIn(name="Wax", price_min_cents=2000,
                                                                  price_max_cents=2000, duration_minutes=60))
    assert starts(slots_for(biz, addon_ids=[addon.id]))[-1] == "10:00"


def test_find_slots_validates_range(db):
    biz = make_business()
    with pytest.raises(UserError, match="on or after"):
        slots_for(biz, day=WEDNESDAY, end=TUESDAY)
    with pytest.raises(UserError, match="at most"):
        slots_for(biz, day=TUESDAY, end=TUESDAY + dt.timedelta(days=200))


def test_find_slots_other_tenant_ids_are_not_found(db):
    """Another tenant's service or technician id is NotFound, and its bookings never block."""
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    book(a, TUESDAY, "10:00")
    assert "10:00" in starts(slots_for(b))
    with pytest.raises(NotFound):
        slots_for(b, service_ids=[a.service_id])
    with pytest.raises(NotFound):
        slots_for(b, technician_id=a.tech_id)


def test_find_slots_returns_tenant_zone_datetimes(db):
    biz = make_business()
    first = slots_for(biz)[0]
    assert first.start.tzinfo is not None and first.start.utcoffset() == dt.timedelta(hours=-6)
    assert first.end - first.start == dt.timedelta(minutes=60)
    assert first.start.astimezone(CHICAGO).hour == 8
