"""The SMS outbox: send_sms writes in the caller's transaction, the worker claims with a lease,
retries with backoff, survives crashed workers, honours consent, quiet hours and the per-number
rate limit, and counts usage."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlmodel import select

from backend.db.session import tenant_session
from backend.errors import UserError
from backend.messaging import actions, delivery, providers, ratelimit
from backend.messaging import service as messaging_service
from backend.messaging.models import OutboundMessage
from backend.messaging.providers import ProviderError, SendResult
from tests.integration.messaging.conftest import A_MAIN, CUSTOMER

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 1, 15, 16, 0, tzinfo=UTC)  # 10:00 in Tulsa, 11:00 in New York, 06:00 in Honolulu
NY = "+12125550123"
HONOLULU = "+18085550123"


class FakeProvider:
    """Plays a provider from a script: each call takes the next outcome ("ok" or an exception)."""

    name = "fake"

    def __init__(self, *script, rate_limited: bool = False, delay: float = 0.0):
        self.script = list(script)
        self.rate_limited = rate_limited
        self.delay = delay
        self.calls = []
        self._lock = threading.Lock()

    def send(self, request):
        with self._lock:
            self.calls.append(request)
            outcome = self.script.pop(0) if self.script else "ok"
        if self.delay:
            time.sleep(self.delay)
        if isinstance(outcome, BaseException):
            raise outcome
        return SendResult(provider_sid=f"SM{len(self.calls):032x}", status="queued", num_segments=1)


def queue_text(tenant_id, to=CUSTOMER, body="Your detail is confirmed for 9 AM.", kind="confirmation", now=None,
               **kwargs) -> str:
    with tenant_session(tenant_id) as db:
        return actions.send_sms(db, tenant_id=tenant_id, to=to, body=body, kind=kind, now=now, **kwargs).id


def set_row(tenant_id, message_id, **values):
    with tenant_session(tenant_id) as db:
        row = db.get(OutboundMessage, (tenant_id, message_id))
        for key, value in values.items():
            setattr(row, key, value)
        db.add(row)


# ---- send_sms ------------------------------------------------------------------------------


def test_send_sms_writes_in_the_callers_transaction_and_enqueues_after_commit(world, queued, q):
    with tenant_session(world.a.id) as db:
        row = actions.send_sms(db, tenant_id=world.a.id, to="(918) 555-1234", body="Hi!", kind="transactional")
        assert queued.calls == []  # nothing leaves before commit
    assert queued.calls == [(world.a.id, row.id, 0.0)]
    stored = q.outbound_row(world.a.id, row.id)
    assert (stored.status, stored.to_number, stored.from_number, stored.num_segments) == (
        "pending", CUSTOMER, A_MAIN, 1)


def test_send_sms_rolled_back_leaves_no_row_and_no_job(world, queued, q):
    with pytest.raises(RuntimeError):
        with tenant_session(world.a.id) as db:
            actions.send_sms(db, tenant_id=world.a.id, to=CUSTOMER, body="Hi!", kind="transactional")
            raise RuntimeError("the caller's transaction failed")
    assert queued.calls == []
    assert q.outbound(world.a.id) == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"to": "12"}, "not a valid phone number"),
    ({"body": "   "}, "Write a message"),
    ({"body": "x" * 1601}, "at most 1,600"),
    ({"kind": "spam"}, "Unknown message kind"),
])
def test_send_sms_refuses_bad_input(world, queued, q, kwargs, message):
    args = dict(to=CUSTOMER, body="Hello", kind="transactional") | kwargs
    with pytest.raises(UserError, match=message):
        with tenant_session(world.a.id) as db:
            actions.send_sms(db, tenant_id=world.a.id, **args)
    assert q.outbound(world.a.id) == []


def test_send_sms_needs_a_tenant_number(db):
    from tests.factories import make_tenant

    tenant = make_tenant("no-phone")
    with pytest.raises(UserError, match="no active phone number"):
        with tenant_session(tenant.id) as s:
            actions.send_sms(s, tenant_id=tenant.id, to=CUSTOMER, body="Hi", kind="otp")


def test_simulator_stores_and_never_sends(world, q):
    """Without fault injection the simulator takes the row: status simulated, usage counted."""
    message_id = queue_text(world.a.id)
    row = q.outbound_row(world.a.id, message_id)
    assert (row.status, row.provider, row.attempts) == ("simulated", "simulator", 1)
    assert row.provider_sid.startswith("SM")
    with tenant_session(world.a.id) as db:
        (usage,) = messaging_service.get_usage(db, tenant_id=world.a.id, start=dt.date(2000, 1, 1),
                                               end=dt.date(2100, 1, 1))
    assert (usage.messages_out, usage.segments_out) == (1, 1)


def test_staff_send_is_audited(world, queued, staff):
    from backend.audit.models import AuditLog

    with tenant_session(world.a.id) as db:
        actions.send_sms(db, tenant_id=world.a.id, to=CUSTOMER, body="Hi", kind="reply", acting_user=staff.dana)
    with tenant_session(world.a.id) as db:
        (entry,) = db.exec(select(AuditLog).where(AuditLog.action == "sms.queued")).all()
    assert entry.actor_user_id == staff.dana.user_id


# ---- retries ----------------------------------------------------------------------------------


def test_backoff_is_exponential_and_capped():
    assert [delivery.backoff_delay(n).total_seconds() for n in range(1, 9)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600]


def test_provider_failing_once_then_succeeding_delivers_once_and_loses_nothing(world, queued, q):
    provider = FakeProvider(ProviderError("connection timed out"))
    message_id = queue_text(world.a.id, now=T0)
    assert delivery.deliver(tenant_id=world.a.id, message_id=message_id, now=T0, provider=provider) == "retry"
    row = q.outbound_row(world.a.id, message_id)
    assert (row.status, row.attempts, row.error_message) == ("pending", 1, "connection timed out")
    assert row.next_attempt_at == T0 + dt.timedelta(seconds=30)
    assert queued.calls[-1] == (world.a.id, message_id, 30.0)  # the retry is scheduled
    early = T0 + dt.timedelta(seconds=10)
    assert delivery.deliver(tenant_id=world.a.id, message_id=message_id, now=early, provider=provider) == "skipped"
    later = T0 + dt.timedelta(seconds=31)
    assert delivery.deliver(tenant_id=world.a.id, message_id=message_id, now=later, provider=provider) == "sent"
    assert delivery.deliver(tenant_id=world.a.id, message_id=message_id, now=later, provider=provider) == "skipped"
    assert len(provider.calls) == 2
    row = q.outbound_row(world.a.id, message_id)
    assert (row.status, row.attempts, row.error_message, row.provider_sid) == ("queued", 2, "", f"SM{2:032x}")


def test_transient_failures_give_up_after_max_attempts(world, queued, q):
    provider = FakeProvider(*[ProviderError("503 from provider")] * 10)
    message_id = queue_text(world.a.id, now=T0)
    now = T0
    outcomes = []
    for _ in range(delivery.MAX_ATTEMPTS):
        outcomes.append(delivery.deliver(tenant_id=world.a.id, message_id=message_id, now=now, provider=provider))
        now += dt.timedelta(hours=2)
    assert outcomes == ["retry"] * (delivery.MAX_ATTEMPTS - 1) + ["failed"]
    row = q.outbound_row(world.a.id, message_id)
    assert row.status == "failed"
    assert row.error_message.startswith(f"Gave up after {delivery.MAX_ATTEMPTS} attempts")


def test_permanent_error_fails_without_retry(world, queued, q):
    provider = FakeProvider(ProviderError("The 'To' number is not valid.", code=21211, permanent=True))
    message_id = queue_text(world.a.id, now=T0)
    calls_before = len(queued.calls)
    assert delivery.deliver(tenant_id=world.a.id, message_id=message_id, now=T0, provider=provider) == "failed"
    row = q.outbound_row(world.a.id, message_id)
    assert (row.status, row.error_code, row.attempts) == ("failed", 21211, 1)
    assert len(queued.calls) == calls_before  # no retry scheduled


def test_error_21610_marks_the_customer_opted_out(world, q):
    from backend.customers import service as customers_service

    world.twilio.text(to=A_MAIN, body="hello")  # the customer exists
    blocked = ProviderError("Attempt to send to unsubscribed recipient", code=21610, permanent=True)
    with providers.override(FakeProvider(blocked)):
        message_id = queue_text(world.a.id, kind="reminder")
    assert q.outbound_row(world.a.id, message_id).status == "failed"
    with tenant_session(world.a.id) as db:
        assert messaging_service.is_opted_out(db, tenant_id=world.a.id, phone_e164=CUSTOMER)
        assert customers_service.get_by_phone(db, tenant_id=world.a.id, phone_e164=CUSTOMER).sms_consent == "opted_out"
    (event,) = q.consent_events(world.a.id)
    assert (event.state, event.source, event.error_code) == ("opted_out", "carrier", 21610)


def test_unexpected_provider_exception_is_retried_not_lost(world, queued, q):
    provider = FakeProvider(KeyError("bug"))
    message_id = queue_text(world.a.id, now=T0)
    assert delivery.deliver(tenant_id=world.a.id, message_id=message_id, now=T0, provider=provider) == "retry"
    assert q.outbound_row(world.a.id, message_id).status == "pending"


# ---- crashed workers and concurrency -------------------------------------------------------------


def test_worker_killed_mid_send_is_resent_exactly_once(world, queued, q):
    """A worker died after claiming (row left in 'sending'); once the lease expires the row is
    found by the sweeper and sent exactly once more; the dead worker's late result is ignored."""
    message_id = queue_text(world.a.id, now=T0)
    set_row(world.a.id, message_id, status="sending", claim_token="dead-worker", attempts=1,
            claimed_at=T0, lease_expires_at=T0 + delivery.LEASE)
    provider = FakeProvider()
    during_lease = T0 + dt.timedelta(seconds=30)
    assert delivery.deliver(tenant_id=world.a.id, message_id=message_id, now=during_lease, provider=provider) == "skipped"
    after_lease = T0 + delivery.LEASE + dt.timedelta(seconds=1)
    outbound_due, _ = delivery.find_due_work(now=after_lease)
    assert (world.a.id, message_id) in outbound_due
    outcomes = [delivery.deliver(tenant_id=world.a.id, message_id=message_id, now=after_lease, provider=provider)
                for _ in range(3)]
    assert outcomes == ["sent", "skipped", "skipped"]
    assert len(provider.calls) == 1
    row = q.outbound_row(world.a.id, message_id)
    assert (row.status, row.attempts) == ("queued", 2)
    stale = delivery._Claim(token="dead-worker", tenant_id=world.a.id, message_id=message_id, to=CUSTOMER, body="",
                            from_number=A_MAIN, messaging_service_sid=None, media_urls=(), attempts=1,
                            reserved_slot_at=None, credentials=None)
    assert delivery._record_failure(stale, ProviderError("late"), after_lease) == "skipped"
    assert q.outbound_row(world.a.id, message_id).status == "queued"


