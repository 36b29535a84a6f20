"""The LLM engine: OpenAI Chat Completions with tool calling, so any OpenAI-compatible server
works through `OPENAI_BASE_URL`.

One turn: a system prompt built from the knowledge layers (business, services, hours, area,
policies, FAQ, vocabulary, the tenant's instructions and the house rules), the conversation's
recent history and the customer's message go to the model together with strict JSON schemas of
the shared tools (tools.py). Tool calls are validated with the same pydantic models the rules
engine uses — unknown tools, invalid JSON or schema violations are not guessed at — and run in
their own tenant transaction, which also records what they changed in the dialogue state
(service, slots offered, the confirmation waiting for a YES), so the rules engine can take over
at any point. Bookings, moves and cancellations need the customer's YES to a summary stored in
the state: the first call only stores the summary and tells the model to ask.

Any failure — timeout (SMS 8 s, voice 3 s per turn, injectable), a connection or API error,
malformed tool arguments, too many tool rounds, an empty reply, or a reply stating an amount no
tool returned — raises `LLMUnavailable`; the interface then answers that turn with the rules
engine on the same, consistent state (and if an action already happened, says so instead of
repeating it).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from typing import Any

from pydantic import BaseModel

from backend.agent import campaigns, clock, tools
from backend.agent.knowledge import Knowledge, build_knowledge
from backend.agent.nlu import is_affirmative
from backend.agent.rules_engine import TurnResult, action, fit
from backend.agent.state import DialogueState, load_state, save_state
from backend.agent.tools import MalformedToolCall, ToolContext
from backend.config import get_settings
from backend.db.session import tenant_session

log = logging.getLogger(__name__)

MAX_ROUNDS = 6
_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d\d)?)")


class LLMUnavailable(RuntimeError):
    """The LLM could not produce a safe answer this turn; `completed` lists actions it did carry out."""

    def __init__(self, reason: str, completed: list[dict] | None = None) -> None:
        super().__init__(reason)
        self.completed = list(completed or [])


def make_client(timeout: float):
    """Returns an OpenAI client for the configured key/base URL (no SDK retries: we fall back)."""
    from openai import OpenAI

    settings = get_settings()
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return OpenAI(api_key=key, base_url=settings.openai_base_url or None, timeout=timeout, max_retries=0)


def run_turn(request, *, now: dt.datetime, timeout: float):
    """Answers one message with the LLM; raises LLMUnavailable for the rules engine to answer."""
    from openai import APITimeoutError, OpenAIError

    from backend.agent.interface import finish_turn, make_context

    deadline = time.monotonic() + timeout
    with tenant_session(request.tenant_id) as db:
        knowledge = build_knowledge(db, tenant_id=request.tenant_id)
        if not knowledge.agent_enabled:
            raise LLMUnavailable("the AI agent is not enabled for this business")
        _, state = load_state(db, tenant_id=request.tenant_id, channel=request.channel,
                              conversation_key=request.conversation_id, customer_id=request.customer_id)
        ctx = make_context(db, request, now=now, knowledge=knowledge, state=state)
        campaign = campaigns.campaign_context(db, tenant_id=request.tenant_id, customer_id=ctx.customer_id, now=now) \
            if ctx.phone_verified else None
        messages = build_messages(knowledge, state, request, campaign=campaign, now=now)
    client = make_client(timeout)
    completed: list[dict] = []
    actions: list[dict] = []
    evidence: list[str] = []  # tool results this turn: the only new source of amounts
    handoff_reason: str | None = None
    for _round in range(MAX_ROUNDS):
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            raise LLMUnavailable("timed out", completed)
        try:
            response = client.chat.completions.create(
                model=get_settings().openai_model, messages=messages, tools=tools.openai_tool_schemas(),
                tool_choice="auto", temperature=0.2, timeout=remaining,
            )
        except APITimeoutError:
            raise LLMUnavailable("timed out", completed) from None
        except OpenAIError as exc:
            raise LLMUnavailable(f"LLM error: {type(exc).__name__}: {exc}"[:300], completed) from None
        except Exception as exc:  # a malformed response body the SDK could not parse
            raise LLMUnavailable(f"LLM error: {type(exc).__name__}", completed) from None
        if not response.choices:
            raise LLMUnavailable("the model returned no choices", completed)
        message = response.choices[0].message
        calls = list(message.tool_calls or [])
        if calls:
            messages.append({"role": "assistant", "content": message.content or None, "tool_calls": [
                {"id": c.id, "type": "function", "function": {"name": c.function.name,
                                                              "arguments": c.function.arguments}}
                for c in calls]})
            for call in calls:
                try:
                    args = tools.parse_arguments(call.function.name, call.function.arguments)
                except MalformedToolCall as exc:
                    raise LLMUnavailable(f"malformed tool call: {exc}"[:300], completed) from None
                result = execute_tool(request, call.function.name, args, now=now)
                evidence.append(json.dumps(result, default=str))
                record = _action_for(call.function.name, result)
                if record is not None:
                    actions.append(record)
                    if record["status"] == "done" and record["type"] in ("book", "reschedule", "cancel"):
                        completed.append(record)
                if call.function.name == "handoff_to_human":
                    handoff_reason = args.reason
                messages.append({"role": "tool", "tool_call_id": call.id,
                                 "content": json.dumps(result, default=str)[:6000]})
            continue
        reply = (message.content or "").strip()
        if not reply:
            raise LLMUnavailable("the model returned an empty reply", completed)
        invented = _unsupported_amounts(reply, knowledge, evidence, state)
        if invented:
            raise LLMUnavailable(f"the reply states amounts no tool returned: {invented}", completed)
        reply = _shape(reply, request.channel)
        result = TurnResult(reply, "llm", actions, handoff_reason=handoff_reason)
        with tenant_session(request.tenant_id) as db:
            knowledge = build_knowledge(db, tenant_id=request.tenant_id)
            row, state = load_state(db, tenant_id=request.tenant_id, channel=request.channel,
                                    conversation_key=request.conversation_id, customer_id=request.customer_id)
            ctx = make_context(db, request, now=now, knowledge=knowledge, state=state)
            from backend.agent import handoff

            handoff.resume_if_handed_back(db, ctx=ctx, state=state)
            state.remember("user", request.text)
            response_obj = finish_turn(db, request, ctx=ctx, row=row, state=state, result=result, engine="openai")
        return response_obj
    raise LLMUnavailable("too many tool rounds", completed)


# ---- tools with state ---------------------------------------------------------------------------


def execute_tool(request, name: str, args: BaseModel, *, now: dt.datetime) -> dict:
    """Runs one validated tool call in its own transaction, together with the state changes it
    implies (so a rules-engine fallback continues from here)."""
    from backend.agent.interface import make_context

    with tenant_session(request.tenant_id) as db:
        knowledge = build_knowledge(db, tenant_id=request.tenant_id)
        row, state = load_state(db, tenant_id=request.tenant_id, channel=request.channel,
                                conversation_key=request.conversation_id, customer_id=request.customer_id)
        ctx = make_context(db, request, now=now, knowledge=knowledge, state=state)
        if name in ("book_appointment", "reschedule", "cancel"):
            result = _confirmed_action(db, ctx, state, request, name, args)
        elif name == "handoff_to_human":
            result = {"status": "handoff", "message": "A team member will follow up; tell the customer so."}
        else:
            result = tools.run_tool(db, ctx, name, args)
            _remember(state, knowledge, name, args, result)
        row.customer_id = ctx.customer_id or row.customer_id
        save_state(db, row, state, engine="openai", count_turn=False)
        return result


def _remember(state: DialogueState, knowledge: Knowledge, name: str, args: Any, result: dict) -> None:
    if name in ("quote_price", "find_slots") and knowledge.service(getattr(args, "service_id", "")):
        if state.service_id != args.service_id:
            state.offered, state.start = [], ""
        state.flow = state.flow or "book"
        state.service_id = args.service_id
        state.addon_ids = list(args.addon_ids)
        state.attributes.update({a.key: a.value for a in args.attributes})
    if name == "find_slots" and result.get("slots"):
        state.offered = [{"start": s["start"], "label": s["label"]} for s in result["slots"]]
        state.awaiting, state.prompt = "choice", ""
    if name == "check_area" and "in_area" in result and getattr(args, "address", None):
        state.address = {"line1": args.address.split(",")[0], "city": "", "region": "",
                         "postal_code": result.get("postal_code") or "", "text": args.address}
        state.address_ok = bool(result["in_area"])


def _confirmed_action(db, ctx: ToolContext, state: DialogueState, request, name: str, args: Any) -> dict:
    """Executes a booking/move/cancel only when the customer's message says YES to the same
    summary stored earlier; otherwise stores it and asks the model to get the YES first."""
    if name == "book_appointment":
        key = {"kind": "book", "service_id": args.service_id, "start": args.start.isoformat(),
               "addon_ids": sorted(args.addon_ids), "attributes": {a.key: a.value for a in args.attributes}}
    elif name == "reschedule":
        key = {"kind": "reschedule", "appointment_id": args.appointment_id, "start": args.new_start.isoformat()}
    else:
        key = {"kind": "cancel", "appointment_id": args.appointment_id}
    pending = {k: state.pending.get(k) for k in key} if state.pending else {}
    if name == "book_appointment" and pending:
        pending["addon_ids"] = sorted(pending.get("addon_ids") or [])
        pending["attributes"] = dict(pending.get("attributes") or {})
    if pending.get("start") and key.get("start"):  # the same instant, whatever offset it is written in
        pending["start"], key["start"] = _instant(pending["start"]), _instant(key["start"])
    if pending == key and is_affirmative(request.text):
        state.pending = {}
        result = tools.run_tool(db, ctx, name, args)
        if result.get("status") in ("booked", "rescheduled", "cancelled"):
            state.reset_booking()
            if name == "book_appointment":
                state.last_booking = {k: result.get(k) for k in ("appointment_id", "service", "label")}
        return result
    summary = _summary(db, ctx, name, args)
    if summary.get("status") == "error":
        return summary
    state.pending = {**key, "address": getattr(args, "address", "") or "", "name": getattr(args, "customer_name", "")
                     or "", "price": summary.get("price", "")}
    state.awaiting, state.prompt = "confirm", summary["summary"]
    return {"status": "needs_confirmation", "summary": summary["summary"],
            "instruction": "Ask the customer to reply YES to exactly this summary; call the tool again after YES."}


def _instant(value: str) -> str:
    try:
        return dt.datetime.fromisoformat(value).astimezone(dt.timezone.utc).isoformat()
    except (TypeError, ValueError):
        return str(value)


def _summary(db, ctx: ToolContext, name: str, args: Any) -> dict:
    from backend.scheduling import service as scheduling_service

    kn = ctx.knowledge
    if name == "book_appointment":
        quote = tools.run_tool(db, ctx, "quote_price", tools.QuotePriceArgs(
            service_id=args.service_id, addon_ids=args.addon_ids, attributes=args.attributes))
        if quote.get("status") == "error":
            return quote
        where = f" at {args.address}" if args.address else ""
        return {"summary": f"Book {quote['service']} on {tools.slot_label(args.start, kn.timezone)}{where} for "
                           f"{quote['price']}? Reply YES to confirm.", "price": quote["price"]}
    try:
        appointment = scheduling_service.access_appointment_by_id(db, tenant_id=ctx.tenant_id,
                                                                  appointment_id=args.appointment_id)
    except Exception as exc:
        return {"status": "error", "message": str(exc)}
    label = tools.slot_label(appointment.start_at, kn.timezone)
    if name == "reschedule":
        return {"summary": f"Move your appointment on {label} to {tools.slot_label(args.new_start, kn.timezone)}? "
                           "Reply YES to confirm."}
    return {"summary": f"Cancel your appointment on {label}? Reply YES to cancel."}


def _action_for(name: str, result: dict) -> dict | None:
    status = result.get("status")
    if name == "book_appointment":
        if status == "booked":
            return action("book", "done", **{k: result.get(k) for k in ("appointment_id", "service", "label", "price")})
        if status == "needs_confirmation":
            return action("confirm", "pending", summary=result.get("summary"))
        return action("book", "failed", message=result.get("message", ""))
    if name in ("reschedule", "cancel"):
        kind = name
        if status in ("rescheduled", "cancelled"):
            return action(kind, "done", **{k: result.get(k) for k in ("appointment_id", "service", "label")})
        if status == "needs_confirmation":
            return action("confirm", "pending", summary=result.get("summary"))
        return action(kind, "failed", message=result.get("message", ""))
    if name == "quote_price" and status != "error":
        return action("quote", "done", service=result.get("service"), price=result.get("price"))
    if name == "check_area" and "in_area" in result:
        return action("check_area", "done", in_area=result["in_area"], postal_code=result.get("postal_code"))
    return None


# ---- prompt and reply checks --------------------------------------------------------------------


def build_messages(knowledge: Knowledge, state: DialogueState, request, *, campaign, now: dt.datetime) -> list[dict]:
    """Returns the chat messages: system prompt, recent history, the customer's message."""
    messages = [{"role": "system", "content": system_prompt(knowledge, request.channel, state=state,
                                                               campaign=campaign, now=now)}]
    for item in state.history[-10:]:
        role = "user" if item.get("role") == "user" else "assistant"
        messages.append({"role": role, "content": item.get("text", "")})
    messages.append({"role": "user", "content": request.text})
    return messages


