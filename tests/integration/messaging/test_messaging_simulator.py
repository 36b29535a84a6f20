"""The phone simulator backend and the `sms` / `conversation` CLI commands: real signed
requests through the in-process webhook."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from backend.config import get_settings
from backend.db.session import tenant_session
from backend.errors import PermissionDenied, UserError
from backend.messaging import simulator
from backend.vault import crypto
from tests.integration.messaging.conftest import A_MAIN, A_SECOND, B_MAIN, CUSTOMER


def test_send_inbound_goes_through_the_webhook_and_reports_replies(world, q):
    result = simulator.send_inbound(to_number="(918) 555-0100", from_number="918-555-1234", body="HELP")
    assert result.status_code == 200
    assert result.tenant_id == world.a.id
    assert result.handling == "help"
    assert not result.duplicate
    (reply,) = result.replies
    assert (reply.status, reply.kind, reply.from_number, reply.to_number) == ("simulated", "system", A_MAIN, CUSTOMER)
    (message,) = q.inbound(world.a.id)
    assert message.provider_sid == result.message_sid and result.message_sid.startswith("SM")


def test_resending_the_same_sid_is_a_duplicate_without_a_second_reply(world, q):
    first = simulator.send_inbound(to_number=A_MAIN, from_number=CUSTOMER, body="HELP", message_sid="SM" + "a" * 32)
    again = simulator.send_inbound(to_number=A_MAIN, from_number=CUSTOMER, body="HELP", message_sid="SM" + "a" * 32)
    assert again.duplicate and not first.duplicate
    assert again.message_id == first.message_id
    assert len(q.outbound(world.a.id)) == 1


def test_mms_from_the_simulator(world, q):
    result = simulator.send_inbound(to_number=A_MAIN, from_number=CUSTOMER, body="see pic",
                                    media=["https://example.test/photo.jpg"])
    assert result.message_sid.startswith("MM")
    assert q.inbound(world.a.id)[0].media == [{"url": "https://example.test/photo.jpg", "content_type": "image/jpeg"}]


def test_thread_shows_one_phone_with_one_tenant_number(world):
    simulator.send_inbound(to_number=A_MAIN, from_number=CUSTOMER, body="HELP")
    simulator.send_inbound(to_number=A_SECOND, from_number=CUSTOMER, body="INFO")
    simulator.send_inbound(to_number=A_MAIN, from_number="+19185550166", body="HELP")
    messages = simulator.thread(tenant_number=A_MAIN, phone=CUSTOMER)
    assert [(m.direction, m.body[:4]) for m in messages] == [("in", "HELP"), ("out", "Acme")]
    assert [m.direction for m in simulator.thread(tenant_number=A_SECOND, phone=CUSTOMER)] == ["in", "out"]
    assert simulator.thread(tenant_number=B_MAIN, phone=CUSTOMER) == []


def test_opt_out_and_back_in_from_the_simulator(world):
    assert simulator.send_inbound(to_number=A_MAIN, from_number=CUSTOMER, body="STOP").handling == "opt_out"
    quiet = simulator.send_inbound(to_number=A_MAIN, from_number=CUSTOMER, body="hello")
    assert (quiet.handling, quiet.replies) == ("ignored_opted_out", [])
    back = simulator.send_inbound(to_number=A_MAIN, from_number=CUSTOMER, body="START")
    assert back.handling == "opt_in" and "resubscribed" in back.replies[0].body


def test_unknown_number_and_bad_input_are_refused(world):
    with pytest.raises(UserError, match="not the number of any business"):
        simulator.send_inbound(to_number="+13105550100", from_number=CUSTOMER, body="hi")
    with pytest.raises(UserError, match="not a valid phone number"):
        simulator.send_inbound(to_number=A_MAIN, from_number="123", body="hi")


def test_simulator_signs_with_a_byo_tenants_own_token(world, q):
    from backend.messaging import webhooks
    from backend.tenancy import service as tenancy_service

    with tenant_session(world.b.id) as db:
        config = tenancy_service.get_phone_configs(db, tenant_id=world.b.id)[0]
        config.twilio_account_sid = "AC" + "e" * 32
        config.twilio_auth_token_encrypted = crypto.encrypt("bravo-own-token")
        db.add(config)
    webhooks.own_accounts.invalidate()
    result = simulator.send_inbound(to_number=B_MAIN, from_number=CUSTOMER, body="hi from BYO")
    assert result.status_code == 200
    assert q.inbound(world.b.id)[0].account_sid == "AC" + "e" * 32


async def test_async_variant(world):
    result = await simulator.send_inbound_async(to_number=A_MAIN, from_number=CUSTOMER, body="INFO")
    assert result.handling == "help"


def test_sync_variant_works_inside_a_running_loop(world):
    import asyncio

    async def call():
        return simulator.send_inbound(to_number=A_MAIN, from_number=CUSTOMER, body="INFO")

    assert asyncio.run(call()).handling == "help"


def test_page_helpers_check_who_may_simulate(world, staff, monkeypatch):
    numbers = simulator.simulator_numbers(acting_user=staff.alice, tenant_id=world.a.id)
    assert [n["number"] for n in numbers] == [A_MAIN, A_SECOND]
    result = simulator.simulate_customer_text(acting_user=staff.alice, tenant_id=world.a.id, tenant_number=A_MAIN,
                                              from_number="+19185550166", body="hi")
    assert result.status_code == 200
    with pytest.raises(PermissionDenied):
        simulator.simulate_customer_text(acting_user=staff.dana, tenant_id=world.a.id, tenant_number=A_MAIN,
                                         from_number=CUSTOMER, body="hi")
    with pytest.raises(PermissionDenied):
        simulator.simulate_customer_text(acting_user=staff.bob, tenant_id=world.a.id, tenant_number=A_MAIN,
                                         from_number=CUSTOMER, body="hi")
    with pytest.raises(UserError, match="not one of this business's numbers"):
        simulator.simulate_customer_text(acting_user=staff.bob, tenant_id=world.b.id, tenant_number=A_MAIN,
                                         from_number=CUSTOMER, body="hi")
    monkeypatch.setattr(get_settings(), "sms_provider", "twilio")
    with pytest.raises(UserError, match="only available while SMS_PROVIDER=simulator"):
        simulator.simulate_customer_text(acting_user=staff.alice, tenant_id=world.a.id, tenant_number=A_MAIN,
                                         from_number=CUSTOMER, body="hi")


# ---- CLI ------------------------------------------------------------------------------------------


def cli(*args):
    from backend.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_sms_prints_the_help_reply(world):
    result = cli("sms", "--to", A_MAIN, "--from", CUSTOMER, "--body", "HELP", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["handling"] == "help"
    assert data["replies"][0]["body"].startswith("Acme Detailing")
    assert data["replies"][0]["status"] == "simulated"


def test_cli_sms_stop_then_hello(world):
    stop = json.loads(cli("sms", "--to", A_MAIN, "--from", CUSTOMER, "--body", "STOP", "--json").output)
    hello = json.loads(cli("sms", "--to", A_MAIN, "--from", CUSTOMER, "--body", "hello", "--json").output)
    assert stop["handling"] == "opt_out" and len(stop["replies"]) == 1
    assert hello["handling"] == "ignored_opted_out" and hello["replies"] == []


def test_cli_conversation_transcript(world):
    cli("sms", "--to", A_MAIN, "--from", CUSTOMER, "--body", "HELP")
    result = cli("conversation", "--tenant", "acme", "--phone", "(918) 555-1234", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [m["direction"] for m in data["messages"]] == ["in", "out"]
    assert data["phone"] == CUSTOMER and data["mode"] == "ai"
    sent = dt.datetime.fromisoformat(data["messages"][0]["at"])  # the business's local time, with its offset
    assert sent.utcoffset() == sent.astimezone(ZoneInfo("America/Chicago")).utcoffset()
    human = cli("conversation", "--tenant", "acme", "--phone", CUSTOMER)
    assert "← HELP" in human.output


def test_cli_errors(world, monkeypatch):
    assert cli("conversation", "--tenant", "nope", "--phone", CUSTOMER).exit_code == 2
    assert cli("conversation", "--tenant", "acme", "--phone", "+19185550166").exit_code == 2
    assert cli("sms", "--to", "+13105550100", "--from", CUSTOMER, "--body", "hi").exit_code == 2
    monkeypatch.setattr(get_settings(), "sms_provider", "twilio")
    assert cli("sms", "--to", A_MAIN, "--from", CUSTOMER, "--body", "hi").exit_code == 2
