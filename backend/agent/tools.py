"""The agent's tools, shared by the rules engine and the LLM engine: one implementation each,
called with a tenant-bound session (tools never open sessions) and a `ToolContext` that says
whose conversation this is. The LLM's JSON schemas are generated from the same pydantic argument
models that validate every call, so both engines go through exactly the same checks.

Guarantees:
- Prices come only from `pricing.quote_price`; times only from `availability.find_slots`;
  bookings, moves and cancellations only through the scheduling actions (which re-validate
  the slot under a lock and apply the tenant's notice and cancellation rules).
- Every id an argument carries is looked up inside the caller's tenant (`access_*`), so a
  forged id from another tenant is "not found", exactly like a missing one.
- The customer is the conversation's: found or created by the conversation's phone number
  (SMS/voice) or the number the web visitor gave; a tool never takes a customer id argument.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session

from backend.agent import campaigns
from backend.agent.knowledge import Knowledge
from backend.customers import actions as customers_actions
from backend.customers import service as customers_service
from backend.customers.models import CustomerUpdate
from backend.errors import NotFound, UserError
from backend.messaging import reminders
from backend.scheduling import actions as scheduling_actions
from backend.scheduling import availability, pricing
from backend.scheduling import service as scheduling_service
from backend.scheduling.area import check_service_area
from backend.scheduling.enums import OPEN_STATUSES
from backend.scheduling.timeutil import format_day, format_price_range, format_time, zone

MAX_SLOTS = 3
SLOT_SEARCH_DAYS = 14


@dataclasses.dataclass
class ToolContext:
    """Whose conversation a tool call belongs to. Built by the server, never by a client."""

    tenant_id: str
    channel: str  # "sms" | "web" | "voice"
    conversation_key: str
    now: dt.datetime
    knowledge: Knowledge
    phone: str | None = None  # E.164 of the customer (SMS/voice: the caller; web: the number given)
    customer_id: str | None = None
    message_id: str | None = None
    # Handoff needs the engine's reply text; the interface layer performs it (see handoff.py).
    handoff_requested: str | None = None

    @property
    def phone_verified(self) -> bool:
        """Whether the phone is proven by the channel (a text or call from it), not typed in."""
        return self.channel in ("sms", "voice") and bool(self.phone)


class ToolError(UserError):
    """A tool refused its arguments; the message is safe to show to the model or customer."""


# ---- argument models (strict: unknown fields are errors) --------------------------------------


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AttributeValue(_Args):
    key: str = Field(min_length=1, max_length=60, description="Attribute key, e.g. vehicle_size")
    value: str = Field(min_length=1, max_length=60, description="Option value or its label, e.g. suv")


def _attributes(values: Sequence[AttributeValue]) -> dict[str, str]:
    return {v.key: v.value for v in values}


_ID = Field(min_length=1, max_length=40)


class ListServicesArgs(_Args):
    pass


class QuotePriceArgs(_Args):
    service_id: str = Field(min_length=1, max_length=40, description="Id from list_services")
    addon_ids: list[str] = Field(default_factory=list, max_length=10)
    attributes: list[AttributeValue] = Field(default_factory=list, max_length=10)


class CheckAreaArgs(_Args):
    address: str | None = Field(default=None, max_length=300, description="Street address with ZIP, if known")
    postal_code: str | None = Field(default=None, max_length=10)


class FindSlotsArgs(_Args):
    service_id: str = Field(min_length=1, max_length=40)
    addon_ids: list[str] = Field(default_factory=list, max_length=10)
    attributes: list[AttributeValue] = Field(default_factory=list, max_length=10)
    date_from: dt.date = Field(description="First local date to search (YYYY-MM-DD)")
    date_to: dt.date = Field(description="Last local date to search (YYYY-MM-DD), at most 14 days after date_from")
    earliest_time: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$", description="HH:MM local, optional")
    latest_time: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$", description="HH:MM local, optional")
    reschedule_appointment_id: str | None = Field(
        default=None, max_length=40, description="When finding a new time for one of the customer's appointments, "
                                                 "its id (its current time then counts as free)")

    @field_validator("date_to")
    @classmethod
    def _span(cls, value: dt.date, info) -> dt.date:
        start = info.data.get("date_from")
        if start and (value < start or (value - start).days >= SLOT_SEARCH_DAYS):
            raise ValueError("date_to must be on or after date_from and within 14 days of it")
        return value


def _with_offset(value: dt.datetime, name: str) -> dt.datetime:
    """A start the model sends must say which instant it means: no naive times."""
    if value.tzinfo is None:
        raise ValueError(f"{name} needs a UTC offset")
    return value


class BookAppointmentArgs(_Args):
    service_id: str = Field(min_length=1, max_length=40)
    start: dt.datetime = Field(description="Slot start exactly as returned by find_slots (ISO 8601 with offset)")
    addon_ids: list[str] = Field(default_factory=list, max_length=10)
    attributes: list[AttributeValue] = Field(default_factory=list, max_length=10)
    address: str | None = Field(default=None, max_length=300)
    customer_name: str | None = Field(default=None, max_length=120)

    @field_validator("start")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        return _with_offset(value, "start")


class RescheduleArgs(_Args):
    appointment_id: str = Field(min_length=1, max_length=40, description="Id from lookup_customer")
    new_start: dt.datetime

    @field_validator("new_start")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        return _with_offset(value, "new_start")


class CancelArgs(_Args):
    appointment_id: str = Field(min_length=1, max_length=40, description="Id from lookup_customer")
    reason: str | None = Field(default=None, max_length=200)


class LookupCustomerArgs(_Args):
    pass


class LoyaltyBalanceArgs(_Args):
    pass


class HandoffArgs(_Args):
    reason: str = Field(min_length=1, max_length=200, description="Why a person should take over")


# ---- helpers ------------------------------------------------------------------------------------


def slot_label(start: dt.datetime, tz: str) -> str:
    """'Sat Nov 21 at 10:00 AM' in the tenant's zone."""
    local = start.astimezone(zone(tz))
    return f"{local:%a} {local:%b} {local.day} at {format_time(local)}"


