"""Agent tables.

- `agent_conversation_states`: the dialogue state of one conversation (intent, filled slots,
  offered slots, pending confirmation, clarification counts, recent history) as JSON, keyed by
  channel + conversation key (the messaging conversation id for SMS, the web chat session id
  for web). A version counter makes concurrent turns of one conversation detectable, so a
  worker restart or a second worker loses or duplicates nothing.
- `agent_turns`: one row per answered customer message (what was said, which engine answered,
  the reply and the actions carried out). Unique per message, so a re-delivered message gets
  the stored answer instead of a second booking.
- `agent_policies`: the tenant's own policy texts (cancellation, payment, deposit, ...) that
  override the industry pack and the global base on the Knowledge page.
- `webchat_sessions` / `webchat_messages`: the web chat widget's sessions and transcript. The
  session secret is stored only as a SHA-256 hash.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field

from backend.db.base import TenantScoped
from backend.db.ids import new_id
from backend.db.types import UTCDateTime, utcnow
from backend.enums import StrEnum


class AgentChannel(StrEnum):
    SMS = "sms"
    WEB = "web"
    VOICE = "voice"


class WebChatStatus(StrEnum):
    OPEN = "open"
    HANDOFF = "handoff"  # a person will follow up; the agent no longer answers
    CLOSED = "closed"


def _customer_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"], ondelete="CASCADE"
    )


class AgentConversationState(TenantScoped, table=True):
    __tablename__ = "agent_conversation_states"
    __table_args__ = (
        _customer_fk(),
        UniqueConstraint("tenant_id", "channel", "conversation_key", name="uq_agent_conversation_states_key"),
        Index("ix_agent_conversation_states_updated", "tenant_id", "updated_at"),
        Index("ix_agent_conversation_states_customer", "tenant_id", "customer_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    channel: str = Field(max_length=10)
    # SMS: the messaging conversation id; web: the web chat session id; voice: the call id.
    conversation_key: str = Field(max_length=64)
    customer_id: str | None = Field(default=None, max_length=40)
    state: dict = Field(default_factory=dict, sa_type=JSON)
    # Bumped by every saved turn; a save that finds another version was overtaken.
    version: int = Field(default=0)
    turns: int = Field(default=0)
    last_engine: str = Field(default="", max_length=20)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AgentTurn(TenantScoped, table=True):
    __tablename__ = "agent_turns"
    __table_args__ = (
        UniqueConstraint("tenant_id", "channel", "conversation_key", "message_key", name="uq_agent_turns_message"),
        Index("ix_agent_turns_conversation", "tenant_id", "channel", "conversation_key", "created_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    channel: str = Field(max_length=10)
    conversation_key: str = Field(max_length=64)
    # The inbound message id (SMS) or web chat message id: one answer per message.
    message_key: str = Field(max_length=64)
    text: str = Field(default="", sa_type=Text)
    intent: str = Field(default="", max_length=30)
    engine: str = Field(default="", max_length=20)  # "rules" | "openai" | "rules_fallback" | "gate"
    fallback_reason: str = Field(default="", max_length=300)
    reply: str = Field(default="", sa_type=Text)
    # [{"type": "book", "status": "done", "detail": {...}}, ...]
    actions: list = Field(default_factory=list, sa_type=JSON)
    # True when the agent delivered the reply itself (hand-off texts), so the caller must not.
    reply_sent: bool = Field(default=False)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AgentPolicy(TenantScoped, table=True):
    """A policy text written by the tenant on the Knowledge page; beats the pack and the base."""

    __tablename__ = "agent_policies"
    __table_args__ = (UniqueConstraint("tenant_id", "key", name="uq_agent_policies_key"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    key: str = Field(max_length=40)
    text: str = Field(sa_type=Text)
    active: bool = Field(default=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebChatSession(TenantScoped, table=True):
    __tablename__ = "webchat_sessions"
    __table_args__ = (
        _customer_fk(),
        UniqueConstraint("tenant_id", "secret_hash", name="uq_webchat_sessions_secret"),
        Index("ix_webchat_sessions_activity", "tenant_id", "last_activity_at"),
        Index("ix_webchat_sessions_customer", "tenant_id", "customer_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    # SHA-256 of the session secret the widget holds; the secret itself is never stored.
    secret_hash: str = Field(max_length=64)
    customer_id: str | None = Field(default=None, max_length=40)
    visitor_name: str = Field(default="", max_length=200)
    phone_e164: str = Field(default="", max_length=16)
    status: str = Field(default=WebChatStatus.OPEN.value, max_length=10)
    needs_human: bool = Field(default=False)
    page: str = Field(default="", max_length=300)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_activity_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebChatMessage(TenantScoped, table=True):
    __tablename__ = "webchat_messages"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "session_id"], ["webchat_sessions.tenant_id", "webchat_sessions.id"],
                             ondelete="CASCADE"),
        Index("ix_webchat_messages_session", "tenant_id", "session_id", "created_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    session_id: str = Field(max_length=40)
    direction: str = Field(max_length=10)  # "in" | "out"
    sender: str = Field(default="customer", max_length=20)  # customer | agent | staff
    body: str = Field(sa_type=Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
