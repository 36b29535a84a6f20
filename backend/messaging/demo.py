"""Demo messaging data: settings, quick replies and a couple of conversations per demo tenant,
created through the real signed-webhook path (the phone simulator). Idempotent: the demo texts
have fixed MessageSids, so a second run stores nothing new and sends no second reply.
Skipped unless SMS_PROVIDER=simulator (nothing must really be sent)."""

from __future__ import annotations

import dataclasses
import hashlib
import logging

from sqlmodel import select

from backend.auth import service as auth_service
from backend.auth.context import StaffContext
from backend.auth.models import Membership
from backend.config import get_settings
from backend.customers.models import Customer
from backend.db.session import platform_session, tenant_session
from backend.messaging import actions as messaging_actions
from backend.messaging import service as messaging_service
from backend.messaging.models import OutboundMessage, QuickReply

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class DemoText:
    key: str
    customer_phone: str
    customer_name: str
    body: str
    staff_reply: str = ""  # sent by the tenant's staff login, once


DEMO_TEXTS: dict[str, tuple[DemoText, ...]] = {
    "clean-machine": (
        DemoText("cm-1", "+19185550123", "Jordan Ellis",
                 "Hi! Do you have anything open Saturday morning for a full detail on my SUV?",
                 "Hi Jordan, this is Dana at Clean Machine. Saturday 9 AM is open. Want me to book it?"),
        DemoText("cm-2", "+19185550145", "Maria Lopez", "HELP"),
    ),
    "green-acres": (
        DemoText("ga-1", "+15125550188", "Sam Patel", "Can you come by this week to mow and edge? Corner lot."),
        DemoText("ga-2", "+15125550166", "Chris Young", "INFO"),
    ),
    "sparkle-shine": (
        DemoText("ss-1", "+17205550111", "Taylor Brooks", "How much for a move-out clean, 2 bed 2 bath?"),
        DemoText("ss-2", "+17205550122", "Avery Kim", "HELP"),
    ),
}

DEMO_QUICK_REPLIES = (
    ("Thanks", "Thanks for reaching out! We'll get back to you shortly."),
    ("Booking link", "You can pick a time that works for you here: {booking link}"),
    ("On our way", "We're on our way and should arrive in about 20 minutes."),
)

DEMO_STAFF = {"clean-machine": "staff@cleanmachine.example"}


def _sid(key: str) -> str:
    return "SM" + hashlib.sha256(f"servicepro-demo:{key}".encode()).hexdigest()[:32]


def seed(tenant_ids: dict[str, str]) -> None:
    """Creates the demo messaging data that is missing (slug → tenant id)."""
    for tenant_id in tenant_ids.values():
        _seed_settings(tenant_id)
    if get_settings().sms_provider != "simulator":
        log.info("demo conversations skipped: SMS_PROVIDER is not simulator")
        return
    from backend.jobs import worker  # noqa: F401  (registers the tasks)
    from backend.jobs.queue import huey
    from backend.messaging import simulator

    previous = huey.immediate
    huey.immediate = True  # process the demo texts inline, so replies exist right away
    try:
        for slug, texts in DEMO_TEXTS.items():
            tenant_id = tenant_ids.get(slug)
            if tenant_id is None:
                continue
            number = _tenant_number(tenant_id)
            if number is None:
                continue
            for text in texts:
                result = simulator.send_inbound(to_number=number, from_number=text.customer_phone, body=text.body,
                                                message_sid=_sid(text.key))
                _name_customer(tenant_id, text)
                if text.staff_reply and result.conversation_id:
                    _staff_reply(slug, tenant_id, result.conversation_id, text.staff_reply)
    finally:
        huey.immediate = previous


def _seed_settings(tenant_id: str) -> None:
    with tenant_session(tenant_id) as db:
        messaging_service.get_or_create_settings(db, tenant_id=tenant_id)
        if not messaging_service.get_quick_replies(db, tenant_id=tenant_id):
            for position, (title, body) in enumerate(DEMO_QUICK_REPLIES):
                db.add(QuickReply(tenant_id=tenant_id, title=title, body=body, position=position))


def _tenant_number(tenant_id: str) -> str | None:
    from backend.tenancy import service as tenancy_service

    with tenant_session(tenant_id) as db:
        configs = [c for c in tenancy_service.get_phone_configs(db, tenant_id=tenant_id) if c.active]
    return configs[0].phone_number if configs else None


def _name_customer(tenant_id: str, text: DemoText) -> None:
    from backend.customers import service as customers_service

    with tenant_session(tenant_id) as db:
        customer = customers_service.get_by_phone(db, tenant_id=tenant_id, phone_e164=text.customer_phone)
        if customer is not None and not customer.name:
            db.get(Customer, (tenant_id, customer.id)).name = text.customer_name


def _staff_reply(slug: str, tenant_id: str, conversation_id: str, body: str) -> None:
    email = DEMO_STAFF.get(slug)
    if not email:
        return
    with platform_session("demo-seed") as pdb:
        user = auth_service.get_user_by_email(pdb, email=email)
    if user is None:
        return
    with tenant_session(tenant_id) as db:
        membership = db.exec(select(Membership).where(Membership.user_id == user.id)).first()
        already = db.exec(
            select(OutboundMessage.id).where(
                OutboundMessage.conversation_id == conversation_id, OutboundMessage.created_by_user_id == user.id
            )
        ).first()
        if membership is None or already is not None:
            return
        ctx = StaffContext(user_id=user.id, user_name=user.name, email=user.email, is_super_admin=user.is_super_admin,
                           tenant_id=tenant_id, role=membership.role)
        messaging_actions.do_send_staff_reply(db, tenant_id=tenant_id, conversation_id=conversation_id, body=body,
                                              acting_user=ctx)
