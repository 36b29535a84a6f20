"""Inbound SMS: store first, link to customer and conversation, then process asynchronously.

1. `store_inbound` (webhook) commits the message row on its own (unique on tenant +
   MessageSid), before anything else can fail; a retried webhook finds the row and creates
   nothing. The webhook queues the processing job and answers.
2. `link_inbound` finds or creates the customer (by E.164 number) and the conversation and
   counts the message as unread and in the usage counters — exactly once, guarded by a
   conditional UPDATE. It runs right
   after the webhook has answered, in the web process (`after_response`, which then tells the
   `events` subscribers there), and as the job's first step if that has not happened yet.
3. `process_inbound` (the Huey task) handles consent keywords first, then hands the text to the
   registered responder when the conversation is in `ai` mode and the number has not opted
   out. A lease and a conditional "handled" stamp make it run to completion at most once, so a
   retried webhook or a re-queued task never sends a second reply.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Mapping

from sqlalchemy import and_, insert, or_, update
from sqlalchemy.exc import IntegrityError

from backend.customers import service as customers_service
from backend.customers.enums import CustomerSource
from backend.db.ids import new_id
from backend.db.session import tenant_session
from backend.db.types import utcnow
from backend.messaging import actions as messaging_actions
from backend.messaging import automation, compliance, events
from backend.messaging import service as messaging_service
from backend.messaging.enums import ConsentSource, ConsentState, ConversationMode, InboundHandling, MessageKind
from backend.messaging.models import Conversation, InboundMessage
from backend.messaging.segments import count_segments
from backend.phones import to_e164

log = logging.getLogger(__name__)

PROCESSING_LEASE = dt.timedelta(minutes=2)
MAX_MEDIA = 10


@dataclasses.dataclass(frozen=True)
class StoredInbound:
    tenant_id: str
    message_id: str
    duplicate: bool
    conversation_id: str | None
    handled: bool = False


_E164 = re.compile(r"\+[1-9]\d{7,14}")


def normalize_number(raw: str) -> str:
    """Returns a sender/recipient as E.164 when it is a phone number (Twilio already sends
    E.164, checked cheaply), else the raw value (short codes, alphanumeric senders)."""
    raw = (raw or "").strip()
    if _E164.fullmatch(raw):
        return raw
    return to_e164(raw) or raw


def parse_media(params: Mapping[str, str]) -> list[dict]:
    """Returns [{"url", "content_type"}] from Twilio's NumMedia/MediaUrlN/MediaContentTypeN."""
    try:
        count = int(params.get("NumMedia") or 0)
    except ValueError:
        count = 0
    media = []
    for i in range(min(max(count, 0), MAX_MEDIA)):
        url = (params.get(f"MediaUrl{i}") or "").strip()
        if not url:
            continue
        media.append({"url": url[:1000], "content_type": (params.get(f"MediaContentType{i}") or "").strip()[:100]})
    return media


def store_inbound(*, tenant_id: str, params: Mapping[str, str], now: dt.datetime | None = None) -> StoredInbound:
    """Commits the inbound message on its own (or finds the one already stored for this
    MessageSid). One INSERT in one short transaction: nothing else can make it fail."""
    now = now or utcnow()
    sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
    raw_from = (params.get("From") or "").strip()
    raw_to = (params.get("To") or "").strip()
    body = params.get("Body") or ""
    info = count_segments(body)
    message_id = new_id()
    try:
        with tenant_session(tenant_id) as db:
            db.execute(insert(InboundMessage).values(
                tenant_id=tenant_id,
                id=message_id,
                provider_sid=sid,
                account_sid=(params.get("AccountSid") or "")[:64],
                messaging_service_sid=(params.get("MessagingServiceSid") or None),
                from_number=normalize_number(raw_from)[:32],
                to_number=normalize_number(raw_to)[:32],
                body=body[:5000],
                media=parse_media(params),
                num_segments=max(info.segments, 1),
                encoding=info.encoding,
                received_at=now,
            ))
        return StoredInbound(tenant_id, message_id, False, None)
    except IntegrityError:
        with tenant_session(tenant_id) as db:
            existing = messaging_service.get_inbound_by_sid(db, tenant_id=tenant_id, provider_sid=sid)
            if existing is None:
                raise
            return StoredInbound(tenant_id, existing.id, True, existing.conversation_id,
                                 handled=existing.handled_at is not None)


