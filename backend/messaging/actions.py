"""Messaging writes with side effects: the outbox (`send_sms`), consent changes, staff inbox
actions (reply, take over, hand back, assign), missed-call text-back and tenant settings.

Every function takes the caller's session and adds to its transaction; jobs and live-update
events leave only after that transaction commits.

`send_sms` contract for an opted-out recipient: it does NOT raise. It stores the row with
status "suppressed" (visible in the inbox as "not sent: opted out") and queues nothing. Staff
replies go through `do_send_staff_reply`, which refuses up front with a UserError so the
composer can say why. Only the single opt-out/opt-in confirmation written by the consent
handling may reach an opted-out number.
"""

from __future__ import annotations

import datetime as dt
import re
import logging

from pydantic import BaseModel, ValidationError, field_validator
from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.auth.models import Membership
from backend.customers import service as customers_service
from backend.customers.enums import CustomerSource
from backend.customers.models import Customer, CustomerPhone
from backend.db.types import utcnow
from backend.errors import NotFound, PermissionDenied, UserError, pydantic_message
from backend.jobs.queue import enqueue_after_commit
from backend.messaging import compliance, events
from backend.messaging import service as messaging_service
from backend.messaging.enums import (
    QUIET_HOURS_KINDS,
    ConsentSource,
    ConsentState,
    ConversationMode,
    MessageKind,
    OutboundStatus,
)
from backend.messaging.models import (
    A2PRegistration,
    Conversation,
    MissedCallTextBack,
    MessagingSettings,
    OutboundMessage,
    QuickReply,
    SmsConsent,
    SmsConsentEvent,
)
from backend.messaging.segments import count_segments, smart_encode
from backend.phones import InvalidPhoneNumber, to_e164, to_e164_strict
from backend.tenancy.models import Tenant

log = logging.getLogger(__name__)

MAX_BODY_CHARS = 1600  # Twilio's limit for one message (it splits into up to 10 segments)
MAX_MEDIA = 10
OPTED_OUT_NOTE = "Not sent: the recipient opted out of texts from this business (replied STOP)."


# ---- permission helpers --------------------------------------------------------------------


def _require_staff(acting_user: StaffContext | None, tenant_id: str) -> StaffContext:
    if acting_user is None or acting_user.tenant_id != tenant_id or not acting_user.role:
        raise PermissionDenied("Sign in to this business to do that.")
    return acting_user


def _require_admin(acting_user: StaffContext | None, tenant_id: str) -> StaffContext:
    ctx = _require_staff(acting_user, tenant_id)
    if not (ctx.is_tenant_admin or ctx.is_super_admin):
        raise PermissionDenied("Only the business's owner or admins can change messaging settings.")
    return ctx


# ---- the outbox ----------------------------------------------------------------------------


def send_sms(
    db: Session,
    *,
    tenant_id: str,
    to: str,
    body: str,
    kind: str,
    conversation_id: str | None = None,
    from_number: str | None = None,
    acting_user: StaffContext | None = None,
    media_urls: tuple[str, ...] | list[str] = (),
    reply_to_message_id: str | None = None,
    sender_name: str | None = None,
    now: dt.datetime | None = None,
) -> OutboundMessage:
    """Writes an outbound SMS to the outbox in the caller's transaction and queues delivery
    once it commits. Returns the row.

    - `kind`: a MessageKind value. Marketing/campaign texts outside 08:00–21:00 recipient
      local time are deferred to the next allowed time (status stays "pending"), not dropped.
    - Opted-out recipient: the row is stored with status "suppressed" and nothing is queued.
    - Raises UserError for an invalid number, an empty or too long body, or a tenant without
      a phone number.
    """
    return _queue_sms(
        db, tenant_id=tenant_id, to=to, body=body, kind=kind, conversation_id=conversation_id,
        from_number=from_number, acting_user=acting_user, media_urls=tuple(media_urls or ()),
        reply_to_message_id=reply_to_message_id, sender_name=sender_name, now=now, consent_exempt=False,
    )


