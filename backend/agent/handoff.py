"""Hand-off to a person and back, plus the two helpers staff use around it.

- `do_handoff`: the conversation goes to staff. SMS: mode `manual` and `needs_human` (through
  messaging's one mode-changing helper, audited as the system), the customer is told a person
  will follow up — that text is queued here, in the same transaction, because messaging only
  sends responder replies while a conversation is still in `ai` mode — and the business's
  owners/admins get an email. Web: the chat session is marked for a person.
- `record_opt_out`: "stop texting me" is honoured like STOP — recorded in messaging's consent
  ledger (source "keyword", the customer's own words as text) with its single confirmation.
  The FCC's 2024 revocation rule asks senders to honour opt-out requests made "by any
  reasonable means", so the agent does not merely explain how to reply STOP.
- `smart_schedule(...)`: reads a messy staff/customer thread into a prefilled booking form.
- `handback_analysis(...)`: says whether returning the conversation to the AI is safe, and why.
- `hand_back_to_ai(...)`: hands back (messaging's action) and seeds the agent's state with what
  smart_schedule found, so the AI continues where staff stopped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re

from sqlmodel import Session, select

from backend.agent import clock
from backend.agent.knowledge import build_knowledge
from backend.agent.models import AgentChannel, AgentConversationState, WebChatSession, WebChatStatus
from backend.agent.nlu import (
    Intent,
    classify_intent,
    extract_address,
    extract_attributes,
    extract_name,
    extract_zip,
    is_affirmative,
    match_addons,
    parse_when,
)
from backend.agent.state import DialogueState
from backend.auth.context import StaffContext
from backend.auth.enums import ADMIN_ROLES
from backend.auth.models import Membership, User
from backend.customers import service as customers_service
from backend.email import service as email_service
from backend.jobs.queue import enqueue_after_commit
from backend.messaging import actions as messaging_actions
from backend.messaging import inbound as messaging_inbound
from backend.messaging import service as messaging_service
from backend.messaging.enums import ConsentSource, ConsentState, ConversationMode, MessageKind
from backend.messaging.models import Conversation, InboundMessage, OutboundMessage
from backend.phones import display as display_phone
from backend.scheduling import pricing
from backend.scheduling.area import check_service_area
from backend.scheduling.timeutil import format_price_range

log = logging.getLogger(__name__)


# ---- hand-off ------------------------------------------------------------------------------------


def do_handoff(db: Session, *, ctx, reason: str, reply: str, state: DialogueState) -> bool:
    """Gives the conversation to a person; returns True when the customer's text was queued here."""
    channel = ctx.channel
    if channel == AgentChannel.SMS.value:
        conversation = messaging_service.access_conversation_by_id(db, tenant_id=ctx.tenant_id,
                                                                   conversation_id=ctx.conversation_key)
        # Messaging's single, audited place where a mode changes (system actor: no staff user).
        messaging_actions._set_mode(
            db, conversation, mode=ConversationMode.MANUAL.value, assigned_user_id=None, acting_user=None,
            action="conversation.handed_to_human",
            summary=f"AI assistant handed the conversation to a person: {reason}"[:500],
        )
        conversation.needs_human = True
        db.add(conversation)
        sent = False
        if reply:
            messaging_actions.send_sms(
                db, tenant_id=ctx.tenant_id, to=conversation.phone_e164, body=reply, kind=MessageKind.REPLY.value,
                conversation_id=conversation.id, reply_to_message_id=ctx.message_id, sender_name="AI assistant",
            )
            sent = True
        notify_staff(db, tenant_id=ctx.tenant_id, who=display_phone(conversation.phone_e164), reason=reason,
                     history=state.history)
        return sent
    if channel == AgentChannel.WEB.value:
        session = db.get(WebChatSession, (ctx.tenant_id, ctx.conversation_key))
        if session is not None:
            session.status = WebChatStatus.HANDOFF.value
            session.needs_human = True
            db.add(session)
        notify_staff(db, tenant_id=ctx.tenant_id, who=display_phone(ctx.phone) if ctx.phone else "a web chat visitor",
                     reason=reason, history=state.history)
        return False
    notify_staff(db, tenant_id=ctx.tenant_id, who=display_phone(ctx.phone) if ctx.phone else "a caller",
                 reason=reason, history=state.history)
    return False


