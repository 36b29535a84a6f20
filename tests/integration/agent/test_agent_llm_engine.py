"""The LLM engine against a local fake OpenAI-compatible server (real HTTP, the real SDK):
the tool loop runs the shared tools and books after the customer's YES; a timeout, an API
error, malformed tool arguments or an invented price make the rules engine answer that turn;
nothing is lost (state persisted, no duplicate booking)."""

from __future__ import annotations

import time

import pytest

from backend.agent import interface, llm_engine
from backend.agent.knowledge import build_knowledge
from backend.agent.state import DialogueState
from backend.config import get_settings
from tests.integration.agent.fake_openai import FakeOpenAI, final, http_error, tool_calls
from tests.unit.agent.helpers import CUSTOMER

START = "2030-06-07T10:00:00-05:00"  # Fri Jun 7, 10:00 AM in Tulsa


@pytest.fixture()
def llm(monkeypatch):
    server = FakeOpenAI().start()
    settings = get_settings()
    monkeypatch.setattr(settings, "llm_provider", "openai")
    monkeypatch.setattr(settings, "openai_base_url", server.base_url)
    monkeypatch.setattr(settings, "openai_model", "fake-model")
    monkeypatch.setitem(interface.LLM_TIMEOUTS, "sms", 5.0)
    yield server
    server.stop()


def booking_calls(shop, *, address: str = "123 Main St, Tulsa OK 74105") -> list:
    service_id = shop.service_id("Express Wash & Wax")
    attributes = [{"key": "vehicle_size", "value": "sedan"}]
    return [
        tool_calls(("find_slots", {"service_id": service_id, "addon_ids": [], "attributes": attributes,
                                   "date_from": "2030-06-07", "date_to": "2030-06-07", "earliest_time": "10:00",
                                   "latest_time": "10:00"})),
        tool_calls(("book_appointment", {"service_id": service_id, "start": START, "addon_ids": [],
                                         "attributes": attributes, "address": address, "customer_name": "Ann Lee"})),
    ]


def confirm_call(shop) -> dict:
    service_id = shop.service_id("Express Wash & Wax")
    return tool_calls(("book_appointment", {"service_id": service_id, "start": START, "addon_ids": [],
                                            "attributes": [{"key": "vehicle_size", "value": "sedan"}],
                                            "address": "123 Main St, Tulsa OK 74105", "customer_name": "Ann Lee"}))


def test_tool_loop_quotes_asks_for_yes_then_books(shop, llm):
    llm.script = [*booking_calls(shop), final("Book Express Wash & Wax on Fri Jun 7 at 10:00 AM for $79-$99? "
                                              "Reply YES to confirm.")]
    reply = shop.text("Can you wash my sedan friday at 10am? 123 Main St, Tulsa OK 74105. I'm Ann Lee")
    assert reply == ["Book Express Wash & Wax on Fri Jun 7 at 10:00 AM for $79-$99? Reply YES to confirm."]
    assert shop.appointments() == []  # the first book call only stores the summary
    request = llm.requests[0]
    assert request["model"] == "fake-model"
    assert {t["function"]["name"] for t in request["tools"]} >= {"quote_price", "find_slots", "book_appointment"}
    system = request["messages"][0]["content"]
    assert "Shine Mobile Detailing" in system and "Never invent a price" in system and "Express Wash & Wax" in system
    tool_result = [m for m in llm.requests[1]["messages"] if m["role"] == "tool"][0]
    assert "Fri Jun 7 at 10:00 AM" in tool_result["content"]

    llm.script = [confirm_call(shop), final("You're booked for Fri Jun 7 at 10:00 AM!")]
    assert shop.text("yes") == ["You're booked for Fri Jun 7 at 10:00 AM!"]
    (appointment,) = shop.appointments()
    assert appointment.source == "sms"
    assert len(shop.outbound(kind="confirmation")) == 1


def test_timeout_falls_back_to_the_rules_engine_for_that_turn(shop, llm, monkeypatch):
    monkeypatch.setitem(interface.LLM_TIMEOUTS, "sms", 0.3)
    llm.delay = 1.5
    started = time.monotonic()
    reply = shop.text("How much for a full detail on an SUV?")
    assert time.monotonic() - started < 1.4
    assert reply[0].startswith("Full Detail (SUV): $269-$339")  # the rules engine's answer
    assert shop.state()["service_id"] == shop.service_id("Full Detail")


