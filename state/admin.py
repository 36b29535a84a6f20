"""Platform owner pages: tenants, phone & IVR configuration, cross-tenant audit, email outbox.

Every state here is PLATFORM_ADMIN: the auth middleware refuses their events for anyone else,
including the platform owner while viewing as a tenant.
"""

from __future__ import annotations

import reflex as rx
from pydantic import ValidationError

from backend import timefmt
from backend.audit import service as audit_service
from backend.audit import views as audit_views
from backend.audit.service import AuditFilter
from backend.db.session import platform_session, tenant_session
from backend.email import service as email_service
from backend.errors import UserError, pydantic_message
from backend.tenancy import actions as tenancy_actions
from backend.tenancy import service as tenancy_service
from backend.tenancy import views as tenancy_views
from backend.tenancy.enums import IvrMode, PlanTier, TenantStatus
from backend.tenancy.models import PhoneConfigIn, TenantCreate
from state.session import Access, current_context, requires, run_blocking

INDUSTRIES = {
    "auto_detailing": "Mobile auto detailing",
    "lawn_care": "Lawn care",
    "house_cleaning": "House cleaning",
    "pet_grooming": "Mobile pet grooming",
    "photography": "Photography",
    "other_services": "Other services",
}


def _tenant_id_for_slug(slug: str) -> str:
    with platform_session("admin:slug") as db:
        tenant = tenancy_service.get_by_slug(db, slug=slug if isinstance(slug, str) else "")
        if tenant is None:
            raise UserError("No such business.")
        return tenant.id


def _card_row(card: tenancy_views.TenantCard) -> dict:
    t = card.tenant
    return {
        "slug": t.slug, "name": t.name, "industry": INDUSTRIES.get(t.industry, t.industry),
        "plan_tier": t.plan_tier, "status": t.status, "is_root": t.is_root, "city": card.city,
        "members": card.members, "numbers": ", ".join(card.phone_numbers) or "No number yet",
        "color": t.brand_color,
    }


@requires(Access.PLATFORM_ADMIN)
class TenantsAdminState(rx.State):
    tenants: list[dict] = []
    error: str = ""
    message: str = ""
    create_open: bool = False
    create_error: str = ""
    impersonate_slug: str = ""
    impersonate_name: str = ""
    impersonate_open: bool = False

    @rx.event
    async def load(self):
        await current_context(self)
        cards = await run_blocking(tenancy_views.tenant_cards)
        self.tenants = [_card_row(c) for c in cards]
        code = str(self.router.url.query_parameters.get("error", ""))
        self.error = "Say why you are viewing this business (at least 5 characters)." if code == "reason" else ""
        self.message = "You stopped viewing as the business." if self.router.url.query_parameters.get("info") == "exited" else ""

    @rx.event
    def set_create_open(self, value: bool):
        self.create_open = bool(value)
        self.create_error = ""

    @rx.event
    async def create_tenant(self, form: dict):
        ctx = await current_context(self)
        if not isinstance(form, dict):
            return
        try:
            tenant_in = TenantCreate(
                name=str(form.get("name", "")), slug=str(form.get("slug", "")),
                industry=str(form.get("industry", "")) if form.get("industry") in INDUSTRIES else "other_services",
                plan_tier=str(form.get("plan_tier", "starter")), status=str(form.get("status", "trialing")),
                timezone=str(form.get("timezone", "America/Chicago")) or "America/Chicago",
                brand_color=str(form.get("brand_color", "#2563eb")) or "#2563eb",
                city=str(form.get("city", ""))[:100], region=str(form.get("region", ""))[:100],
            )
            tenant = await run_blocking(tenancy_actions.create_tenant, tenant_in, acting_user=ctx)
        except ValidationError as exc:
            self.create_error = pydantic_message(exc)
            return
        except UserError as exc:
            self.create_error = str(exc)
            return
        self.create_open = False
        self.message = f"Created {tenant.name}."
        return TenantsAdminState.load

    async def _change(self, slug: str, action, **kwargs):
        ctx = await current_context(self)
        self.error = ""
        try:
            tenant_id = await run_blocking(_tenant_id_for_slug, slug)

            def run():
                with tenant_session(tenant_id, acting_user=ctx) as db:
                    action(db, tenant_id=tenant_id, acting_user=ctx, **kwargs)

            await run_blocking(run)
        except UserError as exc:
            self.error = str(exc)
            return
        return TenantsAdminState.load

    @rx.event
    async def change_plan(self, slug: str, plan_tier: str):
        if plan_tier not in PlanTier.values():
            self.error = "Choose a plan from the list."
            return
        return await self._change(slug, tenancy_actions.do_change_plan, plan_tier=plan_tier)

    @rx.event
    async def change_status(self, slug: str, status: str):
        if status not in TenantStatus.values():
            self.error = "Choose a status from the list."
            return
        return await self._change(slug, tenancy_actions.do_change_status, status=status)

    @rx.event
    def open_impersonate(self, slug: str, name: str):
        self.impersonate_slug = str(slug)[:63]
        self.impersonate_name = str(name)[:200]
        self.impersonate_open = True

    @rx.event
    def set_impersonate_open(self, value: bool):
        self.impersonate_open = bool(value)


