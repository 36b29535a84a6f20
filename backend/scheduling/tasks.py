"""Background jobs for scheduling: extend every tenant's recurring series to the rolling window
once a day. Each tenant runs in its own tenant session; one tenant's failure does not stop the
others."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab

from backend.db.session import platform_session, tenant_session
from backend.jobs.queue import huey
from backend.scheduling.recurrence import extend_all_series
from backend.tenancy import service as tenancy_service
from backend.tenancy.features import GATED_STATUSES

log = logging.getLogger(__name__)


def extend_recurring_for_all_tenants(now: dt.datetime | None = None) -> int:
    """Books upcoming recurring visits for every active tenant; returns how many were created."""
    with platform_session("jobs:recurrence") as db:
        tenant_ids = [t.id for t in tenancy_service.get_all(db) if t.status not in GATED_STATUSES]
    created = 0
    for tenant_id in tenant_ids:
        try:
            with tenant_session(tenant_id) as db:
                created += extend_all_series(db, tenant_id=tenant_id, now=now)
        except Exception:  # one tenant's bad data must not stop the others
            log.exception("extending recurring series failed for tenant %s", tenant_id)
    return created


@huey.periodic_task(crontab(hour="3", minute="15"))
def extend_recurring_daily() -> int:
    return extend_recurring_for_all_tenants()


@huey.task(retries=2, retry_delay=60)
def extend_recurring_for_tenant(tenant_id: str) -> int:
    with tenant_session(tenant_id) as db:
        return extend_all_series(db, tenant_id=tenant_id)