def test_api_error_falls_back(shop, llm):
    llm.script = [http_error(500)]
    assert shop.text("what are your hours?") == ["Our hours are Mon-Fri 8 AM-6 PM, Sat 8 AM-4 PM; closed Sun."]


@pytest.mark.parametrize("arguments", ["{not json", '{"service_id": 5}', '{"service_id": "x", "hack": true}'])
def test_malformed_tool_arguments_fall_back(shop, llm, arguments):
    llm.script = [tool_calls(("quote_price", arguments))]
    reply = shop.text("How much for a full detail on an SUV?")
    assert reply[0].startswith("Full Detail (SUV): $269-$339")


def test_a_price_no_tool_returned_is_never_sent(shop, llm):
    llm.script = [final("A full detail is just $50 today!")]
    reply = shop.text("How much for a full detail on an SUV?")
    assert "$50 today" not in reply[0] and reply[0].startswith("Full Detail (SUV): $269-$339")


def test_nothing_is_lost_when_the_llm_fails_after_a_pending_confirmation(shop, llm):
    """Turn 1 by the LLM stores the summary; turn 2's LLM call fails; the rules engine books on
    the same state, once - a re-delivered message does not book again."""
    llm.script = [*booking_calls(shop), final("Book Express Wash & Wax on Fri Jun 7 at 10:00 AM for $79-$99? "
                                              "Reply YES to confirm.")]
    shop.text("Wash my sedan friday at 10am please, 123 Main St, Tulsa OK 74105, I'm Ann Lee")
    assert shop.state()["pending"]["kind"] == "book"
    llm.script = [http_error(503)]
    reply = shop.text("yes")
    assert reply[0].startswith("You're booked! Express Wash & Wax on Fri Jun 7 at 10:00 AM")
    assert len(shop.appointments()) == 1 and len(shop.outbound(kind="confirmation")) == 1


def test_a_booking_made_before_the_llm_failed_is_reported_not_repeated(shop, llm):
    llm.script = [*booking_calls(shop), final("Book Express Wash & Wax on Fri Jun 7 at 10:00 AM for $79-$99? "
                                              "Reply YES to confirm.")]
    shop.text("Wash my sedan friday at 10am please, 123 Main St, Tulsa OK 74105, I'm Ann Lee")
    llm.script = [confirm_call(shop), http_error(500)]
    reply = shop.text("yes")
    assert reply == ["You're booked! Express Wash & Wax on Fri Jun 7 at 10:00 AM. You'll get a confirmation text."]
    assert len(shop.appointments()) == 1 and len(shop.outbound(kind="confirmation")) == 1


def test_handoff_tool_hands_the_conversation_to_staff(shop, llm):
    llm.script = [tool_calls(("handoff_to_human", {"reason": "Customer wants a fleet contract"})),
                  final("I've asked a person from our team to follow up with you shortly.")]
    assert shop.text("I run a fleet of 40 vans, who do I talk to about a contract?") == [
        "I've asked a person from our team to follow up with you shortly."]
    conversation = shop.conversation(CUSTOMER)
    assert (conversation.mode, conversation.needs_human) == ("manual", True)


def test_system_prompt_is_built_from_the_knowledge_layers(shop):
    with shop.session() as db:
        kn = build_knowledge(db, tenant_id=shop.tenant_id)
    sms = llm_engine.system_prompt(kn, "sms", state=DialogueState())
    voice = llm_engine.system_prompt(kn, "voice", state=DialogueState())
    assert "at most 320 characters" in sms and "one or two short sentences" in voice
    for expected in ("Hours: Mon-Fri 8 AM-6 PM", "Service area: the Tulsa metro (741xx)", "Full Detail (id ",
                     "Price depends on: Vehicle size, Vehicle condition", "Do you need water or power",
                     "Exterior services are moved at no charge", "You book mobile auto detailing"):
        assert expected in sms, expected


def test_the_yes_matches_the_same_instant_written_in_utc(shop, llm):
    llm.script = [*booking_calls(shop), final("Book Express Wash & Wax on Fri Jun 7 at 10:00 AM for $79-$99? "
                                              "Reply YES to confirm.")]
    shop.text("Wash my sedan friday at 10am please, 123 Main St, Tulsa OK 74105, I'm Ann Lee")
    in_utc = confirm_call(shop)
    call = in_utc["message"]["tool_calls"][0]["function"]
    call["arguments"] = call["arguments"].replace(START, "2030-06-07T15:00:00Z")
    llm.script = [in_utc, final("You're booked!")]
    assert shop.text("yes") == ["You're booked!"]
    assert len(shop.appointments()) == 1