def notify_staff(db: Session, *, tenant_id: str, who: str, reason: str, history: list[dict]) -> int:
    """Emails the business's owners and admins that a customer needs a person; returns how many."""
    from backend.jobs import email_tasks
    from backend.tenancy import service as tenancy_service

    config = tenancy_service.get_config(db, tenant_id=tenant_id)
    business = config.business_name if config else "your business"
    user_ids = db.exec(select(Membership.user_id).where(
        Membership.tenant_id == tenant_id, Membership.role.in_(sorted(ADMIN_ROLES)))).all()
    if not user_ids:
        return 0
    users = db.exec(select(User).where(User.id.in_(list(user_ids)))).all()
    transcript = "\n".join(f"{'Customer' if h['role'] == 'user' else 'Assistant'}: {h['text']}" for h in history[-8:])
    body = (f"The AI assistant handed a conversation with {who} to your team.\n\nWhy: {reason}\n\n"
            f"Recent messages:\n{transcript}\n\nOpen the inbox to reply.")
    for user in users:
        email_service.queue_email(db, to_address=user.email, subject=f"{business}: a customer needs a person"[:300],
                                  body=body, kind="agent_handoff")
    enqueue_after_commit(db, email_tasks.deliver_emails_now)
    return len(users)


def record_opt_out(db: Session, *, ctx, state: DialogueState, text: str) -> tuple[str, bool]:
    """Honours an opt-out phrase; returns (reply, reply_sent)."""
    state.reset_booking()
    state.opted_out = True
    phone = ctx.phone
    if not phone:
        return ("Understood - we won't text you. You can close this chat anytime.", False)
    already = messaging_service.is_opted_out(db, tenant_id=ctx.tenant_id, phone_e164=phone)
    messaging_actions.do_record_consent(
        db, tenant_id=ctx.tenant_id, phone_e164=phone, state=ConsentState.OPTED_OUT.value,
        source=ConsentSource.KEYWORD.value if ctx.channel == "sms" else ConsentSource.WEB.value,
        text=text[:500], channel=ctx.channel,
    )
    confirmation = messaging_inbound.opt_out_text(db, ctx.tenant_id)
    if ctx.channel == AgentChannel.SMS.value:
        if not already:
            conversation = messaging_service.get_conversation_by_phone(db, tenant_id=ctx.tenant_id, phone_e164=phone)
            messaging_actions.queue_consent_confirmation(
                db, tenant_id=ctx.tenant_id, to=phone, body=confirmation,
                conversation_id=conversation.id if conversation else None,
                from_number=conversation.tenant_number if conversation else None, reply_to_message_id=ctx.message_id,
            )
        return confirmation, True
    return ("Understood - you won't get any more texts from us. " + confirmation.split(":", 1)[-1].strip(), False)


def resume_if_handed_back(db: Session, *, ctx, state: DialogueState) -> None:
    """Staff handed an SMS conversation back to the AI: continue instead of staying silent."""
    if not state.handed_off:
        return
    if ctx.channel == AgentChannel.SMS.value:
        conversation = db.get(Conversation, (ctx.tenant_id, ctx.conversation_key))
        if conversation is not None and conversation.mode == ConversationMode.AI.value:
            state.handed_off = False
    elif ctx.channel == AgentChannel.WEB.value:
        session = db.get(WebChatSession, (ctx.tenant_id, ctx.conversation_key))
        if session is not None and session.status == WebChatStatus.OPEN.value:
            state.handed_off = False


# ---- smart schedule ------------------------------------------------------------------------------


