"""backend.agent.ui_views: the chat link carries a genuine widget token of exactly that tenant,
the embed snippet is escaped, form validation maps each message to its field, the staff chat
list leaves out unused chats and puts those waiting for a person first, and the smart-schedule
booking books the conversation's own customer (another tenant's conversation is not found)."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.agent import ui_views, webchat
from backend.agent.actions import PolicyIn
from backend.errors import NotFound
from backend.packs.actions import FaqEntryIn
from tests import factories
from tests.unit.agent.helpers import CHICAGO, make_shop


@pytest.fixture(autouse=True)
def _agent_responder():
    from backend.agent import sms_responder
    from backend.messaging import automation

    sms_responder.register()
    yield
    automation.clear_responder()


def test_chat_link_uses_the_public_url_and_a_token_that_verifies_to_the_tenant(db):
    shop = make_shop()
    link = ui_views.chat_link(shop.tenant_id)
    assert link.startswith("https://servicepro.test/chat/wc1.")
    token = link.rsplit("/", 1)[1]
    assert webchat.verify_widget_token(token) == shop.tenant_id
    assert ui_views.chat_path(shop.tenant_id) == "/chat/" + token


def test_embed_snippet_escapes_the_link():
    snippet = ui_views.embed_snippet('https://x.test/chat/a"><script>')
    assert "<script>" not in snippet and "&quot;&gt;&lt;script&gt;" in snippet
    assert snippet.startswith('<iframe src="https://x.test/chat/a')


def test_split_keywords_accepts_commas_semicolons_and_lines():
    assert ui_views.split_keywords("gate, gate code;parking\n  driveway ,, ") == [
        "gate", "gate code", "parking", "driveway"]
    assert ui_views.split_keywords("") == []


def test_field_errors_maps_messages_to_fields():
    assert ui_views.field_errors(FaqEntryIn, {"question": "Is it ok?", "answer": "Yes"}) == {}
    errors = ui_views.field_errors(FaqEntryIn, {"question": "x", "answer": "", "keywords": [], "active": True})
    assert set(errors) == {"question", "answer"}
    errors = ui_views.field_errors(PolicyIn, {"key": "Not A Key!", "text": "fine text"})
    assert errors == {"key": "Use a short lower_snake_case key, e.g. cancellation or parking."}
    assert ui_views.field_errors(FaqEntryIn, {"question": "Is it ok?", "answer": "y", "bogus": 1}) == {
        "bogus": "Extra inputs are not permitted"}


def test_faq_form_values_become_the_backend_payload():
    payload = ui_views.faq_entry_in({"question": "Q?", "answer": "A", "keywords": "a, b", "active": ""})
    assert payload == {"question": "Q?", "answer": "A", "keywords": ["a", "b"], "active": False}


def test_knowledge_view_lists_layers_and_faq_origins(db):
    shop = make_shop()
    with shop.session() as db_:
        view = ui_views.knowledge_view(db_, tenant_id=shop.tenant_id)
    assert view.business_name == "Shine Mobile Detailing"
    assert {p.source for p in view.policies} >= {"base"}
    assert all(p.layer == ui_views.LAYER_LABELS[p.source] for p in view.policies)
    assert not any(p.removable for p in view.policies if p.key == "rain")
    assert view.faq and all(f.origin == "Industry pack" for f in view.faq)
    assert [c["key"] for c in view.policy_choices][:3] == ["booking", "cancellation", "rain"]


def test_faq_form_of_another_tenants_entry_is_not_found(db):
    a = make_shop("alpha")
    b = make_shop("bravo", number="+19185550155")
    with a.session() as db_:
        entry_id = ui_views.knowledge_view(db_, tenant_id=a.tenant_id).faq[0].id
    with b.session() as db_, pytest.raises(NotFound):
        ui_views.faq_form(db_, tenant_id=b.tenant_id, faq_entry_id=entry_id)


def test_web_chat_rows_skip_unused_chats_and_put_waiting_ones_first(db):
    shop = make_shop()
    token = webchat.widget_token(shop.tenant_id)

    def chat(*texts):
        session = webchat.start_web_chat(widget_token_value=token).session_token
        for text in texts:
            webchat.send_web_message(widget_token_value=token, session_token=session, text=text)
        return session.split(".")[0]

    waiting = chat("can I talk to a real person?")
    answered = chat("what are your hours?")
    chat()  # opened, never written in
    with shop.session() as db_:
        rows = ui_views.web_chat_rows(db_, tenant_id=shop.tenant_id, tz="America/Chicago")
        assert ui_views.web_chat_needs_human_count(db_, tenant_id=shop.tenant_id) == 1
        only = ui_views.web_chat_rows(db_, tenant_id=shop.tenant_id, tz="America/Chicago", needs_human_only=True)
    assert [r.id for r in rows] == [waiting, answered]
    assert rows[0].needs_human and rows[0].status_label == "With staff" and rows[0].name == "Web visitor"
    assert [r.id for r in only] == [waiting]


def test_web_chat_thread_of_another_tenant_is_not_found(db):
    a = make_shop("alpha")
    b = make_shop("bravo", number="+19185550155")
    session = webchat.start_web_chat(widget_token_value=webchat.widget_token(a.tenant_id)).session_token
    with b.session() as db_, pytest.raises(NotFound):
        ui_views.web_chat_thread(db_, tenant_id=b.tenant_id, session_id=session.split(".")[0], tz="UTC")


def test_book_for_conversation_books_that_conversations_customer_only(db):
    a = make_shop("alpha")
    b = make_shop("bravo", number="+19185550155")
    a.text("hi, how much is an express wash for a sedan?", phone="+19185551234")
    b.text("hello", phone="+19185559999")
    cid = a.conversation("+19185551234").id
    alice = factories.context_for(factories.make_member(a.tenant_id, email="al@a.example"), a.tenant_id)
    bob = factories.context_for(factories.make_member(b.tenant_id, email="bo@b.example"), b.tenant_id)
    day = dt.datetime.now(CHICAGO).date() + dt.timedelta(days=8)
    while day.weekday() != 2:
        day += dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=CHICAGO)
    with b.session() as db_, pytest.raises(NotFound):
        ui_views.book_for_conversation(db_, tenant_id=b.tenant_id, conversation_id=cid,
                                       service_id=b.service_id("Express Wash & Wax"), start=start, acting_user=bob)
    with a.session() as db_:
        detail = ui_views.book_for_conversation(
            db_, tenant_id=a.tenant_id, conversation_id=cid, service_id=a.service_id("Express Wash & Wax"),
            start=start, attributes={"vehicle_size": "sedan"}, address="  1 Elm St,   Tulsa OK 74105 ", acting_user=alice)
    assert detail.customer_phone == "(918) 555-1234" and detail.time_label.startswith("10:00 AM")
    assert detail.address.startswith("1 Elm St, Tulsa OK 74105")
    (appointment,) = a.appointments("+19185551234")
    assert appointment.source == "staff" and b.appointments("+19185559999") == []