def test_concurrent_workers_send_a_message_once(world, queued, q):
    message_id = queue_text(world.a.id, now=T0)
    provider = FakeProvider(delay=0.2)
    outcomes = []

    def work():
        outcomes.append(delivery.deliver(tenant_id=world.a.id, message_id=message_id, now=T0, provider=provider))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert len(provider.calls) == 1


def test_opt_out_after_queueing_suppresses_at_send_time(world, queued, q):
    message_id = queue_text(world.a.id, now=T0)
    with tenant_session(world.a.id) as db:
        actions.do_record_consent(db, tenant_id=world.a.id, phone_e164=CUSTOMER, state="opted_out",
                                  source="keyword", text="STOP")
    provider = FakeProvider()
    assert delivery.deliver(tenant_id=world.a.id, message_id=message_id, now=T0, provider=provider) == "suppressed"
    assert provider.calls == []
    assert q.outbound_row(world.a.id, message_id).status == "suppressed"


# ---- quiet hours ------------------------------------------------------------------------------------


def test_marketing_is_deferred_by_the_recipients_zone(world, queued, q):
    """13:30 UTC: 08:30 in New York (allowed), 03:30 in Honolulu (deferred to 08:00 local)."""
    now = dt.datetime(2026, 1, 15, 13, 30, tzinfo=UTC)
    ny = queue_text(world.a.id, to=NY, body="20% off this week!", kind="marketing", now=now)
    hi = queue_text(world.a.id, to=HONOLULU, body="20% off this week!", kind="campaign", now=now)
    hi_otp = queue_text(world.a.id, to=HONOLULU, body="Your code is 123456", kind="otp", now=now)
    ny_row, hi_row, otp_row = (q.outbound_row(world.a.id, m) for m in (ny, hi, hi_otp))
    assert ny_row.next_attempt_at == now and ny_row.deferred_reason == ""
    assert hi_row.status == "pending"  # deferred, not dropped
    assert hi_row.next_attempt_at == dt.datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
    assert hi_row.deferred_reason == "quiet_hours"
    assert otp_row.next_attempt_at == now  # transactional texts are exempt
    assert (world.a.id, hi, 16200.0) in queued.calls
    provider = FakeProvider()
    before_eight = dt.datetime(2026, 1, 15, 17, 59, tzinfo=UTC)
    assert delivery.deliver(tenant_id=world.a.id, message_id=hi, now=before_eight, provider=provider) == "skipped"
    at_eight = dt.datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
    assert delivery.deliver(tenant_id=world.a.id, message_id=hi, now=at_eight, provider=provider) == "sent"


