"""Inbox queries for the staff pages: the conversation list with search and filters, a thread,
counts for the filter tabs, the customer side panel and the composer helpers. Everything
returns display-ready Read models (no ORM rows), scoped to the caller's tenant."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import re

from pydantic import BaseModel
from sqlalchemy import and_, case, exists, func, or_
from sqlmodel import Session, select

from backend.auth.models import User
from backend.customers.models import Customer, CustomerAsset, CustomerTag
from backend.errors import UserError
from backend.messaging import service as messaging_service
from backend.messaging.enums import ConsentState, OutboundStatus
from backend.messaging.models import Conversation, InboundMessage, OutboundMessage, SmsConsent, SmsConsentEvent
from backend.messaging.segments import count_segments, smart_encode
from backend.phones import display as display_phone

log = logging.getLogger(__name__)

FILTERS = ("all", "unread", "mine", "needs_human", "opted_out")
MAX_PAGE = 200

STATUS_LABELS = {
    OutboundStatus.PENDING.value: "Queued",
    OutboundStatus.SENDING.value: "Sending",
    OutboundStatus.ACCEPTED.value: "Accepted",
    OutboundStatus.QUEUED.value: "Queued at carrier",
    OutboundStatus.SENT.value: "Sent",
    OutboundStatus.DELIVERED.value: "Delivered",
    OutboundStatus.UNDELIVERED.value: "Not delivered",
    OutboundStatus.FAILED.value: "Failed",
    OutboundStatus.READ.value: "Read",
    OutboundStatus.SIMULATED.value: "Simulated (not sent)",
    OutboundStatus.SUPPRESSED.value: "Not sent (opted out)",
}


class MediaRead(BaseModel):
    url: str
    content_type: str
    is_image: bool


class MessageRead(BaseModel):
    id: str
    direction: str  # "in" | "out"
    body: str
    media: list[MediaRead]
    at: dt.datetime
    status: str  # "received" for inbound
    status_label: str
    kind: str  # outbound MessageKind, "" for inbound
    sender_name: str
    from_number: str
    to_number: str
    num_segments: int
    encoding: str
    error_code: int | None = None
    error_message: str = ""
    handling: str = ""  # inbound: what automation did
    scheduled_for: dt.datetime | None = None  # outbound waiting (quiet hours, retry)


class ConversationRead(BaseModel):
    id: str
    customer_id: str
    customer_name: str
    phone: str
    phone_display: str
    tenant_number: str | None
    mode: str
    assigned_user_id: str | None
    assigned_user_name: str
    unread_count: int
    needs_human: bool
    opted_out: bool
    last_activity_at: dt.datetime
    last_message_preview: str
    last_message_direction: str


class ThreadRead(BaseModel):
    conversation: ConversationRead
    messages: list[MessageRead]
    has_more: bool


class InboxCounts(BaseModel):
    all: int
    unread: int
    mine: int
    needs_human: int


class ConsentRead(BaseModel):
    state: str  # "opted_in" | "opted_out" | "unknown"
    source: str = ""
    at: dt.datetime | None = None
    text: str = ""


class CustomerPanel(BaseModel):
    customer_id: str
    name: str
    phone: str
    phone_display: str
    email: str
    address: str
    notes: str
    is_vip: bool
    total_jobs: int
    lifetime_value_cents: int
    tags: list[str]
    assets: list[dict]
    consent: ConsentRead
    upcoming_appointments: list[dict]
    points: int | None = None  # loyalty points, when that area provides them


class ComposerInfo(BaseModel):
    encoding: str
    segments: int
    characters: int
    remaining_in_segment: int
    per_segment: int
    non_gsm_characters: list[str]
    too_long: bool


# ---- helpers --------------------------------------------------------------------------------


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _media(items) -> list[MediaRead]:
    out = []
    for item in items or []:
        url = str(item.get("url", ""))
        ctype = str(item.get("content_type", ""))
        is_image = ctype.startswith("image/") or (not ctype and bool(re.search(r"\.(jpe?g|png|gif|webp)$", url, re.I)))
        out.append(MediaRead(url=url, content_type=ctype, is_image=is_image))
    return out


def inbound_read(row: InboundMessage, sender_name: str = "") -> MessageRead:
    return MessageRead(
        id=row.id, direction="in", body=row.body, media=_media(row.media), at=row.received_at,
        status="received", status_label="Received", kind="", sender_name=sender_name or row.from_number,
        from_number=row.from_number, to_number=row.to_number, num_segments=row.num_segments,
        encoding=row.encoding, handling=row.handling,
    )


def outbound_read(row: OutboundMessage) -> MessageRead:
    label = STATUS_LABELS.get(row.status, row.status)
    scheduled = None
    if row.status == OutboundStatus.PENDING.value and row.next_attempt_at > row.created_at:
        scheduled = row.next_attempt_at
        if row.deferred_reason == "quiet_hours":
            label = "Waiting for 8 AM (quiet hours)"
        elif row.error_message:
            label = f"Retrying after an error (attempt {row.attempts})"
        else:
            label = "Waiting for a send slot"
    if row.status == OutboundStatus.FAILED.value and row.error_code:
        label = f"Failed (error {row.error_code})"
    if row.status == OutboundStatus.UNDELIVERED.value and row.error_code:
        label = f"Not delivered (error {row.error_code})"
    return MessageRead(
        id=row.id, direction="out", body=row.body, media=_media(row.media), at=row.created_at,
        status=row.status, status_label=label, kind=row.kind, sender_name=row.created_by_name,
        from_number=row.from_number or "", to_number=row.to_number, num_segments=row.num_segments,
        encoding=row.encoding, error_code=row.error_code, error_message=row.error_message,
        scheduled_for=scheduled,
    )


def _conversation_query(tenant_id: str):
    return (
        select(Conversation, Customer.name, User.name, SmsConsent.state)
        .join(Customer, and_(Customer.tenant_id == Conversation.tenant_id, Customer.id == Conversation.customer_id))
        .outerjoin(User, User.id == Conversation.assigned_user_id)
        .outerjoin(SmsConsent, and_(SmsConsent.tenant_id == Conversation.tenant_id,
                                    SmsConsent.phone_e164 == Conversation.phone_e164))
        .where(Conversation.tenant_id == tenant_id)
    )


def _conversation_read(conversation: Conversation, customer_name: str | None, assigned_name: str | None,
                       consent_state: str | None) -> ConversationRead:
    return ConversationRead(
        id=conversation.id, customer_id=conversation.customer_id,
        customer_name=customer_name or display_phone(conversation.phone_e164),
        phone=conversation.phone_e164, phone_display=display_phone(conversation.phone_e164),
        tenant_number=conversation.tenant_number, mode=conversation.mode,
        assigned_user_id=conversation.assigned_user_id, assigned_user_name=assigned_name or "",
        unread_count=conversation.unread_count, needs_human=conversation.needs_human,
        opted_out=consent_state == ConsentState.OPTED_OUT.value,
        last_activity_at=conversation.last_activity_at, last_message_preview=conversation.last_message_preview,
        last_message_direction=conversation.last_message_direction,
    )


# ---- queries ---------------------------------------------------------------------------------


def list_conversations(
    db: Session,
    *,
    tenant_id: str,
    user_id: str | None = None,
    search: str = "",
    filter: str = "all",
    limit: int = 50,
    offset: int = 0,
) -> list[ConversationRead]:
    """Returns conversations, most recent activity first, matching the search (customer name,
    phone number in any format, or message text) and one filter: all | unread | mine (assigned
    to `user_id`) | needs_human | opted_out."""
    if filter not in FILTERS:
        raise UserError(f"Unknown inbox filter {filter!r}; use one of {', '.join(FILTERS)}.")
    limit = max(1, min(int(limit), MAX_PAGE))
    offset = max(0, int(offset))
    query = _conversation_query(tenant_id)
    if filter == "unread":
        query = query.where(Conversation.unread_count > 0)
    elif filter == "mine":
        query = query.where(Conversation.assigned_user_id == (user_id or ""))
    elif filter == "needs_human":
        query = query.where(Conversation.needs_human)
    elif filter == "opted_out":
        query = query.where(SmsConsent.state == ConsentState.OPTED_OUT.value)
    text = " ".join((search or "").split())[:100]
    if text:
        pattern = _like(text)
        conditions = [
            Customer.name.ilike(pattern, escape="\\"),
            exists().where(
                InboundMessage.tenant_id == Conversation.tenant_id,
                InboundMessage.conversation_id == Conversation.id,
                InboundMessage.body.ilike(pattern, escape="\\"),
            ),
            exists().where(
                OutboundMessage.tenant_id == Conversation.tenant_id,
                OutboundMessage.conversation_id == Conversation.id,
                OutboundMessage.body.ilike(pattern, escape="\\"),
            ),
        ]
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 3 and len(digits) >= len(re.sub(r"[\s()+.\-]", "", text)):
            conditions.append(Conversation.phone_e164.contains(digits))
        query = query.where(or_(*conditions))
    query = query.order_by(Conversation.last_activity_at.desc(), Conversation.id.desc()).limit(limit).offset(offset)
    return [_conversation_read(*row) for row in db.exec(query).all()]


def get_conversation(db: Session, *, tenant_id: str, conversation_id: str) -> ConversationRead:
    """Returns one conversation for display, or raises NotFound."""
    messaging_service.access_conversation_by_id(db, tenant_id=tenant_id, conversation_id=conversation_id)
    row = db.exec(_conversation_query(tenant_id).where(Conversation.id == conversation_id)).one()
    return _conversation_read(*row)


def inbox_counts(db: Session, *, tenant_id: str, user_id: str | None = None) -> InboxCounts:
    """Returns the numbers shown on the inbox filter tabs."""

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.exec(
        select(
            func.count(Conversation.id),
            count_if(Conversation.unread_count > 0),
            count_if(Conversation.assigned_user_id == (user_id or "")),
            count_if(Conversation.needs_human),
        ).where(Conversation.tenant_id == tenant_id)
    ).one()
    return InboxCounts(all=row[0], unread=row[1], mine=row[2], needs_human=row[3])


def get_thread(
    db: Session, *, tenant_id: str, conversation_id: str, limit: int = 100, before: dt.datetime | None = None
) -> ThreadRead:
    """Returns the conversation and its latest messages (both directions) oldest first;
    `before` pages back through older ones."""
    conversation = get_conversation(db, tenant_id=tenant_id, conversation_id=conversation_id)
    limit = max(1, min(int(limit), MAX_PAGE))
    inbound_q = select(InboundMessage).where(
        InboundMessage.tenant_id == tenant_id, InboundMessage.conversation_id == conversation_id
    )
    outbound_q = select(OutboundMessage).where(
        OutboundMessage.tenant_id == tenant_id, OutboundMessage.conversation_id == conversation_id
    )
    if before is not None:
        inbound_q = inbound_q.where(InboundMessage.received_at < before)
        outbound_q = outbound_q.where(OutboundMessage.created_at < before)
    inbound = db.exec(inbound_q.order_by(InboundMessage.received_at.desc()).limit(limit + 1)).all()
    outbound = db.exec(outbound_q.order_by(OutboundMessage.created_at.desc()).limit(limit + 1)).all()
    merged = [inbound_read(m, conversation.customer_name) for m in inbound] + [outbound_read(m) for m in outbound]
    merged.sort(key=lambda m: (m.at, 0 if m.direction == "in" else 1))
    has_more = len(merged) > limit
    return ThreadRead(conversation=conversation, messages=merged[-limit:], has_more=has_more)


def get_consent_read(db: Session, *, tenant_id: str, phone_e164: str) -> ConsentRead:
    """Returns a number's consent state with the ledger entry that set it."""
    current = messaging_service.get_consent(db, tenant_id=tenant_id, phone_e164=phone_e164)
    if current is None:
        return ConsentRead(state="unknown")
    last = db.exec(
        select(SmsConsentEvent)
        .where(SmsConsentEvent.tenant_id == tenant_id, SmsConsentEvent.phone_e164 == phone_e164)
        .order_by(SmsConsentEvent.created_at.desc())
    ).first()
    return ConsentRead(state=current.state, source=current.source, at=current.updated_at,
                       text=last.text if last else "")


