"""Seeds the demo tenants, numbers and logins. Idempotent: a second run changes nothing."""

from __future__ import annotations

import dataclasses

from sqlmodel import select

from backend.auth import actions as auth_actions
from backend.auth import service as auth_service
from backend.auth.models import Membership
from backend.db.session import platform_session, tenant_session
from backend.tenancy import actions as tenancy_actions
from backend.tenancy import service as tenancy_service
from backend.tenancy.enums import ROOT_TENANT_ID, IvrMode, PlanTier, TenantStatus
from backend.tenancy.models import PhoneConfigIn, TenantCreate

DEMO_PASSWORD = "servicepro-demo"


@dataclasses.dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    tenant_slug: str
    role: str
    super_admin: bool = False


@dataclasses.dataclass(frozen=True)
class DemoTenant:
    tenant_id: str | None
    create: TenantCreate
    phone: str
    ivr_mode: IvrMode


DEMO_TENANTS = (
    DemoTenant(
        ROOT_TENANT_ID,
        TenantCreate(
            name="Clean Machine Auto Detail", slug="clean-machine", industry="auto_detailing",
            plan_tier=PlanTier.ELITE, status=TenantStatus.ACTIVE, timezone="America/Chicago",
            brand_color="#0f766e", city="Tulsa", region="OK",
        ),
        "+19185550100",
        IvrMode.AI_VOICE,
    ),
    DemoTenant(
        None,
        TenantCreate(
            name="Green Acres Lawn Care", slug="green-acres", industry="lawn_care",
            plan_tier=PlanTier.PRO, status=TenantStatus.ACTIVE, timezone="America/Chicago",
            brand_color="#15803d", city="Austin", region="TX",
        ),
        "+15125550142",
        IvrMode.IVR,
    ),
    DemoTenant(
        None,
        TenantCreate(
            name="Sparkle & Shine Home Cleaning", slug="sparkle-shine", industry="house_cleaning",
            plan_tier=PlanTier.STARTER, status=TenantStatus.TRIALING, timezone="America/Denver",
            brand_color="#7c3aed", city="Denver", region="CO",
        ),
        "+17205550177",
        IvrMode.SIMPLE,
    ),
)

DEMO_LOGINS = (
    DemoLogin("owner@cleanmachine.example", "Marcus Reed", "clean-machine", "owner", super_admin=True),
    DemoLogin("staff@cleanmachine.example", "Dana Cole", "clean-machine", "staff"),
    DemoLogin("admin@greenacres.example", "Priya Natarajan", "green-acres", "admin"),
    DemoLogin("staff@greenacres.example", "Luis Ortega", "green-acres", "staff"),
    DemoLogin("admin@sparkleshine.example", "Hannah Brooks", "sparkle-shine", "admin"),
    DemoLogin("staff@sparkleshine.example", "Omar Haddad", "sparkle-shine", "staff"),
)


# Each area seeds its own demo data after the tenants exist: a module with
# `def seed(tenant_ids: dict[str, str]) -> None` (slug -> tenant id), idempotent.
DEMO_STEP_MODULES: tuple[str, ...] = ("backend.scheduling.demo", "backend.messaging.demo")


def seed_demo() -> dict[str, str]:
    """Creates whatever part of the demo data is missing; returns slug → tenant id."""
    ids = _seed_tenants_and_logins()
    import importlib

    for name in DEMO_STEP_MODULES:
        importlib.import_module(name).seed(ids)
    return ids


def _seed_tenants_and_logins() -> dict[str, str]:
    ids: dict[str, str] = {}
    for demo in DEMO_TENANTS:
        with platform_session("seed") as db:
            existing = tenancy_service.get_by_slug(db, slug=demo.create.slug)
        tenant = existing or tenancy_actions.create_tenant(
            demo.create, acting_user=None, tenant_id=demo.tenant_id
        )
        ids[demo.create.slug] = tenant.id
        with tenant_session(tenant.id) as db:
            if not tenancy_service.get_phone_configs(db, tenant_id=tenant.id):
                tenancy_actions.do_create_phone_config(
                    db, tenant_id=tenant.id, acting_user=None,
                    config_in=PhoneConfigIn(phone_number=demo.phone, label="Main line", ivr_mode=demo.ivr_mode),
                )
    for login in DEMO_LOGINS:
        with platform_session("seed") as db:
            user = auth_service.get_user_by_email(db, email=login.email)
        if user is None:
            user = auth_actions.create_user(
                email=login.email, name=login.name, password=DEMO_PASSWORD, is_super_admin=login.super_admin
            )
        tenant_id = ids[login.tenant_slug]
        with tenant_session(tenant_id) as db:
            if db.exec(select(Membership).where(Membership.user_id == user.id)).first() is None:
                auth_actions.do_add_membership(
                    db, tenant_id=tenant_id, user_id=user.id, role=login.role, acting_user=None
                )
    return ids