@dataclasses.dataclass
class BookingDraft:
    """A prefilled booking form read from a conversation; `missing` lists what staff must fill."""

    conversation_id: str
    customer_id: str
    customer_name: str
    phone: str
    service_id: str | None = None
    service_name: str = ""
    addon_ids: list[str] = dataclasses.field(default_factory=list)
    addon_names: list[str] = dataclasses.field(default_factory=list)
    attributes: dict[str, str] = dataclasses.field(default_factory=dict)
    dates: list[dt.date] = dataclasses.field(default_factory=list)
    times: list[str] = dataclasses.field(default_factory=list)  # "HH:MM" local
    window: tuple[str, str] | None = None
    start: dt.datetime | None = None  # the agreed time, when it is open
    suggested_slots: list[dict] = dataclasses.field(default_factory=list)  # [{"start", "label"}]
    address: str = ""
    postal_code: str = ""
    in_area: bool | None = None
    price: str = ""
    price_min_cents: int | None = None
    price_max_cents: int | None = None
    duration_minutes: int | None = None
    evidence: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)


def _thread(db: Session, tenant_id: str, conversation_id: str, limit: int = 60) -> list[tuple[str, str, dt.datetime]]:
    """Returns [(who, body, at)] oldest first; who is "customer", "staff" or "ai"."""
    inbound = db.exec(select(InboundMessage).where(
        InboundMessage.tenant_id == tenant_id, InboundMessage.conversation_id == conversation_id
    ).order_by(InboundMessage.received_at.desc()).limit(limit)).all()
    outbound = db.exec(select(OutboundMessage).where(
        OutboundMessage.tenant_id == tenant_id, OutboundMessage.conversation_id == conversation_id
    ).order_by(OutboundMessage.created_at.desc()).limit(limit)).all()
    merged = [("customer", m.body or "", m.received_at) for m in inbound]
    for m in outbound:
        if m.kind in (MessageKind.CONSENT.value, MessageKind.REMINDER.value, MessageKind.CONFIRMATION.value):
            continue
        merged.append(("staff" if m.created_by_user_id else "ai", m.body or "", m.created_at))
    merged.sort(key=lambda item: item[2])
    return merged[-limit:]