def _phone_row(view: tenancy_views.PhoneConfigView) -> dict:
    return {
        "id": view.id, "tenant_slug": view.tenant_slug, "tenant_name": view.tenant_name,
        "phone_number": view.phone_number, "label": view.label, "messaging_service_sid": view.messaging_service_sid,
        "sip_domain": view.sip_domain, "sip_username": view.sip_username,
        "has_sip_password": view.has_sip_password, "ivr_mode": view.ivr_mode,
        "forward_number": view.forward_number, "active": view.active,
    }


EMPTY_PHONE_FORM = {
    "id": "", "tenant_slug": "", "phone_number": "", "label": "Main line", "messaging_service_sid": "",
    "sip_domain": "", "sip_username": "", "ivr_mode": IvrMode.SIMPLE.value, "forward_number": "", "active": True,
}


@requires(Access.PLATFORM_ADMIN)
class PhoneConfigAdminState(rx.State):
    rows: list[dict] = []
    tenant_options: list[dict] = []
    editing: dict = dict(EMPTY_PHONE_FORM)
    dialog_open: bool = False
    form_error: str = ""
    error: str = ""
    message: str = ""

    @rx.event
    async def load(self):
        await current_context(self)
        views = await run_blocking(tenancy_views.phone_config_views)
        cards = await run_blocking(tenancy_views.tenant_cards)
        self.rows = [_phone_row(v) for v in views]
        self.tenant_options = [{"slug": c.tenant.slug, "name": c.tenant.name} for c in cards]

    @rx.event
    def start_create(self):
        self.editing = dict(EMPTY_PHONE_FORM)
        self.form_error = ""
        self.dialog_open = True

    @rx.event
    def start_edit(self, row_id: str):
        row = next((r for r in self.rows if r["id"] == row_id), None)
        if row is None:
            return
        self.editing = {k: row.get(k, v) for k, v in EMPTY_PHONE_FORM.items()}
        self.form_error = ""
        self.dialog_open = True

    @rx.event
    def set_dialog_open(self, value: bool):
        self.dialog_open = bool(value)

    @rx.event
    async def save(self, form: dict):
        ctx = await current_context(self)
        if not isinstance(form, dict):
            return
        editing_id = self.editing.get("id", "")
        slug = self.editing.get("tenant_slug") if editing_id else form.get("tenant_slug", "")
        try:
            config_in = PhoneConfigIn(
                phone_number=str(form.get("phone_number", "")), label=str(form.get("label", "")),
                messaging_service_sid=str(form.get("messaging_service_sid", "")),
                sip_domain=str(form.get("sip_domain", "")), sip_username=str(form.get("sip_username", "")),
                sip_password=str(form.get("sip_password", "")).strip() or None,
                ivr_mode=str(form.get("ivr_mode", IvrMode.SIMPLE.value)),
                forward_number=str(form.get("forward_number", "")),
                active=form.get("active") in (True, "on", "true"),
            )
            tenant_id = await run_blocking(_tenant_id_for_slug, str(slug or ""))

            def run():
                with tenant_session(tenant_id, acting_user=ctx) as db:
                    if editing_id:
                        tenancy_actions.do_update_phone_config(
                            db, tenant_id=tenant_id, phone_config_id=editing_id, config_in=config_in, acting_user=ctx
                        )
                    else:
                        tenancy_actions.do_create_phone_config(db, tenant_id=tenant_id, config_in=config_in,
                                                               acting_user=ctx)

            await run_blocking(run)
        except ValidationError as exc:
            self.form_error = pydantic_message(exc)
            return
        except UserError as exc:
            self.form_error = str(exc)
            return
        self.dialog_open = False
        self.message = f"Saved {config_in.phone_number}."
        return PhoneConfigAdminState.load

    @rx.event
    async def delete(self, row_id: str):
        ctx = await current_context(self)
        row = next((r for r in self.rows if r["id"] == row_id), None)
        if row is None:
            return
        try:
            tenant_id = await run_blocking(_tenant_id_for_slug, row["tenant_slug"])

            def run():
                with tenant_session(tenant_id, acting_user=ctx) as db:
                    tenancy_actions.do_delete_phone_config(db, tenant_id=tenant_id, phone_config_id=row_id,
                                                           acting_user=ctx)

            await run_blocking(run)
        except UserError as exc:
            self.error = str(exc)
            return
        self.error = ""
        self.message = f"Removed {row['phone_number']}."
        return PhoneConfigAdminState.load