def get_consent_history(db: Session, *, tenant_id: str, phone_e164: str) -> list[SmsConsentEvent]:
    """Returns the consent ledger of one number, newest first."""
    return list(
        db.exec(
            select(SmsConsentEvent)
            .where(SmsConsentEvent.tenant_id == tenant_id, SmsConsentEvent.phone_e164 == phone_e164)
            .order_by(SmsConsentEvent.created_at.desc())
        ).all()
    )


def _upcoming_appointments(db: Session, tenant_id: str, customer_id: str) -> list[dict]:
    """Asks the scheduling area for the customer's upcoming appointments, when it offers it."""
    try:
        scheduling_service = importlib.import_module("backend.scheduling.service")
    except ImportError:
        return []
    fn = getattr(scheduling_service, "get_upcoming_for_customer", None)
    if fn is None:
        return []
    try:
        rows = fn(db, tenant_id=tenant_id, customer_id=customer_id, limit=5)
    except Exception:  # the side panel must render even if that area fails
        log.exception("upcoming appointments lookup failed")
        return []
    out = []
    for row in rows or []:
        if isinstance(row, dict):
            out.append(row)
        elif hasattr(row, "model_dump"):
            out.append(row.model_dump())
        else:
            out.append({k: getattr(row, k) for k in ("id", "starts_at", "status", "title") if hasattr(row, k)})
    return out


