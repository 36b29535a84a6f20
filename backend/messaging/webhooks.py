"""Twilio webhook handling behind the Starlette routes (backend/api/twilio_routes.py).

Security guarantees:
- Every request must carry a valid `X-Twilio-Signature`, checked with twilio's
  `RequestValidator` against the public URL rebuilt from SERVICEPRO_PUBLIC_URL + path (+ query),
  never the Host header. An invalid or missing signature gets 403 and nothing is stored.
- The signing token is chosen by the number that was texted (`To`; `From` for status
  callbacks) or its messaging service: a tenant with its own Twilio account (bring-your-own)
  is validated only with that account's token, and the request's AccountSid must match it;
  every other number with the platform token (TWILIO_AUTH_TOKEN, or the simulator's derived
  dev token — signatures are required in simulator mode too).
- The tenant comes from `resolve_tenant_from_inbound` (the number / messaging service), never
  from a request field chosen by the sender.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping

from sqlmodel import select
from twilio.request_validator import RequestValidator

from backend.config import get_settings
from backend.db.session import platform_session, tenant_session
from backend.messaging import delivery, inbound
from backend.messaging.providers.twilio_client import map_status
from backend.tenancy.models import TenantPhoneConfig
from backend.tenancy.resolution import resolve_tenant_from_inbound
from backend.vault import crypto

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
BYO_CACHE_SECONDS = 60.0


def public_url(path: str, query: str = "") -> str:
    """Returns the URL Twilio signed: the configured public base + path (+ query)."""
    base = get_settings().servicepro_public_url.rstrip("/")
    return f"{base}{path}" + (f"?{query}" if query else "")


@dataclasses.dataclass(frozen=True)
class _OwnAccount:
    account_sid: str
    token_encrypted: str


class _OwnAccounts:
    """Bring-your-own Twilio accounts by number and messaging service, cached briefly; a
    failed validation reloads once, so a changed token is picked up at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, _OwnAccount] = {}
        self._loaded_at = 0.0

    def _load(self) -> None:
        with platform_session("webhook-signing-token") as db:
            rows = db.exec(
                select(TenantPhoneConfig).where(
                    TenantPhoneConfig.twilio_account_sid.is_not(None),
                    TenantPhoneConfig.twilio_auth_token_encrypted.is_not(None),
                )
            ).all()
        by_key: dict[str, _OwnAccount] = {}
        for row in rows:
            account = _OwnAccount(row.twilio_account_sid, row.twilio_auth_token_encrypted)
            by_key[row.phone_number] = account
            if row.messaging_service_sid:
                by_key[row.messaging_service_sid] = account
        with self._lock:
            self._by_key = by_key
            self._loaded_at = time.monotonic()

    def lookup(self, *, number: str | None, msid: str | None, refresh: bool = False) -> _OwnAccount | None:
        age = time.monotonic() - self._loaded_at
        # A forced refresh (after a failed validation) reloads at most once a second, so
        # requests with bad signatures cannot turn into a query each.
        if age > BYO_CACHE_SECONDS or (refresh and age > 1.0):
            self._load()
        with self._lock:
            return self._by_key.get(msid or "") or self._by_key.get(number or "")

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = 0.0


own_accounts = _OwnAccounts()


def signing_token(*, number: str | None, msid: str | None, account_sid: str, refresh: bool = False) -> str | None:
    """Returns the auth token that must have signed a request about `number`/`msid`, or None
    when the request claims an account that cannot be right for that number."""
    own = own_accounts.lookup(number=number, msid=msid, refresh=refresh)
    if own is not None:
        if account_sid and account_sid != own.account_sid:
            return None
        return crypto.decrypt(own.token_encrypted)
    return get_settings().twilio_platform_token()


def is_valid_signature(*, url: str, params: Mapping[str, str], signature: str, number: str | None,
                       msid: str | None) -> bool:
    """True when `signature` is Twilio's signature of (url, params) with the right token."""
    if not signature:
        return False
    account_sid = params.get("AccountSid") or ""
    for refresh in (False, True):
        token = signing_token(number=number, msid=msid, account_sid=account_sid, refresh=refresh)
        if token and RequestValidator(token).validate(url, dict(params), signature):
            return True
    return False


def _number(raw: str | None) -> str | None:
    from backend.messaging.inbound import normalize_number

    raw = (raw or "").strip()
    return normalize_number(raw) if raw else None


@dataclasses.dataclass(frozen=True)
class WebhookResult:
    status: int
    body: str
    # Work to run after the response is sent (in the web process), or None.
    after: Callable[[], object] | None = None


def handle_inbound_sms(*, url: str, params: Mapping[str, str], signature: str) -> WebhookResult:
    """Validates, resolves the tenant, stores and hands off one inbound SMS; linking to the
    conversation and the live-update event follow once the answer is out (`after`)."""
    tenant_number = _number(params.get("To"))
    msid = (params.get("MessagingServiceSid") or "").strip() or None
    if not is_valid_signature(url=url, params=params, signature=signature, number=tenant_number, msid=msid):
        log.warning("rejected /twilio/sms with an invalid signature (To=%r)", params.get("To"))
        return WebhookResult(403, "Invalid Twilio signature.")
    sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
    if not sid or len(sid) > 64 or not params.get("From"):
        return WebhookResult(400, "MessageSid and From are required.")
    resolution = resolve_tenant_from_inbound(params)
    stored = inbound.receive(tenant_id=resolution.tenant_id, params=params)
    if stored.handled:
        return WebhookResult(200, EMPTY_TWIML)
    return WebhookResult(200, EMPTY_TWIML, after=functools.partial(
        inbound.after_response, tenant_id=stored.tenant_id, message_id=stored.message_id))


def handle_status_callback(*, url: str, params: Mapping[str, str], query: Mapping[str, str],
                           signature: str) -> WebhookResult:
    """Validates and applies one message status callback."""
    tenant_number = _number(params.get("From"))
    msid = (params.get("MessagingServiceSid") or "").strip() or None
    if not is_valid_signature(url=url, params=params, signature=signature, number=tenant_number, msid=msid):
        log.warning("rejected /twilio/status with an invalid signature (From=%r)", params.get("From"))
        return WebhookResult(403, "Invalid Twilio signature.")
    sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
    status = map_status(params.get("MessageStatus") or params.get("SmsStatus"))
    if not sid or status is None:
        return WebhookResult(400, "MessageSid and a known MessageStatus are required.")
    try:
        error_code = int(params.get("ErrorCode")) if params.get("ErrorCode") else None
    except ValueError:
        error_code = None
    # The tenant owns the sending number; resolve it like an inbound message to that number.
    resolution = resolve_tenant_from_inbound({"MessagingServiceSid": msid or "", "To": params.get("From") or ""})
    with tenant_session(resolution.tenant_id) as db:
        row = delivery.apply_status_callback(
            db, tenant_id=resolution.tenant_id, message_id=(query.get("m") or None), provider_sid=sid,
            status=status, error_code=error_code, error_message=params.get("ErrorMessage") or "",
        )
    if row is None:
        log.info("status callback for unknown message %s (tenant %s)", sid, resolution.tenant_id)
    return WebhookResult(204, "")
