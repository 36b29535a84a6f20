"""The web chat: the tenant comes only from a signed widget token, sessions are found only with
their secret and only inside that tenant, the transcript is persisted, a booking asks for a
name and a mobile number (then books with source "web" and texts the confirmation there), and
a person can take the chat and hand it back."""

from __future__ import annotations

import pytest

from backend.agent import webchat
from backend.agent.models import WebChatMessage, WebChatSession
from backend.errors import NotFound
from tests import factories
from tests.unit.agent.helpers import CHICAGO, make_shop


def start(shop):
    token = webchat.widget_token(shop.tenant_id)
    return token, webchat.start_web_chat(widget_token_value=token, page="/book").session_token


def say(token, session, text):
    return webchat.send_web_message(widget_token_value=token, session_token=session, text=text)


def test_widget_token_names_exactly_one_tenant_and_cannot_be_forged(shop):
    other = make_shop("other", number="+19185550155")
    token = webchat.widget_token(shop.tenant_id)
    assert webchat.verify_widget_token(token) == shop.tenant_id
    version, tenant_id, mac = token.split(".")
    forged = [
        f"{version}.{other.tenant_id}.{mac}",  # another tenant's id with this tenant's MAC
        f"{version}.{tenant_id}.{mac[:-2]}xx",  # edited MAC
        f"wc0.{tenant_id}.{mac}",  # unknown version
        tenant_id,  # a bare tenant id, as a client might send
        "",
        None,
    ]
    for value in forged:
        with pytest.raises(webchat.InvalidWidgetToken):
            webchat.verify_widget_token(value)


def test_a_session_token_is_useless_with_another_tenants_widget_or_without_its_secret(shop):
    other = make_shop("other", number="+19185550155")
    token, session = start(shop)
    other_token = webchat.widget_token(other.tenant_id)
    with pytest.raises(NotFound):
        say(other_token, session, "hello")
    session_id = session.split(".")[0]
    with pytest.raises(NotFound):
        say(token, f"{session_id}.not-the-secret", "hello")
    with shop.session() as db:
        row = db.get(WebChatSession, (shop.tenant_id, session_id))
        assert row.secret_hash != session.split(".")[1]  # only the hash is stored


def test_web_booking_asks_name_and_number_then_books_and_texts_the_confirmation(shop):
    token, session = start(shop)
    assert say(token, session, "how much for an express wash on a sedan?").reply.startswith(
        "Express Wash & Wax (Sedan): $79-$99")
    assert say(token, session, "friday at 10am").reply.endswith("What's the address for the visit (street and ZIP)?")
    assert say(token, session, "123 Main St, Tulsa OK 74105").reply == "What name should I put the booking under?"
    assert say(token, session, "Ann Lee").reply == "What's the best mobile number for your confirmation text?"
    confirm = say(token, session, "(918) 555-0142").reply
    assert confirm == ("Book Express Wash & Wax (Sedan) on Fri Jun 7 at 10:00 AM at 123 Main St for $79-$99? "
                       "Reply YES to confirm.")
    done = say(token, session, "yes")
    assert done.reply.startswith("You're booked!") and done.actions[0]["type"] == "book"
    (appointment,) = shop.appointments("+19185550142")
    assert appointment.source == "web"
    assert appointment.start_at.astimezone(CHICAGO).strftime("%a %H:%M") == "Fri 10:00"
    assert len(shop.outbound("+19185550142", kind="confirmation")) == 1
    transcript = webchat.get_transcript(widget_token_value=token, session_token=session)
    assert [m.direction for m in transcript[:3]] == ["out", "in", "out"]  # greeting, question, answer
    assert len(transcript) == 1 + 2 * 6
    with shop.session() as db:
        row = db.get(WebChatSession, (shop.tenant_id, session.split(".")[0]))
        assert (row.visitor_name, row.phone_e164) == ("Ann Lee", "+19185550142")


def test_web_visitors_cannot_see_or_change_bookings_of_a_number_they_type(shop):
    shop.add_customer("Real Owner", phone="+19185550142")
    shop.book("Express Wash & Wax", "2030-06-07 09:00", phone="+19185550142")
    token, session = start(shop)
    say(token, session, "my number is 918-555-0142")
    for question in ("when is my appointment?", "I need to cancel my appointment"):
        reply = say(token, session, question).reply
        assert "phone number on the booking" in reply
        assert "Jun 7" not in reply
    assert [a.status for a in shop.appointments("+19185550142")] == ["confirmed"]


def test_handoff_then_staff_reply_then_hand_back(shop):
    token, session = start(shop)
    reply = say(token, session, "can I talk to a real person?")
    assert "a person from Shine Mobile Detailing will follow up" in reply.reply and reply.status == "handoff"
    assert say(token, session, "my number is 918 555 0177").reply == ""  # a person has the chat now
    user = factories.make_member(shop.tenant_id, role="staff")
    ctx = factories.context_for(user, shop.tenant_id, role="staff")
    session_id = session.split(".")[0]
    with shop.session() as db:
        assert webchat.list_web_chats(db, tenant_id=shop.tenant_id, needs_human_only=True)[0]["id"] == session_id
        webchat.do_reply_web_chat(db, tenant_id=shop.tenant_id, session_id=session_id, text="Hi, this is Dana!",
                                  acting_user=ctx)
        webchat.do_hand_back_web_chat(db, tenant_id=shop.tenant_id, session_id=session_id, acting_user=ctx)
    assert say(token, session, "what are your hours?").reply == (
        "Our hours are Mon-Fri 8 AM-6 PM, Sat 8 AM-4 PM; closed Sun.")
    with shop.session() as db:
        senders = [m.sender for m in db.exec(WebChatMessage.__table__.select()).all()]
    assert "staff" in senders


def test_staff_chat_helpers_refuse_other_tenants_and_anonymous_callers(shop):
    other = make_shop("other", number="+19185550155")
    _, session = start(shop)
    session_id = session.split(".")[0]
    user = factories.make_member(other.tenant_id, role="admin")
    ctx = factories.context_for(user, other.tenant_id)
    with other.session() as db, pytest.raises(NotFound):
        webchat.do_reply_web_chat(db, tenant_id=other.tenant_id, session_id=session_id, text="hi", acting_user=ctx)
    with shop.session() as db, pytest.raises(Exception):
        webchat.do_reply_web_chat(db, tenant_id=shop.tenant_id, session_id=session_id, text="hi", acting_user=None)