def smart_schedule(
    db: Session, *, tenant_id: str, conversation_id: str, now: dt.datetime | None = None,
) -> BookingDraft:
    """Reads the conversation's thread into a booking draft: the service (latest clear mention),
    add-ons, size attributes, the agreed or latest requested day/time (a customer's "yes" to a
    staff proposal wins), the address (latest given, else on file), price range (quote_price) and
    open slots (find_slots) around the wanted time. Raises NotFound for another tenant's id."""
    from backend.agent import tools
    from backend.agent.rules_engine import best_service

    now = now or clock.now()
    conversation = messaging_service.access_conversation_by_id(db, tenant_id=tenant_id, conversation_id=conversation_id)
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=conversation.customer_id)
    kn = build_knowledge(db, tenant_id=tenant_id)
    draft = BookingDraft(conversation_id=conversation.id, customer_id=customer.id, customer_name=customer.name,
                         phone=conversation.phone_e164)
    refs = kn.service_refs()
    specs = kn.attribute_specs()
    when_hint = None
    address_hint = None
    proposal = None  # (hint, text) of the last staff/AI message proposing a time
    for who, body, _at in _thread(db, tenant_id, conversation.id):
        found = best_service(body, refs)
        if found is not None and found.strong:
            draft.service_id, draft.service_name = found.service_id, found.name
            draft.evidence.append(f"service from “{body[:80]}”")
        hint = parse_when(body, now=now, tz=kn.timezone)
        if who == "customer":
            attributes = extract_attributes(body, specs)
            if attributes:
                draft.attributes.update(attributes)
                draft.evidence.append(f"{', '.join(attributes)} from “{body[:80]}”")
            if proposal is not None and is_affirmative(body) and hint is None:
                when_hint = proposal[0]
                draft.evidence.append(f"time agreed: “{proposal[1][:80]}” → “{body[:40]}”")
            elif hint is not None:
                when_hint = hint
                draft.evidence.append(f"time asked for in “{body[:80]}”")
            address = extract_address(body)
            if address is not None:
                address_hint = address
            elif extract_zip(body) and not draft.postal_code:
                draft.postal_code = extract_zip(body)
            if not draft.customer_name:
                draft.customer_name = extract_name(body) or ""
            proposal = None
        else:
            proposal = (hint, body) if hint is not None else proposal
    if draft.service_id:
        draft.addon_ids = [m.service_id for m in match_addons(
            " ".join(b for w, b, _ in _thread(db, tenant_id, conversation.id) if w == "customer"),
            kn.addon_refs(draft.service_id), min_score=85)]
        draft.addon_names = [kn.addon(a).name for a in draft.addon_ids if kn.addon(a)]
    if address_hint is not None:
        draft.address = address_hint.raw or address_hint.line1
        draft.postal_code = address_hint.postal_code or draft.postal_code
    elif customer.address_line1:
        draft.address = ", ".join(p for p in (customer.address_line1, customer.city,
                                              f"{customer.region} {customer.postal_code}".strip()) if p)
        draft.postal_code = customer.postal_code
        draft.evidence.append("address on file")
    if draft.postal_code or draft.address:
        draft.in_area = check_service_area(db, tenant_id=tenant_id, postal_code=draft.postal_code or None,
                                           address_text=draft.address or None).in_area
    if when_hint is not None:
        draft.dates = list(when_hint.candidate_dates(max_days=14))
        draft.times = [t.strftime("%H:%M") for t in when_hint.times]
        if when_hint.window is not None:
            draft.window = (when_hint.window.start.strftime("%H:%M") if when_hint.window.start else "",
                            when_hint.window.end.strftime("%H:%M") if when_hint.window.end else "")
    if draft.service_id:
        try:
            quote = pricing.quote_price(db, tenant_id=tenant_id, service_id=draft.service_id, addon_ids=draft.addon_ids,
                                        attributes=draft.attributes)
            draft.price = format_price_range(quote.min_cents, quote.max_cents)
            draft.price_min_cents, draft.price_max_cents = quote.min_cents, quote.max_cents
            draft.duration_minutes = quote.duration_minutes
            draft.attributes = dict(quote.attributes)
        except Exception as exc:  # an odd attribute value: leave the price for staff
            draft.evidence.append(f"price not computed: {exc}")
        if draft.dates:
            ctx = tools.ToolContext(tenant_id=tenant_id, channel="sms", conversation_key=conversation.id, now=now,
                                    knowledge=kn, phone=conversation.phone_e164, customer_id=customer.id)
            try:
                slots = tools.search_slots(db, ctx, service_id=draft.service_id, addon_ids=draft.addon_ids,
                                           attributes=draft.attributes, start_date=min(draft.dates),
                                           end_date=max(draft.dates))
            except Exception:
                slots = []
            slots = [s for s in slots if s.start.date() in set(draft.dates)]
            if draft.window:
                low, high = draft.window
                slots = [s for s in slots if (not low or s.start.strftime("%H:%M") >= low)
                         and (not high or s.start.strftime("%H:%M") < high)]
            exact = [s for s in slots if s.start.strftime("%H:%M") in draft.times]
            if exact and len(draft.dates) == 1 and len(draft.times) == 1:
                draft.start = exact[0].start
            pool = exact or slots
            draft.suggested_slots = [{"start": s.start.isoformat(), "label": tools.slot_label(s.start, kn.timezone)}
                                     for s in tools.spread(pool, 3)]
    for label, missing in (("service", not draft.service_id), ("date and time", draft.start is None),
                           ("address", kn.mobile and not draft.address), ("name", not draft.customer_name)):
        if missing:
            draft.missing.append(label)
    return draft


# ---- hand-back -----------------------------------------------------------------------------------

_COMPLAINT = re.compile(
    r"\b(?:refund|complain\w*|damag\w*|scratch\w*|broke|broken|ruined|angry|upset|terrible|awful|worst|lawyer|"
    r"sue|chargeback|dispute|unacceptable|disappointed|not happy|never again|stolen|missing|injur\w*|hurt)\b",
    re.IGNORECASE,
)
_PROMISE = re.compile(
    r"\b(?:i'?ll|i will|we'?ll|we will|let me)\s+(?:check|ask|find out|get back|call|look into|confirm|see|refund|"
    r"send|text you back)\b",
    re.IGNORECASE,
)


@dataclasses.dataclass
class HandbackAnalysis:
    """Whether the conversation can go back to the AI; `reasons` say why (shown to staff)."""

    safe: bool
    reasons: list[str]
    summary: str
    draft: BookingDraft | None = None


