"""The outbox worker: delivers outbound messages through the configured provider.

Guarantees:
- A row is claimed with one conditional UPDATE (pending and due, or sending with an expired
  lease) that also writes a fresh claim token, so exactly one worker holds it at a time. The
  provider is called outside any transaction; the result is written only if the claim token
  still matches.
- A worker that dies mid-send leaves the row in "sending"; when its lease expires the row is
  claimed and sent exactly once more (the sweeper or a retry finds it).
- Transient provider failures retry with exponential backoff up to MAX_ATTEMPTS; permanent
  ones (invalid number, unsubscribed...) fail at once. Error 21610 (recipient blocked/
  unsubscribed) also records an opt-out in the consent ledger.
- Consent is checked again at send time; promotional texts re-check quiet hours; senders are
  rate limited per number (real providers only; the simulator sends nothing).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable

from sqlalchemy import and_, or_, update
from sqlmodel import select

from backend.config import get_settings
from backend.db.ids import new_id
from backend.db.session import platform_session, tenant_session
from backend.db.types import utcnow
from backend.messaging import compliance, events, ratelimit
from backend.messaging import service as messaging_service
from backend.messaging.enums import (
    QUIET_HOURS_KINDS,
    STATUS_RANK,
    ConsentSource,
    ConsentState,
    OutboundStatus,
)
from backend.messaging.models import InboundMessage, OutboundMessage
from backend.messaging.providers import Credentials, ProviderError, SendRequest, SmsProvider, get_provider
from backend.tenancy.models import Tenant
from backend.vault import crypto

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 6
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
# A reserved rate-limit slot further away than this is not waited for in the worker: the row
# goes back to pending with the slot kept, and is picked up when it is due.
MAX_SLOT_WAIT = dt.timedelta(seconds=5)
BLOCKED_ERROR_CODE = 21610


def backoff_delay(attempts: int) -> dt.timedelta:
    """Returns the wait before retry number `attempts` (30 s, 1 min, 2 min, ... capped at 1 h)."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


@dataclasses.dataclass(frozen=True)
class _Claim:
    token: str
    tenant_id: str
    message_id: str
    to: str
    body: str
    from_number: str | None
    messaging_service_sid: str | None
    media_urls: tuple[str, ...]
    attempts: int
    reserved_slot_at: dt.datetime | None
    credentials: Credentials | None


def _claim(tenant_id: str, message_id: str, now: dt.datetime) -> tuple[str, object]:
    """Claims the row and applies the send-time checks. Returns ("claimed", _Claim),
    ("deferred", next allowed time), or (outcome, None)."""
    token = new_id()
    with tenant_session(tenant_id) as db:
        result = db.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.tenant_id == tenant_id,
                OutboundMessage.id == message_id,
                or_(
                    and_(OutboundMessage.status == OutboundStatus.PENDING.value,
                         OutboundMessage.next_attempt_at <= now),
                    and_(OutboundMessage.status == OutboundStatus.SENDING.value,
                         OutboundMessage.lease_expires_at < now),
                ),
            )
            .values(
                status=OutboundStatus.SENDING.value, claim_token=token, claimed_at=now,
                lease_expires_at=now + LEASE, attempts=OutboundMessage.attempts + 1,
                status_updated_at=now,
            ),
            execution_options={"synchronize_session": False},
        )
        if result.rowcount != 1:
            return "skipped", None
        row = db.get(OutboundMessage, (tenant_id, message_id), populate_existing=True)
        if not row.consent_exempt and messaging_service.is_opted_out(db, tenant_id=tenant_id, phone_e164=row.to_number):
            _finish(row, status=OutboundStatus.SUPPRESSED.value, now=now,
                    error_message="Not sent: the recipient opted out before it went out.")
            db.add(row)
            events.publish_after_commit(db, tenant_id, row.conversation_id)
            return "suppressed", None
        if row.kind in QUIET_HOURS_KINDS:
            tenant = db.get(Tenant, tenant_id)
            allowed = compliance.next_allowed_time(row.to_number, tenant.timezone if tenant else "UTC", now)
            if allowed > now:
                _release(row, next_attempt_at=allowed, refund_attempt=True)
                row.deferred_reason = "quiet_hours"
                db.add(row)
                return "deferred", allowed
        credentials = _credentials_for(db, tenant_id=tenant_id, from_number=row.from_number)
        claim = _Claim(
            token=token, tenant_id=tenant_id, message_id=message_id, to=row.to_number, body=row.body,
            from_number=row.from_number, messaging_service_sid=row.messaging_service_sid,
            media_urls=tuple(m.get("url", "") for m in row.media or [] if m.get("url")),
            attempts=row.attempts, reserved_slot_at=row.reserved_slot_at, credentials=credentials,
        )
        return "claimed", claim