def link_inbound(*, tenant_id: str, message_id: str) -> str | None:
    """Links a stored message to its customer and conversation (once); returns the
    conversation id, or None when the sender is not a phone number (short code, alphanumeric)."""
    for attempt in range(3):
        try:
            with tenant_session(tenant_id) as db:
                return _link(db, tenant_id=tenant_id, message_id=message_id)
        except IntegrityError:
            # A concurrent message from the same new number created the customer first.
            if attempt == 2:
                raise
    return None


def _link(db, *, tenant_id: str, message_id: str) -> str | None:
    message = db.get(InboundMessage, (tenant_id, message_id))
    if message is None:
        return None
    if message.conversation_id:
        return message.conversation_id
    phone = normalize_number(message.from_number)
    if not _E164.fullmatch(phone):
        return None
    conversation = messaging_service.get_conversation_by_phone(db, tenant_id=tenant_id, phone_e164=phone)
    if conversation is None:
        settings = messaging_service.get_or_create_settings(db, tenant_id=tenant_id)
        customer, _ = customers_service.get_or_create_by_phone(
            db, tenant_id=tenant_id, phone_e164=phone, source=CustomerSource.SMS.value
        )
        conversation, _ = messaging_service.get_or_create_conversation(
            db, tenant_id=tenant_id, customer_id=customer.id, phone_e164=phone, tenant_number=message.to_number,
            default_mode=settings.default_mode, activity_at=message.received_at,
        )
    linked = db.execute(
        update(InboundMessage)
        .where(InboundMessage.tenant_id == tenant_id, InboundMessage.id == message_id,
               InboundMessage.conversation_id.is_(None))
        .values(conversation_id=conversation.id),
        execution_options={"synchronize_session": False},
    )
    if linked.rowcount == 1:
        preview = message.body or ("📷 Picture" if message.media else "")
        messaging_service.touch_conversation(
            db, tenant_id=tenant_id, conversation_id=conversation.id, preview=preview, direction="in",
            at=message.received_at, unread_increment=1, tenant_number=message.to_number,
        )
        # Counted here, once, rather than while storing: the per-day counter row is a hot spot
        # that would serialise concurrent webhooks of one tenant before they answer.
        messaging_service.add_usage(db, tenant_id=tenant_id, day=message.received_at.date(), messages_in=1,
                                    segments_in=message.num_segments)
    return conversation.id


def receive(*, tenant_id: str, params: Mapping[str, str]) -> StoredInbound:
    """The webhook's work before it answers: store (own commit) and
    hand off to the processing job. A retried webhook stores nothing and queues the job again
    only if the first delivery's job has not finished (the job runs to completion once)."""
    stored = store_inbound(tenant_id=tenant_id, params=params)
    if not stored.handled:
        _hand_off(tenant_id, stored.message_id)
    return stored


def after_response(*, tenant_id: str, message_id: str) -> str | None:
    """Runs in the web process right after the webhook has answered: links the message to its
    customer and conversation (if the job has not already) and tells `events` subscribers —
    the UI layer subscribes in this process. Returns the conversation id. Never raises."""
    try:
        conversation_id = link_inbound(tenant_id=tenant_id, message_id=message_id)
    except Exception:  # stored already; the job links it (and the sweeper retries the job)
        log.exception("linking inbound %s failed; processing will retry", message_id)
        return None
    events.publish(tenant_id, conversation_id)
    return conversation_id


def _hand_off(tenant_id: str, message_id: str) -> None:
    from backend.jobs import messaging_tasks

    try:
        messaging_tasks.process_inbound_sms(tenant_id, message_id)
    except Exception:  # the queue is down: the sweeper finds unhandled messages
        log.exception("could not queue processing of inbound %s", message_id)


# ---- processing (Huey task body) ------------------------------------------------------------


def _help_text(db, tenant_id: str) -> str:
    from backend.tenancy import service as tenancy_service

    config = tenancy_service.get_config(db, tenant_id=tenant_id)
    if config is not None and config.sms_help_text.strip():
        return config.sms_help_text.strip()
    name = messaging_actions._business_name(db, tenant_id)
    return f"{name}: reply STOP to opt out, START to opt back in. Msg & data rates may apply."


def opt_out_text(db, tenant_id: str) -> str:
    """Returns the confirmation sent once when a number opts out."""
    settings = messaging_service.get_or_create_settings(db, tenant_id=tenant_id)
    if settings.opt_out_text:
        return settings.opt_out_text
    name = messaging_actions._business_name(db, tenant_id)
    return f"{name}: You are unsubscribed and will receive no further messages. Reply START to resubscribe."