def test_marketing_retry_that_falls_into_quiet_hours_waits_for_morning(world, queued, q):
    now = dt.datetime(2026, 1, 15, 13, 30, tzinfo=UTC)
    message_id = queue_text(world.a.id, to=NY, body="Spring special!", kind="marketing", now=now)
    set_row(world.a.id, message_id, next_attempt_at=now)
    late = dt.datetime(2026, 1, 16, 3, 0, tzinfo=UTC)  # 22:00 in New York
    provider = FakeProvider()
    assert delivery.deliver(tenant_id=world.a.id, message_id=message_id, now=late, provider=provider) == "deferred"
    row = q.outbound_row(world.a.id, message_id)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, dt.datetime(2026, 1, 16, 13, 0, tzinfo=UTC))
    assert provider.calls == []


# ---- rate limit --------------------------------------------------------------------------------------


def test_reserved_slots_are_spaced_across_concurrent_workers(world):
    slots = []

    def reserve():
        slots.append(ratelimit.reserve_slot(tenant_id=world.a.id, sender=A_MAIN, rate_per_second=2.0, now=T0))

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(slots) == [T0 + dt.timedelta(milliseconds=500 * i) for i in range(8)]


def test_slots_do_not_accumulate_while_idle(world):
    first = ratelimit.reserve_slot(tenant_id=world.a.id, sender=A_MAIN, rate_per_second=1.0, now=T0)
    later = T0 + dt.timedelta(minutes=5)
    second = ratelimit.reserve_slot(tenant_id=world.a.id, sender=A_MAIN, rate_per_second=1.0, now=later)
    assert (first, second) == (T0, later)


