"""The agent plug point (register_responder), the needs-human fallback, the live-update hook
(events.subscribe) and the idempotency of inbound processing."""

from __future__ import annotations

import datetime as dt


from backend.db.session import tenant_session
from backend.messaging import automation, events, inbound
from backend.messaging.automation import InboundContext
from backend.messaging.models import Conversation
from tests.integration.messaging.conftest import A_MAIN, CUSTOMER


def test_registered_responder_gets_the_context_and_its_reply_goes_out(world, q):
    seen: list[InboundContext] = []

    @automation.register_responder
    def responder(ctx: InboundContext) -> str:
        seen.append(ctx)
        return "  We have Saturday 9 AM open.  "

    world.twilio.text(to=A_MAIN, body="Any openings Saturday?")
    (ctx,) = seen
    (message,) = q.inbound(world.a.id)
    (conversation,) = q.conversations(world.a.id)
    assert ctx == InboundContext(tenant_id=world.a.id, conversation_id=conversation.id,
                                 customer_id=conversation.customer_id, message_id=message.id, phone=CUSTOMER,
                                 body="Any openings Saturday?", channel="sms")
    (reply,) = q.outbound(world.a.id)
    assert (reply.body, reply.kind, reply.reply_to_message_id, reply.from_number, reply.created_by_name) == (
        "We have Saturday 9 AM open.", "reply", message.id, A_MAIN, "AI assistant")
    assert message.handling == "ai_reply"
    assert not conversation.needs_human


def test_without_a_responder_the_conversation_needs_a_human_and_nothing_is_sent(world, q):
    world.twilio.text(to=A_MAIN, body="Any openings Saturday?")
    assert q.outbound(world.a.id) == []
    (conversation,) = q.conversations(world.a.id)
    assert conversation.needs_human
    assert q.inbound(world.a.id)[0].handling == "needs_human"


def test_responder_returning_nothing_or_raising_flags_for_a_human(world, q):
    automation.register_responder(lambda ctx: None)
    world.twilio.text(to=A_MAIN, body="first")
    assert q.conversations(world.a.id)[0].needs_human

    def broken(ctx):
        raise RuntimeError("LLM down")

    automation.register_responder(broken)
    world.twilio.text(to=A_MAIN, frm="+19185550166", body="second")
    assert all(c.needs_human for c in q.conversations(world.a.id))
    assert q.outbound(world.a.id) == []


def test_processing_twice_never_sends_a_second_reply(world, q):
    automation.register_responder(lambda ctx: "Hello back")
    world.twilio.text(to=A_MAIN, body="hello")
    (message,) = q.inbound(world.a.id)
    assert inbound.process_inbound(tenant_id=world.a.id, message_id=message.id) == "skipped"
    assert len(q.outbound(world.a.id)) == 1


def test_a_crashed_processor_is_retried_after_its_lease(world, q):
    """A worker that died while the responder was thinking left a lease; after it expires the
    sweeper finds the message and it is answered once."""
    from backend.messaging import delivery

    automation.register_responder(lambda ctx: "Sorry for the wait!")
    params = {"MessageSid": "SM" + "9" * 32, "From": CUSTOMER, "To": A_MAIN, "Body": "hello?"}
    stored = inbound.store_inbound(tenant_id=world.a.id, params=params,
                                   now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5))
    inbound.link_inbound(tenant_id=world.a.id, message_id=stored.message_id)
    with tenant_session(world.a.id) as db:
        from backend.messaging.models import InboundMessage

        row = db.get(InboundMessage, (world.a.id, stored.message_id))
        row.processing_token = "dead"
        row.processing_until = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
        db.add(row)
    _, unhandled = delivery.find_due_work()
    assert (world.a.id, stored.message_id) in unhandled
    assert inbound.process_inbound(tenant_id=world.a.id, message_id=stored.message_id) == "ai_reply"
    assert inbound.process_inbound(tenant_id=world.a.id, message_id=stored.message_id) == "skipped"
    assert [r.body for r in q.outbound(world.a.id)] == ["Sorry for the wait!"]


def test_staff_taking_over_while_the_ai_thinks_wins(world, q):
    """The reply is dropped if the conversation left ai mode while the responder ran."""

    def slow_responder(ctx):
        with tenant_session(ctx.tenant_id) as db:
            conv = db.get(Conversation, (ctx.tenant_id, ctx.conversation_id))
            conv.mode = "manual"
            db.add(conv)
        return "AI answer"

    automation.register_responder(slow_responder)
    world.twilio.text(to=A_MAIN, body="hello")
    assert q.outbound(world.a.id) == []
    assert q.inbound(world.a.id)[0].handling == "staff"


def test_subscribers_are_told_after_the_inbound_message_commits(world, q):
    seen = []

    def callback(tenant_id, conversation_id):
        # Called after commit: the message is visible from a new session.
        seen.append((tenant_id, conversation_id, len(q.inbound(tenant_id))))

    events.subscribe(callback)
    world.twilio.text(to=A_MAIN, body="hi there")
    (conversation,) = q.conversations(world.a.id)
    assert seen and seen[0] == (world.a.id, conversation.id, 1)


def test_a_failing_subscriber_does_not_break_messaging(world, q):
    events.subscribe(lambda t, c: 1 / 0)
    response, _ = world.twilio.text(to=A_MAIN, body="HELP")
    assert response.status_code == 200
    assert len(q.outbound(world.a.id)) == 1


def test_unsubscribe(world):
    seen = []
    callback = events.subscribe(lambda t, c: seen.append(c))
    events.unsubscribe(callback)
    world.twilio.text(to=A_MAIN, body="hi")
    assert seen == []


def test_events_are_broadcast_to_other_processes_through_redis(world, monkeypatch):
    """With REDIS_URL, each event is published on the channel; events from other processes
    reach local subscribers, our own broadcasts are not delivered twice."""
    import json

    published = []

    class FakeRedis:
        def publish(self, channel, payload):
            published.append((channel, json.loads(payload)))

    monkeypatch.setattr(events, "_redis", lambda: FakeRedis())
    monkeypatch.setattr(events, "_ensure_listener", lambda: None)
    seen = []
    events.subscribe(lambda t, c: seen.append((t, c)))
    events.publish(world.a.id, "conv-1")
    assert seen == [(world.a.id, "conv-1")]
    ((channel, payload),) = published
    assert channel == events.CHANNEL and (payload["t"], payload["c"]) == (world.a.id, "conv-1")
    assert not events.on_remote_message(json.dumps(payload))  # our own broadcast
    other = dict(payload, o="another-process", c="conv-2")
    assert events.on_remote_message(json.dumps(other))
    assert seen[-1] == (world.a.id, "conv-2")
    assert not events.on_remote_message(b"not json")


def test_webhook_links_and_announces_even_before_the_worker_runs(world, q, monkeypatch):
    """The web process links the message and tells subscribers right after answering; the
    processing job is only queued."""
    from backend.jobs import messaging_tasks

    queued_jobs = []
    monkeypatch.setattr(messaging_tasks, "process_inbound_sms", lambda t, m: queued_jobs.append((t, m)))
    seen = []
    events.subscribe(lambda t, c: seen.append((t, c)))
    world.twilio.text(to=A_MAIN, body="hello")
    (message,) = q.inbound(world.a.id)
    (conversation,) = q.conversations(world.a.id)
    assert queued_jobs == [(world.a.id, message.id)]
    assert message.conversation_id == conversation.id and message.handled_at is None
    assert conversation.unread_count == 1
    assert seen == [(world.a.id, conversation.id)]
