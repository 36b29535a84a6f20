"""Tenant registry writes. Plan tier and status change only through their named actions."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.db.ids import new_tenant_id
from backend.db.session import platform_session, tenant_session
from backend.db.types import utcnow
from backend.errors import Conflict, PermissionDenied
from backend.tenancy import service as tenancy_service
from backend.tenancy.enums import ROOT_TENANT_ID, PlanTier, TenantStatus
from backend.tenancy.resolution import invalidate_routing_cache
from backend.tenancy.models import PhoneConfigIn, Tenant, TenantConfig, TenantCreate, TenantPhoneConfig
from backend.vault import crypto


def _require_platform_admin(acting_user: StaffContext | None) -> None:
    if acting_user is not None and not acting_user.is_platform_admin:
        raise PermissionDenied("Only the platform owner can do that.")


def create_tenant(
    tenant_in: TenantCreate, *, acting_user: StaffContext | None, tenant_id: str | None = None
) -> Tenant:
    """Creates a tenant with its config row in one transaction of the new tenant's session."""
    _require_platform_admin(acting_user)
    with platform_session("tenant-slug-check") as db:
        if tenancy_service.get_by_slug(db, slug=tenant_in.slug):
            raise Conflict(f"The address name {tenant_in.slug!r} is already taken.")
    tenant_id = tenant_id or new_tenant_id()
    try:
        with tenant_session(tenant_id, acting_user=acting_user) as db:
            return do_create_tenant(db, tenant_id=tenant_id, tenant_in=tenant_in, acting_user=acting_user)
    except IntegrityError:
        raise Conflict(f"The address name {tenant_in.slug!r} is already taken.") from None


def do_create_tenant(
    db: Session, *, tenant_id: str, tenant_in: TenantCreate, acting_user: StaffContext | None
) -> Tenant:
    tenant = Tenant(
        id=tenant_id,
        slug=tenant_in.slug,
        name=tenant_in.name,
        industry=tenant_in.industry,
        plan_tier=tenant_in.plan_tier.value,
        status=tenant_in.status.value,
        timezone=tenant_in.timezone,
        brand_color=tenant_in.brand_color,
        logo_url=tenant_in.logo_url,
    )
    db.add(tenant)
    db.flush()
    db.add(
        TenantConfig(
            tenant_id=tenant_id,
            business_name=tenant_in.name,
            city=tenant_in.city,
            region=tenant_in.region,
            sms_help_text=(
                f"{tenant_in.name}: reply STOP to opt out, START to opt back in. "
                "Msg & data rates may apply."
            ),
        )
    )
    audit.record(
        db,
        tenant_id=tenant_id,
        acting_user=acting_user,
        action="tenant.created",
        target_type="tenant",
        target_id=tenant_id,
        summary=f"Created {tenant.name} on the {tenant.plan_tier} plan",
    )
    return tenant


def do_change_plan(
    db: Session, *, tenant_id: str, plan_tier: str, acting_user: StaffContext | None
) -> Tenant:
    """Changes a tenant's plan tier (the only place it changes)."""
    _require_platform_admin(acting_user)
    if plan_tier not in PlanTier.values():
        raise Conflict(f"Unknown plan {plan_tier!r}; choose one of {', '.join(PlanTier.values())}.")
    tenant = tenancy_service.get_or_raise(db, tenant_id=tenant_id)
    if tenant.id == ROOT_TENANT_ID and plan_tier != tenant.plan_tier and plan_tier not in ("elite", "internal"):
        raise Conflict("The root business stays on the elite or internal plan.")
    old = tenant.plan_tier
    tenant.plan_tier = plan_tier
    tenant.updated_at = utcnow()
    db.add(tenant)
    audit.record(
        db, tenant_id=tenant_id, acting_user=acting_user, action="tenant.plan_changed",
        target_type="tenant", target_id=tenant_id, summary=f"Plan {old} → {plan_tier}",
        detail={"from": old, "to": plan_tier},
    )
    return tenant


def do_change_status(
    db: Session, *, tenant_id: str, status: str, acting_user: StaffContext | None
) -> Tenant:
    """Changes a tenant's status (the only place it changes). Data is never removed."""
    _require_platform_admin(acting_user)
    if status not in TenantStatus.values():
        raise Conflict(f"Unknown status {status!r}; choose one of {', '.join(TenantStatus.values())}.")
    tenant = tenancy_service.get_or_raise(db, tenant_id=tenant_id)
    if tenant.id == ROOT_TENANT_ID and status != TenantStatus.ACTIVE.value:
        raise Conflict("The root business must stay active.")
    old = tenant.status
    tenant.status = status
    tenant.updated_at = utcnow()
    db.add(tenant)
    audit.record(
        db, tenant_id=tenant_id, acting_user=acting_user, action="tenant.status_changed",
        target_type="tenant", target_id=tenant_id, summary=f"Status {old} → {status}",
        detail={"from": old, "to": status},
    )
    return tenant