def opt_in_text(db, tenant_id: str) -> str:
    """Returns the confirmation sent when an opted-out number opts back in."""
    settings = messaging_service.get_or_create_settings(db, tenant_id=tenant_id)
    if settings.opt_in_text:
        return settings.opt_in_text
    name = messaging_actions._business_name(db, tenant_id)
    return (f"{name}: You are resubscribed and can text us again. Reply HELP for help, STOP to opt out. "
            "Msg & data rates may apply.")


def _mark_handled(db, message: InboundMessage, handling: str, now: dt.datetime) -> None:
    message.handled_at = now
    message.handling = handling
    message.processing_token = None
    message.processing_until = None
    db.add(message)


def process_inbound(*, tenant_id: str, message_id: str, now: dt.datetime | None = None) -> str:
    """Handles one inbound message once: consent keywords, then the responder. Returns the
    handling (an InboundHandling value) or "skipped" when it is handled or being handled."""
    now = now or utcnow()
    with tenant_session(tenant_id) as db:
        message = db.get(InboundMessage, (tenant_id, message_id))
        if message is None or message.handled_at is not None:
            return "skipped"
        needs_link = message.conversation_id is None
    if needs_link:  # the web process could not link it after answering: do it here
        events.publish(tenant_id, link_inbound(tenant_id=tenant_id, message_id=message_id))
    token = new_id()
    with tenant_session(tenant_id) as db:
        claimed = db.execute(
            update(InboundMessage)
            .where(
                InboundMessage.tenant_id == tenant_id,
                InboundMessage.id == message_id,
                InboundMessage.handled_at.is_(None),
                or_(InboundMessage.processing_until.is_(None), InboundMessage.processing_until < now),
            )
            .values(processing_token=token, processing_until=now + PROCESSING_LEASE),
            execution_options={"synchronize_session": False},
        )
        if claimed.rowcount != 1:
            return "skipped"
        message = db.get(InboundMessage, (tenant_id, message_id), populate_existing=True)
        outcome, context = _handle_in_transaction(db, message, now)
        if outcome is not None:
            return outcome
    return _answer(tenant_id=tenant_id, message_id=message_id, token=token, context=context)


def _handle_in_transaction(db, message: InboundMessage, now: dt.datetime):
    """Consent keywords and mode checks. Returns (handling, None) when done, or
    (None, InboundContext) when the responder must be asked."""
    tenant_id = message.tenant_id
    conversation = (
        db.get(Conversation, (tenant_id, message.conversation_id)) if message.conversation_id else None
    )
    phone = to_e164(message.from_number)
    if phone is None or conversation is None:
        _mark_handled(db, message, InboundHandling.NO_CONVERSATION.value, now)
        return InboundHandling.NO_CONVERSATION.value, None
    keyword, word = compliance.classify_keyword(message.body)
    opted_out = messaging_service.is_opted_out(db, tenant_id=tenant_id, phone_e164=phone)

    def record(state: str) -> None:
        messaging_actions.do_record_consent(
            db, tenant_id=tenant_id, phone_e164=phone, state=state, source=ConsentSource.KEYWORD.value,
            text=message.body, channel="sms", tenant_number=message.to_number, message_sid=message.provider_sid,
        )

    def confirm(body: str) -> None:
        messaging_actions.queue_consent_confirmation(
            db, tenant_id=tenant_id, to=phone, body=body, conversation_id=conversation.id,
            from_number=message.to_number, reply_to_message_id=message.id,
        )

    if keyword == compliance.Keyword.OPT_OUT:
        record(ConsentState.OPTED_OUT.value)
        if not opted_out:
            confirm(opt_out_text(db, tenant_id))  # the single confirmation
        _mark_handled(db, message, InboundHandling.OPT_OUT.value, now)
        events.publish_after_commit(db, tenant_id, conversation.id)
        return InboundHandling.OPT_OUT.value, None
    if keyword == compliance.Keyword.OPT_IN and (word != "YES" or opted_out):
        consent = messaging_service.get_consent(db, tenant_id=tenant_id, phone_e164=phone)
        if consent is None or consent.state != ConsentState.OPTED_IN.value:
            record(ConsentState.OPTED_IN.value)
        if opted_out:
            confirm(opt_in_text(db, tenant_id))
        _mark_handled(db, message, InboundHandling.OPT_IN.value, now)
        events.publish_after_commit(db, tenant_id, conversation.id)
        return InboundHandling.OPT_IN.value, None
    if keyword == compliance.Keyword.OPT_IN:
        # "YES" from a subscribed number is consent *and* probably an answer: record, go on.
        consent = messaging_service.get_consent(db, tenant_id=tenant_id, phone_e164=phone)
        if consent is None or consent.state != ConsentState.OPTED_IN.value:
            record(ConsentState.OPTED_IN.value)
    if opted_out:
        _mark_handled(db, message, InboundHandling.IGNORED_OPTED_OUT.value, now)
        return InboundHandling.IGNORED_OPTED_OUT.value, None
    if keyword == compliance.Keyword.HELP:
        messaging_actions.send_sms(
            db, tenant_id=tenant_id, to=phone, body=_help_text(db, tenant_id), kind=MessageKind.SYSTEM.value,
            conversation_id=conversation.id, from_number=message.to_number, reply_to_message_id=message.id,
            sender_name="automatic reply",
        )
        _mark_handled(db, message, InboundHandling.HELP.value, now)
        return InboundHandling.HELP.value, None
    if conversation.mode == ConversationMode.MANUAL.value:
        _mark_handled(db, message, InboundHandling.STAFF.value, now)
        return InboundHandling.STAFF.value, None
    if conversation.mode == ConversationMode.PAUSED.value:
        _mark_handled(db, message, InboundHandling.PAUSED.value, now)
        return InboundHandling.PAUSED.value, None
    if automation.get_responder() is None:
        _flag_needs_human(db, conversation)
        _mark_handled(db, message, InboundHandling.NEEDS_HUMAN.value, now)
        return InboundHandling.NEEDS_HUMAN.value, None
    context = automation.InboundContext(
        tenant_id=tenant_id, conversation_id=conversation.id, customer_id=conversation.customer_id,
        message_id=message.id, phone=phone, body=message.body, channel="sms",
    )
    return None, context


