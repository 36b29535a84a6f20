"""Fixtures for the AI agent's pages: two seeded detailing businesses (A and B, each with its own
number), an admin at each and a staff member at A, and the agent as the SMS responder (removed
afterwards, so other areas' tests see no responder)."""

from __future__ import annotations

import dataclasses

import pytest

from backend.auth.context import StaffContext
from tests import factories
from tests.unit.agent.helpers import Shop, make_shop

A_NUMBER = "+19185550100"
B_NUMBER = "+19185550155"


@dataclasses.dataclass
class Pair:
    a: Shop
    b: Shop
    alice: StaffContext  # admin at A
    sam: StaffContext  # staff (not admin) at A
    bob: StaffContext  # admin at B


@pytest.fixture(autouse=True)
def _agent_responder():
    from backend.agent import sms_responder
    from backend.messaging import automation

    sms_responder.register()
    yield
    automation.clear_responder()


@pytest.fixture()
def pair(db) -> Pair:
    a = make_shop("alpha", number=A_NUMBER, name="Alpha Auto Spa")
    b = make_shop("bravo", number=B_NUMBER, name="Bravo Detailing")
    alice = factories.make_member(a.tenant_id, email="alice@alpha.example", name="Alice Admin")
    sam = factories.make_member(a.tenant_id, role="staff", email="sam@alpha.example", name="Sam Staff")
    bob = factories.make_member(b.tenant_id, email="bob@bravo.example", name="Bob Admin")
    return Pair(a, b, factories.context_for(alice, a.tenant_id), factories.context_for(sam, a.tenant_id, role="staff"),
                factories.context_for(bob, b.tenant_id))
