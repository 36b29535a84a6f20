"""Isolation builders for the messaging tables."""

from __future__ import annotations

import datetime as dt
import random

from sqlmodel import Session

from backend.db.ids import new_id
from backend.messaging.models import (
    A2PRegistration,
    Conversation,
    InboundMessage,
    MissedCallTextBack,
    OutboundMessage,
    QuickReply,
    SmsConsent,
    SmsConsentEvent,
    SmsSendSlot,
    SmsUsageDaily,
)
from tests.isolation.builders_customers import customer
from tests.isolation.registry import builder, flush, random_phone


@builder("conversations")
def conversation(db: Session, tenant_id: str):
    parent = customer(db, tenant_id)
    return flush(db, Conversation(tenant_id=tenant_id, customer_id=parent.id, phone_e164=parent.phone))


@builder("inbound_messages")
def inbound_message(db: Session, tenant_id: str):
    parent = conversation(db, tenant_id)
    return flush(db, InboundMessage(
        tenant_id=tenant_id, conversation_id=parent.id, provider_sid="SM" + new_id(),
        from_number=parent.phone_e164, to_number=random_phone(), body="hello",
    ))


@builder("outbound_messages")
def outbound_message(db: Session, tenant_id: str):
    parent = inbound_message(db, tenant_id)
    return flush(db, OutboundMessage(
        tenant_id=tenant_id, conversation_id=parent.conversation_id, reply_to_message_id=parent.id,
        to_number=parent.from_number, from_number=parent.to_number, body="hi there",
    ))


@builder("sms_consents")
def sms_consent(db: Session, tenant_id: str):
    return flush(db, SmsConsent(tenant_id=tenant_id, phone_e164=random_phone(), state="opted_out", source="keyword"))


@builder("sms_consent_events")
def sms_consent_event(db: Session, tenant_id: str):
    return flush(db, SmsConsentEvent(tenant_id=tenant_id, phone_e164=random_phone(), state="opted_out",
                                     source="keyword", text="STOP"))


@builder("sms_usage_daily")
def sms_usage(db: Session, tenant_id: str):
    day = dt.date(2020, 1, 1) + dt.timedelta(days=random.randint(0, 3000))
    return flush(db, SmsUsageDaily(tenant_id=tenant_id, day=day, messages_in=1, segments_in=1))


@builder("sms_send_slots")
def sms_send_slot(db: Session, tenant_id: str):
    return flush(db, SmsSendSlot(tenant_id=tenant_id, sender=random_phone(), next_slot_us=1))


@builder("missed_call_textbacks")
def missed_call(db: Session, tenant_id: str):
    return flush(db, MissedCallTextBack(tenant_id=tenant_id, caller=random_phone(),
                                        last_sent_at=dt.datetime.now(dt.timezone.utc)))


@builder("messaging_settings")
def messaging_settings(db: Session, tenant_id: str):
    from backend.messaging import service

    return service.get_or_create_settings(db, tenant_id=tenant_id)


@builder("quick_replies")
def quick_reply(db: Session, tenant_id: str):
    return flush(db, QuickReply(tenant_id=tenant_id, title="Thanks", body="Thanks!"))


@builder("a2p_registrations")
def a2p_registration(db: Session, tenant_id: str):
    from backend.messaging import service

    existing = service.get_a2p_registration(db, tenant_id=tenant_id)
    return existing or flush(db, A2PRegistration(tenant_id=tenant_id, data={"legal_name": "Iso LLC"}))