def _platform_audit(tenant_slug: str, impersonation_only: bool) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    with platform_session("admin:audit") as db:
        tenants = tenancy_service.get_all(db)
        by_slug = {t.slug: t for t in tenants}
        tenant_id = by_slug[tenant_slug].id if tenant_slug in by_slug else ""
        rows = audit_service.get_recent_across_tenants_for_platform_admin(
            db, audit_filter=AuditFilter(tenant_id=tenant_id, impersonation_only=impersonation_only, limit=300)
        )
        tz = {t.id: t.timezone for t in tenants}
        names = {t.id: t.name for t in tenants}
        return audit_views.audit_rows(rows, tz, names), [{"slug": t.slug, "name": t.name} for t in tenants]


@requires(Access.PLATFORM_ADMIN)
class PlatformAuditState(rx.State):
    rows: list[dict[str, str]] = []
    tenant_options: list[dict[str, str]] = []
    tenant_filter: str = "all"
    impersonation_only: bool = False

    @rx.event
    async def load(self):
        await current_context(self)
        slug = "" if self.tenant_filter == "all" else self.tenant_filter
        self.rows, self.tenant_options = await run_blocking(_platform_audit, slug, self.impersonation_only)

    @rx.event
    async def set_tenant_filter(self, value: str):
        self.tenant_filter = str(value)[:63]
        return PlatformAuditState.load

    @rx.event
    async def set_impersonation_only(self, value: bool):
        self.impersonation_only = bool(value)
        return PlatformAuditState.load


def _emails() -> list[dict[str, str]]:
    with platform_session("admin:emails") as db:
        return [
            {"id": e.id, "to": e.to_address, "subject": e.subject, "body": e.body, "status": e.status,
             "at": timefmt.with_zone(e.created_at, "UTC")}
            for e in email_service.get_recent(db, limit=50)
        ]


@requires(Access.PLATFORM_ADMIN)
class EmailOutboxState(rx.State):
    emails: list[dict[str, str]] = []

    @rx.event
    async def load(self):
        await current_context(self)
        self.emails = await run_blocking(_emails)
