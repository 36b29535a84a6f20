"""Dashboard home: the active tenant's live numbers (customers, team, scheduling and revenue),
the next appointments (times in the tenant's zone) and recent activity."""

from __future__ import annotations

import dataclasses

import reflex as rx

from backend import timefmt
from backend.analytics.dashboard import dashboard_numbers
from backend.audit import service as audit_service
from backend.audit.service import AuditFilter
from backend.auth.context import StaffContext
from backend.db.session import tenant_session
from backend.scheduling import views as scheduling_views
from backend.scheduling.timeutil import format_money
from backend.tenancy import views as tenancy_views
from state.session import Access, current_context, requires, run_blocking


def _load(ctx: StaffContext) -> tuple[dict[str, int], list[dict[str, str]], list[dict[str, str]]]:
    tz = tenancy_views.tenant_view(tenant_id=ctx.tenant_id).timezone
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        numbers = dataclasses.asdict(dashboard_numbers(db, tenant_id=ctx.tenant_id))
        upcoming = [
            {"id": u.id, "href": f"/appointments/{u.id}", "when": u.when, "service": u.service,
             "customer": u.customer, "technician": u.technician, "color": u.color, "status": u.status_label}
            for u in scheduling_views.upcoming_appointments(db, tenant_id=ctx.tenant_id, limit=5)
        ]
        recent = []
        if ctx.is_tenant_admin:
            for row in audit_service.get_recent(db, tenant_id=ctx.tenant_id, audit_filter=AuditFilter(limit=8)):
                recent.append({"at": timefmt.short(row.at, tz), "who": row.actor_name, "summary": row.summary or row.action})
    return numbers, upcoming, recent


@requires(Access.TENANT)
class DashboardState(rx.State):
    numbers: dict[str, int] = {}
    upcoming: list[dict[str, str]] = []
    recent: list[dict[str, str]] = []
    revenue_30d: str = "$0"
    average_ticket: str = "$0"

    @rx.event
    async def load(self):
        ctx = await current_context(self)
        self.numbers, self.upcoming, self.recent = await run_blocking(_load, ctx)
        self.revenue_30d = format_money(self.numbers.get("revenue_30d_cents", 0))
        self.average_ticket = format_money(self.numbers.get("average_ticket_cents", 0))