def _error_result(exc: Exception) -> dict:
    return {"status": "error", "message": str(exc)}


def resolve_customer(db: Session, ctx: ToolContext, *, create: bool, name: str | None = None):
    """Returns the conversation's customer (by its phone), creating it when asked; None without one."""
    if ctx.customer_id:
        try:
            return customers_service.access_customer_by_id(db, tenant_id=ctx.tenant_id, customer_id=ctx.customer_id)
        except NotFound:
            ctx.customer_id = None
    if not ctx.phone:
        return None
    customer = customers_service.get_by_phone(db, tenant_id=ctx.tenant_id, phone_e164=ctx.phone)
    if customer is None and create:
        customer, _ = customers_actions.find_or_create_customer(
            db, tenant_id=ctx.tenant_id, phone=ctx.phone, name=name or "",
            source="web" if ctx.channel == "web" else ctx.channel, acting_user=None,
        )
    if customer is not None:
        ctx.customer_id = customer.id
    return customer


# ---- tools --------------------------------------------------------------------------------------


def list_services(db: Session, ctx: ToolContext, args: ListServicesArgs) -> dict:
    """Returns the active services with their price range at the default options."""
    kn = ctx.knowledge
    services = []
    for service in kn.services:
        quote = pricing.quote_price(db, tenant_id=ctx.tenant_id, service_id=service.id)
        services.append({
            "id": service.id, "name": service.name, "description": service.description[:200],
            "duration_minutes": quote.duration_minutes, "price": format_price_range(quote.min_cents, quote.max_cents),
            "price_min_cents": quote.min_cents, "price_max_cents": quote.max_cents,
            "price_depends_on": [
                {"key": a.key, "label": a.label, "default": a.default_value,
                 "options": [{"value": o.value, "label": o.label} for o in a.options]}
                for a in kn.price_attributes(service.id)
            ],
        })
    addons = [{"id": a.id, "name": a.name, "price": format_price_range(a.price_min_cents, a.price_max_cents),
               "only_with": sorted(a.service_ids)} for a in kn.addons]
    return {"services": services, "addons": addons}


