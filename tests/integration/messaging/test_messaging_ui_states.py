"""The messaging pages' Reflex states (inbox, phone simulator, messaging settings), called the
way the server calls them (`State.handler.fn(state, ...)` with the verified StaffContext in
SessionState): tenant B can neither read nor act on tenant A's conversations, numbers or quick
replies; bad arguments change nothing; public vars carry no tenant or user ids."""

from __future__ import annotations

import json

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import select

from backend.audit.models import AuditLog
from backend.config import get_settings
from backend.db.session import tenant_session
from backend.messaging import service as messaging_service
from backend.messaging.models import A2PRegistration, Conversation, MessagingSettings, QuickReply
from backend.tenancy.models import TenantConfig
from servicepro_app.auth_middleware import access_for
from state import live
from state.inbox import InboxState
from state.messaging_settings import MessagingSettingsState
from state.session import Access, SessionState
from state.simulator import SimulatorState
from tests.integration.messaging.conftest import A_MAIN, B_MAIN, CUSTOMER
from tests.integration.messaging.test_messaging_settings import A2P_FORM

B_CUSTOMER = "+15125550177"
NEW_PHONE = "+19185550199"


async def state_for(cls, context, *, path: str = "/inbox", query: str = "", token: str = "tab-1"):
    """A fresh browser tab's state tree with `context` as the verified session."""
    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data({
        "token": token, "pathname": path, "asPath": path + (f"?{query}" if query else ""),
        "headers": {"origin": "https://servicepro.test"},
    })
    (await root.get_state(SessionState))._ctx = context
    return await root.get_state(cls)


def conversation(tenant_id: str, phone: str) -> Conversation:
    with tenant_session(tenant_id) as db:
        return messaging_service.get_conversation_by_phone(db, tenant_id=tenant_id, phone_e164=phone)


def audit_actions(tenant_id: str) -> list[str]:
    with tenant_session(tenant_id) as db:
        return list(db.exec(select(AuditLog.action)).all())


async def call(handler, state, *args):
    """Runs an event handler's function like Reflex does (sync or async)."""
    result = handler.fn(state, *args)
    if hasattr(result, "__await__"):
        await result


def public_json(state) -> str:
    return json.dumps(state.dict(), default=str)


@pytest.fixture()
def chats(world, staff):
    """A conversation at each tenant: CUSTOMER texted A, B_CUSTOMER texted B."""
    world.twilio.text(to=A_MAIN, frm=CUSTOMER, body="Hi from a customer of A")
    world.twilio.text(to=B_MAIN, frm=B_CUSTOMER, body="Hello B")
    with tenant_session(world.a.id) as db:
        db.add(QuickReply(tenant_id=world.a.id, title="Thanks", body="Thanks, we'll reply shortly.", position=0))
    yield world
    live.registry.clear()


def test_access_levels_of_the_messaging_states():
    assert access_for(InboxState) is Access.TENANT
    assert access_for(SimulatorState) is Access.TENANT_ADMIN
    assert access_for(MessagingSettingsState) is Access.TENANT_ADMIN


# ---- inbox ------------------------------------------------------------------------------------------


async def test_inbox_lists_only_the_callers_tenant(chats, staff):
    a = await state_for(InboxState, staff.alice)
    await InboxState.load.fn(a)
    b = await state_for(InboxState, staff.bob, token="tab-2")
    await InboxState.load.fn(b)
    assert [c.phone for c in a.conversations] == ["(918) 555-1234"]
    assert [c.phone for c in b.conversations] == ["(512) 555-0177"]
    assert a.counts["all"] == 1 and b.counts["all"] == 1
    assert {c.id for c in a.conversations}.isdisjoint({c.id for c in b.conversations})


async def test_load_registers_the_tab_for_the_callers_tenant_only(chats, staff):
    s = await state_for(InboxState, staff.bob, token="bobs-tab")
    await InboxState.load.fn(s)
    assert [w.token for w in live.registry.watchers(chats.b.id)] == ["bobs-tab"]
    assert live.registry.watchers(chats.a.id) == []


async def test_tenant_b_cannot_open_a_conversation_of_tenant_a(chats, staff):
    a_conv = conversation(chats.a.id, CUSTOMER)
    s = await state_for(InboxState, staff.bob)
    await InboxState.load.fn(s)
    await InboxState.select_conversation.fn(s, a_conv.id)
    assert s.error == "No such conversation."
    assert (s.selected_id, s.messages, s.name) == ("", [], "")
    assert "Hi from a customer of A" not in public_json(s)
    assert conversation(chats.a.id, CUSTOMER).unread_count == 1  # not marked read either