def customer_panel(db: Session, *, tenant_id: str, conversation_id: str) -> CustomerPanel:
    """Returns the side-panel data for a conversation's customer."""
    conversation = messaging_service.access_conversation_by_id(db, tenant_id=tenant_id, conversation_id=conversation_id)
    customer = db.get(Customer, (tenant_id, conversation.customer_id))
    tags = db.exec(
        select(CustomerTag.tag).where(CustomerTag.tenant_id == tenant_id, CustomerTag.customer_id == customer.id)
        .order_by(CustomerTag.tag)
    ).all()
    assets = db.exec(
        select(CustomerAsset).where(CustomerAsset.tenant_id == tenant_id, CustomerAsset.customer_id == customer.id)
        .order_by(CustomerAsset.created_at)
    ).all()
    address = ", ".join(p for p in (customer.address_line1, customer.address_line2, customer.city,
                                    customer.region, customer.postal_code) if p)
    return CustomerPanel(
        customer_id=customer.id, name=customer.name or display_phone(conversation.phone_e164),
        phone=conversation.phone_e164, phone_display=display_phone(conversation.phone_e164),
        email=customer.email, address=address, notes=customer.notes, is_vip=customer.is_vip,
        total_jobs=customer.total_jobs, lifetime_value_cents=customer.lifetime_value_cents,
        tags=list(tags),
        assets=[{"id": a.id, "kind": a.kind, "label": a.label, "attributes": a.attributes} for a in assets],
        consent=get_consent_read(db, tenant_id=tenant_id, phone_e164=conversation.phone_e164),
        upcoming_appointments=_upcoming_appointments(db, tenant_id, customer.id),
    )


def composer_info(text: str) -> ComposerInfo:
    """Returns the segment counter shown under the composer."""
    from backend.messaging.actions import MAX_BODY_CHARS

    # Counted as it will be sent: typographic quotes and dashes become GSM-7 characters.
    info = count_segments(smart_encode(text or ""))
    return ComposerInfo(
        encoding=info.encoding, segments=info.segments, characters=len(text or ""),
        remaining_in_segment=info.remaining, per_segment=info.per_segment,
        non_gsm_characters=list(info.non_gsm_characters), too_long=len((text or "").strip()) > MAX_BODY_CHARS,
    )