def quote_price(db: Session, ctx: ToolContext, args: QuotePriceArgs) -> dict:
    """Returns the price range for a service with add-ons and attributes (the only price source)."""
    quote = pricing.quote_price(db, tenant_id=ctx.tenant_id, service_id=args.service_id, addon_ids=args.addon_ids,
                                attributes=_attributes(args.attributes))
    service = scheduling_service.access_service_by_id(db, tenant_id=ctx.tenant_id, service_id=args.service_id)
    return {
        "service": service.name, "price": format_price_range(quote.min_cents, quote.max_cents),
        "min_cents": quote.min_cents, "max_cents": quote.max_cents, "duration_minutes": quote.duration_minutes,
        "attributes": quote.attributes, "addons": [line.label for line in quote.lines if line.kind == "addon"],
        "deposit_cents": quote.deposit_cents,
    }


def check_area(db: Session, ctx: ToolContext, args: CheckAreaArgs) -> dict:
    """Returns whether an address or ZIP is in the service area, with a message for the customer."""
    result = check_service_area(db, tenant_id=ctx.tenant_id, postal_code=args.postal_code, address_text=args.address)
    return {"in_area": result.in_area, "message": result.message, "postal_code": result.postal_code,
            "reason": result.reason}


def _minute(value: str | None) -> int | None:
    if not value:
        return None
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def search_slots(
    db: Session, ctx: ToolContext, *, service_id: str, addon_ids: Sequence[str] = (),
    attributes: Mapping[str, str] | None = None, start_date: dt.date, end_date: dt.date,
    moving_appointment_id: str | None = None,
) -> list[availability.Slot]:
    """Returns every open start between two local dates (the availability engine, by the agent's
    clock). `moving_appointment_id`, one of the customer's own visits being rescheduled, frees its
    own time."""
    if moving_appointment_id is not None:
        moving_appointment_id = _own_appointment(db, ctx, moving_appointment_id).id
    return availability.find_slots(
        db, tenant_id=ctx.tenant_id, service_ids=[service_id], addon_ids=list(addon_ids),
        attributes=dict(attributes or {}), start_date=start_date, end_date=end_date, now=ctx.now,
        exclude_appointment_id=moving_appointment_id,
    )


def find_slots(db: Session, ctx: ToolContext, args: FindSlotsArgs, *, limit: int = MAX_SLOTS) -> dict:
    """Returns up to `limit` open start times (from the availability engine) in the date range."""
    slots = search_slots(db, ctx, service_id=args.service_id, addon_ids=args.addon_ids,
                         attributes=_attributes(args.attributes), start_date=args.date_from, end_date=args.date_to,
                         moving_appointment_id=args.reschedule_appointment_id)
    low, high = _minute(args.earliest_time), _minute(args.latest_time)
    tz = ctx.knowledge.timezone
    picked = []
    for slot in slots:
        minute = slot.start.hour * 60 + slot.start.minute
        if (low is not None and minute < low) or (high is not None and minute > high):
            continue
        picked.append(slot)
    chosen = spread(picked, limit)
    return {"timezone": tz, "slots": [{"start": s.start.isoformat(), "label": slot_label(s.start, tz)} for s in chosen],
            "more_available": len(picked) > len(chosen)}


def spread(slots: Sequence[availability.Slot], limit: int) -> list[availability.Slot]:
    """Picks up to `limit` slots that give the customer a real choice: different days when the
    search spans several, else times at least 90 minutes apart, earliest first."""
    if len(slots) <= limit:
        return list(slots)
    days: dict[dt.date, list[availability.Slot]] = {}
    for slot in slots:
        days.setdefault(slot.start.date(), []).append(slot)
    if len(days) >= limit:
        return [day_slots[0] for day_slots in list(days.values())[:limit]]
    chosen: list[availability.Slot] = []
    for gap in (90, 60, 30, 0):
        chosen = []
        for slot in slots:
            if all(abs((slot.start - c.start).total_seconds()) >= gap * 60 for c in chosen):
                chosen.append(slot)
            if len(chosen) == limit:
                break
        if len(chosen) == limit:
            break
    return sorted(chosen, key=lambda s: s.start)