def _credentials_for(db, *, tenant_id: str, from_number: str | None) -> Credentials | None:
    """Returns the tenant's own Twilio credentials for the number (bring-your-own), else None
    (the provider then uses the platform account)."""
    if not from_number:
        return None
    config = messaging_service.get_phone_config_by_number(db, tenant_id=tenant_id, phone_number=from_number)
    if config is None or not config.twilio_account_sid or not config.twilio_auth_token_encrypted:
        return None
    return Credentials(config.twilio_account_sid, crypto.decrypt(config.twilio_auth_token_encrypted))


def _finish(row: OutboundMessage, *, status: str, now: dt.datetime, error_message: str = "",
            error_code: int | None = None) -> None:
    row.status = status
    row.error_message = error_message[:500]
    row.error_code = error_code
    row.claim_token = None
    row.lease_expires_at = None
    row.status_updated_at = now


def _release(row: OutboundMessage, *, next_attempt_at: dt.datetime, refund_attempt: bool) -> None:
    row.status = OutboundStatus.PENDING.value
    row.next_attempt_at = next_attempt_at
    row.claim_token = None
    row.lease_expires_at = None
    if refund_attempt:
        row.attempts = max(row.attempts - 1, 0)


def _schedule(tenant_id: str, message_id: str, delay_seconds: float) -> None:
    """Queues another delivery attempt (after the current transaction; the sweeper is the
    safety net if the queue loses it)."""
    from backend.jobs import messaging_tasks

    try:
        messaging_tasks.deliver_sms.schedule((tenant_id, message_id), delay=max(delay_seconds, 0.0))
    except Exception:  # the periodic sweep picks the row up anyway
        log.exception("could not schedule delivery of %s", message_id)


def _wait_for_slot(claim: _Claim, provider: SmsProvider, now: dt.datetime,
                   sleep: Callable[[float], None]) -> dt.datetime | None:
    """Returns None when the send may go now (after sleeping briefly if needed), or the slot
    time when it is too far away to wait for."""
    if not getattr(provider, "rate_limited", False):
        return None
    settings = get_settings()
    interval = ratelimit.interval_for(settings.sms_rate_per_second)
    slot = claim.reserved_slot_at
    if slot is None or not (now - interval < slot):
        # No reservation, or it went stale (sending now would crowd the slots after it).
        slot = ratelimit.reserve_slot(
            tenant_id=claim.tenant_id, sender=claim.messaging_service_sid or claim.from_number or "default",
            rate_per_second=settings.sms_rate_per_second, now=now,
        )
    wait = slot - now
    if wait > MAX_SLOT_WAIT:
        return slot
    if wait > dt.timedelta(0):
        sleep(wait.total_seconds())
    return None


