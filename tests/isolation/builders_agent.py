"""Isolation builders for the agent tables."""

from __future__ import annotations

import hashlib

from sqlmodel import Session

from backend.agent.models import AgentConversationState, AgentPolicy, AgentTurn, WebChatMessage, WebChatSession
from backend.db.ids import new_id
from tests.isolation.builders_customers import customer
from tests.isolation.registry import builder, flush


@builder("agent_conversation_states")
def agent_state(db: Session, tenant_id: str):
    parent = customer(db, tenant_id)
    return flush(db, AgentConversationState(tenant_id=tenant_id, channel="sms", conversation_key=new_id(),
                                            customer_id=parent.id, state={"flow": "book"}))


@builder("agent_turns")
def agent_turn(db: Session, tenant_id: str):
    return flush(db, AgentTurn(tenant_id=tenant_id, channel="sms", conversation_key=new_id(), message_key=new_id(),
                               text="hi", reply="Hello!", actions=[]))


@builder("agent_policies")
def agent_policy(db: Session, tenant_id: str):
    return flush(db, AgentPolicy(tenant_id=tenant_id, key=f"k{new_id()[-8:]}", text="Be kind."))


@builder("webchat_sessions")
def webchat_session(db: Session, tenant_id: str):
    parent = customer(db, tenant_id)
    return flush(db, WebChatSession(tenant_id=tenant_id, secret_hash=hashlib.sha256(new_id().encode()).hexdigest(),
                                    customer_id=parent.id))


@builder("webchat_messages")
def webchat_message(db: Session, tenant_id: str):
    parent = webchat_session(db, tenant_id)
    return flush(db, WebChatMessage(tenant_id=tenant_id, session_id=parent.id, direction="in", body="hello"))
