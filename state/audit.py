"""The tenant's own audit log, including every visit by the platform owner."""

from __future__ import annotations

import reflex as rx

from backend.audit import service as audit_service
from backend.audit import views as audit_views
from backend.audit.service import AuditFilter
from backend.auth.context import StaffContext
from backend.db.session import tenant_session
from backend.tenancy import views as tenancy_views
from state.session import Access, current_context, requires, run_blocking


def _tenant_audit(ctx: StaffContext, impersonation_only: bool) -> list[dict[str, str]]:
    tz = tenancy_views.tenant_view(tenant_id=ctx.tenant_id).timezone
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        rows = audit_service.get_recent(
            db, tenant_id=ctx.tenant_id, audit_filter=AuditFilter(impersonation_only=impersonation_only, limit=300)
        )
        return audit_views.audit_rows(rows, {ctx.tenant_id: tz})


@requires(Access.TENANT_ADMIN)
class AuditState(rx.State):
    rows: list[dict[str, str]] = []
    impersonation_only: bool = False

    @rx.event
    async def load(self):
        ctx = await current_context(self)
        self.rows = await run_blocking(_tenant_audit, ctx, self.impersonation_only)

    @rx.event
    async def set_impersonation_only(self, value: bool):
        self.impersonation_only = bool(value)
        return AuditState.load
