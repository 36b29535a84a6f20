"""Staff completing a job while the customer cancels it (or two staff clicking "complete"):
exactly one change wins, the other is refused, and the history has one status event.

Each attempt opens its own tenant_session; tests.race releases them together."""

from __future__ import annotations

import functools

from sqlmodel import select

from backend.db.session import tenant_session
from backend.scheduling import actions
from backend.scheduling.models import Appointment, AppointmentEvent
from tests.race import REFUSED, race
from tests.scheduling_helpers import NOW, TUESDAY, at, make_business


def test_transition_appointment_race_one_winner(db):
    """Two "complete" and two "cancel" at once: one wins, three are refused."""
    biz = make_business()
    with biz.session() as s:
        appointment_id = actions.book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                                  service_id=biz.service_id, start=at(TUESDAY, "10:00"), now=NOW).id

    def move(to_status: str) -> str:
        with tenant_session(biz.tenant_id) as s:
            actions.transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment_id,
                                           to_status=to_status, now=at(TUESDAY, "12:00"))
        return to_status

    results = race([functools.partial(move, m) for m in ("completed", "cancelled", "completed", "cancelled")])
    winners = [r for r in results if r != REFUSED]
    assert len(winners) == 1 and results.count(REFUSED) == 3
    with tenant_session(biz.tenant_id) as s:
        assert s.get(Appointment, (biz.tenant_id, appointment_id)).status == winners[0]
        events = s.exec(select(AppointmentEvent).where(AppointmentEvent.kind == "status")).all()
        assert [e.to_status for e in events] == winners
