"""The shared tools: the same prices as pricing.quote_price, times from the availability
engine, bookings through the scheduling action with exactly one confirmation text, ids looked
up inside the tenant, and strict argument validation with the JSON schemas the LLM gets."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from backend.agent import tools
from backend.agent.knowledge import build_knowledge
from backend.scheduling import pricing
from tests.unit.agent.helpers import CHICAGO, CUSTOMER, NOW, make_shop


def context(shop, *, channel: str = "sms", phone: str | None = CUSTOMER, db=None):
    return tools.ToolContext(tenant_id=shop.tenant_id, channel=channel, conversation_key="conv-1", now=NOW,
                             knowledge=build_knowledge(db, tenant_id=shop.tenant_id), phone=phone)


def attrs(**values):
    return [tools.AttributeValue(key=k, value=v) for k, v in values.items()]


def test_quote_price_is_exactly_pricing_quote_price(shop):
    service_id = shop.service_id("Full Detail")
    with shop.session() as db:
        ctx = context(shop, db=db)
        result = tools.run_tool(db, ctx, "quote_price", tools.QuotePriceArgs(
            service_id=service_id, attributes=attrs(vehicle_size="suv", condition="heavy")))
        expected = pricing.quote_price(db, tenant_id=shop.tenant_id, service_id=service_id,
                                       attributes={"vehicle_size": "suv", "condition": "heavy"})
    assert (result["min_cents"], result["max_cents"], result["price"]) == (expected.min_cents, expected.max_cents,
                                                                           "$319–$389")


def test_list_services_prices_come_from_quotes_at_default_options(shop):
    with shop.session() as db:
        result = tools.list_services(db, context(shop, db=db), tools.ListServicesArgs())
    full = next(s for s in result["services"] if s["name"] == "Full Detail")
    assert full["price"] == "$229–$299"
    assert [d["key"] for d in full["price_depends_on"]] == ["vehicle_size", "condition"]


def test_find_slots_returns_at_most_three_open_times_in_the_window(shop):
    with shop.session() as db:
        result = tools.find_slots(db, context(shop, db=db), tools.FindSlotsArgs(
            service_id=shop.service_id("Express Wash & Wax"), date_from=dt.date(2030, 6, 8),
            date_to=dt.date(2030, 6, 8), earliest_time="09:00", latest_time="12:00"))
    # 75 minutes between 9:00 and noon with lunch at 12:00: 9:00–10:30 start; three of the four.
    assert [s["label"] for s in result["slots"]] == ["Sat Jun 8 at 9:00 AM", "Sat Jun 8 at 9:30 AM",
                                                     "Sat Jun 8 at 10:00 AM"]
    assert result["more_available"] is True


def test_book_appointment_creates_it_for_the_conversations_phone_with_one_confirmation(shop):
    start = dt.datetime(2030, 6, 7, 10, 0, tzinfo=CHICAGO)
    with shop.session() as db:
        result = tools.book_appointment(db, context(shop, db=db), tools.BookAppointmentArgs(
            service_id=shop.service_id("Express Wash & Wax"), start=start, attributes=attrs(vehicle_size="sedan"),
            address="123 Main St, Tulsa OK 74105", customer_name="Ann Lee"))
    assert result["status"] == "booked" and result["label"] == "Fri Jun 7 at 10:00 AM"
    (appointment,) = shop.appointments()
    assert appointment.source == "sms"
    assert len(shop.outbound(kind="confirmation")) == 1


def test_book_appointment_that_breaks_a_rule_changes_nothing(shop):
    too_soon = dt.datetime(2030, 6, 4, 10, 0, tzinfo=CHICAGO)
    with shop.session() as db:
        result = tools.book_appointment(db, context(shop, db=db), tools.BookAppointmentArgs(
            service_id=shop.service_id("Express Wash & Wax"), start=too_soon))
    assert result["status"] == "error" and "notice" in result["message"]
    assert shop.appointments() == [] and shop.outbound(kind="confirmation") == []


def test_another_tenants_service_id_is_not_found(shop):
    other = make_shop("other", number="+19185550155")
    foreign = other.service_id("Full Detail")
    with shop.session() as db:
        result = tools.run_tool(db, context(shop, db=db), "quote_price", tools.QuotePriceArgs(service_id=foreign))
        booked = tools.run_tool(db, context(shop, db=db), "book_appointment", tools.BookAppointmentArgs(
            service_id=foreign, start=dt.datetime(2030, 6, 7, 10, 0, tzinfo=CHICAGO)))
    assert result == {"status": "error", "message": "One of those services does not exist."}
    assert booked["status"] == "error"
    assert shop.appointments() == [] and other.appointments() == []


def test_reschedule_and_cancel_only_touch_the_texting_customers_appointments(shop):
    shop.add_customer("Owner One")
    shop.add_customer("Someone Else", phone="+19185550199")
    theirs = shop.book("Express Wash & Wax", "2030-06-07 09:00", phone="+19185550199")
    with shop.session() as db:
        ctx = context(shop, db=db)
        assert tools.run_tool(db, ctx, "cancel", tools.CancelArgs(appointment_id=theirs)) == {
            "status": "error", "message": "No such appointment."}
        web = context(shop, channel="web", db=db)
        refused = tools.run_tool(db, web, "cancel", tools.CancelArgs(appointment_id=theirs))
    assert "phone number on the booking" in refused["message"]
    assert [a.status for a in shop.appointments("+19185550199")] == ["confirmed"]


def test_lookup_customer_is_refused_to_unverified_web_visitors(shop):
    shop.add_customer("Owner One")
    shop.book("Express Wash & Wax", "2030-06-07 09:00")
    with shop.session() as db:
        sms = tools.lookup_customer(db, context(shop, db=db), tools.LookupCustomerArgs())
        web = tools.lookup_customer(db, context(shop, channel="web", db=db), tools.LookupCustomerArgs())
    assert sms["found"] and [u["label"] for u in sms["upcoming"]] == ["Fri Jun 7 at 9:00 AM"]
    assert web == {"found": False, "note": "Web visitors are not identified; ask them to text us for their bookings."}


@pytest.mark.parametrize("raw, problem", [
    ("{not json", "not JSON"),
    ('{"service_id": "x", "surprise": 1}', "Extra inputs"),
    ('{"service_id": 12}', "string"),
    ('["a"]', "must be an object"),
])
def test_parse_arguments_refuses_malformed_calls(raw, problem):
    with pytest.raises(tools.MalformedToolCall, match=problem):
        tools.parse_arguments("quote_price", raw)


def test_parse_arguments_refuses_unknown_tools_and_naive_times():
    with pytest.raises(tools.MalformedToolCall, match="unknown tool"):
        tools.parse_arguments("drop_tables", "{}")
    with pytest.raises(tools.MalformedToolCall):
        tools.parse_arguments("book_appointment", json.dumps({"service_id": "s", "start": "2030-06-07T10:00:00",
                                                              "addon_ids": [], "attributes": [], "address": None,
                                                              "customer_name": None}))


def test_tool_schemas_are_strict():
    """Every object schema lists all properties as required and forbids extra ones (OpenAI strict mode)."""
    schemas = tools.openai_tool_schemas()
    assert {s["function"]["name"] for s in schemas} == {
        "list_services", "quote_price", "check_area", "find_slots", "book_appointment", "reschedule", "cancel",
        "lookup_customer", "loyalty_balance", "handoff_to_human"}

    def check(node):
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert node["additionalProperties"] is False
                assert set(node["required"]) == set(node["properties"])
            assert "$ref" not in node
            for value in node.values():
                check(value)
        elif isinstance(node, list):
            for value in node:
                check(value)

    for schema in schemas:
        assert schema["function"]["strict"] is True
        check(schema["function"]["parameters"])