def handback_analysis(db: Session, *, tenant_id: str, conversation_id: str,
                      now: dt.datetime | None = None) -> HandbackAnalysis:
    """Reads the thread and says whether handing back to the AI is safe: not when the customer
    complains or claims damage, asked for a person and got no staff answer, opted out, or staff
    promised a follow-up the AI cannot keep; yes for booking-type threads the AI can finish."""
    conversation = messaging_service.access_conversation_by_id(db, tenant_id=tenant_id, conversation_id=conversation_id)
    thread = _thread(db, tenant_id, conversation.id)
    blockers: list[str] = []
    notes: list[str] = []
    if messaging_service.is_opted_out(db, tenant_id=tenant_id, phone_e164=conversation.phone_e164):
        blockers.append("The customer opted out of texts; nobody can text them until they reply START.")
    customer_texts = [(i, body) for i, (who, body, _) in enumerate(thread) if who == "customer"]
    staff_indexes = [i for i, (who, _, _) in enumerate(thread) if who == "staff"]
    last_staff = staff_indexes[-1] if staff_indexes else -1
    for index, body in customer_texts[-6:]:
        if _COMPLAINT.search(body):
            blockers.append(f"The customer raised a complaint or problem (“{body[:80]}”); a person should resolve it.")
            break
    for index, body in customer_texts:
        if index > last_staff and classify_intent(body).intent is Intent.HUMAN:
            blockers.append("The customer asked for a person and no staff member has answered yet.")
            break
    if last_staff >= 0 and _PROMISE.search(thread[last_staff][1]):
        answered_after = any(who == "staff" for who, _, _ in thread[last_staff + 1:])
        if not answered_after:
            blockers.append(f"Staff promised a follow-up (“{thread[last_staff][1][:80]}”) that the AI can't keep.")
    if thread and thread[-1][0] == "customer" and not blockers:
        notes.append("The customer's last message has no answer yet; the AI answers the next message they send.")
    draft = smart_schedule(db, tenant_id=tenant_id, conversation_id=conversation.id, now=now) if thread else None
    if draft is not None and draft.service_id:
        notes.append(f"Booking in progress: {draft.service_name}"
                     + (f", {draft.price}" if draft.price else "")
                     + (f"; still needed: {', '.join(draft.missing)}" if draft.missing else "")
                     + ". The AI will continue from there.")
    safe = not blockers
    summary = ("Safe to hand back to the AI." if safe else "Keep this conversation with a person.")
    return HandbackAnalysis(safe=safe, reasons=blockers or notes or ["Nothing in the thread needs a person."],
                            summary=summary, draft=draft)


def hand_back_to_ai(db: Session, *, tenant_id: str, conversation_id: str,
                    acting_user: StaffContext | None) -> HandbackAnalysis:
    """Hands the conversation back to the AI (messaging's action, staff only) and seeds the
    agent's state with the booking draft so it continues where staff stopped."""
    analysis = handback_analysis(db, tenant_id=tenant_id, conversation_id=conversation_id)
    messaging_actions.do_hand_back(db, tenant_id=tenant_id, conversation_id=conversation_id, acting_user=acting_user)
    row = db.exec(select(AgentConversationState).where(
        AgentConversationState.tenant_id == tenant_id, AgentConversationState.channel == AgentChannel.SMS.value,
        AgentConversationState.conversation_key == conversation_id)).first()
    from backend.agent.state import get_or_create_row

    if row is None:
        row = get_or_create_row(db, tenant_id=tenant_id, channel=AgentChannel.SMS.value,
                                conversation_key=conversation_id)
    state = DialogueState.from_dict(row.state)
    state.handed_off = False
    state.pending, state.awaiting, state.prompt, state.clarifications = {}, "", "", {}
    draft = analysis.draft
    if draft is not None and draft.service_id:
        state.flow = "book"
        state.service_id = draft.service_id
        state.addon_ids = list(draft.addon_ids)
        state.attributes = dict(draft.attributes)
        if draft.address:
            state.address = {"line1": draft.address.split(",")[0], "city": "", "region": "",
                             "postal_code": draft.postal_code, "text": draft.address}
    row.state = state.to_dict()
    row.version += 1
    db.add(row)
    return analysis
