"""Recurring services: rules (weekly, every 2 weeks, monthly, custom), 9 am stays 9 am across DST,
rolling-window generation (idempotent), skip/restore one occurrence, pause/resume the series,
and occurrences that cannot be booked automatically."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlmodel import select

from backend.errors import Conflict, UserError
from backend.scheduling import recurrence
from backend.scheduling.actions import book_appointment
from backend.scheduling.enums import RecurrenceFrequency
from backend.scheduling.models import Appointment
from tests.scheduling_helpers import CHICAGO, at, make_business

NOW = dt.datetime(2026, 2, 20, 12, tzinfo=dt.timezone.utc)  # a Friday, before the March DST change


def create(biz, now=NOW, **kwargs):
    values = dict(customer_id=biz.customer_id, service_id=biz.service_id, frequency="weekly",
                  start_date=dt.date(2026, 2, 23), start_time="09:00")
    values.update(kwargs)
    with biz.session() as s:
        return recurrence.create_series(s, tenant_id=biz.tenant_id, series_in=recurrence.SeriesIn(**values),
                                        acting_user=None, now=now)


def appointments(biz):
    with biz.session() as s:
        return list(s.exec(select(Appointment).order_by(Appointment.start_at)).all())


def test_weekly_nine_am_stays_nine_am_across_dst(db):
    biz = make_business()
    series, result = create(biz, until_date=dt.date(2026, 3, 16))
    rows = appointments(biz)
    assert [a.occurrence_date for a in rows] == [dt.date(2026, 2, 23), dt.date(2026, 3, 2), dt.date(2026, 3, 9),
                                                 dt.date(2026, 3, 16)]
    assert {a.start_at.astimezone(CHICAGO).strftime("%H:%M") for a in rows} == {"09:00"}
    assert [a.start_at.hour for a in rows] == [15, 15, 14, 14]  # UTC hour moves with DST
    assert all(a.source == "recurring" and a.series_id == series.id for a in rows)
    assert not result.needs_attention


def test_occurrence_dates_rules(db):
    biz = make_business()
    series, _ = create(biz, frequency="biweekly", until_date=dt.date(2026, 2, 23))
    assert recurrence.occurrence_dates(series, start=dt.date(2026, 2, 23), end=dt.date(2026, 4, 6)) == [
        dt.date(2026, 2, 23)]
    series.until_date = None
    assert recurrence.occurrence_dates(series, start=dt.date(2026, 2, 23), end=dt.date(2026, 4, 6)) == [
        dt.date(2026, 2, 23), dt.date(2026, 3, 9), dt.date(2026, 3, 23), dt.date(2026, 4, 6)]
    series.frequency, series.by_monthday, series.start_date = "monthly", 31, dt.date(2026, 1, 31)
    assert recurrence.occurrence_dates(series, start=dt.date(2026, 1, 1), end=dt.date(2026, 4, 30)) == [
        dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30)]
    series.frequency, series.interval, series.by_weekdays = "custom", 3, [1, 3]
    series.start_date = dt.date(2026, 3, 2)
    assert recurrence.occurrence_dates(series, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)) == [
        dt.date(2026, 3, 3), dt.date(2026, 3, 5), dt.date(2026, 3, 24), dt.date(2026, 3, 26)]


def test_series_in_validation():
    with pytest.raises(ValidationError, match="custom schedule needs at least one weekday"):
        recurrence.SeriesIn(customer_id="c", service_id="s", frequency=RecurrenceFrequency.CUSTOM,
                            start_date=dt.date(2026, 3, 2), start_time="09:00")
    with pytest.raises(ValidationError):
        recurrence.SeriesIn(customer_id="c", service_id="s", frequency="weekly", start_date=dt.date(2026, 3, 2),
                            start_time="25:00")


def test_generation_is_rolling_and_idempotent(db):
    biz = make_business(settings={"recurrence_window_days": 14})
    series, result = create(biz)
    assert [a.occurrence_date for a in result.created] == [dt.date(2026, 2, 23), dt.date(2026, 3, 2)]
    with biz.session() as s:
        again = recurrence.generate_occurrences(s, tenant_id=biz.tenant_id, series_id=series.id, now=NOW)
        assert again.created == []
        later = recurrence.generate_occurrences(s, tenant_id=biz.tenant_id, series_id=series.id,
                                                now=NOW + dt.timedelta(days=7))
        assert [a.occurrence_date for a in later.created] == [dt.date(2026, 3, 9)]


def test_skip_and_restore_one_occurrence(db):
    biz = make_business()
    series, _ = create(biz, until_date=dt.date(2026, 3, 16))
    skipped_day = dt.date(2026, 3, 2)
    with biz.session() as s:
        recurrence.skip_occurrence(s, tenant_id=biz.tenant_id, series_id=series.id, occurrence_date=skipped_day,
                                   acting_user=None, now=NOW)
        with pytest.raises(Conflict, match="already skipped"):
            recurrence.skip_occurrence(s, tenant_id=biz.tenant_id, series_id=series.id, occurrence_date=skipped_day,
                                       acting_user=None, now=NOW)
        with pytest.raises(UserError, match="not a date of this recurring schedule"):
            recurrence.skip_occurrence(s, tenant_id=biz.tenant_id, series_id=series.id,
                                       occurrence_date=dt.date(2026, 3, 3), acting_user=None, now=NOW)
    by_day = {a.occurrence_date: a for a in appointments(biz)}
    assert by_day[skipped_day].status == "cancelled" and by_day[skipped_day].cancel_reason == "Skipped"
    with biz.session() as s:
        assert recurrence.generate_occurrences(s, tenant_id=biz.tenant_id, series_id=series.id, now=NOW).created == []
        restored = recurrence.restore_occurrence(s, tenant_id=biz.tenant_id, series_id=series.id,
                                                 occurrence_date=skipped_day, acting_user=None, now=NOW)
        assert restored.status == "confirmed" and restored.start_at.astimezone(CHICAGO).hour == 9
    assert [a.status for a in appointments(biz)] == ["confirmed"] * 4


def test_pause_and_resume_series(db):
    biz = make_business()
    series, _ = create(biz, until_date=dt.date(2026, 3, 16))
    pause_at = dt.datetime(2026, 2, 25, 12, tzinfo=dt.timezone.utc)
    with biz.session() as s:
        recurrence.pause_series(s, tenant_id=biz.tenant_id, series_id=series.id, acting_user=None, now=pause_at)
        assert recurrence.generate_occurrences(s, tenant_id=biz.tenant_id, series_id=series.id,
                                               now=pause_at).created == []
    statuses = [(a.occurrence_date.isoformat(), a.status) for a in appointments(biz)]
    assert statuses == [("2026-02-23", "confirmed"), ("2026-03-02", "cancelled"), ("2026-03-09", "cancelled"),
                        ("2026-03-16", "cancelled")]
    with biz.session() as s:
        with pytest.raises(Conflict, match="not active"):
            recurrence.pause_series(s, tenant_id=biz.tenant_id, series_id=series.id, acting_user=None, now=pause_at)
        result = recurrence.resume_series(s, tenant_id=biz.tenant_id, series_id=series.id, acting_user=None,
                                          now=pause_at)
    assert len(result.created) == 3
    assert [a.status for a in appointments(biz)] == ["confirmed"] * 4


def test_occurrence_that_cannot_be_booked_needs_attention(db):
    """The technician is busy at 9:00 on Mar 2: that visit is created unassigned and requested."""
    biz = make_business()
    with biz.session() as s:
        other = book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id, service_id=biz.service_id,
                                 start=at(dt.date(2026, 3, 2), "09:00"), now=NOW)
    _, result = create(biz, until_date=dt.date(2026, 3, 9))
    assert len(result.created) == 3 and len(result.needs_attention) == 1
    flagged = result.needs_attention[0]
    assert flagged.technician_id is None and flagged.status == "requested"
    assert "Needs attention" in flagged.notes and "no longer available" in flagged.notes
    assert flagged.id != other.id


def test_end_series_ends_on_the_tenants_day(db):
    """Ending at 18:00 in Chicago (already the next day in UTC) ends the schedule that local day."""
    biz = make_business()
    series, _ = create(biz)
    with biz.session() as s:
        ended = recurrence.end_series(s, tenant_id=biz.tenant_id, series_id=series.id, acting_user=None,
                                      now=dt.datetime(2026, 3, 3, tzinfo=dt.timezone.utc))
        assert ended.until_date == dt.date(2026, 3, 2)


def test_end_series_cancels_future_visits(db):
    biz = make_business()
    series, _ = create(biz, until_date=dt.date(2026, 3, 16))
    with biz.session() as s:
        recurrence.end_series(s, tenant_id=biz.tenant_id, series_id=series.id, acting_user=None,
                              now=dt.datetime(2026, 3, 3, tzinfo=dt.timezone.utc))
    assert [a.status for a in appointments(biz)] == ["confirmed", "confirmed", "cancelled", "cancelled"]


def test_extend_all_series_survives_a_retired_service(db):
    """When one series' service is no longer offered, the daily extension books no new visits of
    it and still extends the tenant's other series (it used to fail the whole tenant)."""
    from backend.scheduling import catalogue, technicians
    from backend.scheduling.models import Service

    biz = make_business()
    with biz.session() as s:
        mow = catalogue.create_service(s, tenant_id=biz.tenant_id, acting_user=None, service_in=catalogue.ServiceIn(
            name="Mow", duration_minutes=60, price_min_cents=4000, price_max_cents=4000))
        technicians.set_technician_skills(s, tenant_id=biz.tenant_id, technician_id=biz.tech_id,
                                          service_ids=[biz.service_id, mow.id], acting_user=None)
    wash_series, _ = create(biz)
    mow_series, _ = create(biz, service_id=mow.id, start_time="13:00")
    with biz.session() as s:
        wash = s.get(Service, (biz.tenant_id, biz.service_id))
        wash.active = False
        s.add(wash)
    def last_visit(series_id):
        return max(a.occurrence_date for a in appointments(biz) if a.series_id == series_id)

    wash_last, mow_last = last_visit(wash_series.id), last_visit(mow_series.id)
    with biz.session() as s:
        created = recurrence.extend_all_series(s, tenant_id=biz.tenant_id, now=NOW + dt.timedelta(days=14))
    assert created == 2  # two more Mondays for Mow
    assert last_visit(mow_series.id) == mow_last + dt.timedelta(days=14)
    assert last_visit(wash_series.id) == wash_last
