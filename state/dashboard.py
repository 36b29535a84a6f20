"""Dashboard home: the active tenant's live numbers and recent activity."""

from __future__ import annotations

import dataclasses

import reflex as rx

from backend import timefmt
from backend.analytics.dashboard import dashboard_numbers
from backend.audit import service as audit_service
from backend.audit.service import AuditFilter
from backend.auth.context import StaffContext
from backend.db.session import tenant_session
from backend.tenancy import views as tenancy_views
from state.session import Access, current_context, requires, run_blocking


def _load(ctx: StaffContext) -> tuple[dict[str, int], list[dict[str, str]]]:
    tz = tenancy_views.tenant_view(tenant_id=ctx.tenant_id).timezone
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        numbers = dataclasses.asdict(dashboard_numbers(db, tenant_id=ctx.tenant_id))
        recent = []
        if ctx.is_tenant_admin:
            for row in audit_service.get_recent(db, tenant_id=ctx.tenant_id, audit_filter=AuditFilter(limit=8)):
                recent.append({"at": timefmt.short(row.at, tz), "who": row.actor_name, "summary": row.summary or row.action})
    return numbers, recent


@requires(Access.TENANT)
class DashboardState(rx.State):
    numbers: dict[str, int] = {}
    recent: list[dict[str, str]] = []

    @rx.event
    async def load(self):
        ctx = await current_context(self)
        self.numbers, self.recent = await run_blocking(_load, ctx)
