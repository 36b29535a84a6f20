"""Consent keywords through the real webhook: every keyword, the ledger, Customer.sms_consent,
the single confirmation, silence towards opted-out numbers on every tenant number."""

from __future__ import annotations

import pytest

from backend.customers import service as customers_service
from backend.db.session import tenant_session
from backend.messaging import actions, automation
from backend.messaging import service as messaging_service
from backend.messaging.compliance import HELP_KEYWORDS, OPT_IN_KEYWORDS, OPT_OUT_KEYWORDS
from tests.integration.messaging.conftest import A_MAIN, A_SECOND, B_MAIN, CUSTOMER


def consent_of(tenant_id: str, phone: str = CUSTOMER) -> str:
    with tenant_session(tenant_id) as db:
        customer = customers_service.get_by_phone(db, tenant_id=tenant_id, phone_e164=phone)
        return customer.sms_consent


@pytest.mark.parametrize("keyword", sorted(OPT_OUT_KEYWORDS))
def test_every_opt_out_keyword_opts_out_with_one_confirmation(world, q, keyword):
    world.twilio.text(to=A_MAIN, body=keyword.lower())
    (reply,) = q.outbound(world.a.id)
    assert reply.kind == "consent"
    assert "unsubscribed" in reply.body and "START" in reply.body
    assert consent_of(world.a.id) == "opted_out"
    (event,) = q.consent_events(world.a.id)
    assert (event.state, event.source, event.channel, event.text, event.tenant_number) == (
        "opted_out", "keyword", "sms", keyword.lower(), A_MAIN)
    assert event.message_sid == q.inbound(world.a.id)[0].provider_sid


@pytest.mark.parametrize("keyword", sorted(OPT_IN_KEYWORDS))
def test_every_opt_in_keyword_opts_back_in(world, q, keyword):
    world.twilio.text(to=A_MAIN, body="STOP")
    world.twilio.text(to=A_MAIN, body=f" {keyword.title()} ")
    replies = q.outbound(world.a.id)
    assert [r.kind for r in replies] == ["consent", "consent"]
    assert "resubscribed" in replies[1].body
    assert consent_of(world.a.id) == "opted_in"
    assert [e.state for e in q.consent_events(world.a.id)] == ["opted_out", "opted_in"]
    assert q.consent_events(world.a.id)[1].text == f" {keyword.title()} "


@pytest.mark.parametrize("keyword", sorted(HELP_KEYWORDS))
def test_help_keywords_reply_with_the_tenants_help_text(world, q, keyword):
    from backend.tenancy import service as tenancy_service

    with tenant_session(world.a.id) as db:
        config = tenancy_service.get_config(db, tenant_id=world.a.id)
        config.sms_help_text = "Acme Detailing help: call 918-555-0100. Reply STOP to opt out."
        db.add(config)
    world.twilio.text(to=A_MAIN, body=keyword)
    (reply,) = q.outbound(world.a.id)
    assert reply.body == "Acme Detailing help: call 918-555-0100. Reply STOP to opt out."
    assert reply.from_number == A_MAIN and reply.to_number == CUSTOMER
    assert q.inbound(world.a.id)[0].handling == "help"
    assert q.consent_events(world.a.id) == []


def test_opted_out_number_gets_nothing_but_the_single_confirmation(world, q):
    """After STOP: no reply to text, HELP, a second STOP, from either of the tenant's numbers;
    the AI is never asked."""
    asked = []
    automation.register_responder(lambda ctx: asked.append(ctx) or "Sure!")
    world.twilio.text(to=A_MAIN, body="STOP")
    world.twilio.text(to=A_MAIN, body="hello?")
    world.twilio.text(to=A_SECOND, body="are you there")
    world.twilio.text(to=A_MAIN, body="HELP")
    world.twilio.text(to=A_SECOND, body="STOP")
    assert len(q.outbound(world.a.id)) == 1
    assert asked == []
    assert [m.handling for m in q.inbound(world.a.id)] == [
        "opt_out", "ignored_opted_out", "ignored_opted_out", "ignored_opted_out", "opt_out"]


def test_opt_out_is_per_tenant(world, q):
    world.twilio.text(to=A_MAIN, body="STOP")
    world.twilio.text(to=B_MAIN, body="HELP")
    assert len(q.outbound(world.b.id)) == 1
    with tenant_session(world.b.id) as db:
        assert not messaging_service.is_opted_out(db, tenant_id=world.b.id, phone_e164=CUSTOMER)


def test_staff_and_system_sends_to_opted_out_numbers_are_suppressed(world, q):
    world.twilio.text(to=A_MAIN, body="STOP")
    with tenant_session(world.a.id) as db:
        row = actions.send_sms(db, tenant_id=world.a.id, to=CUSTOMER, body="Reminder: tomorrow 9am", kind="reminder")
    assert row.status == "suppressed"
    assert "opted out" in row.error_message
    assert [r.status for r in q.outbound(world.a.id)] == ["simulated", "suppressed"]


def test_keyword_inside_a_sentence_is_a_normal_message(world, q):
    world.twilio.text(to=A_MAIN, body="Please stop by at noon")
    assert q.consent_events(world.a.id) == []
    assert q.inbound(world.a.id)[0].handling == "needs_human"


def test_yes_from_a_subscribed_number_also_reaches_the_responder(world, q):
    """YES is an opt-in keyword, but from a subscribed number it is usually an answer."""
    automation.register_responder(lambda ctx: f"Got your {ctx.body}")
    world.twilio.text(to=A_MAIN, body="YES")
    (reply,) = q.outbound(world.a.id)
    assert reply.body == "Got your YES" and reply.kind == "reply"
    assert [e.state for e in q.consent_events(world.a.id)] == ["opted_in"]


def test_start_without_a_previous_opt_out_sends_no_confirmation(world, q):
    world.twilio.text(to=A_MAIN, body="START")
    assert q.outbound(world.a.id) == []
    assert consent_of(world.a.id) == "opted_in"


def test_custom_opt_out_text_is_used(world, q, staff):
    with tenant_session(world.a.id) as db:
        actions.do_update_messaging_settings(db, tenant_id=world.a.id, acting_user=staff.alice, settings_in={
            "opt_out_text": "Acme: you won't hear from us again. Text START to come back.",
            "missed_call_text": "Sorry we missed you!",
        })
    world.twilio.text(to=A_MAIN, body="stop")
    assert q.outbound(world.a.id)[0].body == "Acme: you won't hear from us again. Text START to come back."


def test_staff_can_record_an_opt_out_and_opt_in_needs_a_reason(world, q, staff):
    from backend.errors import UserError

    world.twilio.text(to=A_MAIN, body="hi")
    with tenant_session(world.a.id) as db:
        actions.do_record_staff_consent(db, tenant_id=world.a.id, phone="(918) 555-1234", state="opted_out",
                                        note="Asked us on the phone to stop texting", acting_user=staff.dana)
    assert consent_of(world.a.id) == "opted_out"
    with pytest.raises(UserError, match="how the customer agreed"):
        with tenant_session(world.a.id) as db:
            actions.do_record_staff_consent(db, tenant_id=world.a.id, phone=CUSTOMER, state="opted_in", note="ok",
                                            acting_user=staff.dana)
    (event,) = q.consent_events(world.a.id)
    assert (event.source, event.actor_user_id) == ("staff", staff.dana.user_id)
