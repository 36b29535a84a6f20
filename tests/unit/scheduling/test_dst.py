"""DST correctness in America/Chicago: 2026-03-08 (spring forward, 02:00 → 03:00) and
2026-11-01 (fall back, 02:00 → 01:00)."""

from __future__ import annotations

import datetime as dt

from backend.scheduling import availability
from tests.scheduling_helpers import CHICAGO, make_business

SPRING = dt.date(2026, 3, 8)
FALL = dt.date(2026, 11, 1)
NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)


def slots(biz, day, now=NOW):
    with biz.session() as db:
        return availability.find_slots(db, tenant_id=biz.tenant_id, service_ids=[biz.service_id],
                                       start_date=day, end_date=day, now=now)


def labels(found):
    return [s.start.isoformat()[11:] for s in found]


def test_spring_forward_daytime_hours_keep_wall_clock(db):
    """8:00–17:00 on the 23-hour day: same 17 starts as any day, now at -05:00."""
    biz = make_business(hours={6: [(8 * 60, 17 * 60)]})
    found = slots(biz, SPRING)
    assert len(found) == 17
    assert found[0].start.isoformat() == "2026-03-08T08:00:00-05:00"
    assert found[-1].start.isoformat() == "2026-03-08T16:00:00-05:00"
    assert all(s.end - s.start == dt.timedelta(hours=1) for s in found)


def test_spring_forward_skips_the_missing_hour(db):
    """A 00:00–05:00 window is only 4 real hours: 02:xx does not exist and is never offered."""
    biz = make_business(hours={6: [(0, 5 * 60)]}, duration=30)
    assert labels(slots(biz, SPRING)) == [
        "00:00:00-06:00", "00:30:00-06:00", "01:00:00-06:00", "01:30:00-06:00",
        "03:00:00-05:00", "03:30:00-05:00", "04:00:00-05:00", "04:30:00-05:00",
    ]


def test_spring_forward_job_across_the_gap_lasts_real_time(db):
    """A 60-minute job starting 01:30 CST ends 03:30 CDT (one real hour later)."""
    biz = make_business(hours={6: [(0, 5 * 60)]})
    first_after_one = next(s for s in slots(biz, SPRING) if s.start.isoformat().endswith("01:30:00-06:00"))
    assert first_after_one.end.isoformat() == "2026-03-08T03:30:00-05:00"


def test_fall_back_daytime_hours_keep_wall_clock(db):
    biz = make_business(hours={6: [(8 * 60, 17 * 60)]})
    found = slots(biz, FALL, now=dt.datetime(2026, 10, 25, tzinfo=dt.timezone.utc))
    assert len(found) == 17
    assert found[0].start.isoformat() == "2026-11-01T08:00:00-06:00"


def test_fall_back_offers_the_repeated_hour_twice(db):
    """00:00–05:00 is 6 real hours: 01:00 and 01:30 exist in CDT and again in CST."""
    biz = make_business(hours={6: [(0, 5 * 60)]}, duration=30)
    got = labels(slots(biz, FALL, now=dt.datetime(2026, 10, 25, tzinfo=dt.timezone.utc)))
    assert got == [
        "00:00:00-05:00", "00:30:00-05:00", "01:00:00-05:00", "01:30:00-05:00",
        "01:00:00-06:00", "01:30:00-06:00", "02:00:00-06:00", "02:30:00-06:00",
        "03:00:00-06:00", "03:30:00-06:00", "04:00:00-06:00", "04:30:00-06:00",
    ]
    instants = [s.start.astimezone(dt.timezone.utc) for s in slots(biz, FALL, now=dt.datetime(2026, 10, 25, tzinfo=dt.timezone.utc))]
    assert len(set(instants)) == len(instants)  # every slot is a distinct instant


def test_dst_week_has_same_local_hours_before_and_after(db):
    """The Saturday before and the Monday after spring-forward both open at 08:00 local."""
    biz = make_business()
    with biz.session() as s:
        found = availability.find_slots(s, tenant_id=biz.tenant_id, service_ids=[biz.service_id],
                                        start_date=dt.date(2026, 3, 7), end_date=dt.date(2026, 3, 9), now=NOW)
    firsts = {}
    for slot in found:
        firsts.setdefault(slot.start.date(), slot.start)
    assert [v.astimezone(CHICAGO).strftime("%H:%M %z") for v in firsts.values()] == [
        "08:00 -0600", "08:00 -0500", "08:00 -0500"
    ]


def test_booking_the_repeated_fall_back_hour_is_unambiguous(db):
    """Booking 01:30 CST (the second 01:30) takes that instant only; 01:30 CDT stays open."""
    from backend.scheduling.actions import book_appointment

    biz = make_business(hours={6: [(0, 5 * 60)]}, duration=30)
    now = dt.datetime(2026, 10, 25, tzinfo=dt.timezone.utc)
    second = next(s for s in slots(biz, FALL, now=now) if s.start.isoformat().endswith("01:30:00-06:00"))
    with biz.session() as s:
        appointment = book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                       service_id=biz.service_id, start=second.start, now=now)
    assert appointment.start_at == dt.datetime(2026, 11, 1, 7, 30, tzinfo=dt.timezone.utc)
    remaining = labels(slots(biz, FALL, now=now))
    assert "01:30:00-05:00" in remaining and "01:30:00-06:00" not in remaining
