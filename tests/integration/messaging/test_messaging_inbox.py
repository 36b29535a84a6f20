"""Inbox backend: list with search and filters, thread, counts, staff reply, take over /
hand back (audited), assignment, customer side panel, access helpers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from backend.audit.models import AuditLog
from backend.customers.models import Customer, CustomerTag
from backend.db.session import tenant_session
from backend.errors import NotFound, PermissionDenied, UserError
from backend.messaging import actions, automation, inbox
from backend.messaging import service as messaging_service
from tests.integration.messaging.conftest import A_MAIN, B_MAIN, CUSTOMER

OTHER = "+19185550177"


def conversation_id(tenant_id, phone=CUSTOMER) -> str:
    with tenant_session(tenant_id) as db:
        return messaging_service.get_conversation_by_phone(db, tenant_id=tenant_id, phone_e164=phone).id


def listing(tenant_id, **kwargs):
    with tenant_session(tenant_id) as db:
        return inbox.list_conversations(db, tenant_id=tenant_id, **kwargs)


@pytest.fixture()
def chats(world):
    """Two conversations at A: CUSTOMER (named Jordan) asked about ceramic coating; OTHER texted HELP."""
    world.twilio.text(to=A_MAIN, frm=CUSTOMER, body="Do you do ceramic coating?")
    world.twilio.text(to=A_MAIN, frm=OTHER, body="HELP")
    with tenant_session(world.a.id) as db:
        customer = db.exec(select(Customer).where(Customer.phone == CUSTOMER)).one()
        customer.name = "Jordan Ellis"
        db.add(customer)
        db.add(CustomerTag(tenant_id=world.a.id, customer_id=customer.id, tag="vip"))
    return world


def test_list_orders_by_last_activity_and_shows_unread(chats):
    rows = listing(chats.a.id)
    assert [r.phone for r in rows] == [OTHER, CUSTOMER]
    jordan = rows[1]
    assert (jordan.customer_name, jordan.unread_count, jordan.needs_human, jordan.mode) == (
        "Jordan Ellis", 1, True, "ai")
    assert jordan.last_message_preview == "Do you do ceramic coating?"
    assert jordan.phone_display == "(918) 555-1234"


@pytest.mark.parametrize("search", ["jordan", "ELLIS", "(918) 555-1234", "918-555-1234", "+19185551234", "5551234",
                                    "ceramic", "COATING"])
def test_search_by_name_phone_in_any_format_and_message_text(chats, search):
    assert [r.phone for r in listing(chats.a.id, search=search)] == [CUSTOMER]


def test_search_matches_outbound_text_too(chats):
    assert [r.phone for r in listing(chats.a.id, search="opt back in")] == [OTHER]


def test_search_wildcards_are_literal(chats):
    assert listing(chats.a.id, search="%") == []
    assert listing(chats.a.id, search="_") == []


def test_filters(chats, staff):
    assert {r.phone for r in listing(chats.a.id, filter="unread")} == {CUSTOMER, OTHER}
    assert [r.phone for r in listing(chats.a.id, filter="needs_human")] == [CUSTOMER]
    assert listing(chats.a.id, filter="mine", user_id=staff.dana.user_id) == []
    with tenant_session(chats.a.id) as db:
        actions.do_take_over(db, tenant_id=chats.a.id, conversation_id=conversation_id(chats.a.id),
                             acting_user=staff.dana)
    assert [r.phone for r in listing(chats.a.id, filter="mine", user_id=staff.dana.user_id)] == [CUSTOMER]
    with pytest.raises(UserError, match="Unknown inbox filter"):
        listing(chats.a.id, filter="everything; drop table")


def test_opted_out_filter_and_flag(chats):
    chats.twilio.text(to=A_MAIN, frm=OTHER, body="STOP")
    rows = listing(chats.a.id, filter="opted_out")
    assert [r.phone for r in rows] == [OTHER] and rows[0].opted_out


def test_counts(chats, staff):
    with tenant_session(chats.a.id) as db:
        counts = inbox.inbox_counts(db, tenant_id=chats.a.id, user_id=staff.dana.user_id)
    assert (counts.all, counts.unread, counts.mine, counts.needs_human) == (2, 2, 0, 1)


def test_thread_has_both_directions_in_order(chats):
    with tenant_session(chats.a.id) as db:
        thread = inbox.get_thread(db, tenant_id=chats.a.id, conversation_id=conversation_id(chats.a.id, OTHER))
    assert [(m.direction, m.status) for m in thread.messages] == [("in", "received"), ("out", "simulated")]
    assert thread.messages[1].status_label == "Simulated (not sent)"
    assert thread.messages[1].sender_name == "automatic reply"
    assert thread.messages[0].handling == "help"
    assert not thread.has_more


def test_thread_pages_back(chats):
    for i in range(5):
        chats.twilio.text(to=A_MAIN, frm=CUSTOMER, body=f"message {i}")
    with tenant_session(chats.a.id) as db:
        page = inbox.get_thread(db, tenant_id=chats.a.id, conversation_id=conversation_id(chats.a.id), limit=3)
        assert [m.body for m in page.messages] == ["message 2", "message 3", "message 4"] and page.has_more
        older = inbox.get_thread(db, tenant_id=chats.a.id, conversation_id=conversation_id(chats.a.id), limit=3,
                                 before=page.messages[0].at)
    assert [m.body for m in older.messages] == ["Do you do ceramic coating?", "message 0", "message 1"]


def test_staff_reply_takes_over_and_clears_unread(chats, staff, q):
    cid = conversation_id(chats.a.id)
    with tenant_session(chats.a.id) as db:
        row = actions.do_send_staff_reply(db, tenant_id=chats.a.id, conversation_id=cid,
                                          body="Yes! Ceramic coating starts at $499.", acting_user=staff.dana)
    assert q.outbound_row(chats.a.id, row.id).status == "simulated"
    (conv,) = [c for c in q.conversations(chats.a.id) if c.id == cid]
    assert (conv.mode, conv.assigned_user_id, conv.unread_count, conv.needs_human) == (
        "manual", staff.dana.user_id, 0, False)
    assert conv.last_message_preview == "Yes! Ceramic coating starts at $499."
    with tenant_session(chats.a.id) as db:
        actions_logged = db.exec(select(AuditLog.action).order_by(AuditLog.at)).all()
    assert "conversation.taken_over" in actions_logged and "sms.queued" in actions_logged


def test_ai_does_not_answer_after_staff_took_over(chats, staff, q):
    automation.register_responder(lambda ctx: "AI answer")
    with tenant_session(chats.a.id) as db:
        actions.do_take_over(db, tenant_id=chats.a.id, conversation_id=conversation_id(chats.a.id),
                             acting_user=staff.dana)
    chats.twilio.text(to=A_MAIN, frm=CUSTOMER, body="How long does it take?")
    assert [r.body for r in q.outbound(chats.a.id, to=CUSTOMER)] == []
    assert q.inbound(chats.a.id)[-1].handling == "staff"


def test_staff_reply_to_opted_out_customer_is_refused(chats, staff, q):
    chats.twilio.text(to=A_MAIN, frm=CUSTOMER, body="STOP")
    before = len(q.outbound(chats.a.id))
    with pytest.raises(UserError, match="opted out"):
        with tenant_session(chats.a.id) as db:
            actions.do_send_staff_reply(db, tenant_id=chats.a.id, conversation_id=conversation_id(chats.a.id),
                                        body="Are you sure?", acting_user=staff.dana)
    assert len(q.outbound(chats.a.id)) == before


def test_staff_reply_refusal_dates_the_opt_out_in_the_business_zone(chats, staff):
    """An opt-out at 20:00 in Chicago (02:00 UTC the next day) is reported on the Chicago day."""
    import datetime as dt

    from backend.messaging.models import SmsConsent

    chats.twilio.text(to=A_MAIN, frm=CUSTOMER, body="STOP")
    with tenant_session(chats.a.id) as db:
        consent = db.exec(select(SmsConsent).where(SmsConsent.phone_e164 == CUSTOMER)).one()
        consent.updated_at = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.timezone.utc)
        db.add(consent)
    with pytest.raises(UserError, match="opted out of texts on Nov 21, 2026"):
        with tenant_session(chats.a.id) as db:
            actions.do_send_staff_reply(db, tenant_id=chats.a.id, conversation_id=conversation_id(chats.a.id),
                                        body="Are you sure?", acting_user=staff.dana)


def test_take_over_and_hand_back_are_audited(chats, staff):
    cid = conversation_id(chats.a.id)
    with tenant_session(chats.a.id) as db:
        conv = actions.do_take_over(db, tenant_id=chats.a.id, conversation_id=cid, acting_user=staff.alice)
        assert (conv.mode, conv.assigned_user_id, conv.needs_human) == ("manual", staff.alice.user_id, False)
    with tenant_session(chats.a.id) as db:
        conv = actions.do_hand_back(db, tenant_id=chats.a.id, conversation_id=cid, acting_user=staff.alice)
        assert (conv.mode, conv.assigned_user_id) == ("ai", None)
    with tenant_session(chats.a.id) as db:
        conv = actions.do_pause_conversation(db, tenant_id=chats.a.id, conversation_id=cid, acting_user=staff.alice)
        assert conv.mode == "paused"
    with tenant_session(chats.a.id) as db:
        rows = db.exec(select(AuditLog).where(AuditLog.target_id == cid).order_by(AuditLog.at)).all()
    assert [r.action for r in rows] == ["conversation.taken_over", "conversation.handed_back", "conversation.paused"]
    assert all(r.actor_user_id == staff.alice.user_id for r in rows)


def test_paused_conversation_still_honours_stop(chats, staff, q):
    automation.register_responder(lambda ctx: "AI answer")
    with tenant_session(chats.a.id) as db:
        actions.do_pause_conversation(db, tenant_id=chats.a.id, conversation_id=conversation_id(chats.a.id),
                                      acting_user=staff.alice)
    chats.twilio.text(to=A_MAIN, frm=CUSTOMER, body="anyone?")
    chats.twilio.text(to=A_MAIN, frm=CUSTOMER, body="STOP")
    assert [r.kind for r in q.outbound(chats.a.id, to=CUSTOMER)] == ["consent"]


def test_assign_only_to_members_of_the_tenant(chats, staff):
    cid = conversation_id(chats.a.id)
    with tenant_session(chats.a.id) as db:
        conv = actions.do_assign_conversation(db, tenant_id=chats.a.id, conversation_id=cid,
                                              user_id=staff.dana.user_id, acting_user=staff.alice)
        assert conv.assigned_user_id == staff.dana.user_id
    with pytest.raises(NotFound, match="No such staff member"):
        with tenant_session(chats.a.id) as db:
            actions.do_assign_conversation(db, tenant_id=chats.a.id, conversation_id=cid, user_id=staff.bob.user_id,
                                           acting_user=staff.alice)
    assert listing(chats.a.id, filter="mine", user_id=staff.dana.user_id)[0].assigned_user_name == "Dana Staff"


def test_mark_read(chats, staff):
    cid = conversation_id(chats.a.id)
    with tenant_session(chats.a.id) as db:
        actions.do_mark_conversation_read(db, tenant_id=chats.a.id, conversation_id=cid, acting_user=staff.dana)
    assert [r.unread_count for r in listing(chats.a.id) if r.id == cid] == [0]


def test_customer_panel(chats):
    with tenant_session(chats.a.id) as db:
        panel = inbox.customer_panel(db, tenant_id=chats.a.id, conversation_id=conversation_id(chats.a.id))
    assert (panel.name, panel.phone, panel.tags, panel.consent.state) == ("Jordan Ellis", CUSTOMER, ["vip"], "unknown")
    assert panel.upcoming_appointments == [] or isinstance(panel.upcoming_appointments, list)


def test_composer_info_counts_segments():
    info = inbox.composer_info("Hi 😀")
    assert (info.encoding, info.segments, info.remaining_in_segment, info.non_gsm_characters) == (
        "UCS-2", 1, 65, ["😀"])
    assert inbox.composer_info("a" * 161).segments == 2


# ---- tenant safety -------------------------------------------------------------------------------


def test_access_helpers_raise_the_same_error_for_missing_and_other_tenants_ids(chats, staff):
    chats.twilio.text(to=B_MAIN, frm=CUSTOMER, body="lawn?")
    b_conversation = conversation_id(chats.b.id)
    for bad_id in ("does-not-exist", b_conversation, None, 12345):
        with pytest.raises(NotFound, match="No such conversation."):
            with tenant_session(chats.a.id) as db:
                messaging_service.access_conversation_by_id(db, tenant_id=chats.a.id, conversation_id=bad_id)
    with pytest.raises(NotFound, match="No such conversation."):
        with tenant_session(chats.a.id) as db:
            actions.do_take_over(db, tenant_id=chats.a.id, conversation_id=b_conversation, acting_user=staff.alice)
    with pytest.raises(NotFound, match="No such conversation."):
        with tenant_session(chats.a.id) as db:
            inbox.get_thread(db, tenant_id=chats.a.id, conversation_id=b_conversation)


def test_other_tenants_staff_cannot_act(chats, staff):
    with pytest.raises(PermissionDenied):
        with tenant_session(chats.a.id) as db:
            actions.do_take_over(db, tenant_id=chats.a.id, conversation_id=conversation_id(chats.a.id),
                                 acting_user=staff.bob)
    with pytest.raises(PermissionDenied):
        with tenant_session(chats.a.id) as db:
            actions.do_send_staff_reply(db, tenant_id=chats.a.id, conversation_id=conversation_id(chats.a.id),
                                        body="hi", acting_user=None)


def test_list_never_shows_another_tenants_conversations(chats):
    chats.twilio.text(to=B_MAIN, frm="+15125550199", body="lawn?")
    assert {r.phone for r in listing(chats.a.id)} == {CUSTOMER, OTHER}
    assert [r.phone for r in listing(chats.b.id)] == ["+15125550199"]
