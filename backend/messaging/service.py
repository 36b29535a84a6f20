"""Messaging queries and simple writes (no audit rows, no outbox): lookups by id and phone,
settings rows, consent state, usage counters and the sending identity of a tenant."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import case, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from backend.db.types import UTCDateTime, utcnow
from backend.errors import NotFound, UserError
from backend.messaging.enums import ConsentState
from backend.messaging.models import (
    A2PRegistration,
    Conversation,
    InboundMessage,
    MessagingSettings,
    OutboundMessage,
    QuickReply,
    SmsConsent,
    SmsUsageDaily,
)
from backend.tenancy.models import TenantPhoneConfig


# ---- access helpers (same error for "missing" and "not yours") -----------------------------


def access_conversation_by_id(db: Session, *, tenant_id: str, conversation_id: str) -> Conversation:
    """Returns the tenant's conversation or raises NotFound (also for another tenant's id)."""
    row = db.get(Conversation, (tenant_id, conversation_id)) if isinstance(conversation_id, str) else None
    if row is None:
        raise NotFound("No such conversation.")
    return row


def access_outbound_by_id(db: Session, *, tenant_id: str, message_id: str) -> OutboundMessage:
    """Returns the tenant's outbound message or raises NotFound."""
    row = db.get(OutboundMessage, (tenant_id, message_id)) if isinstance(message_id, str) else None
    if row is None:
        raise NotFound("No such message.")
    return row


def access_quick_reply_by_id(db: Session, *, tenant_id: str, quick_reply_id: str) -> QuickReply:
    """Returns the tenant's quick reply or raises NotFound."""
    row = db.get(QuickReply, (tenant_id, quick_reply_id)) if isinstance(quick_reply_id, str) else None
    if row is None:
        raise NotFound("No such quick reply.")
    return row


# ---- conversations and messages ------------------------------------------------------------


def get_conversation_by_phone(db: Session, *, tenant_id: str, phone_e164: str) -> Conversation | None:
    """Returns the conversation with this customer number, if any."""
    return db.exec(
        select(Conversation).where(Conversation.tenant_id == tenant_id, Conversation.phone_e164 == phone_e164)
    ).first()


def get_or_create_conversation(
    db: Session, *, tenant_id: str, customer_id: str, phone_e164: str, tenant_number: str | None,
    default_mode: str, activity_at: dt.datetime | None = None,
) -> tuple[Conversation, bool]:
    """Returns (conversation, created) for a customer number; a race with another creator is
    resolved by reading the winner's row. A new conversation's last activity starts at
    `activity_at` (the first message's time), so that message's preview is kept."""
    existing = get_conversation_by_phone(db, tenant_id=tenant_id, phone_e164=phone_e164)
    if existing is not None:
        return existing, False
    row = Conversation(
        tenant_id=tenant_id, customer_id=customer_id, phone_e164=phone_e164,
        tenant_number=tenant_number, mode=default_mode, last_activity_at=activity_at or utcnow(),
    )
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        existing = get_conversation_by_phone(db, tenant_id=tenant_id, phone_e164=phone_e164)
        if existing is None:
            raise
        return existing, False
    return row, True


def get_inbound_by_sid(db: Session, *, tenant_id: str, provider_sid: str) -> InboundMessage | None:
    """Returns the inbound message with this provider SID (MessageSid), if stored."""
    return db.exec(
        select(InboundMessage).where(InboundMessage.tenant_id == tenant_id, InboundMessage.provider_sid == provider_sid)
    ).first()


def get_outbound_by_sid(db: Session, *, tenant_id: str, provider_sid: str) -> OutboundMessage | None:
    """Returns the outbound message the provider knows by this SID, if any."""
    return db.exec(
        select(OutboundMessage).where(OutboundMessage.tenant_id == tenant_id, OutboundMessage.provider_sid == provider_sid)
    ).first()


def get_replies_to(db: Session, *, tenant_id: str, message_id: str) -> list[OutboundMessage]:
    """Returns the outbound messages sent in reply to one inbound message, oldest first."""
    return list(
        db.exec(
            select(OutboundMessage)
            .where(OutboundMessage.tenant_id == tenant_id, OutboundMessage.reply_to_message_id == message_id)
            .order_by(OutboundMessage.created_at)
        ).all()
    )


# ---- settings ------------------------------------------------------------------------------


def get_settings_row(db: Session, *, tenant_id: str) -> MessagingSettings | None:
    return db.exec(select(MessagingSettings).where(MessagingSettings.tenant_id == tenant_id)).first()


def get_or_create_settings(db: Session, *, tenant_id: str) -> MessagingSettings:
    """Returns the tenant's messaging settings, creating the default row on first use."""
    row = get_settings_row(db, tenant_id=tenant_id)
    if row is not None:
        return row
    row = MessagingSettings(tenant_id=tenant_id)
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        row = get_settings_row(db, tenant_id=tenant_id)
        if row is None:
            raise
    return row


