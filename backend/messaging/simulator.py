"""The phone simulator backend: act as a customer's phone texting a tenant number.

`send_inbound` builds exactly what Twilio would post (MessageSid, AccountSid, From, To, Body,
NumMedia, MediaUrlN/MediaContentTypeN, ...), signs it with the token the webhook expects for
that number (`RequestValidator.compute_signature`) and posts it to `/twilio/sms` through the
real ASGI app in-process — validation, resolution, storage, consent and automation all run.
Replies in simulator mode are stored (status "simulated") and never sent; `thread` shows them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import hashlib
import mimetypes
import secrets
from collections.abc import Iterable, Sequence

import httpx
from sqlmodel import select
from twilio.request_validator import RequestValidator

from backend.auth.context import StaffContext
from backend.config import get_settings
from backend.db.session import platform_session, tenant_session
from backend.errors import PermissionDenied, UserError
from backend.messaging import inbox, webhooks
from backend.messaging import service as messaging_service
from backend.messaging.models import InboundMessage, OutboundMessage
from backend.phones import InvalidPhoneNumber, to_e164_strict
from backend.tenancy import service as tenancy_service
from backend.tenancy.resolution import resolve_tenant_from_inbound

SMS_PATH = "/twilio/sms"


@dataclasses.dataclass(frozen=True)
class SimulatedReply:
    id: str
    body: str
    status: str
    kind: str
    from_number: str
    to_number: str
    media: list


@dataclasses.dataclass(frozen=True)
class SimulatedInbound:
    """What happened to one simulated text."""

    status_code: int
    message_sid: str
    tenant_id: str | None
    message_id: str | None
    conversation_id: str | None
    duplicate: bool
    handling: str
    replies: list[SimulatedReply]


def simulator_account_sid() -> str:
    """Returns the AccountSid simulated requests carry: the platform's, or a stable fake one."""
    settings = get_settings()
    if settings.twilio_account_sid:
        return settings.twilio_account_sid
    return "AC" + hashlib.sha256(f"simulator-account:{settings.secret()}".encode()).hexdigest()[:32]


def _media_items(media: Iterable) -> list[tuple[str, str]]:
    items = []
    for entry in media or ():
        if isinstance(entry, str):
            url, ctype = entry, mimetypes.guess_type(entry)[0] or "application/octet-stream"
        elif isinstance(entry, dict):
            url, ctype = entry["url"], entry.get("content_type") or mimetypes.guess_type(entry["url"])[0] or ""
        else:
            url, ctype = entry[0], entry[1]
        items.append((str(url), str(ctype)))
    return items


def build_params(
    *, to_number: str, from_number: str, body: str, media: Sequence = (), message_sid: str | None = None,
    account_sid: str | None = None, messaging_service_sid: str | None = None,
) -> dict[str, str]:
    """Returns Twilio-shaped webhook parameters for an inbound SMS/MMS."""
    items = _media_items(media)
    sid = message_sid or (("MM" if items else "SM") + secrets.token_hex(16))
    params = {
        "ToCountry": "US", "ToState": "", "ToCity": "", "ToZip": "",
        "FromCountry": "US", "FromState": "", "FromCity": "", "FromZip": "",
        "SmsMessageSid": sid, "SmsSid": sid, "MessageSid": sid, "SmsStatus": "received",
        "AccountSid": account_sid or simulator_account_sid(),
        "From": from_number, "To": to_number, "Body": body,
        "NumMedia": str(len(items)), "NumSegments": "1", "ApiVersion": "2010-04-01",
    }
    if messaging_service_sid:
        params["MessagingServiceSid"] = messaging_service_sid
    for i, (url, ctype) in enumerate(items):
        params[f"MediaUrl{i}"] = url
        params[f"MediaContentType{i}"] = ctype
    return params


def sign(url: str, params: dict[str, str], token: str) -> str:
    """Returns the X-Twilio-Signature Twilio would send for this URL and form."""
    return RequestValidator(token).compute_signature(url, params)


def _signing_account(to_number: str) -> tuple[str, str, str | None]:
    """Returns (account sid, auth token, messaging service sid) Twilio would use for a number."""
    with platform_session("simulator-number") as db:
        config = tenancy_service.get_phone_config_by_number(db, phone_number=to_number)
    msid = config.messaging_service_sid if config else None
    if config is not None and config.twilio_account_sid and config.twilio_auth_token_encrypted:
        from backend.vault import crypto

        return config.twilio_account_sid, crypto.decrypt(config.twilio_auth_token_encrypted), msid
    return simulator_account_sid(), get_settings().twilio_platform_token(), msid


async def send_inbound_async(
    *, to_number: str, from_number: str, body: str, media: Sequence = (), message_sid: str | None = None,
) -> SimulatedInbound:
    """Posts a signed inbound SMS to the real webhook in-process and reports what happened."""
    try:
        to_e164 = to_e164_strict(to_number)
        from_e164 = to_e164_strict(from_number)
    except InvalidPhoneNumber as exc:
        raise UserError(str(exc)) from None
    resolution = resolve_tenant_from_inbound({"To": to_e164})
    if resolution.fallback:
        raise UserError(f"{to_e164} is not the number of any business here.")
    account_sid, token, msid = _signing_account(to_e164)
    params = build_params(to_number=to_e164, from_number=from_e164, body=body, media=media,
                          message_sid=message_sid, account_sid=account_sid, messaging_service_sid=msid)
    duplicate = False
    if message_sid:
        with tenant_session(resolution.tenant_id) as db:
            duplicate = messaging_service.get_inbound_by_sid(
                db, tenant_id=resolution.tenant_id, provider_sid=message_sid) is not None
    url = webhooks.public_url(SMS_PATH)
    headers = {"X-Twilio-Signature": sign(url, params, token), "User-Agent": "TwilioProxy/1.1 (simulator)"}
    from backend.api import app

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=get_settings().servicepro_public_url) as client:
        response = await client.post(SMS_PATH, data=params, headers=headers)
    return _outcome(resolution.tenant_id, response.status_code, params["MessageSid"], duplicate)