async def test_tenant_b_deep_link_to_a_conversation_of_tenant_a_shows_nothing(chats, staff):
    a_conv = conversation(chats.a.id, CUSTOMER)
    s = await state_for(InboxState, staff.bob, query=f"c={a_conv.id}")
    await InboxState.load.fn(s)
    assert s.error == "No such conversation." and s.selected_id == "" and s.messages == []


@pytest.mark.parametrize(
    ("handler", "args"),
    [
        ("take_over", ()),
        ("hand_back", ()),
        ("pause", ()),
        ("assign_to_me", ()),
        ("assign", ("none",)),
        ("send_reply", ({"body": "Hello from B"},)),
        ("load_earlier", ()),
    ],
)
async def test_tenant_b_cannot_act_on_a_conversation_of_tenant_a(chats, staff, q, handler, args):
    """Even with A's conversation id planted in its state, B's handlers find nothing to act on."""
    a_conv = conversation(chats.a.id, CUSTOMER)
    outbound_before = len(q.outbound(chats.a.id))
    audit_before = audit_actions(chats.a.id)
    s = await state_for(InboxState, staff.bob)
    await InboxState.load.fn(s)
    s.selected_id = a_conv.id
    await call(getattr(InboxState, handler), s, *args)
    assert s.error == "No such conversation."
    after = conversation(chats.a.id, CUSTOMER)
    assert (after.mode, after.assigned_user_id, after.unread_count) == (a_conv.mode, None, 1)
    assert len(q.outbound(chats.a.id)) == outbound_before
    assert audit_actions(chats.a.id) == audit_before
    assert "Hi from a customer of A" not in public_json(s)


@pytest.mark.parametrize(
    ("handler", "args"),
    [
        ("select_conversation", (123,)),
        ("select_conversation", ({"id": "x"},)),
        ("select_conversation", ("x" * 300,)),
        ("select_conversation", ("../../etc",)),
        ("set_filter", ("everything; drop table",)),
        ("set_filter", (["all"],)),
        ("set_search", (None,)),
        ("set_search", ({"q": 1},)),
        ("set_draft", (["a"],)),
        ("use_quick_reply", ("nope",)),
        ("send_reply", ("just a string",)),
        ("send_reply", ({"body": 5},)),
        ("assign", ({"key": "s1"},)),
    ],
)
async def test_inbox_handlers_ignore_malformed_arguments(chats, staff, q, handler, args):
    s = await state_for(InboxState, staff.alice)
    await InboxState.load.fn(s)
    before = (s.selected_id, s.filter, s.search, s.draft, len(s.conversations))
    outbound_before = len(q.outbound(chats.a.id))
    await call(getattr(InboxState, handler), s, *args)
    assert (s.selected_id, s.filter, s.search, s.draft, len(s.conversations)) == before
    assert len(q.outbound(chats.a.id)) == outbound_before


async def test_assign_refuses_unknown_staff_keys(chats, staff):
    s = await state_for(InboxState, staff.alice)
    await InboxState.load.fn(s)
    await InboxState.select_conversation.fn(s, conversation(chats.a.id, CUSTOMER).id)
    await InboxState.assign.fn(s, "s999")
    assert s.error == "Choose someone from the list."
    assert conversation(chats.a.id, CUSTOMER).assigned_user_id is None


