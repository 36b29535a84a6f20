"""Agent test fixtures: the pinned clock, the agent registered as the SMS responder (and removed
afterwards, so other areas' tests see no responder), and a seeded detailing shop."""

from __future__ import annotations

import pytest

from backend.agent import clock
from tests.unit.agent.helpers import NOW, make_shop


@pytest.fixture(autouse=True)
def _agent_responder():
    from backend.agent import sms_responder
    from backend.messaging import automation

    sms_responder.register()
    with clock.pinned(NOW):
        yield
    automation.clear_responder()


@pytest.fixture()
def shop(db):
    """Shine Mobile Detailing: the auto-detailing pack, one technician, ZIPs 741xx, +19185550100."""
    return make_shop()
