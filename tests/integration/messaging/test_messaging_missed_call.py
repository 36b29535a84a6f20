"""Missed-call text-back: one text per caller per configurable window, not one per call."""

from __future__ import annotations

import datetime as dt


from backend.db.session import tenant_session
from backend.messaging import actions
from tests.integration.messaging.conftest import A_MAIN, A_SECOND, CUSTOMER

T0 = dt.datetime(2026, 1, 15, 16, 0, tzinfo=dt.timezone.utc)


def missed(tenant_id, caller=CUSTOMER, called=A_MAIN, now=T0):
    with tenant_session(tenant_id) as db:
        row = actions.missed_call_text_back(db, tenant_id=tenant_id, caller=caller, called_number=called, now=now)
        return row.id if row else None


def test_one_text_per_caller_per_window(world, q):
    first = missed(world.a.id)
    assert first is not None
    assert missed(world.a.id, now=T0 + dt.timedelta(minutes=5)) is None
    assert missed(world.a.id, called=A_SECOND, now=T0 + dt.timedelta(minutes=29)) is None
    assert missed(world.a.id, now=T0 + dt.timedelta(minutes=30)) is not None
    texts = q.outbound(world.a.id)
    assert len(texts) == 2
    assert texts[0].kind == "missed_call"
    assert texts[0].body == "Sorry we missed your call at Acme Detailing! How can we help? Reply here and we'll get back to you."
    assert texts[0].from_number == A_MAIN


def test_text_back_opens_a_conversation_the_reply_continues(world, q):
    missed(world.a.id)
    world.twilio.text(to=A_MAIN, body="Yes, I wanted a quote")
    (conversation,) = q.conversations(world.a.id)
    assert [m.conversation_id for m in q.inbound(world.a.id)] == [conversation.id]
    assert q.outbound(world.a.id)[0].conversation_id == conversation.id


def test_window_and_text_are_tenant_settings(world, q, staff):
    with tenant_session(world.a.id) as db:
        actions.do_update_messaging_settings(db, tenant_id=world.a.id, acting_user=staff.alice, settings_in={
            "missed_call_window_minutes": 5, "missed_call_text": "{business} here, sorry we missed you!"})
    missed(world.a.id)
    missed(world.a.id, now=T0 + dt.timedelta(minutes=6))
    assert [t.body for t in q.outbound(world.a.id)] == ["Acme Detailing here, sorry we missed you!"] * 2


def test_disabled_hidden_caller_and_opted_out_get_nothing(world, q, staff):
    assert missed(world.a.id, caller="anonymous") is None
    with tenant_session(world.a.id) as db:
        actions.do_record_consent(db, tenant_id=world.a.id, phone_e164="+19185550166", state="opted_out",
                                  source="keyword", text="STOP")
    assert missed(world.a.id, caller="+19185550166") is None
    with tenant_session(world.a.id) as db:
        actions.do_update_messaging_settings(db, tenant_id=world.a.id, acting_user=staff.alice,
                                             settings_in={"missed_call_enabled": False})
    assert missed(world.a.id) is None
    assert q.outbound(world.a.id) == []


def test_each_tenant_has_its_own_window(world, q):
    from tests.integration.messaging.conftest import B_MAIN

    assert missed(world.a.id) is not None
    assert missed(world.b.id, called=B_MAIN) is not None