def book_appointment(db: Session, ctx: ToolContext, args: BookAppointmentArgs) -> dict:
    """Books the conversation's customer into a slot and queues the one confirmation text.

    Returns {"status": "booked", ...}, {"status": "unavailable", "message", "alternatives"} when
    the slot was taken meanwhile, or {"status": "error", "message"} for rule violations.
    """
    if not ctx.phone:
        return {"status": "error", "message": "I need a mobile number to book and send the confirmation."}
    customer = resolve_customer(db, ctx, create=True, name=args.customer_name)
    changes = {}
    if args.customer_name and not customer.name:
        changes["name"] = " ".join(args.customer_name.split())[:200]
    address = (args.address or "").strip()
    if address and not customer.address_line1 and ctx.channel != "web":
        changes.update(_address_fields(address))
    if changes:
        customers_actions.update_customer(db, tenant_id=ctx.tenant_id, customer_id=customer.id,
                                          customer_in=CustomerUpdate(**changes), acting_user=None)
    source = {"sms": "sms", "web": "web", "voice": "voice"}.get(ctx.channel, "agent")
    try:
        with db.begin_nested():
            appointment = scheduling_actions.book_appointment(
                db, tenant_id=ctx.tenant_id, customer_id=customer.id, service_id=args.service_id, start=args.start,
                addon_ids=args.addon_ids, attributes=_attributes(args.attributes), source=source,
                address=address or None, acting_user=None, now=ctx.now,
                notes=f"Booked by the AI assistant ({ctx.channel}).",
            )
    except scheduling_actions.SlotTaken as exc:
        tz = ctx.knowledge.timezone
        return {"status": "unavailable", "message": str(exc),
                "alternatives": [{"start": s.start.isoformat(), "label": slot_label(s.start, tz)}
                                 for s in exc.alternatives[:MAX_SLOTS]]}
    except UserError as exc:
        return _error_result(exc)
    reminders.send_booking_confirmation(db, tenant_id=ctx.tenant_id, appointment_id=appointment.id)
    return {"status": "booked", **describe_appointment(db, ctx, appointment)}


def _address_fields(text: str) -> dict:
    from backend.agent.nlu.entities import extract_address

    hint = extract_address(text)
    if hint is None:
        zip_match = re.search(r"\b(\d{5})\b", text)
        return {"address_line1": text[:200], **({"postal_code": zip_match.group(1)} if zip_match else {})}
    fields = {"address_line1": hint.line1[:200]}
    if hint.line2:
        fields["address_line2"] = hint.line2[:100]
    if hint.city:
        fields["city"] = hint.city[:100]
    if hint.state:
        fields["region"] = hint.state
    if hint.postal_code:
        fields["postal_code"] = hint.postal_code
    return fields


def describe_appointment(db: Session, ctx: ToolContext, appointment) -> dict:
    service = ctx.knowledge.service(appointment.service_id)
    name = service.name if service else scheduling_service.access_service_by_id(
        db, tenant_id=ctx.tenant_id, service_id=appointment.service_id).name
    technician = ""
    if appointment.technician_id:
        tech = scheduling_service.access_technician_by_id(db, tenant_id=ctx.tenant_id,
                                                          technician_id=appointment.technician_id)
        technician = tech.name.split()[0]
    return {
        "appointment_id": appointment.id, "service": name, "start": appointment.start_at.isoformat(),
        "label": slot_label(appointment.start_at, ctx.knowledge.timezone), "technician": technician,
        "price": format_price_range(appointment.price_quoted_min_cents, appointment.price_quoted_max_cents),
        "appointment_status": appointment.status, "address": appointment.address,
    }


def _own_appointment(db: Session, ctx: ToolContext, appointment_id: str):
    """The appointment, if it is an open one of this conversation's customer (else NotFound)."""
    if not ctx.phone_verified:
        raise ToolError("Changes to an existing appointment need a text from the phone number on the booking.")
    customer = resolve_customer(db, ctx, create=False)
    appointment = scheduling_service.access_appointment_by_id(db, tenant_id=ctx.tenant_id,
                                                              appointment_id=appointment_id)
    if customer is None or appointment.customer_id != customer.id:
        raise NotFound("No such appointment.")
    return appointment


