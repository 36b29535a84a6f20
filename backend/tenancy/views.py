"""Read models of tenants for display (what the app shell and admin pages show)."""

from __future__ import annotations

import dataclasses

from backend.db.session import platform_session
from backend.errors import NotFound
from backend.tenancy import service as tenancy_service
from backend.tenancy.features import features_of


@dataclasses.dataclass(frozen=True)
class TenantView:
    id: str
    slug: str
    name: str
    industry: str
    plan_tier: str
    status: str
    timezone: str
    logo_url: str
    brand_color: str
    features: tuple[str, ...]
    is_root: bool


def to_view(tenant) -> TenantView:
    return TenantView(
        id=tenant.id, slug=tenant.slug, name=tenant.name, industry=tenant.industry,
        plan_tier=tenant.plan_tier, status=tenant.status, timezone=tenant.timezone,
        logo_url=tenant.logo_url, brand_color=tenant.brand_color,
        features=tuple(features_of(tenant)), is_root=tenant.is_root,
    )


def tenant_view(*, tenant_id: str) -> TenantView:
    """Returns the display model of one tenant."""
    with platform_session("shell") as db:
        tenant = tenancy_service.get(db, tenant_id=tenant_id)
        if tenant is None:
            raise NotFound("No such business.")
        return to_view(tenant)


@dataclasses.dataclass(frozen=True)
class TenantCard:
    tenant: TenantView
    city: str
    members: int
    phone_numbers: tuple[str, ...]


def tenant_cards() -> list[TenantCard]:
    """Returns every tenant with its team size and numbers, root first (platform owner view)."""
    from collections import Counter, defaultdict

    from sqlmodel import select

    from backend.auth.models import Membership
    from backend.tenancy.models import TenantConfig

    with platform_session("admin:tenants") as db:
        tenants = tenancy_service.get_all(db)
        members = Counter(m.tenant_id for m in db.exec(select(Membership)).all())
        numbers: dict[str, list[str]] = defaultdict(list)
        for row in tenancy_service.get_phone_configs(db):
            numbers[row.tenant_id].append(row.phone_number)
        cities = {c.tenant_id: ", ".join(p for p in (c.city, c.region) if p) for c in db.exec(select(TenantConfig)).all()}
        return [
            TenantCard(to_view(t), cities.get(t.id, ""), members[t.id], tuple(numbers[t.id])) for t in tenants
        ]


@dataclasses.dataclass(frozen=True)
class PhoneConfigView:
    id: str
    tenant_slug: str
    tenant_name: str
    phone_number: str
    label: str
    messaging_service_sid: str
    sip_domain: str
    sip_username: str
    has_sip_password: bool
    ivr_mode: str
    forward_number: str
    active: bool


def phone_config_views() -> list[PhoneConfigView]:
    """Returns every tenant's phone configuration with its tenant (platform owner view)."""
    with platform_session("admin:phones") as db:
        tenants = {t.id: t for t in tenancy_service.get_all(db)}
        return [
            PhoneConfigView(
                id=row.id, tenant_slug=tenants[row.tenant_id].slug, tenant_name=tenants[row.tenant_id].name,
                phone_number=row.phone_number, label=row.label, messaging_service_sid=row.messaging_service_sid or "",
                sip_domain=row.sip_domain, sip_username=row.sip_username,
                has_sip_password=bool(row.sip_password_encrypted), ivr_mode=row.ivr_mode,
                forward_number=row.forward_number or "", active=row.active,
            )
            for row in tenancy_service.get_phone_configs(db)
        ]
