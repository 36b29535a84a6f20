"""Two (or eight) customers racing for the last slot: exactly one gets it.

Each thread opens its own tenant_session and calls book_appointment for the same start with
the only technician; a barrier releases them together. On PostgreSQL the technician row lock
(SELECT ... FOR UPDATE) serialises them; on SQLite the booking transaction starts with a write.
"""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from backend.db.session import tenant_session
from backend.scheduling.actions import SlotTaken, book_appointment
from backend.scheduling.models import Appointment
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
    barrier = threading.Barrier(len(customers))
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def attempt(customer_id: str) -> None:
        try:
            barrier.wait(timeout=30)
            with tenant_session(biz.tenant_id) as db:
                appointment = book_appointment(db, tenant_id=biz.tenant_id, customer_id=customer_id,
                                               service_id=biz.service_id, start=start, technician_id=technician_id,
                                               source="web", now=NOW)
                appointment_id = appointment.id
            with lock:
                results.append(appointment_id)
        except SlotTaken:
            with lock:
                results.append("taken")
        except BaseException as exc:  # anything else is a failure of the test
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def _customers(biz, count):
    return [biz.customer_id] + [add_customer(biz, f"Racer {i}", f"+1918555{1000 + i:04d}") for i in range(1, count)]


def test_booking_race_last_slot_single_winner(db):
    """Eight parallel requests for the only technician's last slot: one booking, seven SlotTaken."""
    biz = make_business(hours={1: [(9 * 60, 10 * 60)]})
    results = _race(biz, _customers(biz, RACERS), at(TUESDAY, "09:00"))
    assert len(results) == RACERS
    assert results.count("taken") == RACERS - 1
    with tenant_session(biz.tenant_id) as db:
        rows = db.exec(select(Appointment)).all()
    assert len(rows) == 1 and rows[0].start_at == at(TUESDAY, "09:00")


def test_booking_race_two_technicians_two_winners(db):
    """With two technicians free, exactly two of the racers get the slot, on different technicians."""
    biz = make_business(hours={1: [(9 * 60, 10 * 60)]})
    add_technician(biz, "Second Tech", hours={1: [(9 * 60, 10 * 60)]})
    results = _race(biz, _customers(biz, 6), at(TUESDAY, "09:00"))
    assert results.count("taken") == 4
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