async def test_inbox_workflow_for_staff_of_the_tenant(chats, staff, q):
    """Open a thread (marks it read), quick reply + counter, take over, reply, assign, hand back."""
    cid = conversation(chats.a.id, CUSTOMER).id
    s = await state_for(InboxState, staff.dana)
    await InboxState.load.fn(s)
    await InboxState.select_conversation.fn(s, cid)
    assert s.error == "" and s.selected_id == cid
    assert [m.body for m in s.messages][0] == "Hi from a customer of A"
    assert s.panel.phone == "(918) 555-1234" and s.panel.consent_state == "unknown"
    assert conversation(chats.a.id, CUSTOMER).unread_count == 0
    assert s.conversations[0].unread == 0

    InboxState.use_quick_reply.fn(s, s.quick_replies[0]["id"])
    assert s.draft == "Thanks, we'll reply shortly."
    assert s.counter == "28 chars · 1 segment · GSM-7"
    InboxState.set_draft.fn(s, "Café ☕")
    assert s.counter == "6 chars · 1 segment · UCS-2" and "☕" in s.counter_hint

    await InboxState.take_over.fn(s)
    assert (s.mode, s.error) == ("manual", "")
    assert conversation(chats.a.id, CUSTOMER).assigned_user_id == staff.dana.user_id

    await InboxState.send_reply.fn(s, {"body": "We can come Saturday at 9."})
    assert s.error == "" and s.draft == ""
    assert s.messages[-1].body == "We can come Saturday at 9." and s.messages[-1].direction == "out"
    assert [r.body for r in q.outbound(chats.a.id, to=CUSTOMER)][-1] == "We can come Saturday at 9."

    alice_key = next(o["key"] for o in s.staff if o["name"].startswith("Alice"))
    await InboxState.assign.fn(s, alice_key)
    assert conversation(chats.a.id, CUSTOMER).assigned_user_id == staff.alice.user_id
    assert s.assigned_key == alice_key

    await InboxState.hand_back.fn(s)
    assert s.mode == "ai" and conversation(chats.a.id, CUSTOMER).assigned_user_id is None


async def test_inbox_public_vars_hold_no_tenant_or_user_ids(chats, staff):
    s = await state_for(InboxState, staff.dana)
    await InboxState.load.fn(s)
    await InboxState.select_conversation.fn(s, conversation(chats.a.id, CUSTOMER).id)
    await InboxState.take_over.fn(s)
    dumped = public_json(s)
    for secret in (chats.a.id, staff.dana.user_id, staff.alice.user_id):
        assert secret not in dumped


async def test_live_refresh_shows_a_new_message_in_the_open_thread(chats, staff):
    cid = conversation(chats.a.id, CUSTOMER).id
    s = await state_for(InboxState, staff.alice)
    await InboxState.load.fn(s)
    await InboxState.select_conversation.fn(s, cid)
    chats.twilio.text(to=A_MAIN, frm=CUSTOMER, body="Are you there?")
    await s._live_refresh(staff.alice, frozenset({cid}))
    assert s.messages[-1].body == "Are you there?"
    assert s.conversations[0].preview == "Are you there?"


async def test_filters_and_search(chats, staff):
    s = await state_for(InboxState, staff.alice)
    await InboxState.load.fn(s)
    await InboxState.set_search.fn(s, "  918 555 1234 ")
    assert s.search == "918 555 1234" and len(s.conversations) == 1
    await InboxState.set_search.fn(s, "nothing like this")
    assert s.conversations == []
    await InboxState.set_search.fn(s, "")
    await InboxState.set_filter.fn(s, "mine")
    assert s.filter == "mine" and s.conversations == []
    await InboxState.set_filter.fn(s, "unread")
    assert len(s.conversations) == 1


async def test_inbox_is_off_for_a_suspended_tenant(chats, staff):
    from backend.tenancy import actions as tenancy_actions

    with tenant_session(chats.a.id) as db:
        tenancy_actions.do_change_status(db, tenant_id=chats.a.id, status="suspended", acting_user=None)
    s = await state_for(InboxState, staff.alice)
    await InboxState.load.fn(s)
    assert not s.enabled and "unavailable" in s.error and s.conversations == []


# ---- simulator --------------------------------------------------------------------------------------


async def test_simulator_offers_only_the_callers_numbers_and_refuses_others(chats, staff, q):
    s = await state_for(SimulatorState, staff.bob, path="/simulator")
    await SimulatorState.load.fn(s)
    assert [n["number"] for n in s.numbers] == [B_MAIN] and s.tenant_number == B_MAIN
    await SimulatorState.set_tenant_number.fn(s, A_MAIN)
    assert s.tenant_number == B_MAIN and s.error == "Choose one of this business's numbers."
    inbound_before = len(q.inbound(chats.a.id))
    s.tenant_number = A_MAIN  # planted: the send still refuses
    await SimulatorState.set_phone.fn(s, CUSTOMER)
    assert s.messages == []  # A's thread with that phone is not shown
    await SimulatorState.send.fn(s, {"body": "sneaky", "image_url": ""})
    assert s.error == "Choose one of this business's numbers."
    assert len(q.inbound(chats.a.id)) == inbound_before