def reschedule(db: Session, ctx: ToolContext, args: RescheduleArgs) -> dict:
    """Moves one of the customer's open appointments (tenant notice rules apply) and re-confirms."""
    try:
        appointment = _own_appointment(db, ctx, args.appointment_id)
        with db.begin_nested():
            appointment = scheduling_actions.reschedule_appointment(
                db, tenant_id=ctx.tenant_id, appointment_id=appointment.id, new_start=args.new_start,
                acting_user=None, source=ctx.channel, now=ctx.now,
            )
    except scheduling_actions.SlotTaken as exc:
        tz = ctx.knowledge.timezone
        return {"status": "unavailable", "message": str(exc),
                "alternatives": [{"start": s.start.isoformat(), "label": slot_label(s.start, tz)}
                                 for s in exc.alternatives[:MAX_SLOTS]]}
    except UserError as exc:
        return _error_result(exc)
    reminders.send_booking_confirmation(db, tenant_id=ctx.tenant_id, appointment_id=appointment.id)
    return {"status": "rescheduled", **describe_appointment(db, ctx, appointment)}


def cancel(db: Session, ctx: ToolContext, args: CancelArgs) -> dict:
    """Cancels one of the customer's open appointments (the tenant's cancellation window applies)."""
    try:
        appointment = _own_appointment(db, ctx, args.appointment_id)
        with db.begin_nested():
            appointment = scheduling_actions.cancel_appointment(
                db, tenant_id=ctx.tenant_id, appointment_id=appointment.id,
                reason=args.reason or f"Cancelled by the customer ({ctx.channel})", acting_user=None,
                source=ctx.channel, now=ctx.now,
            )
    except UserError as exc:
        return _error_result(exc)
    return {"status": "cancelled", **describe_appointment(db, ctx, appointment)}


def upcoming_appointments(db: Session, ctx: ToolContext, *, limit: int = 5) -> list[dict]:
    """Returns the customer's open appointments from now on (by the agent's clock)."""
    customer = resolve_customer(db, ctx, create=False)
    if customer is None:
        return []
    rows = scheduling_service.list_appointments(
        db, tenant_id=ctx.tenant_id, customer_id=customer.id, start=ctx.now, statuses=OPEN_STATUSES, limit=limit,
    )
    return [describe_appointment(db, ctx, a) for a in rows]


def lookup_customer(db: Session, ctx: ToolContext, args: LookupCustomerArgs) -> dict:
    """Returns what the business knows about the texting customer: name, upcoming visits, points.

    Web visitors are not identified by a typed-in number, so nothing personal is returned there.
    """
    if not ctx.phone_verified:
        return {"found": False, "note": "Web visitors are not identified; ask them to text us for their bookings."}
    customer = resolve_customer(db, ctx, create=False)
    if customer is None:
        return {"found": False, "upcoming": []}
    balance = campaigns.loyalty_balance(db, tenant_id=ctx.tenant_id, customer_id=customer.id)
    return {
        "found": True, "name": customer.name, "has_address": bool(customer.address_line1),
        "upcoming": upcoming_appointments(db, ctx),
        "points": balance.points if balance else None,
    }


def loyalty_balance(db: Session, ctx: ToolContext, args: LoyaltyBalanceArgs) -> dict:
    """Returns the customer's points when the loyalty program is connected."""
    if not ctx.phone_verified:
        return {"available": False, "note": "Points are only shared with the phone number on the account."}
    customer = resolve_customer(db, ctx, create=False)
    balance = campaigns.loyalty_balance(db, tenant_id=ctx.tenant_id, customer_id=customer.id if customer else None)
    if balance is None:
        return {"available": False, "note": "The points balance is not available here; a person can check."}
    return {"available": True, "points": balance.points, "tier": balance.tier, "hint": balance.reward_hint}


def handoff_to_human(db: Session, ctx: ToolContext, args: HandoffArgs) -> dict:
    """Asks for a person: the interface switches the conversation to staff once this turn ends."""
    ctx.handoff_requested = args.reason
    return {"status": "handoff", "message": "A team member will follow up. Tell the customer so."}


