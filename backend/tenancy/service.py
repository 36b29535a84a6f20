"""Tenant registry queries."""

from __future__ import annotations

from sqlmodel import Session, select

from backend.errors import NotFound
from backend.tenancy.models import Tenant, TenantConfig, TenantPhoneConfig


def get(db: Session, *, tenant_id: str) -> Tenant | None:
    return db.get(Tenant, tenant_id)


def get_or_raise(db: Session, *, tenant_id: str) -> Tenant:
    tenant = db.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("No such business.")
    return tenant


def get_by_slug(db: Session, *, slug: str) -> Tenant | None:
    return db.exec(select(Tenant).where(Tenant.slug == slug.strip().lower())).first()


def get_all(db: Session) -> list[Tenant]:
    """Returns all tenants, root first, then by name."""
    return list(db.exec(select(Tenant).order_by(Tenant.id != "root", Tenant.name)).all())


def get_config(db: Session, *, tenant_id: str) -> TenantConfig | None:
    return db.exec(select(TenantConfig).where(TenantConfig.tenant_id == tenant_id)).first()


def get_phone_configs(db: Session, *, tenant_id: str | None = None) -> list[TenantPhoneConfig]:
    """Returns phone configs of one tenant, or of all tenants in a platform session."""
    query = select(TenantPhoneConfig).order_by(TenantPhoneConfig.tenant_id, TenantPhoneConfig.phone_number)
    if tenant_id is not None:
        query = query.where(TenantPhoneConfig.tenant_id == tenant_id)
    return list(db.exec(query).all())


def access_phone_config_by_id(db: Session, *, tenant_id: str, phone_config_id: str) -> TenantPhoneConfig:
    """Returns the tenant's phone config or raises NotFound (also for another tenant's id)."""
    row = db.get(TenantPhoneConfig, (tenant_id, phone_config_id))
    if row is None:
        raise NotFound("No such phone number.")
    return row


def get_phone_config_by_number(db: Session, *, phone_number: str) -> TenantPhoneConfig | None:
    return db.exec(select(TenantPhoneConfig).where(TenantPhoneConfig.phone_number == phone_number)).first()
