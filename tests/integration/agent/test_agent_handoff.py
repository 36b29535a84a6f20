"""Smart hand-off and hand-back: staff take over, `smart_schedule` turns a messy thread into a
prefilled booking form, `handback_analysis` says whether the AI may continue (and why), and
`hand_back_to_ai` lets it continue from the draft."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.agent import handoff
from backend.errors import NotFound
from backend.messaging import actions as messaging_actions
from tests import factories
from tests.unit.agent.helpers import CHICAGO, CUSTOMER, make_shop


def staff_of(shop):
    user = factories.make_member(shop.tenant_id, role="staff", name="Dana Staff")
    return factories.context_for(user, shop.tenant_id, role="staff")


def staff_says(shop, ctx, body: str) -> None:
    conversation = shop.conversation()
    with shop.session() as db:
        messaging_actions.do_send_staff_reply(db, tenant_id=shop.tenant_id, conversation_id=conversation.id,
                                              body=body, acting_user=ctx)


def take_over(shop, ctx) -> str:
    conversation = shop.conversation()
    with shop.session() as db:
        messaging_actions.do_take_over(db, tenant_id=shop.tenant_id, conversation_id=conversation.id, acting_user=ctx)
    return conversation.id


def test_smart_schedule_reads_service_agreed_time_and_address_from_a_messy_thread(shop):
    shop.text("hi")
    ctx = staff_of(shop)
    conversation_id = take_over(shop, ctx)
    assert shop.text("hey so my truck is filthy lol, can u guys do the full detail thing") == []
    staff_says(shop, ctx, "Sure! What day works? We could do Friday at 12:30pm")
    shop.text("yeah that works")
    shop.text("it's at 4512 S Harvard Ave, Tulsa OK 74135")
    with shop.session() as db:
        draft = handoff.smart_schedule(db, tenant_id=shop.tenant_id, conversation_id=conversation_id)
    assert (draft.service_name, draft.attributes) == ("Full Detail", {"vehicle_size": "suv", "condition": "heavy"})
    assert draft.start == dt.datetime(2030, 6, 7, 12, 30, tzinfo=CHICAGO)  # 5 hr 15 min: only after lunch
    assert (draft.address, draft.postal_code, draft.in_area) == ("4512 S Harvard Ave, Tulsa OK 74135", "74135", True)
    assert draft.price == "$319–$389"
    assert draft.missing == ["name"]
    assert any("time agreed" in e for e in draft.evidence)


def test_smart_schedule_suggests_open_slots_when_the_wanted_time_is_vague(shop):
    shop.text("hi")
    ctx = staff_of(shop)
    conversation_id = take_over(shop, ctx)
    shop.text("need an express wash for my camry sometime saturday morning")
    with shop.session() as db:
        draft = handoff.smart_schedule(db, tenant_id=shop.tenant_id, conversation_id=conversation_id)
    assert draft.start is None and draft.dates == [dt.date(2030, 6, 8)]
    assert [s["label"] for s in draft.suggested_slots][0] == "Sat Jun 8 at 8:00 AM"
    assert "date and time" in draft.missing


def test_handback_is_unsafe_after_a_complaint_or_a_staff_promise_and_safe_for_a_booking(shop):
    ctx = staff_of(shop)
    shop.text("hi", phone="+19185550101")
    shop.text("hi", phone="+19185550102")
    shop.text("hi", phone="+19185550103")
    angry = shop.conversation("+19185550101").id
    promise = shop.conversation("+19185550102").id
    booking = shop.conversation("+19185550103").id
    for cid in (angry, promise, booking):
        with shop.session() as db:
            messaging_actions.do_take_over(db, tenant_id=shop.tenant_id, conversation_id=cid, acting_user=ctx)
    shop.text("your guy scratched my door, I want a refund", phone="+19185550101")
    shop.text("is the ceramic coating worth it?", phone="+19185550102")
    with shop.session() as db:
        messaging_actions.do_send_staff_reply(db, tenant_id=shop.tenant_id, conversation_id=promise,
                                              body="Let me check with the owner and get back to you", acting_user=ctx)
    shop.text("I'd like a full detail for my sedan next week", phone="+19185550103")
    with shop.session() as db:
        first = handoff.handback_analysis(db, tenant_id=shop.tenant_id, conversation_id=angry)
        second = handoff.handback_analysis(db, tenant_id=shop.tenant_id, conversation_id=promise)
        third = handoff.handback_analysis(db, tenant_id=shop.tenant_id, conversation_id=booking)
    assert not first.safe and "complaint" in first.reasons[0]
    assert not second.safe and "promised a follow-up" in second.reasons[0]
    assert third.safe and any("Booking in progress: Full Detail" in r for r in third.reasons)


def test_handback_is_unsafe_when_a_person_was_asked_for_and_nobody_answered(shop):
    shop.text("can I talk to a person?")
    with shop.session() as db:
        analysis = handoff.handback_analysis(db, tenant_id=shop.tenant_id, conversation_id=shop.conversation().id)
    assert not analysis.safe and "asked for a person" in analysis.reasons[0]


def test_hand_back_to_ai_seeds_the_draft_and_the_agent_continues(shop):
    shop.text("hi")
    ctx = staff_of(shop)
    conversation_id = take_over(shop, ctx)
    shop.text("need a full detail on my tahoe")
    staff_says(shop, ctx, "We can help with that!")
    with shop.session() as db:
        analysis = handoff.hand_back_to_ai(db, tenant_id=shop.tenant_id, conversation_id=conversation_id,
                                           acting_user=ctx)
    assert analysis.safe
    assert shop.conversation().mode == "ai"
    reply = shop.text("saturday morning")[0]
    assert reply.startswith("Full Detail (SUV): $269-$339")
    assert "I have Sat Jun 8 at" in reply


def test_the_helpers_refuse_another_tenants_conversation(shop):
    shop.text("hi")
    other = make_shop("other", number="+19185550155")
    with other.session() as db, pytest.raises(NotFound):
        handoff.smart_schedule(db, tenant_id=other.tenant_id, conversation_id=shop.conversation(CUSTOMER).id)
    with other.session() as db, pytest.raises(NotFound):
        handoff.handback_analysis(db, tenant_id=other.tenant_id, conversation_id=shop.conversation(CUSTOMER).id)