def system_prompt(knowledge: Knowledge, channel: str, *, state: DialogueState | None = None,
                  campaign=None, now: dt.datetime | None = None) -> str:
    """Builds the system prompt from the knowledge layers and the house rules."""
    from zoneinfo import ZoneInfo

    kn = knowledge
    local = (now or clock.now()).astimezone(ZoneInfo(kn.timezone))
    services = "\n".join(
        f"- {s.name} (id {s.id}): {s.description[:160]}"
        + (f" Price depends on: {', '.join(kn.attributes[k].label for k in s.price_attributes)}."
           if s.price_attributes else "")
        for s in kn.services
    )
    policies = "\n".join(f"- {p.title}: {p.text}" for p in kn.policies.values())
    faq = "\n".join(f"- Q: {f.question} A: {f.answer}" for f in kn.faq if f.source in ("tenant", "pack"))[:3000]
    vocabulary = "; ".join(f"{term} = {meaning or ', '.join(syn)}" for term, syn, meaning in kn.vocabulary)
    length = ("Replies are SMS: at most 320 characters, plain text." if channel == "sms" else
              "Replies are spoken: one or two short sentences." if channel == "voice" else
              "Replies appear in a web chat: short, plain text.")
    lines = [
        f"You are the booking assistant of {kn.business_name}, a {kn.pack_name.lower()} business. "
        f"Now it is {local:%A %B %d %Y, %I:%M %p} ({kn.timezone}).",
        "Rules:",
        "- Never invent a price, a discount, a duration or an open time. Prices come only from quote_price or "
        "list_services; times only from find_slots. If a tool did not give it to you, don't say it.",
        "- Use the tools. Book only through book_appointment, move through reschedule, cancel through cancel; "
        "these need the customer's YES to the summary the tool returns.",
        "- Collect: the service, what the price depends on, the day/time, "
        + ("the service address (check_area), " if kn.mobile else "") + "the customer's name.",
        "- If the customer asks for a person, is upset, or you cannot help, call handoff_to_human.",
        "- Be friendly and brief. " + length,
        f"Services:\n{services}",
        f"Hours: {kn.hours_text()}.",
        f"Service area: {kn.area_description or 'not limited'}.",
        f"Policies:\n{policies}",
    ]
    if faq:
        lines.append(f"FAQ:\n{faq}")
    if vocabulary:
        lines.append(f"Vocabulary: {vocabulary}")
    if kn.instructions:
        lines.append(f"Business instructions: {kn.instructions}")
    if campaign is not None:
        lines.append(f"The customer recently received this text from us ({campaign.sent_at:%b %d}): "
                     f"\"{campaign.body}\". References like 'your text', 'the deal', 'points' or 'welcome back' "
                     "mean this campaign.")
    if state is not None and state.pending:
        lines.append(f"Waiting for the customer's YES to: {state.prompt or state.pending.get('kind')}.")
    return "\n".join(lines)