def test_campaign_never_exceeds_the_per_number_rate(world, queued, q):
    """At 1 msg/s, eight due texts: the first six wait up to 5 s in the worker; the rest are
    put back with their reserved slot and sent on it without taking a new one."""
    provider = FakeProvider(rate_limited=True)
    ids = [queue_text(world.a.id, to=f"+1918555{2000 + i:04d}", body="Sale!", kind="transactional", now=T0)
           for i in range(8)]
    waits = []
    outcomes = [delivery.deliver(tenant_id=world.a.id, message_id=m, now=T0, provider=provider, sleep=waits.append)
                for m in ids]
    assert outcomes == ["sent"] * 6 + ["deferred"] * 2
    assert waits == [1.0, 2.0, 3.0, 4.0, 5.0]
    seventh = q.outbound_row(world.a.id, ids[6])
    assert seventh.reserved_slot_at == T0 + dt.timedelta(seconds=6)
    assert seventh.next_attempt_at == T0 + dt.timedelta(seconds=6)
    at_slot = T0 + dt.timedelta(seconds=6)
    assert delivery.deliver(tenant_id=world.a.id, message_id=ids[6], now=at_slot, provider=provider,
                            sleep=waits.append) == "sent"
    assert waits == [1.0, 2.0, 3.0, 4.0, 5.0]  # sent on its reserved slot, no extra wait
    eighth_slot = q.outbound_row(world.a.id, ids[7]).reserved_slot_at
    assert eighth_slot == T0 + dt.timedelta(seconds=7)


# ---- usage --------------------------------------------------------------------------------------------


def test_usage_counts_messages_and_segments_in_and_out(world, q):
    world.twilio.text(to=A_MAIN, body="HELP")
    world.twilio.text(to=A_MAIN, body="ж" * 71)  # two UCS-2 segments
    with tenant_session(world.a.id) as db:
        (usage,) = messaging_service.get_usage(db, tenant_id=world.a.id, start=dt.date(2000, 1, 1),
                                               end=dt.date(2100, 1, 1))
    help_reply = q.outbound(world.a.id)[0]
    assert (usage.messages_in, usage.segments_in) == (2, 3)
    assert (usage.messages_out, usage.segments_out) == (1, help_reply.num_segments)