def _queue_sms(
    db: Session,
    *,
    tenant_id: str,
    to: str,
    body: str,
    kind: str,
    conversation_id: str | None,
    from_number: str | None,
    acting_user: StaffContext | None,
    media_urls: tuple[str, ...],
    reply_to_message_id: str | None,
    sender_name: str | None,
    now: dt.datetime | None,
    consent_exempt: bool,
) -> OutboundMessage:
    now = now or utcnow()
    if kind not in MessageKind.values():
        raise UserError(f"Unknown message kind {kind!r}; use one of {', '.join(MessageKind.values())}.")
    try:
        to_e164_number = to_e164_strict(to)
    except InvalidPhoneNumber as exc:
        raise UserError(str(exc)) from None
    body = smart_encode(body).strip()
    if not body and not media_urls:
        raise UserError("Write a message first.")
    if len(body) > MAX_BODY_CHARS:
        raise UserError(f"A text can be at most {MAX_BODY_CHARS:,} characters; this one has {len(body):,}.")
    if len(media_urls) > MAX_MEDIA:
        raise UserError(f"Attach at most {MAX_MEDIA} pictures to one text.")

    conversation = _conversation_for_send(db, tenant_id=tenant_id, to=to_e164_number, conversation_id=conversation_id,
                                          now=now)
    preferred = from_number or (conversation.tenant_number if conversation else None)
    if preferred:
        preferred = to_e164(preferred) or preferred
    identity = messaging_service.get_sending_identity(db, tenant_id=tenant_id, preferred_number=preferred)
    info = count_segments(body)
    row = OutboundMessage(
        tenant_id=tenant_id,
        conversation_id=conversation.id if conversation else None,
        reply_to_message_id=reply_to_message_id,
        to_number=to_e164_number,
        from_number=identity.from_number,
        messaging_service_sid=identity.messaging_service_sid,
        body=body,
        media=[{"url": url, "content_type": ""} for url in media_urls],
        kind=kind,
        consent_exempt=consent_exempt,
        num_segments=max(info.segments, 1),
        encoding=info.encoding,
        created_by_user_id=acting_user.user_id if acting_user else None,
        created_by_name=sender_name or (acting_user.user_name if acting_user else "system"),
        created_at=now,
        next_attempt_at=now,
        status_updated_at=now,
    )
    if not consent_exempt and messaging_service.is_opted_out(db, tenant_id=tenant_id, phone_e164=to_e164_number):
        row.status = OutboundStatus.SUPPRESSED.value
        row.error_message = OPTED_OUT_NOTE
    elif kind in QUIET_HOURS_KINDS:
        tenant = db.get(Tenant, tenant_id)
        allowed = compliance.next_allowed_time(to_e164_number, tenant.timezone if tenant else "UTC", now)
        if allowed > now:
            row.next_attempt_at = allowed
            row.deferred_reason = "quiet_hours"
    db.add(row)
    db.flush()
    if conversation is not None:
        messaging_service.touch_conversation(
            db, tenant_id=tenant_id, conversation_id=conversation.id, preview=body or "📷 Picture",
            direction="out", at=now,
        )
        events.publish_after_commit(db, tenant_id, conversation.id)
    if acting_user is not None:
        audit.record(
            db, tenant_id=tenant_id, acting_user=acting_user, action="sms.queued", target_type="outbound_message",
            target_id=row.id, summary=f"Text to {to_e164_number} ({kind})",
            detail={"kind": kind, "status": row.status},
        )
    if row.status == OutboundStatus.PENDING.value:
        _enqueue_delivery(db, row, now)
    return row


def _conversation_for_send(
    db: Session, *, tenant_id: str, to: str, conversation_id: str | None, now: dt.datetime
) -> Conversation | None:
    if conversation_id:
        conversation = messaging_service.access_conversation_by_id(
            db, tenant_id=tenant_id, conversation_id=conversation_id
        )
        if conversation.phone_e164 != to:
            raise UserError("That conversation is with a different phone number.")
        return conversation
    conversation = messaging_service.get_conversation_by_phone(db, tenant_id=tenant_id, phone_e164=to)
    if conversation is not None:
        return conversation
    customer = customers_service.get_by_phone(db, tenant_id=tenant_id, phone_e164=to)
    if customer is None:
        return None
    settings = messaging_service.get_or_create_settings(db, tenant_id=tenant_id)
    conversation, _ = messaging_service.get_or_create_conversation(
        db, tenant_id=tenant_id, customer_id=customer.id, phone_e164=to, tenant_number=None,
        default_mode=settings.default_mode, activity_at=now,
    )
    return conversation