def _unsupported_amounts(reply: str, knowledge: Knowledge, evidence: list[str], state: DialogueState) -> list[str]:
    """Dollar amounts in the reply that no tool returned this turn and the knowledge/history lack."""
    allowed: set[str] = set()
    sources = list(evidence) + [f.answer for f in knowledge.faq] + [p.text for p in knowledge.policies.values()]
    sources += [h.get("text", "") for h in state.history if h.get("role") == "assistant"]
    sources.append(state.prompt or "")
    for text in sources:
        allowed.update(_normalise_amount(m) for m in _MONEY.findall(text))
        for cents in re.findall(r'"(?:min_cents|max_cents|price_min_cents|price_max_cents|deposit_cents)":\s*(\d+)',
                                text):
            allowed.add(_normalise_amount(f"{int(cents) / 100:.2f}"))
    return [m for m in _MONEY.findall(reply) if _normalise_amount(m) not in allowed]


def _normalise_amount(text: str) -> str:
    return f"{float(text.replace(',', '')):.2f}"


def _shape(reply: str, channel: str) -> str:
    if channel == "sms":
        return fit(reply, 320)
    if channel == "voice":
        sentences = re.split(r"(?<=[.!?])\s+", reply.strip())
        return " ".join(sentences[:2])
    return fit(reply, 1000)