async def test_simulator_tab_that_changed_tenant_does_not_keep_the_old_numbers(chats, staff, q):
    """Loaded as A, then the tab's session is B's (no reload): A's number is refused and A's
    thread is not shown, even with A's number planted in the public list."""
    s = await state_for(SimulatorState, staff.alice, path="/simulator")
    await SimulatorState.load.fn(s)
    assert s.tenant_number == A_MAIN
    (await s.get_state(SessionState))._ctx = staff.bob
    s.numbers = [{"number": A_MAIN, "label": "planted"}]
    await SimulatorState.set_phone.fn(s, CUSTOMER)
    assert s.messages == []
    await SimulatorState.set_tenant_number.fn(s, A_MAIN)
    assert s.error == "Choose one of this business's numbers."
    inbound_before = len(q.inbound(chats.a.id))
    await SimulatorState.send.fn(s, {"body": "hello", "image_url": ""})
    assert s.error == "Choose one of this business's numbers."
    assert len(q.inbound(chats.a.id)) == inbound_before


async def test_simulator_sends_and_shows_replies(chats, staff, q):
    s = await state_for(SimulatorState, staff.alice, path="/simulator")
    await SimulatorState.load.fn(s)
    await SimulatorState.set_phone.fn(s, "(918) 555-0199")
    assert s.phone_display == "(918) 555-0199"
    await SimulatorState.send_keyword.fn(s, "HELP")
    assert s.error == ""
    assert [(m.direction, m.body) for m in s.messages][0] == ("in", "HELP")
    assert s.messages[-1].direction == "out" and s.messages[-1].status == "simulated"
    await SimulatorState.send.fn(s, {"body": "", "image_url": "https://example.com/car.jpg"})
    assert s.messages[-1].media[0].url == "https://example.com/car.jpg" if s.messages[-1].direction == "in" else True
    assert any(m.media and m.media[0].is_image for m in s.messages)
    assert conversation(chats.a.id, NEW_PHONE) is not None


@pytest.mark.parametrize(
    ("handler", "args", "error"),
    [
        ("send_keyword", ("DROP",), ""),
        ("send", ({"body": "x" * 1601, "image_url": ""},), "at most 1,600"),
        ("send", ({"body": "hi", "image_url": "javascript:alert(1)"},), "https://"),
        ("send", ({"body": "   ", "image_url": ""},), "Type a message"),
        ("send", ("not a form",), ""),
        ("set_tenant_number", (["+1"],), "Choose one"),
    ],
)
async def test_simulator_refuses_bad_input(chats, staff, q, handler, args, error):
    s = await state_for(SimulatorState, staff.alice, path="/simulator")
    await SimulatorState.load.fn(s)
    await SimulatorState.set_phone.fn(s, NEW_PHONE)
    inbound_before = len(q.inbound(chats.a.id))
    await call(getattr(SimulatorState, handler), s, *args)
    assert error in s.error
    assert len(q.inbound(chats.a.id)) == inbound_before


async def test_simulator_invalid_phone_and_twilio_mode(chats, staff, monkeypatch):
    s = await state_for(SimulatorState, staff.alice, path="/simulator")
    await SimulatorState.load.fn(s)
    await SimulatorState.set_phone.fn(s, "12")
    await SimulatorState.send.fn(s, {"body": "hi", "image_url": ""})
    assert s.error.startswith("Customer phone:")
    monkeypatch.setattr(get_settings(), "sms_provider", "twilio")
    await SimulatorState.load.fn(s)
    assert not s.available and "SMS_PROVIDER is twilio" in s.unavailable_reason and s.numbers == []


# ---- messaging settings ----------------------------------------------------------------------------


async def test_settings_of_tenant_b_cannot_touch_tenant_a_quick_replies(chats, staff):
    with tenant_session(chats.a.id) as db:
        a_reply = db.exec(select(QuickReply)).one()
    s = await state_for(MessagingSettingsState, staff.bob, path="/settings/messaging")
    await MessagingSettingsState.load.fn(s)
    assert s.quick_replies == []
    MessagingSettingsState.start_edit_quick_reply.fn(s, a_reply.id)
    assert not s.qr_open  # not in B's list
    s.qr_editing = {"id": a_reply.id, "title": "x", "body": "y", "position": "0"}  # planted
    await MessagingSettingsState.save_quick_reply.fn(s, {"title": "Hacked", "body": "Hacked", "position": "0"})
    assert s.qr_error == "No such quick reply."
    await MessagingSettingsState.delete_quick_reply.fn(s, a_reply.id)
    assert s.qr_error == "No such quick reply."
    with tenant_session(chats.a.id) as db:
        assert db.exec(select(QuickReply.title)).all() == ["Thanks"]