def _enqueue_delivery(db: Session, row: OutboundMessage, now: dt.datetime) -> None:
    from backend.jobs import messaging_tasks

    delay = (row.next_attempt_at - now).total_seconds()
    if delay > 0:
        enqueue_after_commit(db, messaging_tasks.deliver_sms.schedule, (row.tenant_id, row.id), delay=delay)
    else:
        enqueue_after_commit(db, messaging_tasks.deliver_sms, row.tenant_id, row.id)


def queue_consent_confirmation(
    db: Session, *, tenant_id: str, to: str, body: str, conversation_id: str | None,
    from_number: str | None, reply_to_message_id: str | None,
) -> OutboundMessage:
    """Queues the single opt-out/opt-in confirmation, which may reach an opted-out number.
    Only the consent handling calls this."""
    return _queue_sms(
        db, tenant_id=tenant_id, to=to, body=body, kind=MessageKind.CONSENT.value,
        conversation_id=conversation_id, from_number=from_number, acting_user=None, media_urls=(),
        reply_to_message_id=reply_to_message_id, sender_name="automatic reply", now=None, consent_exempt=True,
    )


# ---- consent --------------------------------------------------------------------------------


def do_record_consent(
    db: Session,
    *,
    tenant_id: str,
    phone_e164: str,
    state: str,
    source: str,
    text: str,
    channel: str = "sms",
    tenant_number: str | None = None,
    message_sid: str | None = None,
    error_code: int | None = None,
    acting_user: StaffContext | None = None,
) -> tuple[SmsConsentEvent, bool]:
    """Records an opt-out or opt-in in the ledger, updates the current state and every
    customer using that number (`Customer.sms_consent`). Returns (ledger row, state changed).

    The only place consent changes.
    """
    if state not in ConsentState.values():
        raise UserError(f"Unknown consent state {state!r}.")
    if source not in ConsentSource.values():
        raise UserError(f"Unknown consent source {source!r}.")
    now = utcnow()
    event = SmsConsentEvent(
        tenant_id=tenant_id, phone_e164=phone_e164, state=state, source=source, channel=channel,
        text=text or "", tenant_number=tenant_number, message_sid=message_sid, error_code=error_code,
        actor_user_id=acting_user.user_id if acting_user else None,
        actor_name=acting_user.user_name if acting_user else "",
        created_at=now,
    )
    db.add(event)
    current = messaging_service.get_consent(db, tenant_id=tenant_id, phone_e164=phone_e164)
    previous = current.state if current else None
    if current is None:
        try:
            with db.begin_nested():
                db.add(SmsConsent(tenant_id=tenant_id, phone_e164=phone_e164, state=state, source=source, updated_at=now))
                db.flush()
        except IntegrityError:
            current = messaging_service.get_consent(db, tenant_id=tenant_id, phone_e164=phone_e164)
            previous = current.state if current else None
    if current is not None:
        current.state, current.source, current.updated_at = state, source, now
        db.add(current)
    customer_ids = sa_select(CustomerPhone.customer_id).where(
        CustomerPhone.tenant_id == tenant_id, CustomerPhone.phone_e164 == phone_e164
    )
    db.execute(
        update(Customer)
        .where(Customer.tenant_id == tenant_id, Customer.id.in_(customer_ids))
        .values(sms_consent=state, updated_at=now),
        execution_options={"synchronize_session": False},
    )
    db.flush()
    if acting_user is not None:
        audit.record(
            db, tenant_id=tenant_id, acting_user=acting_user, action=f"sms_consent.{state}",
            target_type="phone", target_id=phone_e164,
            summary=f"{phone_e164} marked {state.replace('_', ' ')} ({source})", detail={"text": text[:200]},
        )
    return event, previous != state


