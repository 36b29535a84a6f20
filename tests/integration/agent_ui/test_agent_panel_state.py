"""The inbox's AI sections (smart schedule, hand back) driven like the server does: the
conversation is the inbox's open one, the form is prefilled from the thread, booking goes through
the scheduling backend for the conversation's own customer, and tenant B can neither read,
book against nor hand back tenant A's conversations — even with A's id forced into its state."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from backend.db.session import tenant_session
from backend.messaging import actions as messaging_actions
from backend.messaging.models import Conversation
from backend.scheduling.models import Appointment
from servicepro_app.auth_middleware import access_for
from state.agent_panel import AgentPanelState
from state.inbox import InboxState
from state.session import Access
from tests.integration.agent_ui.helpers import public_json, tab
from tests.state_harness import call
from tests.unit.agent.helpers import CHICAGO

CUSTOMER = "+19185551234"


def _next_wednesday() -> dt.date:
    today = dt.datetime.now(CHICAGO).date()
    day = today + dt.timedelta(days=7)
    while day.weekday() != 2:
        day += dt.timedelta(days=1)
    return day


def conversation(shop, phone: str = CUSTOMER) -> Conversation:
    return shop.conversation(phone)


def take_over(shop, ctx, phone: str = CUSTOMER) -> str:
    cid = conversation(shop, phone).id
    with tenant_session(shop.tenant_id) as db:
        messaging_actions.do_take_over(db, tenant_id=shop.tenant_id, conversation_id=cid, acting_user=ctx)
    return cid


def booking_thread(shop, ctx, day: dt.date) -> str:
    """A customer asks the AI for a price, then staff take over and the customer names a time."""
    shop.text("Hi, how much is an express wash for my SUV?")
    cid = take_over(shop, ctx)
    shop.text(f"Could you come on {day:%A %B} {day.day} at 10am? 123 Main St, Tulsa OK 74105")
    return cid


async def panel_for(ctx, cid: str) -> AgentPanelState:
    """The inbox tab of `ctx` with `cid` as its open conversation (as select_conversation leaves it)."""
    inbox = await tab(InboxState, ctx, path="/inbox")
    inbox.selected_id = cid
    return await inbox.get_state(AgentPanelState)


def appointments(shop) -> list[Appointment]:
    with shop.session() as db:
        return list(db.exec(select(Appointment)).all())


def test_access_level_of_the_panel_state():
    assert access_for(AgentPanelState) is Access.TENANT


async def test_smart_schedule_prefills_the_form_from_the_thread_and_books_for_that_customer(pair):
    day = _next_wednesday()
    cid = booking_thread(pair.a, pair.alice, day)
    panel = await panel_for(pair.sam, cid)
    await call(panel, AgentPanelState.run_smart_schedule)
    assert panel.error == "" and panel.draft_for == cid
    service = next(s for s in panel.services if s["value"] == panel.service_id)
    assert service["label"] == "Express Wash & Wax"
    assert panel.attribute_values.get("vehicle_size") == "suv"
    assert panel.date == day.isoformat()
    assert panel.address.startswith("123 Main St")
    assert panel.price_label and panel.slots and panel.slots_for == day.isoformat()
    chosen = next(s for s in panel.slots if s["key"] == panel.slot_key)
    assert chosen["label"] == "10:00 AM" and chosen["suggested"] == "1"
    assert panel._conversation_id == cid

    await call(panel, AgentPanelState.book)
    assert panel.error == "" and panel.booked_message.startswith("Booked Express Wash & Wax for ")
    (appointment,) = appointments(pair.a)
    assert appointment.customer_id == conversation(pair.a).customer_id
    assert appointment.start_at.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} 10:00"
    assert appointment.source == "staff"
    assert panel.booked_id == appointment.id


async def test_the_form_only_accepts_choices_it_offered(pair):
    day = _next_wednesday()
    cid = booking_thread(pair.a, pair.alice, day)
    panel = await panel_for(pair.alice, cid)
    await call(panel, AgentPanelState.run_smart_schedule)
    service_id = panel.service_id
    await call(panel, AgentPanelState.set_service, "01notaserviceofthistenant")
    await call(panel, AgentPanelState.set_attribute, "vehicle_size", "tank")
    await call(panel, AgentPanelState.pick_slot, "2030-01-01T10:00:00-06:00")
    await call(panel, AgentPanelState.set_date, "not a date")
    assert panel.service_id == service_id and panel.attribute_values["vehicle_size"] == "suv"
    assert panel.slot_key != "2030-01-01T10:00:00-06:00" and panel.date == day.isoformat()
    await call(panel, AgentPanelState.set_date, (day + dt.timedelta(days=1)).isoformat())
    assert panel.slot_key == "" and panel.slots_for == (day + dt.timedelta(days=1)).isoformat()
    await call(panel, AgentPanelState.book)
    assert panel.error == "Choose one of the open times." and appointments(pair.a) == []


async def test_switching_conversations_drops_the_form(pair):
    day = _next_wednesday()
    cid = booking_thread(pair.a, pair.alice, day)
    pair.a.text("hello from someone else", phone="+19185557777")
    other = conversation(pair.a, "+19185557777").id
    panel = await panel_for(pair.alice, cid)
    await call(panel, AgentPanelState.run_smart_schedule)
    inbox = await panel.get_state(InboxState)
    inbox.selected_id = other  # the user opened another conversation
    await call(panel, AgentPanelState.book)
    assert panel.draft_for == "" and appointments(pair.a) == []


async def test_tenant_b_cannot_smart_schedule_book_or_hand_back_tenant_as_conversation(pair):
    day = _next_wednesday()
    a_cid = booking_thread(pair.a, pair.alice, day)
    panel = await panel_for(pair.bob, a_cid)  # A's id forced into B's inbox state
    await call(panel, AgentPanelState.run_smart_schedule)
    assert panel.error == "No such conversation." and panel.draft_for == "" and panel.services == []
    assert "Main St" not in public_json(panel)

    await call(panel, AgentPanelState.check_handback)
    assert panel.error == "No such conversation." and panel.handback_for == ""

    # Even with a form and an analysis forced in, the backend refuses A's conversation.
    panel.handback_for = a_cid
    await call(panel, AgentPanelState.hand_back)
    assert panel.error == "No such conversation."
    assert conversation(pair.a).mode == "manual"

    # A form of B's own services and open times, forced onto A's conversation.
    panel._conversation_id = panel.draft_for = a_cid
    with pair.b.session() as db:
        from backend.scheduling import views

        panel.services = [{"value": c.value, "label": c.label, "hint": c.hint}
                          for c in views.service_choices(db, tenant_id=pair.b.tenant_id)]
        panel.service_id = panel.services[0]["value"]
        slots = views.slot_choices(db, tenant_id=pair.b.tenant_id, service_id=panel.service_id, day=day)
    panel.slots = [{"key": s.key, "label": s.label, "tech": "", "suggested": ""} for s in slots]
    panel.slot_key = slots[0].key
    await call(panel, AgentPanelState.book)
    assert panel.error == "No such conversation."
    assert appointments(pair.a) == [] and appointments(pair.b) == []


async def test_hand_back_shows_the_analysis_then_returns_the_conversation_to_the_ai(pair):
    day = _next_wednesday()
    cid = booking_thread(pair.a, pair.alice, day)
    panel = await panel_for(pair.sam, cid)
    await call(panel, AgentPanelState.hand_back)  # not before the analysis was shown
    assert conversation(pair.a).mode == "manual"
    await call(panel, AgentPanelState.check_handback)
    assert panel.handback_for == cid and panel.handback_safe
    assert panel.handback_summary == "Safe to hand back to the AI."
    assert any("Express Wash" in r for r in panel.handback_reasons)
    await call(panel, AgentPanelState.hand_back)
    assert panel.error == "" and panel.notice.startswith("Handed back to the AI")
    assert conversation(pair.a).mode == "ai"
    inbox = await panel.get_state(InboxState)
    assert inbox.mode == "ai"  # the open thread was refreshed


async def test_hand_back_analysis_warns_about_a_complaint(pair):
    pair.a.text("You scratched my car yesterday and I want a refund")
    cid = conversation(pair.a).id
    if conversation(pair.a).mode == "ai":
        take_over(pair.a, pair.alice)
    panel = await panel_for(pair.alice, cid)
    await call(panel, AgentPanelState.check_handback)
    assert panel.handback_for == cid and not panel.handback_safe
    assert panel.handback_summary == "Keep this conversation with a person."
    assert any("complaint" in r for r in panel.handback_reasons)