def _flag_needs_human(db, conversation: Conversation) -> None:
    db.execute(
        update(Conversation)
        .where(Conversation.tenant_id == conversation.tenant_id, Conversation.id == conversation.id)
        .values(needs_human=True),
        execution_options={"synchronize_session": False},
    )
    events.publish_after_commit(db, conversation.tenant_id, conversation.id)


def _answer(*, tenant_id: str, message_id: str, token: str, context: automation.InboundContext) -> str:
    """Asks the responder (outside any transaction) and sends its reply once."""
    responder = automation.get_responder()
    reply: str | None = None
    if responder is not None:
        try:
            reply = responder(context)
        except Exception:
            log.exception("responder failed for inbound %s; flagging for a human", message_id)
            reply = None
    reply = (reply or "").strip()[: messaging_actions.MAX_BODY_CHARS] if isinstance(reply, str) else ""
    now = utcnow()
    with tenant_session(tenant_id) as db:
        done = db.execute(
            update(InboundMessage)
            .where(
                and_(InboundMessage.tenant_id == tenant_id, InboundMessage.id == message_id,
                     InboundMessage.processing_token == token, InboundMessage.handled_at.is_(None))
            )
            .values(handled_at=now, processing_token=None, processing_until=None),
            execution_options={"synchronize_session": False},
        )
        if done.rowcount != 1:
            return "skipped"  # our lease ran out and another worker handled it
        message = db.get(InboundMessage, (tenant_id, message_id), populate_existing=True)
        conversation = db.get(Conversation, (tenant_id, context.conversation_id), populate_existing=True)
        still_ai = conversation is not None and conversation.mode == ConversationMode.AI.value
        opted_out = messaging_service.is_opted_out(db, tenant_id=tenant_id, phone_e164=context.phone)
        if reply and still_ai and not opted_out:
            messaging_actions.send_sms(
                db, tenant_id=tenant_id, to=context.phone, body=reply, kind=MessageKind.REPLY.value,
                conversation_id=context.conversation_id, from_number=message.to_number,
                reply_to_message_id=message_id, sender_name="AI assistant",
            )
            message.handling = InboundHandling.AI_REPLY.value
        elif opted_out:
            message.handling = InboundHandling.IGNORED_OPTED_OUT.value
        elif not still_ai:
            message.handling = InboundHandling.STAFF.value
        else:
            _flag_needs_human(db, conversation)
            message.handling = InboundHandling.NEEDS_HUMAN.value
        db.add(message)
        return message.handling