def do_record_staff_consent(
    db: Session, *, tenant_id: str, phone: str, state: str, note: str, acting_user: StaffContext | None
) -> SmsConsentEvent:
    """A staff member records consent they obtained or a request to stop (e.g. by phone).

    Opting someone in needs a note saying how they agreed; the note is the ledger's text.
    """
    ctx = _require_staff(acting_user, tenant_id)
    try:
        phone_e164 = to_e164_strict(phone)
    except InvalidPhoneNumber as exc:
        raise UserError(str(exc)) from None
    note = " ".join((note or "").split())
    if state == ConsentState.OPTED_IN.value and len(note) < 10:
        raise UserError("Say how the customer agreed to receive texts (at least 10 characters).")
    event, _ = do_record_consent(
        db, tenant_id=tenant_id, phone_e164=phone_e164, state=state, source=ConsentSource.STAFF.value,
        text=note, channel="staff", acting_user=ctx,
    )
    return event


# ---- staff inbox actions ----------------------------------------------------------------------


def _set_mode(
    db: Session, conversation: Conversation, *, mode: str, assigned_user_id: str | None,
    acting_user: StaffContext, action: str, summary: str,
) -> Conversation:
    """The one place a conversation's mode changes (audited)."""
    old = conversation.mode
    conversation.mode = mode
    conversation.assigned_user_id = assigned_user_id
    conversation.needs_human = False
    conversation.updated_at = utcnow()
    db.add(conversation)
    audit.record(
        db, tenant_id=conversation.tenant_id, acting_user=acting_user, action=action,
        target_type="conversation", target_id=conversation.id, summary=summary,
        detail={"from": old, "to": mode, "assigned_user_id": assigned_user_id},
    )
    events.publish_after_commit(db, conversation.tenant_id, conversation.id)
    return conversation


def do_take_over(
    db: Session, *, tenant_id: str, conversation_id: str, acting_user: StaffContext | None
) -> Conversation:
    """A staff member takes the conversation from the AI: mode manual, assigned to them."""
    ctx = _require_staff(acting_user, tenant_id)
    conversation = messaging_service.access_conversation_by_id(db, tenant_id=tenant_id, conversation_id=conversation_id)
    return _set_mode(
        db, conversation, mode=ConversationMode.MANUAL.value, assigned_user_id=ctx.user_id, acting_user=ctx,
        action="conversation.taken_over", summary=f"{ctx.user_name} took over the conversation with {conversation.phone_e164}",
    )


def do_hand_back(
    db: Session, *, tenant_id: str, conversation_id: str, acting_user: StaffContext | None
) -> Conversation:
    """Hands the conversation back to the AI (mode ai, unassigned, no longer needs a human)."""
    ctx = _require_staff(acting_user, tenant_id)
    conversation = messaging_service.access_conversation_by_id(db, tenant_id=tenant_id, conversation_id=conversation_id)
    return _set_mode(
        db, conversation, mode=ConversationMode.AI.value, assigned_user_id=None, acting_user=ctx,
        action="conversation.handed_back", summary=f"{ctx.user_name} handed the conversation back to the AI",
    )


def do_pause_conversation(
    db: Session, *, tenant_id: str, conversation_id: str, acting_user: StaffContext | None
) -> Conversation:
    """Stops all automated replies in a conversation (consent keywords are still honoured)."""
    ctx = _require_staff(acting_user, tenant_id)
    conversation = messaging_service.access_conversation_by_id(db, tenant_id=tenant_id, conversation_id=conversation_id)
    return _set_mode(
        db, conversation, mode=ConversationMode.PAUSED.value, assigned_user_id=conversation.assigned_user_id,
        acting_user=ctx, action="conversation.paused", summary=f"{ctx.user_name} paused automated replies",
    )


