"""Email delivery jobs."""

from __future__ import annotations

import logging

from huey import crontab

from backend.db.session import platform_session
from backend.db.types import utcnow
from backend.email import providers
from backend.email import service as email_service
from backend.jobs.queue import huey

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def deliver_pending_emails() -> int:
    """Delivers every pending email once; returns how many left the outbox."""
    delivered = 0
    with platform_session("jobs:email") as db:
        for row in email_service.get_pending(db):
            try:
                row.status = providers.deliver(row)
                row.sent_at = utcnow()
                delivered += 1
            except Exception as exc:  # provider errors must not stop the batch
                row.attempts += 1
                row.last_error = str(exc)[:500]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = "failed"
                log.warning("email %s failed (attempt %s): %s", row.id, row.attempts, exc)
            db.add(row)
    return delivered


@huey.periodic_task(crontab(minute="*"))
def deliver_emails_periodically() -> int:
    return deliver_pending_emails()


@huey.task()
def deliver_emails_now() -> int:
    return deliver_pending_emails()

