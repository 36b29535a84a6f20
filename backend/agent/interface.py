"""The agent's one entry point: `handle_agent_message(AgentRequest) -> AgentResponse`.

Every channel (the SMS responder, the web chat, later voice) builds an AgentRequest from
server-side facts — the tenant from the inbound number / signed widget token, the phone from
the carrier or the visitor — and gets back the reply plus the actions that were carried out
(book, reschedule, cancel, handoff) or are pending (collect_info, confirm).

One turn is one transaction: the state is loaded (version-checked), the engine runs its tools
in the same session (a booking and its confirmation text commit together with the new state),
the hand-off or opt-out is recorded, the state and the turn row are saved. A turn that loses a
race with another turn of the same conversation is rolled back and re-run on the fresh state;
a re-delivered message (same message id) gets the stored answer. The LLM engine runs outside
the transaction and falls back to this rules turn on any error (see llm_engine.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from backend.messaging.segments import smart_encode
from backend.agent import campaigns, clock, handoff
from backend.agent.knowledge import Knowledge, build_knowledge
from backend.agent.models import AgentChannel, AgentTurn
from backend.agent.rules_engine import RulesEngine, TurnResult, action
from backend.agent.state import DialogueState, StateConflict, load_state, save_state
from backend.agent.tools import ToolContext
from backend.config import get_settings
from backend.db.ids import new_id
from backend.db.session import tenant_session
from backend.errors import UserError

log = logging.getLogger(__name__)

MAX_TEXT = 2000
ROLES = ("customer", "staff")
# Seconds the LLM engine may take per turn before the rules engine answers instead.
LLM_TIMEOUTS = {"sms": 8.0, "web": 8.0, "voice": 3.0}


@dataclasses.dataclass(frozen=True)
class NextAction:
    """Something the turn did or is waiting for.

    type: book | reschedule | cancel | collect_info | handoff | confirm | quote | check_area | opt_out
    status: done | pending | failed
    """

    type: str
    status: str
    detail: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class AgentRequest:
    """One customer message for the agent. Built by the server, never from client-sent ids."""

    tenant_id: str
    channel: str  # "sms" | "web" | "voice"
    text: str
    conversation_id: str  # SMS: messaging conversation id; web: web chat session id; voice: call id
    phone: str | None = None  # E.164; SMS/voice: the sender, web: the number the visitor gave
    user_role: str = "customer"  # "customer" | "staff" (a staff member trying the agent)
    message_id: str | None = None  # the inbound message id: a re-delivery gets the stored answer
    customer_id: str | None = None
    # Optional: {"engine": "rules"|"openai", "timeout": seconds, "now": aware datetime}
    context: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class AgentResponse:
    reply: str
    actions: tuple[NextAction, ...] = ()
    intent: str = ""
    engine: str = "rules"  # "rules" | "openai" | "rules_fallback" | "gate" | "replay"
    # The agent delivered the reply itself (hand-off and opt-out texts on SMS): send nothing.
    reply_sent: bool = False
    silent: bool = False  # spam or a conversation already with a person: no reply
    handed_off: bool = False
    fallback_reason: str = ""

    def done(self, kind: str) -> list[NextAction]:
        return [a for a in self.actions if a.type == kind and a.status == "done"]


def handle_agent_message(request: AgentRequest) -> AgentResponse:
    """Answers one customer message for a tenant and returns the reply and actions."""
    _validate(request)
    now = request.context.get("now") or clock.now()
    engine = request.context.get("engine") or get_settings().llm_provider
    replay = _replay(request)
    if replay is not None:
        return replay
    if engine == "openai":
        from backend.agent import llm_engine

        timeout = float(request.context.get("timeout") or LLM_TIMEOUTS.get(request.channel, 8.0))
        try:
            return llm_engine.run_turn(request, now=now, timeout=timeout)
        except llm_engine.LLMUnavailable as exc:
            log.warning("LLM engine fell back to rules for %s: %s", request.conversation_id, exc)
            return run_rules_turn(request, now=now, engine_label="rules_fallback", fallback_reason=str(exc)[:300],
                                  completed=exc.completed)
    return run_rules_turn(request, now=now)


def _validate(request: AgentRequest) -> None:
    if request.channel not in AgentChannel.values():
        raise UserError(f"Unknown channel {request.channel!r}; use sms, web or voice.")
    if request.user_role not in ROLES:
        raise UserError(f"Unknown role {request.user_role!r}.")
    if not isinstance(request.text, str) or len(request.text) > MAX_TEXT:
        raise UserError(f"A message can be at most {MAX_TEXT} characters.")
    if not request.conversation_id or len(request.conversation_id) > 64:
        raise UserError("A conversation id is required.")


def _replay(request: AgentRequest) -> AgentResponse | None:
    if not request.message_id:
        return None
    with tenant_session(request.tenant_id) as db:
        turn = find_turn(db, request)
        return response_from_turn(turn) if turn is not None else None


def find_turn(db: Session, request: AgentRequest) -> AgentTurn | None:
    if not request.message_id:
        return None
    return db.exec(select(AgentTurn).where(
        AgentTurn.tenant_id == request.tenant_id, AgentTurn.channel == request.channel,
        AgentTurn.conversation_key == request.conversation_id, AgentTurn.message_key == request.message_id,
    )).first()


def response_from_turn(turn: AgentTurn) -> AgentResponse:
    return AgentResponse(
        reply=turn.reply, intent=turn.intent, engine="replay", reply_sent=turn.reply_sent,
        actions=tuple(NextAction(a.get("type", ""), a.get("status", ""), a.get("detail") or {})
                      for a in turn.actions or ()),
        silent=not turn.reply and not turn.reply_sent,
        handed_off=any(a.get("type") == "handoff" and a.get("status") == "done" for a in turn.actions or ()),
    )


def make_context(db: Session, request: AgentRequest, *, now: dt.datetime, knowledge: Knowledge,
                 state: DialogueState) -> ToolContext:
    phone = request.phone or (state.phone if request.channel == "web" else None)
    return ToolContext(tenant_id=request.tenant_id, channel=request.channel, conversation_key=request.conversation_id,
                       now=now, knowledge=knowledge, phone=phone, customer_id=request.customer_id,
                       message_id=request.message_id)


def run_rules_turn(
    request: AgentRequest, *, now: dt.datetime, engine_label: str = "rules", fallback_reason: str = "",
    completed: list[dict] | None = None,
) -> AgentResponse:
    """Runs one rules-engine turn in one transaction (re-run on a concurrent save)."""
    for attempt in range(3):
        try:
            with tenant_session(request.tenant_id) as db:
                existing = find_turn(db, request)
                if existing is not None:
                    return response_from_turn(existing)
                return _rules_turn(db, request, now=now, engine_label=engine_label, fallback_reason=fallback_reason,
                                   completed=completed or [])
        except (StateConflict, IntegrityError):
            if attempt == 2:
                raise
            log.info("agent turn for %s raced another one; retrying", request.conversation_id)
    raise AssertionError("unreachable")


def _rules_turn(db: Session, request: AgentRequest, *, now: dt.datetime, engine_label: str, fallback_reason: str,
                completed: list[dict]) -> AgentResponse:
    knowledge = build_knowledge(db, tenant_id=request.tenant_id)
    row, state = load_state(db, tenant_id=request.tenant_id, channel=request.channel,
                            conversation_key=request.conversation_id, customer_id=request.customer_id)
    ctx = make_context(db, request, now=now, knowledge=knowledge, state=state)
    handoff.resume_if_handed_back(db, ctx=ctx, state=state)
    state.remember("user", request.text)
    if not knowledge.agent_enabled:
        result = _gate(knowledge, state)
        engine_label = "gate"
    elif completed:
        result = _summarise_completed(completed, state)
    else:
        campaign = campaigns.campaign_context(db, tenant_id=request.tenant_id, customer_id=ctx.customer_id, now=now) \
            if ctx.phone_verified else None
        result = RulesEngine(db, ctx, state, campaign).respond(request.text)
    return finish_turn(db, request, ctx=ctx, row=row, state=state, result=result, engine=engine_label,
                       fallback_reason=fallback_reason)


def finish_turn(db: Session, request: AgentRequest, *, ctx: ToolContext, row, state: DialogueState,
                result: TurnResult, engine: str, fallback_reason: str = "") -> AgentResponse:
    """Records the opt-out or hand-off the turn asked for, saves state and the turn row."""
    reply_sent = False
    # Plain punctuation on every channel: on SMS one typographic dash would switch the whole
    # text to UCS-2 and double its segments.
    reply = smart_encode(result.reply)
    if result.opt_out:
        reply, reply_sent = handoff.record_opt_out(db, ctx=ctx, state=state, text=request.text)
    elif result.handoff_reason or ctx.handoff_requested:
        reason = result.handoff_reason or ctx.handoff_requested or "The agent asked for a person."
        if not any(a.get("type") == "handoff" for a in result.actions):
            result.actions.append(action("handoff", "done", reason=reason))
        state.handed_off = True
        reply_sent = handoff.do_handoff(db, ctx=ctx, reason=reason, reply=reply, state=state)
    if reply:
        state.remember("assistant", reply)
    row.customer_id = ctx.customer_id or row.customer_id
    save_state(db, row, state, engine=engine)
    db.add(AgentTurn(
        tenant_id=request.tenant_id, channel=request.channel, conversation_key=request.conversation_id,
        message_key=request.message_id or new_id(), text=request.text[:MAX_TEXT], intent=result.intent[:30],
        engine=engine, fallback_reason=fallback_reason[:300], reply=reply, actions=list(result.actions),
        reply_sent=reply_sent,
    ))
    db.flush()
    actions = tuple(NextAction(a["type"], a["status"], a.get("detail") or {}) for a in result.actions)
    return AgentResponse(reply=reply, actions=actions, intent=result.intent, engine=engine, reply_sent=reply_sent,
                         silent=result.silent, handed_off=any(a.type == "handoff" and a.status == "done"
                                                              for a in actions),
                         fallback_reason=fallback_reason)


def _gate(knowledge: Knowledge, state: DialogueState) -> TurnResult:
    """A tenant without the AI agent (plan or suspended account): a polite hand-off."""
    state.reset_booking()
    reply = (f"Thanks for your message! Someone from {knowledge.business_name} will get back to you shortly.")
    return TurnResult(reply, "gated", [action("handoff", "done", reason="AI agent not available on this plan")],
                      handoff_reason="The AI agent is not available for this business; a person must answer.")


def _summarise_completed(completed: list[dict], state: DialogueState) -> TurnResult:
    """The LLM failed after carrying out an action: say what was done, from the action itself."""
    actions = [action(a["type"], "done", **(a.get("detail") or {})) for a in completed]
    parts = []
    for a in completed:
        d = a.get("detail") or {}
        if a["type"] == "book":
            parts.append(f"You're booked! {d.get('service')} on {d.get('label')}. You'll get a confirmation text.")
        elif a["type"] == "reschedule":
            parts.append(f"Done! Your {d.get('service')} is now on {d.get('label')}.")
        elif a["type"] == "cancel":
            parts.append(f"Done - your {d.get('service')} on {d.get('label')} is cancelled.")
    return TurnResult(" ".join(parts) or "Done!", "book", actions)
