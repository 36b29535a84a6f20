"""The public web chat state (/chat/<widget token>): the business comes only from a genuine
widget token; forged or other-tenant tokens show "This chat link isn't valid" and nothing of any
business; the chat's session token never reaches the browser; a tab keeps its chat, and moving
the tab to another business's widget starts a new chat there."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from backend.agent import webchat
from backend.agent.models import WebChatMessage, WebChatSession
from servicepro_app.auth_middleware import access_for
from state.session import Access
from state.web_chat import INVALID_LINK, WebChatState, token_from_path
from tests.integration.agent_ui.helpers import public_json, tab
from tests.state_harness import call


async def chat_tab(token: str, *, query: str = "", tab_token: str = "visitor-tab"):
    s = await tab(WebChatState, None, path=f"/chat/{token}", query=query, token=tab_token)
    await call(s, WebChatState.load)
    return s


async def say(s: WebChatState, text: str):
    # follow=False: a hand-off would start the reply watcher, which polls for minutes.
    return await call(s, WebChatState.send, {"message": text}, follow=False)


def sessions(shop) -> list[WebChatSession]:
    with shop.session() as db:
        return list(db.exec(select(WebChatSession)).all())


def test_web_chat_state_is_public_and_named_for_the_registry():
    assert access_for(WebChatState) is Access.PUBLIC
    assert WebChatState.__name__.startswith("WebChat")


def test_token_from_path_takes_only_the_chat_segment():
    assert token_from_path("/chat/wc1.root.abc/") == "wc1.root.abc"
    assert token_from_path("/chat/wc1.root.abc?x=1") == "wc1.root.abc"
    assert token_from_path("/other/wc1.root.abc") == ""
    assert token_from_path("/chat/a/b") == ""
    assert token_from_path("/chat/" + "x" * 201) == ""


async def test_a_genuine_widget_token_shows_the_business_and_its_greeting(pair):
    s = await chat_tab(webchat.widget_token(pair.a.tenant_id))
    assert (s.loaded, s.problem) == (True, "")
    assert s.business_name == "Alpha Auto Spa"
    assert [m.body for m in s.messages] == [
        "Hi! I'm the assistant for Alpha Auto Spa. Ask me about prices, openings or booking a visit."]
    assert sessions(pair.a) == []  # a page view alone opens no chat


@pytest.mark.parametrize("kind", ["other-tenant-id-with-a-mac", "edited-mac", "bare-tenant-id", "unknown-version",
                                  "garbage", "empty"])
async def test_forged_or_other_tenant_tokens_are_refused_and_show_nothing(pair, kind):
    token = webchat.widget_token(pair.a.tenant_id)
    version, tenant_id, mac = token.split(".")
    forged = {
        "other-tenant-id-with-a-mac": f"{version}.{pair.b.tenant_id}.{mac}",
        "edited-mac": f"{version}.{tenant_id}.{mac[:-3]}abc",
        "bare-tenant-id": pair.a.tenant_id,
        "unknown-version": f"wc9.{tenant_id}.{mac}",
        "garbage": "hello",
        "empty": "",
    }[kind]
    s = await chat_tab(forged)
    assert s.problem == INVALID_LINK == "This chat link isn't valid."
    assert (s.business_name, s.messages, s._tenant_id, s._widget_token) == ("", [], "", "")
    dumped = public_json(s)
    assert "Alpha Auto Spa" not in dumped and "Bravo Detailing" not in dumped
    await say(s, "hello?")
    assert sessions(pair.a) == [] and sessions(pair.b) == []


async def test_open_widget_with_a_forged_token_is_refused(pair):
    s = await tab(WebChatState, None, path="/")
    await call(s, WebChatState.open_widget, f"wc1.{pair.b.tenant_id}.forged")
    assert s.problem == INVALID_LINK and s._tenant_id == ""
    await call(s, WebChatState.open_widget, {"tenant_id": pair.b.tenant_id})
    assert s.problem == INVALID_LINK and s._tenant_id == ""


async def test_sending_opens_the_chat_in_the_tokens_tenant_and_keeps_the_session_token_server_side(pair):
    token = webchat.widget_token(pair.a.tenant_id)
    s = await chat_tab(token)
    await say(s, "how much for an express wash on a sedan?")
    assert not s.typing and s.error == ""
    assert [m.direction for m in s.messages] == ["out", "in", "out"]
    assert s.messages[1].body == "how much for an express wash on a sedan?"
    assert re.match(r"Express Wash & Wax \(Sedan\): \$79[–-]\$99", s.messages[2].body)
    assert s.status == "open"
    (row,) = sessions(pair.a)
    assert sessions(pair.b) == []
    assert s._session_token.startswith(row.id + ".")
    secret = s._session_token.split(".", 1)[1]
    dumped = public_json(s)
    assert s._session_token not in dumped and secret not in dumped
    assert "_session_token" not in dumped and pair.a.tenant_id not in dumped.replace(token, "")


async def test_the_tab_keeps_its_chat_across_reloads(pair):
    token = webchat.widget_token(pair.a.tenant_id)
    s = await chat_tab(token)
    await say(s, "what are your hours?")
    session_token = s._session_token
    await call(s, WebChatState.load)  # the same tab reloads the page
    assert s._session_token == session_token
    assert [m.body for m in s.messages][1] == "what are your hours?"
    assert len(sessions(pair.a)) == 1


async def test_another_businesss_widget_in_the_same_tab_starts_a_new_chat_there(pair):
    s = await chat_tab(webchat.widget_token(pair.a.tenant_id))
    await say(s, "do you do ceramic coating?")
    a_session = s._session_token
    s.router = s.router.__class__.from_router_data({
        "token": "visitor-tab", "pathname": f"/chat/{webchat.widget_token(pair.b.tenant_id)}",
        "asPath": f"/chat/{webchat.widget_token(pair.b.tenant_id)}", "headers": {}})
    await call(s, WebChatState.load)
    assert s.business_name == "Bravo Detailing" and s._session_token == ""
    assert "ceramic" not in public_json(s)
    await say(s, "hello there")
    assert s._session_token != a_session
    assert len(sessions(pair.b)) == 1 and len(sessions(pair.a)) == 1
    with pair.b.session() as db:
        bodies = [m.body for m in db.exec(select(WebChatMessage)).all()]
    assert "do you do ceramic coating?" not in bodies


async def test_bad_messages_change_nothing(pair):
    s = await chat_tab(webchat.widget_token(pair.a.tenant_id))
    await say(s, "   ")
    assert s.error == "Type a message first."
    await say(s, "x" * 1001)
    assert "at most 1,000 characters" in s.error
    await call(s, WebChatState.send, ["not", "a", "form"], follow=False)
    await call(s, WebChatState.send, {"message": {"nested": 1}}, follow=False)
    assert sessions(pair.a) == [] and len(s.messages) == 1


async def test_a_chat_taken_by_staff_gets_no_ai_answer_and_the_staff_reply_shows_on_refresh(pair):
    s = await chat_tab(webchat.widget_token(pair.a.tenant_id))
    await say(s, "hi")
    session_id = s._session_token.split(".")[0]
    with pair.a.session() as db:
        webchat.do_reply_web_chat(db, tenant_id=pair.a.tenant_id, session_id=session_id, text="Hi, this is Alice!",
                                  acting_user=pair.alice)
    await call(s, WebChatState.refresh)
    assert s.messages[-1].body == "Hi, this is Alice!" and s.messages[-1].sender == "Alpha Auto Spa team"
    result = await say(s, "great, thanks")
    assert s.status == "handoff" and s.messages[-1].body == "great, thanks"
    assert result and result[-1] is WebChatState.watch_replies  # the tab now looks for the person's answers
    assert s._watch_pending


async def test_watch_replies_runs_only_when_send_asked_for_it(pair):
    s = await chat_tab(webchat.widget_token(pair.a.tenant_id))
    await call(s, WebChatState.watch_replies)  # a client sending the event itself: nothing happens
    assert s._watch_id == 0


async def test_new_chat_forgets_the_session(pair):
    s = await chat_tab(webchat.widget_token(pair.a.tenant_id))
    await say(s, "hello")
    await call(s, WebChatState.new_chat)
    assert s._session_token == "" and len(s.messages) == 1


async def test_more_messages_a_minute_than_a_person_types_are_refused(pair, monkeypatch):
    monkeypatch.setattr("state.web_chat.MAX_SENDS_PER_MINUTE", 1)
    s = await chat_tab(webchat.widget_token(pair.a.tenant_id))
    await say(s, "hello")
    await say(s, "hello again")
    assert s.error.startswith("That's a lot of messages")
    with pair.a.session() as db:
        assert [m.body for m in db.exec(select(WebChatMessage).where(WebChatMessage.direction == "in")).all()] == [
            "hello"]