def get_quick_replies(db: Session, *, tenant_id: str) -> list[QuickReply]:
    """Returns the tenant's quick replies in display order."""
    return list(
        db.exec(
            select(QuickReply).where(QuickReply.tenant_id == tenant_id).order_by(QuickReply.position, QuickReply.title)
        ).all()
    )


def get_a2p_registration(db: Session, *, tenant_id: str) -> A2PRegistration | None:
    return db.exec(select(A2PRegistration).where(A2PRegistration.tenant_id == tenant_id)).first()


# ---- consent ------------------------------------------------------------------------------


def get_consent(db: Session, *, tenant_id: str, phone_e164: str) -> SmsConsent | None:
    """Returns the current consent row of a number towards the tenant (None: never recorded)."""
    return db.exec(
        select(SmsConsent).where(SmsConsent.tenant_id == tenant_id, SmsConsent.phone_e164 == phone_e164)
    ).first()


def is_opted_out(db: Session, *, tenant_id: str, phone_e164: str) -> bool:
    """True when the number has opted out of this tenant's texts (from any of its numbers)."""
    row = get_consent(db, tenant_id=tenant_id, phone_e164=phone_e164)
    return row is not None and row.state == ConsentState.OPTED_OUT.value


# ---- sending identity ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SendingIdentity:
    from_number: str
    messaging_service_sid: str | None
    phone_config_id: str


def get_sending_identity(
    db: Session, *, tenant_id: str, preferred_number: str | None = None
) -> SendingIdentity:
    """Returns the tenant number (and messaging service) a text goes out from: the preferred
    number when it is one of the tenant's active numbers, else the first active one."""
    configs = [
        c for c in db.exec(
            select(TenantPhoneConfig)
            .where(TenantPhoneConfig.tenant_id == tenant_id, TenantPhoneConfig.active)
            .order_by(TenantPhoneConfig.created_at, TenantPhoneConfig.phone_number)
        ).all()
    ]
    if not configs:
        raise UserError("This business has no active phone number to text from yet.")
    chosen = next((c for c in configs if preferred_number and c.phone_number == preferred_number), configs[0])
    return SendingIdentity(chosen.phone_number, chosen.messaging_service_sid, chosen.id)


def get_phone_config_by_number(db: Session, *, tenant_id: str, phone_number: str) -> TenantPhoneConfig | None:
    return db.exec(
        select(TenantPhoneConfig).where(
            TenantPhoneConfig.tenant_id == tenant_id, TenantPhoneConfig.phone_number == phone_number
        )
    ).first()


# ---- usage counters ------------------------------------------------------------------------


def add_usage(
    db: Session, *, tenant_id: str, day: dt.date | None = None, messages_in: int = 0, segments_in: int = 0,
    messages_out: int = 0, segments_out: int = 0,
) -> None:
    """Adds to the tenant's daily counters in the caller's transaction (atomic upsert)."""
    day = day or utcnow().date()
    values = dict(messages_in=messages_in, segments_in=segments_in, messages_out=messages_out,
                  segments_out=segments_out)
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    from backend.db.ids import new_id

    stmt = insert(SmsUsageDaily).values(id=new_id(), tenant_id=tenant_id, day=day, **values)
    table = SmsUsageDaily.__table__
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.tenant_id, table.c.day],
        set_={name: table.c[name] + stmt.excluded[name] for name in values},
    )
    db.execute(stmt)


def get_usage(db: Session, *, tenant_id: str, start: dt.date, end: dt.date) -> list[SmsUsageDaily]:
    """Returns the daily counters between two dates (inclusive), oldest first."""
    return list(
        db.exec(
            select(SmsUsageDaily)
            .where(SmsUsageDaily.tenant_id == tenant_id, SmsUsageDaily.day >= start, SmsUsageDaily.day <= end)
            .order_by(SmsUsageDaily.day)
        ).all()
    )


def touch_conversation(
    db: Session, *, tenant_id: str, conversation_id: str, preview: str, direction: str,
    at: dt.datetime, unread_increment: int = 0, tenant_number: str | None = None,
) -> None:
    """Moves a conversation's last activity forward (atomic; an older event never moves it
    back) and adds to its unread count."""
    newer = Conversation.last_activity_at <= at

    def if_newer(value, column):
        return case((newer, value), else_=column)

    values: dict = {
        "last_activity_at": if_newer(literal(at, UTCDateTime()), Conversation.last_activity_at),
        "last_message_preview": if_newer((preview or "")[:200], Conversation.last_message_preview),
        "last_message_direction": if_newer(direction, Conversation.last_message_direction),
        "updated_at": utcnow(),
    }
    if unread_increment:
        values["unread_count"] = Conversation.unread_count + unread_increment
    if direction == "in":
        values["last_inbound_at"] = at
        if tenant_number:
            values["tenant_number"] = tenant_number
    db.execute(
        update(Conversation)
        .where(Conversation.tenant_id == tenant_id, Conversation.id == conversation_id)
        .values(**values),
        execution_options={"synchronize_session": False},
    )