def do_assign_conversation(
    db: Session, *, tenant_id: str, conversation_id: str, user_id: str | None, acting_user: StaffContext | None
) -> Conversation:
    """Assigns the conversation to a staff member of this business (None unassigns)."""
    ctx = _require_staff(acting_user, tenant_id)
    conversation = messaging_service.access_conversation_by_id(db, tenant_id=tenant_id, conversation_id=conversation_id)
    if user_id is not None:
        member = db.exec(
            select(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
        ).first() if isinstance(user_id, str) else None
        if member is None:
            raise NotFound("No such staff member.")
    old = conversation.assigned_user_id
    conversation.assigned_user_id = user_id
    conversation.updated_at = utcnow()
    db.add(conversation)
    audit.record(
        db, tenant_id=tenant_id, acting_user=ctx, action="conversation.assigned", target_type="conversation",
        target_id=conversation.id, summary="Conversation unassigned" if user_id is None else "Conversation assigned",
        detail={"from": old, "to": user_id},
    )
    events.publish_after_commit(db, tenant_id, conversation.id)
    return conversation


def do_mark_conversation_read(
    db: Session, *, tenant_id: str, conversation_id: str, acting_user: StaffContext | None
) -> Conversation:
    """Clears the unread count (opening a thread); not audited — it changes no data of record."""
    _require_staff(acting_user, tenant_id)
    conversation = messaging_service.access_conversation_by_id(db, tenant_id=tenant_id, conversation_id=conversation_id)
    if conversation.unread_count:
        db.execute(
            update(Conversation)
            .where(Conversation.tenant_id == tenant_id, Conversation.id == conversation.id)
            .values(unread_count=0),
            execution_options={"synchronize_session": False},
        )
        conversation.unread_count = 0
        events.publish_after_commit(db, tenant_id, conversation.id)
    return conversation


def do_send_staff_reply(
    db: Session,
    *,
    tenant_id: str,
    conversation_id: str,
    body: str,
    acting_user: StaffContext | None,
    media_urls: tuple[str, ...] | list[str] = (),
) -> OutboundMessage:
    """Sends a staff member's reply in a conversation.

    Refuses with a UserError (writing nothing) when the customer has opted out. Replying in a
    conversation the AI is handling takes it over (mode manual, assigned to the replier), so
    the AI never talks over a person; the thread is marked read.
    """
    ctx = _require_staff(acting_user, tenant_id)
    conversation = messaging_service.access_conversation_by_id(db, tenant_id=tenant_id, conversation_id=conversation_id)
    consent = messaging_service.get_consent(db, tenant_id=tenant_id, phone_e164=conversation.phone_e164)
    if consent is not None and consent.state == ConsentState.OPTED_OUT.value:
        from backend.scheduling.timeutil import tenant_zone

        when = consent.updated_at.astimezone(tenant_zone(db, tenant_id=tenant_id))  # the business's day, not UTC's
        raise UserError(
            f"{conversation.phone_e164} opted out of texts on {when:%b} {when.day}, {when.year}. "
            "Nothing can be sent until they text START."
        )
    row = send_sms(
        db, tenant_id=tenant_id, to=conversation.phone_e164, body=body, kind=MessageKind.REPLY.value,
        conversation_id=conversation.id, acting_user=ctx, media_urls=media_urls,
    )
    if conversation.mode == ConversationMode.AI.value:
        _set_mode(
            db, conversation, mode=ConversationMode.MANUAL.value, assigned_user_id=ctx.user_id, acting_user=ctx,
            action="conversation.taken_over", summary=f"{ctx.user_name} took over the conversation by replying",
        )
    else:
        conversation.needs_human = False
        db.add(conversation)
    db.flush()
    db.execute(
        update(Conversation)
        .where(Conversation.tenant_id == tenant_id, Conversation.id == conversation.id)
        .values(unread_count=0),
        execution_options={"synchronize_session": False},
    )
    return row


# ---- missed-call text-back --------------------------------------------------------------------


def missed_call_text_back(
    db: Session, *, tenant_id: str, caller: str, called_number: str, now: dt.datetime | None = None
) -> OutboundMessage | None:
    """Texts a caller whose call was missed, at most once per caller per the tenant's window
    (not once per call). Returns the queued message, or None when nothing is sent (disabled,
    hidden/invalid caller id, opted out, or already texted within the window).

    Called by the voice area in its own transaction; the window claim is part of it.
    """
    now = now or utcnow()
    settings = messaging_service.get_or_create_settings(db, tenant_id=tenant_id)
    if not settings.missed_call_enabled:
        return None
    caller_e164 = to_e164(caller or "")
    if caller_e164 is None:
        return None
    if messaging_service.is_opted_out(db, tenant_id=tenant_id, phone_e164=caller_e164):
        return None
    if not _claim_missed_call_window(db, tenant_id=tenant_id, caller=caller_e164, now=now,
                                     window=dt.timedelta(minutes=settings.missed_call_window_minutes)):
        return None
    customer, _ = customers_service.get_or_create_by_phone(
        db, tenant_id=tenant_id, phone_e164=caller_e164, source=CustomerSource.VOICE.value
    )
    called = to_e164(called_number or "")
    conversation, _ = messaging_service.get_or_create_conversation(
        db, tenant_id=tenant_id, customer_id=customer.id, phone_e164=caller_e164, tenant_number=called,
        default_mode=settings.default_mode, activity_at=now,
    )
    business = _business_name(db, tenant_id)
    body = settings.missed_call_text.replace("{business}", business)
    return send_sms(
        db, tenant_id=tenant_id, to=caller_e164, body=body, kind=MessageKind.MISSED_CALL.value,
        conversation_id=conversation.id, from_number=called, sender_name="missed-call text-back", now=now,
    )


def _claim_missed_call_window(
    db: Session, *, tenant_id: str, caller: str, now: dt.datetime, window: dt.timedelta
) -> bool:
    """Atomically takes the caller's text-back slot; False if one was sent within the window."""
    result = db.execute(
        update(MissedCallTextBack)
        .where(
            MissedCallTextBack.tenant_id == tenant_id,
            MissedCallTextBack.caller == caller,
            MissedCallTextBack.last_sent_at <= now - window,
        )
        .values(last_sent_at=now, texts_sent=MissedCallTextBack.texts_sent + 1),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount == 1:
        return True
    exists = db.exec(
        select(MissedCallTextBack.id).where(MissedCallTextBack.tenant_id == tenant_id, MissedCallTextBack.caller == caller)
    ).first()
    if exists is not None:
        return False
    try:
        with db.begin_nested():
            db.add(MissedCallTextBack(tenant_id=tenant_id, caller=caller, last_sent_at=now, texts_sent=1))
            db.flush()
    except IntegrityError:
        return False  # another call from the same caller claimed it first
    return True


def _business_name(db: Session, tenant_id: str) -> str:
    from backend.tenancy import service as tenancy_service

    config = tenancy_service.get_config(db, tenant_id=tenant_id)
    if config is not None and config.business_name:
        return config.business_name
    tenant = db.get(Tenant, tenant_id)
    return tenant.name if tenant else "us"


# ---- settings and quick replies ---------------------------------------------------------------


class MessagingSettingsUpdate(BaseModel):
    """The messaging settings form."""

    default_mode: ConversationMode = ConversationMode.AI
    missed_call_enabled: bool = True
    missed_call_window_minutes: int = 30
    missed_call_text: str = ""
    opt_out_text: str = ""
    opt_in_text: str = ""

    @field_validator("missed_call_window_minutes")
    @classmethod
    def _window(cls, v: int) -> int:
        if not 1 <= v <= 7 * 24 * 60:
            raise ValueError("The text-back window must be between 1 minute and 7 days.")
        return v

    @field_validator("missed_call_text", "opt_out_text", "opt_in_text")
    @classmethod
    def _text(cls, v: str) -> str:
        v = (v or "").strip()
        if len(v) > 320:
            raise ValueError("Keep automatic texts to 320 characters or fewer.")
        return v


def do_update_messaging_settings(
    db: Session, *, tenant_id: str, settings_in: MessagingSettingsUpdate | dict, acting_user: StaffContext | None
) -> MessagingSettings:
    """Saves the tenant's messaging settings (owner/admin only). A dict changes only the
    fields it names; a MessagingSettingsUpdate replaces them all."""
    ctx = _require_admin(acting_user, tenant_id)
    row = messaging_service.get_or_create_settings(db, tenant_id=tenant_id)
    if isinstance(settings_in, dict):
        current = {name: getattr(row, name) for name in MessagingSettingsUpdate.model_fields}
        try:
            settings_in = MessagingSettingsUpdate(**{**current, **settings_in})
        except ValidationError as exc:
            raise UserError(pydantic_message(exc)) from None
    if settings_in.missed_call_enabled and not settings_in.missed_call_text:
        raise UserError("Write the missed-call text, or switch missed-call text-back off.")
    row.default_mode = settings_in.default_mode.value
    row.missed_call_enabled = settings_in.missed_call_enabled
    row.missed_call_window_minutes = settings_in.missed_call_window_minutes
    row.missed_call_text = settings_in.missed_call_text or row.missed_call_text
    row.opt_out_text = settings_in.opt_out_text
    row.opt_in_text = settings_in.opt_in_text
    row.updated_at = utcnow()
    db.add(row)
    audit.record(
        db, tenant_id=tenant_id, acting_user=ctx, action="messaging_settings.updated",
        target_type="messaging_settings", target_id=row.id, summary="Updated messaging settings",
    )
    return row


MAX_AUTO_TEXT_CHARS = 320


def do_update_help_text(
    db: Session, *, tenant_id: str, text: str, acting_user: StaffContext | None
) -> str:
    """Saves the reply to HELP/INFO (owner/admin); blank restores the built-in wording.
    Returns the saved text."""
    from backend.tenancy import service as tenancy_service

    ctx = _require_admin(acting_user, tenant_id)
    text = (text if isinstance(text, str) else "").strip()
    if len(text) > MAX_AUTO_TEXT_CHARS:
        raise UserError(f"Keep the HELP reply to {MAX_AUTO_TEXT_CHARS} characters or fewer (it has {len(text)}).")
    if text and not re.search(r"\bSTOP\b", text, re.IGNORECASE):
        # Carriers (CTIA) require the HELP reply to say how to opt out.
        raise UserError('The HELP reply must tell people how to opt out, e.g. "Reply STOP to opt out."')
    config = tenancy_service.get_config(db, tenant_id=tenant_id)
    if config is None:
        raise NotFound("This business has no profile yet.")
    config.sms_help_text = text
    config.updated_at = utcnow()
    db.add(config)
    audit.record(
        db, tenant_id=tenant_id, acting_user=ctx, action="messaging_settings.help_text_updated",
        target_type="tenant_config", target_id=config.id,
        summary="Restored the built-in HELP reply" if not text else "Changed the HELP reply",
    )
    return text


class QuickReplyIn(BaseModel):
    title: str
    body: str
    position: int = 0

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        v = " ".join((v or "").split())
        if not 1 <= len(v) <= 80:
            raise ValueError("Give the quick reply a title of 1–80 characters.")
        return v

    @field_validator("body")
    @classmethod
    def _body(cls, v: str) -> str:
        v = (v or "").strip()
        if not v:
            raise ValueError("Write the reply text.")
        if len(v) > MAX_BODY_CHARS:
            raise ValueError(f"A text can be at most {MAX_BODY_CHARS:,} characters.")
        return v


def _parse_quick_reply(data: QuickReplyIn | dict) -> QuickReplyIn:
    if isinstance(data, QuickReplyIn):
        return data
    try:
        return QuickReplyIn(**data)
    except ValidationError as exc:
        raise UserError(pydantic_message(exc)) from None


def do_create_quick_reply(
    db: Session, *, tenant_id: str, quick_reply_in: QuickReplyIn | dict, acting_user: StaffContext | None
) -> QuickReply:
    """Adds a quick-reply template (owner/admin)."""
    ctx = _require_admin(acting_user, tenant_id)
    data = _parse_quick_reply(quick_reply_in)
    row = QuickReply(tenant_id=tenant_id, title=data.title, body=data.body, position=data.position)
    db.add(row)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=ctx, action="quick_reply.created",
                 target_type="quick_reply", target_id=row.id, summary=f"Added quick reply {row.title!r}")
    return row


def do_update_quick_reply(
    db: Session, *, tenant_id: str, quick_reply_id: str, quick_reply_in: QuickReplyIn | dict,
    acting_user: StaffContext | None,
) -> QuickReply:
    """Edits a quick-reply template (owner/admin)."""
    ctx = _require_admin(acting_user, tenant_id)
    data = _parse_quick_reply(quick_reply_in)
    row = messaging_service.access_quick_reply_by_id(db, tenant_id=tenant_id, quick_reply_id=quick_reply_id)
    row.title, row.body, row.position, row.updated_at = data.title, data.body, data.position, utcnow()
    db.add(row)
    audit.record(db, tenant_id=tenant_id, acting_user=ctx, action="quick_reply.updated",
                 target_type="quick_reply", target_id=row.id, summary=f"Edited quick reply {row.title!r}")
    return row


def do_delete_quick_reply(
    db: Session, *, tenant_id: str, quick_reply_id: str, acting_user: StaffContext | None
) -> None:
    """Removes a quick-reply template (owner/admin)."""
    ctx = _require_admin(acting_user, tenant_id)
    row = messaging_service.access_quick_reply_by_id(db, tenant_id=tenant_id, quick_reply_id=quick_reply_id)
    db.delete(row)
    audit.record(db, tenant_id=tenant_id, acting_user=ctx, action="quick_reply.deleted",
                 target_type="quick_reply", target_id=quick_reply_id, summary=f"Removed quick reply {row.title!r}")


# ---- A2P 10DLC registration -----------------------------------------------------------------


def do_save_a2p_registration(
    db: Session, *, tenant_id: str, registration_in: dict, acting_user: StaffContext | None
) -> A2PRegistration:
    """Saves the A2P form as a draft (incomplete is fine); editing a submitted or decided
    registration puts it back to draft."""
    from backend.messaging.a2p import A2PRegistrationDraft
    from backend.messaging.enums import A2PStatus

    ctx = _require_admin(acting_user, tenant_id)
    try:
        draft = registration_in if isinstance(registration_in, A2PRegistrationDraft) else A2PRegistrationDraft(
            **(registration_in or {})
        )
    except ValidationError as exc:
        raise UserError(pydantic_message(exc)) from None
    row = messaging_service.get_a2p_registration(db, tenant_id=tenant_id)
    if row is None:
        row = A2PRegistration(tenant_id=tenant_id)
    old_status = row.status
    row.data = draft.model_dump(mode="json")
    row.status = A2PStatus.DRAFT.value
    row.rejection_reason = ""
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    audit.record(
        db, tenant_id=tenant_id, acting_user=ctx, action="a2p.saved", target_type="a2p_registration",
        target_id=row.id, summary="Saved the texting registration (A2P 10DLC) draft",
        detail={"previous_status": old_status},
    )
    return row


def do_submit_a2p_registration(
    db: Session, *, tenant_id: str, acting_user: StaffContext | None
) -> A2PRegistration:
    """Validates the saved registration in full (Twilio's rules) and marks it submitted.
    Raises UserError listing every problem; nothing changes then."""
    from backend.messaging.a2p import A2PRegistrationIn
    from backend.messaging.enums import A2PStatus

    ctx = _require_admin(acting_user, tenant_id)
    row = messaging_service.get_a2p_registration(db, tenant_id=tenant_id)
    if row is None:
        raise UserError("Fill in and save the registration form first.")
    if row.status in (A2PStatus.SUBMITTED.value, A2PStatus.APPROVED.value):
        raise UserError(f"This registration is already {row.status}.")
    try:
        complete = A2PRegistrationIn(**row.data)
    except ValidationError as exc:
        raise UserError(pydantic_message(exc)) from None
    now = utcnow()
    row.data = complete.model_dump(mode="json")
    row.status = A2PStatus.SUBMITTED.value
    row.submitted_at = now
    row.updated_at = now
    db.add(row)
    audit.record(
        db, tenant_id=tenant_id, acting_user=ctx, action="a2p.submitted", target_type="a2p_registration",
        target_id=row.id, summary="Submitted the texting registration (A2P 10DLC) for review",
    )
    return row


def do_decide_a2p_registration(
    db: Session, *, tenant_id: str, approved: bool, reason: str = "", acting_user: StaffContext | None
) -> A2PRegistration:
    """Records the carriers' decision on a submitted registration (platform owner only)."""
    from backend.messaging.enums import A2PStatus

    if acting_user is not None and not acting_user.is_platform_admin:
        raise PermissionDenied("Only the platform owner records registration decisions.")
    row = messaging_service.get_a2p_registration(db, tenant_id=tenant_id)
    if row is None or row.status != A2PStatus.SUBMITTED.value:
        raise UserError("There is no submitted registration to decide on.")
    reason = " ".join((reason or "").split())
    if not approved and len(reason) < 5:
        raise UserError("Say why the registration was rejected.")
    now = utcnow()
    row.status = A2PStatus.APPROVED.value if approved else A2PStatus.REJECTED.value
    row.rejection_reason = "" if approved else reason[:1000]
    row.decided_at = now
    row.updated_at = now
    db.add(row)
    audit.record(
        db, tenant_id=tenant_id, acting_user=acting_user, action=f"a2p.{row.status}",
        target_type="a2p_registration", target_id=row.id, summary=f"Texting registration {row.status}",
        detail={"reason": row.rejection_reason},
    )
    return row
