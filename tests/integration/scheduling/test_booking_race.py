"""Two (or eight) customers racing for the last slot: exactly one gets it.

Each attempt opens its own tenant_session and calls book_appointment for the same start with
the only technician; tests.race releases them together. On PostgreSQL the technician row lock
(SELECT ... FOR UPDATE) serialises them; on SQLite the booking transaction starts with a write.
"""

from __future__ import annotations

import functools

import pytest
from sqlmodel import select

from backend.db.session import tenant_session
from backend.scheduling.actions import SlotTaken, book_appointment
from backend.scheduling.models import Appointment
from tests.race import REFUSED, race
from tests.scheduling_helpers import (
    NOW,
    TUESDAY,
    add_customer,
    add_technician,
    at,
    make_business,
)

RACERS = 8


def _race(biz, customers, start, technician_id=None):
    def book(customer_id: str) -> str:
        with tenant_session(biz.tenant_id) as db:
            return book_appointment(db, tenant_id=biz.tenant_id, customer_id=customer_id, service_id=biz.service_id,
                                    start=start, technician_id=technician_id, source="web", now=NOW).id

    return race([functools.partial(book, c) for c in customers], refused=SlotTaken)


def _customers(biz, count):
    return [biz.customer_id] + [add_customer(biz, f"Racer {i}", f"+1918555{1000 + i:04d}") for i in range(1, count)]


def test_booking_race_last_slot_single_winner(db):
    """Eight parallel requests for the only technician's last slot: one booking, seven SlotTaken."""
    biz = make_business(hours={1: [(9 * 60, 10 * 60)]})
    results = _race(biz, _customers(biz, RACERS), at(TUESDAY, "09:00"))
    assert len(results) == RACERS
    assert results.count(REFUSED) == RACERS - 1
    with tenant_session(biz.tenant_id) as db:
        rows = db.exec(select(Appointment)).all()
    assert len(rows) == 1 and rows[0].start_at == at(TUESDAY, "09:00")


def test_booking_race_two_technicians_two_winners(db):
    """With two technicians free, exactly two of the racers get the slot, on different technicians."""
    biz = make_business(hours={1: [(9 * 60, 10 * 60)]})
    add_technician(biz, "Second Tech", hours={1: [(9 * 60, 10 * 60)]})
    results = _race(biz, _customers(biz, 6), at(TUESDAY, "09:00"))
    assert results.count(REFUSED) == 4
    with tenant_session(biz.tenant_id) as db:
        rows = db.exec(select(Appointment)).all()
    assert len(rows) == 2 and len({r.technician_id for r in rows}) == 2


@pytest.mark.postgres
def test_booking_race_uses_row_locks_on_postgres(db):
    """The PostgreSQL path locks technician rows (FOR UPDATE) rather than relying on luck."""
    from backend.scheduling.actions import lock_technicians

    biz = make_business()
    with tenant_session(biz.tenant_id) as first:
        lock_technicians(first, tenant_id=biz.tenant_id, technician_ids=[biz.tech_id])
        with tenant_session(biz.tenant_id) as second:
            second.exec(select(Appointment)).all()
            from sqlalchemy import text

            second.execute(text("SET LOCAL lock_timeout = '200ms'"))  # tenant-safe: session setting
            with pytest.raises(Exception, match="lock"):
                lock_technicians(second, tenant_id=biz.tenant_id, technician_ids=[biz.tech_id])
