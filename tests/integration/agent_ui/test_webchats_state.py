"""Web chats for staff (/webchats): the list holds only the caller's business's chats (those
waiting for a person first), replies and hand-backs act on the caller's chats only, and tenant
B's forced ids for tenant A's chats change nothing and show nothing."""

from __future__ import annotations

from sqlmodel import select

from backend.agent import webchat
from backend.agent.models import WebChatMessage, WebChatSession
from servicepro_app.auth_middleware import access_for
from state.session import Access
from state.webchats import StaffWebChatsState
from tests.integration.agent_ui.helpers import public_json, tab
from tests.state_harness import call


def visitor(shop, *texts: str) -> str:
    """A visitor chats on the shop's widget; returns the chat (session) id."""
    token = webchat.widget_token(shop.tenant_id)
    session = webchat.start_web_chat(widget_token_value=token, page="/chat").session_token
    for text in texts:
        webchat.send_web_message(widget_token_value=token, session_token=session, text=text)
    return session.split(".")[0]


async def page(ctx, query: str = ""):
    s = await tab(StaffWebChatsState, ctx, path="/webchats", query=query)
    result = await call(s, StaffWebChatsState.load, follow=False)
    return s, result


def transcript(shop, session_id: str) -> list[str]:
    with shop.session() as db:
        return [m.body for m in db.exec(select(WebChatMessage).where(WebChatMessage.session_id == session_id)
                                        .order_by(WebChatMessage.created_at)).all()]


def test_access_level_of_the_web_chats_state():
    assert access_for(StaffWebChatsState) is Access.TENANT


async def test_the_list_shows_own_chats_waiting_for_a_person_first(pair):
    waiting = visitor(pair.a, "I want to talk to a person please")
    first = visitor(pair.a, "what are your hours?")  # newer, but nobody needs to answer it
    visitor(pair.b, "hello from B's visitor")
    webchat.start_web_chat(widget_token_value=webchat.widget_token(pair.a.tenant_id))  # opened, never used
    s, result = await page(pair.sam)
    assert [c.id for c in s.chats] == [waiting, first]
    assert s.chats[0].needs_human and s.chats[0].status == "handoff"
    assert s.chats[1].preview.startswith("AI: ")
    assert "hello from B's visitor" not in public_json(s)
    assert result is StaffWebChatsState.poll  # the page keeps itself fresh
    await call(s, StaffWebChatsState.set_filter, "needs_human")
    assert [c.id for c in s.chats] == [waiting]
    await call(s, StaffWebChatsState.set_filter, "everything")
    assert s.filter == "needs_human"


async def test_staff_reply_and_hand_back(pair):
    chat = visitor(pair.a, "is someone there? I want to talk to a person")
    s, _ = await page(pair.sam)
    await call(s, StaffWebChatsState.select, chat)
    assert s.selected_id == chat and s.chat.status == "handoff"
    assert s.messages[1].body == "is someone there? I want to talk to a person"
    await call(s, StaffWebChatsState.send_reply, {"body": "Hi! Sam here — how can I help?"})
    assert s.error == "" and s.messages[-1].body == "Hi! Sam here — how can I help?"
    assert s.messages[-1].sender == "Staff" and not s.chat.needs_human
    await call(s, StaffWebChatsState.send_reply, {"body": "   "})
    assert s.error == "Write a reply first."
    await call(s, StaffWebChatsState.hand_back)
    assert s.chat.status == "open" and s.notice.startswith("Handed back to the AI")


async def test_a_deep_link_opens_the_chat(pair):
    chat = visitor(pair.a, "hello")
    s, _ = await page(pair.alice, query=f"chat={chat}")
    assert s.selected_id == chat and s.messages


async def test_tenant_b_cannot_open_reply_to_or_hand_back_tenant_as_chats(pair):
    chat = visitor(pair.a, "my secret question for Alpha", "I want to talk to a person")
    s, _ = await page(pair.bob)
    assert s.chats == []
    await call(s, StaffWebChatsState.select, chat)
    assert s.error == "No such chat." and s.selected_id == "" and s.messages == []
    assert "secret question" not in public_json(s)

    deep, _ = await page(pair.bob, query=f"chat={chat}")
    assert deep.error == "No such chat." and deep.selected_id == "" and deep.messages == []

    before = transcript(pair.a, chat)
    s.selected_id = chat  # forced
    await call(s, StaffWebChatsState.send_reply, {"body": "B writes into A's chat"})
    assert s.error == "No such chat."
    await call(s, StaffWebChatsState.hand_back)
    assert s.error == "No such chat."
    assert transcript(pair.a, chat) == before
    with pair.a.session() as db:
        row = db.get(WebChatSession, (pair.a.tenant_id, chat))
        assert (row.status, row.needs_human) == ("handoff", True)


async def test_bad_ids_are_refused_unread(pair):
    s, _ = await page(pair.alice)
    for bad in ("", None, 42, {"id": "x"}, "../x", "x" * 41):
        await call(s, StaffWebChatsState.select, bad)
        assert s.selected_id == ""


async def test_poll_runs_only_when_load_asked_for_it(pair):
    s = await tab(StaffWebChatsState, pair.alice, path="/webchats")
    await call(s, StaffWebChatsState.poll)  # a client sending the event itself: returns at once
    assert s._poll_id == 0