# ---- registry -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    args: type[BaseModel]
    fn: Callable[[Session, ToolContext, Any], dict]
    mutating: bool = False


TOOLS: Mapping[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        ToolSpec("list_services", "List the business's services with price ranges and what the price depends on.",
                 ListServicesArgs, list_services),
        ToolSpec("quote_price", "Price range for a service with add-ons and attributes. The only source of prices.",
                 QuotePriceArgs, quote_price),
        ToolSpec("check_area", "Check whether an address or ZIP code is inside the service area.", CheckAreaArgs,
                 check_area),
        ToolSpec("find_slots", "Open start times for a service between two local dates (max 14 days). "
                 "The only source of times.", FindSlotsArgs, find_slots),
        ToolSpec("book_appointment", "Book the customer into a slot from find_slots. Only after the customer "
                 "replied YES to a summary with service, time, address and price.", BookAppointmentArgs,
                 book_appointment, mutating=True),
        ToolSpec("reschedule", "Move one of the customer's upcoming appointments to a new start from find_slots, "
                 "after the customer confirmed.", RescheduleArgs, reschedule, mutating=True),
        ToolSpec("cancel", "Cancel one of the customer's upcoming appointments after the customer confirmed.",
                 CancelArgs, cancel, mutating=True),
        ToolSpec("lookup_customer", "The texting customer's name, upcoming appointments and points.",
                 LookupCustomerArgs, lookup_customer),
        ToolSpec("loyalty_balance", "The customer's loyalty points, when the program is connected.",
                 LoyaltyBalanceArgs, loyalty_balance),
        ToolSpec("handoff_to_human", "Hand the conversation to a person (customer asked, or you cannot help).",
                 HandoffArgs, handoff_to_human, mutating=True),
    )
}


class MalformedToolCall(ValueError):
    """The model called an unknown tool or sent arguments that fail the schema."""


def parse_arguments(name: str, raw: str | Mapping | None) -> BaseModel:
    """Validates a tool call's arguments strictly; raises MalformedToolCall on any problem."""
    spec = TOOLS.get(name)
    if spec is None:
        raise MalformedToolCall(f"unknown tool {name!r}")
    try:
        data = json.loads(raw or "{}") if isinstance(raw, str) else dict(raw or {})
    except (TypeError, ValueError) as exc:
        raise MalformedToolCall(f"{name}: arguments are not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise MalformedToolCall(f"{name}: arguments must be an object")
    try:
        return spec.args.model_validate(data)
    except ValidationError as exc:
        raise MalformedToolCall(f"{name}: {exc.errors()[0].get('msg')}") from None


def run_tool(db: Session, ctx: ToolContext, name: str, args: BaseModel) -> dict:
    """Runs a validated tool call; user-facing refusals come back as {"status": "error"}."""
    spec = TOOLS[name]
    try:
        return spec.fn(db, ctx, args)
    except UserError as exc:
        return _error_result(exc)


def openai_tool_schemas() -> list[dict]:
    """Returns the Chat Completions `tools` list (strict JSON schemas) for every tool."""
    return [
        {"type": "function",
         "function": {"name": spec.name, "description": spec.description, "strict": True,
                      "parameters": strict_schema(spec.args)}}
        for spec in TOOLS.values()
    ]


def strict_schema(model: type[BaseModel]) -> dict:
    """Returns the model's JSON schema in OpenAI strict form: every property required (optional
    ones nullable), no additional properties, definitions inlined."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def fix(node):
        if isinstance(node, dict):
            if "$ref" in node:
                target = defs[node["$ref"].split("/")[-1]]
                node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            node = {k: fix(v) for k, v in node.items() if k not in ("title", "default")}
            if node.get("type") == "object":
                node.setdefault("properties", {})
                node["required"] = list(node["properties"])
                node["additionalProperties"] = False
            if node.get("format") == "date-time":
                node.pop("format")
            if node.get("format") == "date":
                node.pop("format")
            return node
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    return fix(schema)