def _invalidate_routing_on_commit(db: Session) -> None:
    event.listen(db, "after_commit", lambda _session: invalidate_routing_cache(), once=True)


def _check_number_free(phone_number: str, *, except_id: str | None = None) -> None:
    with platform_session("phone-number-uniqueness") as pdb:
        existing = tenancy_service.get_phone_config_by_number(pdb, phone_number=phone_number)
    if existing is not None and existing.id != except_id:
        raise Conflict(f"{phone_number} is already assigned to a business.")


def _check_msid_free(msid: str | None, tenant_id: str) -> None:
    if not msid:
        return
    with platform_session("messaging-service-uniqueness") as pdb:
        for row in tenancy_service.get_phone_configs(pdb):
            if row.messaging_service_sid == msid and row.tenant_id != tenant_id:
                raise Conflict(f"Messaging service {msid} belongs to another business.")


def do_create_phone_config(
    db: Session, *, tenant_id: str, config_in: PhoneConfigIn, acting_user: StaffContext | None
) -> TenantPhoneConfig:
    """Adds a phone number to a tenant; a number can belong to only one tenant."""
    _require_platform_admin(acting_user)
    _check_number_free(config_in.phone_number)
    _check_msid_free(config_in.messaging_service_sid, tenant_id)
    row = TenantPhoneConfig(
        tenant_id=tenant_id,
        phone_number=config_in.phone_number,
        label=config_in.label or "Main line",
        messaging_service_sid=config_in.messaging_service_sid,
        sip_domain=config_in.sip_domain,
        sip_username=config_in.sip_username,
        sip_password_encrypted=crypto.encrypt(config_in.sip_password) if config_in.sip_password else None,
        ivr_mode=config_in.ivr_mode.value,
        forward_number=config_in.forward_number,
        active=config_in.active,
    )
    db.add(row)
    try:
        db.flush()
    except IntegrityError:
        raise Conflict(f"{config_in.phone_number} is already assigned to a business.") from None
    _invalidate_routing_on_commit(db)
    audit.record(
        db, tenant_id=tenant_id, acting_user=acting_user, action="phone_config.created",
        target_type="tenant_phone_config", target_id=row.id,
        summary=f"Added {row.phone_number} ({row.ivr_mode})",
    )
    return row


def do_update_phone_config(
    db: Session,
    *,
    tenant_id: str,
    phone_config_id: str,
    config_in: PhoneConfigIn,
    acting_user: StaffContext | None,
) -> TenantPhoneConfig:
    """Updates a number's routing; a blank SIP password keeps the stored one."""
    _require_platform_admin(acting_user)
    row = tenancy_service.access_phone_config_by_id(db, tenant_id=tenant_id, phone_config_id=phone_config_id)
    if config_in.phone_number != row.phone_number:
        _check_number_free(config_in.phone_number, except_id=row.id)
    _check_msid_free(config_in.messaging_service_sid, tenant_id)
    if config_in.sip_password:
        if acting_user is not None and acting_user.impersonating:
            raise PermissionDenied("Credentials cannot be changed while viewing as a business.")
        row.sip_password_encrypted = crypto.encrypt(config_in.sip_password)
    row.phone_number = config_in.phone_number
    row.label = config_in.label or row.label
    row.messaging_service_sid = config_in.messaging_service_sid
    row.sip_domain = config_in.sip_domain
    row.sip_username = config_in.sip_username
    row.ivr_mode = config_in.ivr_mode.value
    row.forward_number = config_in.forward_number
    row.active = config_in.active
    row.updated_at = utcnow()
    db.add(row)
    try:
        db.flush()
    except IntegrityError:
        raise Conflict(f"{config_in.phone_number} is already assigned to a business.") from None
    _invalidate_routing_on_commit(db)
    audit.record(
        db, tenant_id=tenant_id, acting_user=acting_user, action="phone_config.updated",
        target_type="tenant_phone_config", target_id=row.id, summary=f"Updated {row.phone_number}",
    )
    return row


def do_delete_phone_config(
    db: Session, *, tenant_id: str, phone_config_id: str, acting_user: StaffContext | None
) -> None:
    """Removes a number from a tenant. The root business's numbers cannot be deleted: every
    unmatched inbound message falls back to root, so it must always be reachable."""
    _require_platform_admin(acting_user)
    row = tenancy_service.access_phone_config_by_id(db, tenant_id=tenant_id, phone_config_id=phone_config_id)
    if tenant_id == ROOT_TENANT_ID:
        raise Conflict("The root business's phone configuration cannot be deleted; edit it instead.")
    db.delete(row)
    _invalidate_routing_on_commit(db)
    audit.record(
        db, tenant_id=tenant_id, acting_user=acting_user, action="phone_config.deleted",
        target_type="tenant_phone_config", target_id=phone_config_id, summary=f"Removed {row.phone_number}",
    )