async def test_settings_save_is_all_or_nothing(chats, staff):
    s = await state_for(MessagingSettingsState, staff.alice, path="/settings/messaging")
    await MessagingSettingsState.load.fn(s)
    form = {"default_mode": "manual", "missed_call_enabled": "on", "missed_call_window_minutes": "45",
            "missed_call_text": "Sorry we missed you!", "opt_out_text": "", "opt_in_text": "", "help_text": "x" * 400}
    await MessagingSettingsState.save_settings.fn(s, form)
    assert "HELP reply" in s.settings_error
    with tenant_session(chats.a.id) as db:
        row = db.exec(select(MessagingSettings)).one()
        assert (row.default_mode, row.missed_call_window_minutes) == ("ai", 30)
    await MessagingSettingsState.save_settings.fn(s, {**form, "missed_call_window_minutes": "abc"})
    assert "whole number" in s.settings_error
    await MessagingSettingsState.save_settings.fn(s, {**form, "default_mode": "robots"})
    assert "Choose who answers" in s.settings_error
    await MessagingSettingsState.save_settings.fn(s, {**form, "help_text": "Acme: call 918-555-0100. STOP to opt out."})
    assert s.settings_error == "" and s.settings_notice == "Saved."
    assert (s.default_mode, s.missed_call_window_minutes, s.help_text) == (
        "manual", "45", "Acme: call 918-555-0100. STOP to opt out.")
    with tenant_session(chats.a.id) as db:
        assert db.exec(select(TenantConfig.sms_help_text)).one() == "Acme: call 918-555-0100. STOP to opt out."


async def test_settings_need_an_admin(chats, staff):
    s = await state_for(MessagingSettingsState, staff.dana, path="/settings/messaging")
    await MessagingSettingsState.load.fn(s)
    await MessagingSettingsState.save_quick_reply.fn(s, {"title": "New", "body": "Body", "position": "1"})
    assert "owner or admins" in s.qr_error


def _flat(form: dict) -> dict:
    flat = {k: v for k, v in form.items() if isinstance(v, str)}
    flat.update({f"address_{k}": v for k, v in form["address"].items()})
    flat.update({f"rep_{k}": v for k, v in form["representative"].items()})
    flat.update({f"sample_{i}": v for i, v in enumerate(form["samples"], 1)})
    flat.update({"opt_in_keywords": "START, YES", "opt_out_keywords": "STOP, END", "help_keywords": "HELP"})
    return flat


async def test_a2p_submit_with_problems_shows_them_by_field_and_saves_nothing(chats, staff):
    s = await state_for(MessagingSettingsState, staff.alice, path="/settings/messaging")
    await MessagingSettingsState.load.fn(s)
    bad = {**_flat(A2P_FORM), "description": "Too short", "address_postal_code": "ABC", "sample_2": "",
           "rep_email": "nope"}
    MessagingSettingsState.set_a2p_intent.fn(s, "submit")
    await MessagingSettingsState.a2p_form_submit.fn(s, bad)
    assert set(s.a2p_errors) == {"description", "address_postal_code", "samples", "rep_email"}
    assert "40" in s.a2p_errors["description"]
    assert "Nothing was submitted" in s.a2p_error
    with tenant_session(chats.a.id) as db:
        assert db.exec(select(A2PRegistration)).first() is None


async def test_a2p_draft_then_submit(chats, staff):
    s = await state_for(MessagingSettingsState, staff.alice, path="/settings/messaging")
    await MessagingSettingsState.load.fn(s)
    assert s.a2p_status == ""
    await MessagingSettingsState.a2p_form_submit.fn(s, {"legal_name": "Acme Detailing LLC", "ein": 12345})
    assert s.a2p_status == "draft" and "still need attention" in s.a2p_notice
    assert s.a2p_values["legal_name"] == "Acme Detailing LLC" and s.a2p_values["ein"] == ""
    assert "description" in s.a2p_errors
    MessagingSettingsState.set_a2p_intent.fn(s, "submit")
    await MessagingSettingsState.a2p_form_submit.fn(s, _flat(A2P_FORM))
    assert s.a2p_error == "" and s.a2p_status == "submitted" and s.a2p_errors == {}
    assert s.a2p_values["address_region"] == "OK" and s.a2p_values["sample_2"].startswith("Acme")
    with tenant_session(chats.a.id) as db:
        assert db.exec(select(A2PRegistration.status)).one() == "submitted"
    assert "a2p.submitted" in audit_actions(chats.a.id)
