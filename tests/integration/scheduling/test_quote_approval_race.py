"""The same quote approved twice at once (two tabs, a double tap with a different time picked):
one visit is booked, the other approval is refused.

Each attempt calls approve_quote_with_slot (which opens its own tenant session); tests.race
releases them together."""

from __future__ import annotations

import functools

from sqlmodel import select

from backend.db.session import tenant_session
from backend.quotes import actions as quotes_actions
from backend.quotes.enums import LineKind
from backend.scheduling.models import Appointment
from tests.race import REFUSED, race
from tests.scheduling_helpers import NOW, TUESDAY, at, make_business

RACERS = 4


def test_approve_quote_with_slot_race_books_once(db):
    """Four parallel approvals of one quote at four different times: exactly one booking."""
    biz = make_business()
    with biz.session() as s:
        quote = quotes_actions.create_quote(s, tenant_id=biz.tenant_id, acting_user=None, now=NOW,
                                            quote_in=quotes_actions.QuoteCreate(
                                                customer_id=biz.customer_id,
                                                lines=[quotes_actions.QuoteLineIn(kind=LineKind.SERVICE,
                                                                                  service_id=biz.service_id)]))
        _, token = quotes_actions.send_quote(s, tenant_id=biz.tenant_id, quote_id=quote.id, acting_user=None, now=NOW)

    def approve(start) -> str:
        quotes_actions.approve_quote_with_slot(token, start=start, now=NOW)
        return "booked"

    starts = [at(TUESDAY, f"{9 + 2 * i:02d}:00") for i in range(RACERS)]
    results = race([functools.partial(approve, start) for start in starts])
    assert sorted(results) == ["booked"] + [REFUSED] * (RACERS - 1)
    with tenant_session(biz.tenant_id) as s:
        assert len(s.exec(select(Appointment)).all()) == 1
    assert quotes_actions.get_public_quote(token, now=NOW).status == "approved"
