"""Messaging tables.

- `conversations`: one per tenant + customer phone (mode ai|manual|paused, assignment, unread).
- `inbound_messages`: every text received, stored before anything else happens; unique on
  (tenant_id, provider_sid) so a retried webhook never creates a second row.
- `outbound_messages`: the outbox *and* the transcript of what was sent; a worker claims rows
  with a lease, sends, retries with backoff and records provider status callbacks.
- `sms_consents` (current state per phone) and `sms_consent_events` (the ledger).
- `sms_usage_daily`: per-tenant per-day message and segment counters, for billing later.
- `sms_send_slots`: per sending number rate-limit reservations shared by every worker.
- `missed_call_textbacks`: one text-back per caller per window.
- `messaging_settings`, `quick_replies`, `a2p_registrations`: tenant settings.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, ForeignKeyConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field

from backend.db.base import TenantScoped
from backend.db.ids import new_id
from backend.db.types import UTCDateTime, utcnow
from backend.messaging.enums import A2PStatus, Channel, ConversationMode, MessageKind, OutboundStatus


class Conversation(TenantScoped, table=True):
    __tablename__ = "conversations"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "phone_e164", name="uq_conversations_phone"),
        Index("ix_conversations_activity", "tenant_id", "last_activity_at"),
        Index("ix_conversations_customer", "tenant_id", "customer_id"),
        Index("ix_conversations_assigned", "tenant_id", "assigned_user_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    customer_id: str = Field(max_length=40)
    # The customer's number (E.164); the conversation key.
    phone_e164: str = Field(max_length=16)
    # The tenant number the customer last texted; replies go out from it.
    tenant_number: str | None = Field(default=None, max_length=16)
    channel: str = Field(default=Channel.SMS.value, max_length=10)
    mode: str = Field(default=ConversationMode.AI.value, max_length=10)
    assigned_user_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    unread_count: int = Field(default=0)
    needs_human: bool = Field(default=False)
    last_activity_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_inbound_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_message_preview: str = Field(default="", max_length=200)
    last_message_direction: str = Field(default="", max_length=3)  # "in" | "out"
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InboundMessage(TenantScoped, table=True):
    __tablename__ = "inbound_messages"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "conversation_id"], ["conversations.tenant_id", "conversations.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "provider_sid", name="uq_inbound_messages_sid"),
        Index("ix_inbound_messages_conversation", "tenant_id", "conversation_id", "received_at"),
        Index("ix_inbound_messages_unhandled", "tenant_id", "handled_at", "received_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    # Set when the message is linked to its customer and conversation (right after storing).
    conversation_id: str | None = Field(default=None, max_length=40)
    provider_sid: str = Field(max_length=64)  # Twilio MessageSid (SM.../MM...)
    account_sid: str = Field(default="", max_length=64)
    messaging_service_sid: str | None = Field(default=None, max_length=64)
    from_number: str = Field(max_length=32)  # E.164 when the sender is a phone number
    to_number: str = Field(max_length=32)  # the tenant's number
    body: str = Field(default="", sa_type=Text)
    # [{"url": ..., "content_type": "image/jpeg"}, ...]
    media: list = Field(default_factory=list, sa_type=JSON)
    num_segments: int = Field(default=1)
    encoding: str = Field(default="GSM-7", max_length=10)
    received_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Automation: a worker leases the message, handles it once and stamps handled_at.
    processing_token: str | None = Field(default=None, max_length=40)
    processing_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    handling: str = Field(default="", max_length=30)


class OutboundMessage(TenantScoped, table=True):
    __tablename__ = "outbound_messages"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "conversation_id"], ["conversations.tenant_id", "conversations.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "reply_to_message_id"],
                             ["inbound_messages.tenant_id", "inbound_messages.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "provider_sid", name="uq_outbound_messages_sid"),
        Index("ix_outbound_messages_conversation", "tenant_id", "conversation_id", "created_at"),
        Index("ix_outbound_messages_due", "tenant_id", "status", "next_attempt_at"),
        Index("ix_outbound_messages_to", "tenant_id", "to_number", "created_at"),
        Index("ix_outbound_messages_reply_to", "tenant_id", "reply_to_message_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    conversation_id: str | None = Field(default=None, max_length=40)
    reply_to_message_id: str | None = Field(default=None, max_length=40)
    to_number: str = Field(max_length=16)
    from_number: str | None = Field(default=None, max_length=16)
    messaging_service_sid: str | None = Field(default=None, max_length=64)
    body: str = Field(sa_type=Text)
    media: list = Field(default_factory=list, sa_type=JSON)
    kind: str = Field(default=MessageKind.TRANSACTIONAL.value, max_length=20)
    status: str = Field(default=OutboundStatus.PENDING.value, max_length=20)
    # Only opt-out/opt-in confirmations may reach an opted-out number.
    consent_exempt: bool = Field(default=False)
    provider: str = Field(default="", max_length=20)
    provider_sid: str | None = Field(default=None, max_length=64)
    error_code: int | None = Field(default=None)
    error_message: str = Field(default="", max_length=500)
    attempts: int = Field(default=0)
    next_attempt_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_expires_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    claim_token: str | None = Field(default=None, max_length=40)
    # Rate-limit slot reserved for this message when it had to wait for one.
    reserved_slot_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    deferred_reason: str = Field(default="", max_length=40)  # e.g. "quiet_hours"
    num_segments: int = Field(default=1)
    encoding: str = Field(default="GSM-7", max_length=10)
    created_by_user_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    created_by_name: str = Field(default="system", max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SmsConsent(TenantScoped, table=True):
    """The current consent state of one phone number towards one tenant."""

    __tablename__ = "sms_consents"
    __table_args__ = (UniqueConstraint("tenant_id", "phone_e164", name="uq_sms_consents_phone"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    phone_e164: str = Field(max_length=16)
    state: str = Field(max_length=20)  # ConsentState
    source: str = Field(max_length=20)  # ConsentSource
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SmsConsentEvent(TenantScoped, table=True):
    """The consent ledger: every opt-out and opt-in, with the exact text and where it came from.
    Rows are only ever added."""

    __tablename__ = "sms_consent_events"
    __table_args__ = (Index("ix_sms_consent_events_phone", "tenant_id", "phone_e164", "created_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    phone_e164: str = Field(max_length=16)
    state: str = Field(max_length=20)
    source: str = Field(max_length=20)
    channel: str = Field(default=Channel.SMS.value, max_length=10)
    text: str = Field(default="", sa_type=Text)  # exactly what was sent/said
    tenant_number: str | None = Field(default=None, max_length=32)
    message_sid: str | None = Field(default=None, max_length=64)
    error_code: int | None = Field(default=None)
    actor_user_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    actor_name: str = Field(default="", max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SmsUsageDaily(TenantScoped, table=True):
    __tablename__ = "sms_usage_daily"
    __table_args__ = (UniqueConstraint("tenant_id", "day", name="uq_sms_usage_daily_day"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    day: dt.date
    messages_in: int = Field(default=0)
    segments_in: int = Field(default=0)
    messages_out: int = Field(default=0)
    segments_out: int = Field(default=0)


class SmsSendSlot(TenantScoped, table=True):
    """Next free send slot of one sending number (or messaging service), in microseconds since
    the epoch, advanced atomically by every worker that reserves one."""

    __tablename__ = "sms_send_slots"
    __table_args__ = (UniqueConstraint("tenant_id", "sender", name="uq_sms_send_slots_sender"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    sender: str = Field(max_length=64)
    next_slot_us: int = Field(default=0, sa_type=BigInteger)


class MissedCallTextBack(TenantScoped, table=True):
    __tablename__ = "missed_call_textbacks"
    __table_args__ = (UniqueConstraint("tenant_id", "caller", name="uq_missed_call_textbacks_caller"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    caller: str = Field(max_length=16)
    last_sent_at: dt.datetime = Field(sa_type=UTCDateTime)
    texts_sent: int = Field(default=0)


DEFAULT_MISSED_CALL_TEXT = (
    "Sorry we missed your call at {business}! How can we help? Reply here and we'll get back to you."
)


class MessagingSettings(TenantScoped, table=True):
    """Per-tenant messaging settings (one row, created on first use)."""

    __tablename__ = "messaging_settings"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_messaging_settings_tenant"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    default_mode: str = Field(default=ConversationMode.AI.value, max_length=10)
    missed_call_enabled: bool = Field(default=True)
    missed_call_window_minutes: int = Field(default=30)
    missed_call_text: str = Field(default=DEFAULT_MISSED_CALL_TEXT, max_length=320)
    # Blank uses the built-in confirmation wording with the business name.
    opt_out_text: str = Field(default="", max_length=320)
    opt_in_text: str = Field(default="", max_length=320)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QuickReply(TenantScoped, table=True):
    """A saved reply staff can insert in the composer."""

    __tablename__ = "quick_replies"
    __table_args__ = (Index("ix_quick_replies_position", "tenant_id", "position"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    title: str = Field(max_length=80)
    body: str = Field(sa_type=Text)
    position: int = Field(default=0)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class A2PRegistration(TenantScoped, table=True):
    """The tenant's A2P 10DLC brand + campaign registration data (validated by
    `backend.messaging.a2p.A2PRegistrationIn`) and where it stands."""

    __tablename__ = "a2p_registrations"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_a2p_registrations_tenant"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    status: str = Field(default=A2PStatus.DRAFT.value, max_length=20)
    data: dict = Field(default_factory=dict, sa_type=JSON)
    submitted_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejection_reason: str = Field(default="", max_length=1000)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