def deliver(
    *,
    tenant_id: str,
    message_id: str,
    now: dt.datetime | None = None,
    provider: SmsProvider | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Delivers one outbound message if it is due and unclaimed. Returns the outcome:
    "sent", "retry", "failed", "suppressed", "deferred" or "skipped" (not due / claimed by
    another worker / already done). Never raises for provider errors."""
    now = now or utcnow()
    provider = provider or get_provider()
    outcome, claim = _claim(tenant_id, message_id, now)
    if outcome == "deferred":
        _schedule(tenant_id, message_id, (claim - now).total_seconds())
        return outcome
    if outcome != "claimed":
        return outcome
    slot = _wait_for_slot(claim, provider, now, sleep)
    if slot is not None:
        with tenant_session(tenant_id) as db:
            row = _own_row(db, claim)
            if row is None:
                return "skipped"
            _release(row, next_attempt_at=slot, refund_attempt=True)
            row.reserved_slot_at = slot
            db.add(row)
        _schedule(tenant_id, message_id, (slot - now).total_seconds())
        return "deferred"
    base = get_settings().servicepro_public_url.rstrip("/")
    request = SendRequest(
        tenant_id=tenant_id, message_id=message_id, to=claim.to, body=claim.body,
        from_number=claim.from_number, messaging_service_sid=claim.messaging_service_sid,
        media_urls=claim.media_urls, status_callback=f"{base}/twilio/status?m={message_id}",
        credentials=claim.credentials,
    )
    try:
        result = provider.send(request)
    except ProviderError as exc:
        return _record_failure(claim, exc, now)
    except Exception as exc:  # a provider bug must not lose the message: retry it
        log.exception("provider %s raised unexpectedly for %s", getattr(provider, "name", "?"), message_id)
        return _record_failure(claim, ProviderError(f"{type(exc).__name__}: {exc}"), now)
    return _record_success(claim, result, provider, now)


def _own_row(db, claim: _Claim) -> OutboundMessage | None:
    row = db.get(OutboundMessage, (claim.tenant_id, claim.message_id), populate_existing=True)
    if row is None or row.claim_token != claim.token:
        log.warning("outbound %s was reclaimed by another worker; not recording this attempt", claim.message_id)
        return None
    return row


def _record_success(claim: _Claim, result, provider: SmsProvider, now: dt.datetime) -> str:
    with tenant_session(claim.tenant_id) as db:
        row = _own_row(db, claim)
        if row is None:
            return "skipped"
        # A status callback may already have moved the row on (it can beat this write).
        if STATUS_RANK.get(row.status, 0) <= STATUS_RANK.get(result.status, 0):
            row.status = result.status
            row.status_updated_at = now
            row.error_message = ""
            row.error_code = None
        row.claim_token = None
        row.lease_expires_at = None
        row.reserved_slot_at = None
        row.provider = getattr(provider, "name", "")
        row.provider_sid = row.provider_sid or result.provider_sid
        row.sent_at = now
        row.deferred_reason = ""
        if result.num_segments:
            row.num_segments = result.num_segments
        db.add(row)
        messaging_service.add_usage(db, tenant_id=claim.tenant_id, day=now.date(), messages_out=1,
                                    segments_out=row.num_segments)
        events.publish_after_commit(db, claim.tenant_id, row.conversation_id)
    return "sent"


def _record_failure(claim: _Claim, exc: ProviderError, now: dt.datetime) -> str:
    with tenant_session(claim.tenant_id) as db:
        row = _own_row(db, claim)
        if row is None:
            return "skipped"
        if exc.permanent or row.attempts >= MAX_ATTEMPTS:
            why = exc.message if exc.permanent else f"Gave up after {row.attempts} attempts: {exc.message}"
            _finish(row, status=OutboundStatus.FAILED.value, now=now, error_message=why, error_code=exc.code)
            db.add(row)
            if exc.code == BLOCKED_ERROR_CODE:
                mark_blocked(db, tenant_id=claim.tenant_id, phone_e164=row.to_number, tenant_number=row.from_number,
                             message_sid=row.provider_sid, text=exc.message)
            events.publish_after_commit(db, claim.tenant_id, row.conversation_id)
            log.warning("outbound %s failed permanently (%s): %s", row.id, exc.code, exc.message)
            return "failed"
        delay = backoff_delay(row.attempts)
        _release(row, next_attempt_at=now + delay, refund_attempt=False)
        row.error_message = exc.message[:500]
        row.error_code = exc.code
        db.add(row)
        events.publish_after_commit(db, claim.tenant_id, row.conversation_id)
    log.info("outbound %s attempt %s failed (%s); retrying in %s", claim.message_id, claim.attempts, exc.message, delay)
    _schedule(claim.tenant_id, claim.message_id, delay.total_seconds())
    return "retry"


def mark_blocked(db, *, tenant_id: str, phone_e164: str, tenant_number: str | None, message_sid: str | None,
                 text: str) -> None:
    """Records that the carrier blocks texts to this number (error 21610) as an opt-out."""
    from backend.messaging import actions as messaging_actions

    if messaging_service.is_opted_out(db, tenant_id=tenant_id, phone_e164=phone_e164):
        return
    messaging_actions.do_record_consent(
        db, tenant_id=tenant_id, phone_e164=phone_e164, state=ConsentState.OPTED_OUT.value,
        source=ConsentSource.CARRIER.value, text=text or "Twilio error 21610: recipient unsubscribed",
        tenant_number=tenant_number, message_sid=message_sid, error_code=BLOCKED_ERROR_CODE,
    )


# ---- status callbacks ----------------------------------------------------------------------------


def apply_status_callback(
    db, *, tenant_id: str, message_id: str | None, provider_sid: str, status: str, error_code: int | None,
    error_message: str = "", now: dt.datetime | None = None,
) -> OutboundMessage | None:
    """Applies a provider status callback to the message it is about; out-of-order safe (a
    status only ever moves forward by STATUS_RANK). Returns the row, or None if unknown."""
    now = now or utcnow()
    row = None
    if message_id:
        row = db.get(OutboundMessage, (tenant_id, message_id)) if isinstance(message_id, str) else None
        if row is not None and row.provider_sid and provider_sid and row.provider_sid != provider_sid:
            row = None  # the callback is not about this row
    if row is None and provider_sid:
        row = messaging_service.get_outbound_by_sid(db, tenant_id=tenant_id, provider_sid=provider_sid)
    if row is None:
        return None
    if provider_sid and not row.provider_sid:
        row.provider_sid = provider_sid
    if STATUS_RANK.get(status, 0) > STATUS_RANK.get(row.status, 0) and row.status not in (
        OutboundStatus.SIMULATED.value, OutboundStatus.SUPPRESSED.value
    ):
        row.status = status
        row.status_updated_at = now
        if status == OutboundStatus.DELIVERED.value:
            row.delivered_at = now
        if status in (OutboundStatus.FAILED.value, OutboundStatus.UNDELIVERED.value):
            row.error_code = error_code
            row.error_message = (error_message or f"Carrier reported error {error_code}")[:500] if error_code else (
                error_message or "")[:500]
    if error_code == BLOCKED_ERROR_CODE:
        mark_blocked(db, tenant_id=tenant_id, phone_e164=row.to_number, tenant_number=row.from_number,
                     message_sid=provider_sid, text=f"Carrier status {status}: error {error_code}")
    db.add(row)
    events.publish_after_commit(db, tenant_id, row.conversation_id)
    return row


# ---- the sweeper ----------------------------------------------------------------------------------


STALE_INBOUND = dt.timedelta(seconds=60)


def find_due_work(now: dt.datetime | None = None, limit: int = 500) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Returns ([(tenant_id, outbound id) due for delivery], [(tenant_id, inbound id) whose
    processing never finished]) across tenants, each found inside its own tenant session."""
    now = now or utcnow()
    with platform_session("messaging-sweeper") as pdb:
        tenant_ids = list(pdb.exec(select(Tenant.id)).all())
    outbound: list[tuple[str, str]] = []
    inbound: list[tuple[str, str]] = []
    for tenant_id in tenant_ids:
        with tenant_session(tenant_id) as db:
            for message_id in db.exec(
                select(OutboundMessage.id).where(
                    OutboundMessage.tenant_id == tenant_id,
                    or_(
                        and_(OutboundMessage.status == OutboundStatus.PENDING.value,
                             OutboundMessage.next_attempt_at <= now),
                        and_(OutboundMessage.status == OutboundStatus.SENDING.value,
                             OutboundMessage.lease_expires_at < now),
                    ),
                ).order_by(OutboundMessage.next_attempt_at).limit(limit)
            ).all():
                outbound.append((tenant_id, message_id))
            for message_id in db.exec(
                select(InboundMessage.id).where(
                    InboundMessage.tenant_id == tenant_id,
                    InboundMessage.handled_at.is_(None),
                    InboundMessage.received_at < now - STALE_INBOUND,
                    or_(InboundMessage.processing_until.is_(None), InboundMessage.processing_until < now),
                ).order_by(InboundMessage.received_at).limit(limit)
            ).all():
                inbound.append((tenant_id, message_id))
    return outbound, inbound
