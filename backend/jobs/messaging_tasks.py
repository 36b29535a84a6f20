"""Messaging jobs: process an inbound SMS, deliver an outbound one, a periodic sweep that finds
anything a lost task or a crashed worker left behind (due or lease-expired outbox rows, inbound
messages never handled), and the periodic appointment reminders/confirmations."""

from __future__ import annotations

import logging

from huey import crontab

from backend.jobs.queue import huey

log = logging.getLogger(__name__)


@huey.task(retries=3, retry_delay=10)
def process_inbound_sms(tenant_id: str, message_id: str) -> str:
    """Consent keywords, then the registered responder, for one stored inbound message."""
    from backend.messaging import inbound

    return inbound.process_inbound(tenant_id=tenant_id, message_id=message_id)


@huey.task()
def deliver_sms(tenant_id: str, message_id: str) -> str:
    """Delivers one outbox row (retries are rescheduled by the delivery code with backoff)."""
    from backend.messaging import delivery

    return delivery.deliver(tenant_id=tenant_id, message_id=message_id)


@huey.periodic_task(crontab(minute="*"))
def sweep_messaging() -> dict:
    """Re-queues due or abandoned outbound messages and unhandled inbound ones."""
    from backend.messaging import delivery

    outbound, inbound_ids = delivery.find_due_work()
    for tenant_id, message_id in outbound:
        deliver_sms(tenant_id, message_id)
    for tenant_id, message_id in inbound_ids:
        process_inbound_sms(tenant_id, message_id)
    if outbound or inbound_ids:
        log.info("messaging sweep: %s outbound, %s inbound re-queued", len(outbound), len(inbound_ids))
    return {"outbound": len(outbound), "inbound": len(inbound_ids)}


@huey.periodic_task(crontab(minute="*/5"))
def send_sms_reminders() -> int:
    """Appointment reminders due within each tenant's window, and confirmations for recent
    bookings nobody confirmed (each sent exactly once)."""
    from backend.messaging import reminders

    return reminders.send_due_reminders()
