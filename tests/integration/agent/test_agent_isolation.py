"""A tenant's agent sees and books only its own data: forged state or tool arguments carrying
tenant A's service, appointment or customer ids get "not found" in tenant B; the same phone
number in both businesses is two unrelated customers; B's knowledge never mentions A's
services, FAQ or policies; a widget token for A cannot reach B's chats."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from backend.agent import tools, webchat
from backend.agent.actions import do_set_policy
from backend.agent.knowledge import build_knowledge
from backend.agent.models import AgentConversationState
from backend.agent.state import DialogueState
from backend.errors import NotFound
from tests import factories
from tests.unit.agent.helpers import CHICAGO, CUSTOMER, NOW, make_shop


@pytest.fixture()
def pair(db):
    a = make_shop("alpha", name="Alpha Detailing", number="+19185550100")
    b = make_shop("bravo", name="Bravo Detailing", number="+19185550155")
    return a, b


def forge_state(shop, **fields) -> None:
    """Overwrites the conversation's stored state (as a bug or an attacker might)."""
    conversation = shop.conversation()
    with shop.session() as db:
        row = db.exec(select(AgentConversationState).where(
            AgentConversationState.conversation_key == conversation.id)).one()
        state = DialogueState.from_dict(row.state)
        for key, value in fields.items():
            setattr(state, key, value)
        row.state = state.to_dict()
        db.add(row)


def test_a_forged_pending_booking_with_another_tenants_service_books_nothing(pair):
    a, b = pair
    b.text("hi")
    foreign_service = a.service_id("Full Detail")
    start = dt.datetime(2030, 6, 7, 8, 0, tzinfo=CHICAGO).isoformat()
    forge_state(b, flow="book", awaiting="confirm", service_id=foreign_service,
                pending={"kind": "book", "service_id": foreign_service, "start": start, "addon_ids": [],
                         "attributes": {}, "address": "1 Main St, Tulsa OK 74105", "name": "Eve"})
    reply = b.text("yes")[0]
    assert reply.startswith("No such service.")
    assert a.appointments() == [] and b.appointments() == []


def test_a_forged_reschedule_of_another_tenants_appointment_is_not_found(pair):
    a, b = pair
    a.add_customer("Alice A")
    appointment_id = a.book("Express Wash & Wax", "2030-06-07 09:00")
    b.add_customer("Bob B")
    b.text("hi")
    forge_state(b, flow="reschedule", awaiting="confirm", appointment_id=appointment_id,
                pending={"kind": "reschedule", "appointment_id": appointment_id,
                         "start": dt.datetime(2030, 6, 8, 9, 0, tzinfo=CHICAGO).isoformat()})
    reply = b.text("yes")[0]
    assert "No such appointment." in reply
    (untouched,) = a.appointments()
    assert untouched.start_at == dt.datetime(2030, 6, 7, 9, 0, tzinfo=CHICAGO)


def test_the_same_phone_is_two_customers_and_b_never_sees_as_appointments(pair):
    a, b = pair
    a.add_customer("Alice A")
    a.book("Full Detail", "2030-06-07 08:00")
    assert "I don't see any upcoming appointments" in b.text("when is my appointment?")[0]
    with b.session() as db:
        ctx = tools.ToolContext(tenant_id=b.tenant_id, channel="sms", conversation_key="x", now=NOW,
                                knowledge=build_knowledge(db, tenant_id=b.tenant_id), phone=CUSTOMER)
        found = tools.lookup_customer(db, ctx, tools.LookupCustomerArgs())
    # B's customer with this number was created by B's own conversation: no name, no visits.
    assert (found["name"], found["upcoming"]) == ("", [])


def test_tools_refuse_every_foreign_id(pair):
    a, b = pair
    a.add_customer("Alice A")
    appointment_id = a.book("Express Wash & Wax", "2030-06-07 09:00")
    foreign_service = a.service_id("Express Wash & Wax")
    b.add_customer("Bob B")
    with b.session() as db:
        ctx = tools.ToolContext(tenant_id=b.tenant_id, channel="sms", conversation_key="x", now=NOW,
                                knowledge=build_knowledge(db, tenant_id=b.tenant_id), phone=CUSTOMER)
        results = [
            tools.run_tool(db, ctx, "quote_price", tools.QuotePriceArgs(service_id=foreign_service)),
            tools.run_tool(db, ctx, "find_slots", tools.FindSlotsArgs(
                service_id=foreign_service, date_from=dt.date(2030, 6, 7), date_to=dt.date(2030, 6, 7))),
            tools.run_tool(db, ctx, "cancel", tools.CancelArgs(appointment_id=appointment_id)),
            tools.run_tool(db, ctx, "reschedule", tools.RescheduleArgs(
                appointment_id=appointment_id, new_start=dt.datetime(2030, 6, 8, 9, 0, tzinfo=CHICAGO))),
        ]
        ctx.customer_id = None
    assert all(r["status"] == "error" for r in results)
    assert [a_.status for a_ in a.appointments(open_only=False)] == ["confirmed"]


def test_knowledge_and_answers_stay_inside_the_tenant(pair):
    a, b = pair
    user = factories.make_member(a.tenant_id, role="owner")
    with a.session() as db:
        do_set_policy(db, tenant_id=a.tenant_id, acting_user=factories.context_for(user, a.tenant_id, role="owner"),
                      policy_in={"key": "parking", "text": "Alpha parks in the alley behind your house."})
    with b.session() as db:
        kn = build_knowledge(db, tenant_id=b.tenant_id)
    assert kn.business_name == "Bravo Detailing"
    assert "parking" not in kn.policies
    assert {s.id for s in kn.services}.isdisjoint({a.service_id("Full Detail")})
    assert "alley" not in " ".join(b.text("where do you park?"))


def test_widget_token_of_one_tenant_cannot_open_the_others_chats(pair):
    a, b = pair
    b_token = webchat.widget_token(b.tenant_id)
    b_session = webchat.start_web_chat(widget_token_value=b_token).session_token
    a_token = webchat.widget_token(a.tenant_id)
    with pytest.raises(NotFound):
        webchat.get_transcript(widget_token_value=a_token, session_token=b_session)
    with pytest.raises(webchat.InvalidWidgetToken):
        webchat.verify_widget_token(f"wc1.{b.tenant_id}.{a_token.split('.')[2]}")