def send_inbound(
    *, to_number: str, from_number: str, body: str, media: Sequence = (), message_sid: str | None = None,
) -> SimulatedInbound:
    """Synchronous `send_inbound_async` (CLI, tests, worker threads); from async code call the
    async variant."""
    coro = send_inbound_async(to_number=to_number, from_number=from_number, body=body, media=media,
                              message_sid=message_sid)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _outcome(tenant_id: str, status_code: int, sid: str, duplicate: bool) -> SimulatedInbound:
    with tenant_session(tenant_id) as db:
        message = messaging_service.get_inbound_by_sid(db, tenant_id=tenant_id, provider_sid=sid)
        if message is None:
            return SimulatedInbound(status_code, sid, tenant_id, None, None, duplicate, "", [])
        replies = [
            SimulatedReply(r.id, r.body, r.status, r.kind, r.from_number or "", r.to_number, list(r.media or []))
            for r in messaging_service.get_replies_to(db, tenant_id=tenant_id, message_id=message.id)
        ]
        return SimulatedInbound(status_code, sid, tenant_id, message.id, message.conversation_id, duplicate,
                                message.handling, replies)


def thread(*, tenant_number: str, phone: str, limit: int = 200) -> list[inbox.MessageRead]:
    """Returns the messages between a (simulated) phone and one tenant number, oldest first —
    what that phone's screen shows."""
    try:
        tenant_e164 = to_e164_strict(tenant_number)
        phone_e164 = to_e164_strict(phone)
    except InvalidPhoneNumber as exc:
        raise UserError(str(exc)) from None
    resolution = resolve_tenant_from_inbound({"To": tenant_e164})
    if resolution.fallback:
        raise UserError(f"{tenant_e164} is not the number of any business here.")
    tenant_id = resolution.tenant_id
    with tenant_session(tenant_id) as db:
        conversation = messaging_service.get_conversation_by_phone(db, tenant_id=tenant_id, phone_e164=phone_e164)
        if conversation is None:
            return []
        inbound_rows = db.exec(
            select(InboundMessage)
            .where(InboundMessage.tenant_id == tenant_id, InboundMessage.conversation_id == conversation.id,
                   InboundMessage.to_number == tenant_e164)
            .order_by(InboundMessage.received_at.desc()).limit(limit)
        ).all()
        outbound_rows = db.exec(
            select(OutboundMessage)
            .where(OutboundMessage.tenant_id == tenant_id, OutboundMessage.conversation_id == conversation.id,
                   OutboundMessage.from_number == tenant_e164)
            .order_by(OutboundMessage.created_at.desc()).limit(limit)
        ).all()
        merged = [inbox.inbound_read(m) for m in inbound_rows] + [inbox.outbound_read(m) for m in outbound_rows]
    merged.sort(key=lambda m: (m.at, 0 if m.direction == "in" else 1))
    return merged[-limit:]


# ---- for the Phone Simulator page --------------------------------------------------------------


def _require_simulator_user(acting_user: StaffContext | None, tenant_id: str) -> None:
    if get_settings().sms_provider != "simulator":
        raise UserError("The phone simulator is only available while SMS_PROVIDER=simulator.")
    if acting_user is None:
        raise PermissionDenied("Sign in to use the phone simulator.")
    if acting_user.is_platform_admin:
        return
    if acting_user.tenant_id != tenant_id or not acting_user.is_tenant_admin:
        raise PermissionDenied("Only the business's owner or admins can use the phone simulator.")


def simulator_numbers(*, acting_user: StaffContext | None, tenant_id: str) -> list[dict]:
    """Returns the tenant numbers the simulator can text: [{"number", "display", "label"}]."""
    _require_simulator_user(acting_user, tenant_id)
    from backend.phones import display

    with tenant_session(tenant_id) as db:
        configs = tenancy_service.get_phone_configs(db, tenant_id=tenant_id)
    return [{"number": c.phone_number, "display": display(c.phone_number), "label": c.label}
            for c in configs if c.active]


def simulate_customer_text(
    *, acting_user: StaffContext | None, tenant_id: str, tenant_number: str, from_number: str, body: str,
    media: Sequence = (),
) -> SimulatedInbound:
    """The page's "send" button: checks the user may simulate for this tenant's number, then
    posts the signed text (`send_inbound`)."""
    _require_simulator_user(acting_user, tenant_id)
    try:
        tenant_e164 = to_e164_strict(tenant_number)
    except InvalidPhoneNumber as exc:
        raise UserError(str(exc)) from None
    with tenant_session(tenant_id) as db:
        if messaging_service.get_phone_config_by_number(db, tenant_id=tenant_id, phone_number=tenant_e164) is None:
            raise UserError(f"{tenant_e164} is not one of this business's numbers.")
    if not (body or "").strip() and not media:
        raise UserError("Type a message to send.")
    if len(body or "") > 1600:
        raise UserError("A text can be at most 1,600 characters.")
    return send_inbound(to_number=tenant_e164, from_number=from_number, body=body, media=media)
