"""Factories for test data. The tenant is at the root of every chain; each factory is one call."""

from __future__ import annotations

import dataclasses

from backend.auth import actions as auth_actions
from backend.auth.context import StaffContext
from backend.db.ids import new_id
from backend.db.session import tenant_session
from backend.tenancy import actions as tenancy_actions
from backend.tenancy.enums import PlanTier, TenantStatus
from backend.tenancy.models import TenantCreate

PASSWORD = "correct-horse-battery"


def make_tenant(
    slug: str | None = None,
    *,
    name: str | None = None,
    tenant_id: str | None = None,
    industry: str = "auto_detailing",
    plan: PlanTier = PlanTier.PRO,
    status: TenantStatus = TenantStatus.ACTIVE,
    timezone: str = "America/Chicago",
):
    slug = slug or f"biz-{new_id()[-8:]}"
    return tenancy_actions.create_tenant(
        TenantCreate(name=name or slug.replace("-", " ").title(), slug=slug, industry=industry,
                     plan_tier=plan, status=status, timezone=timezone),
        acting_user=None,
        tenant_id=tenant_id,
    )


def make_user(email: str | None = None, *, name: str = "Test User", super_admin: bool = False,
              password: str = PASSWORD):
    return auth_actions.create_user(
        email=email or f"user-{new_id()[-10:]}@example.com", name=name, password=password,
        is_super_admin=super_admin,
    )


def make_member(tenant_id: str, *, role: str = "admin", email: str | None = None, name: str = "Test User",
                super_admin: bool = False):
    user = make_user(email, name=name, super_admin=super_admin)
    with tenant_session(tenant_id) as db:
        auth_actions.do_add_membership(db, tenant_id=tenant_id, user_id=user.id, role=role, acting_user=None)
    return user


def context_for(user, tenant_id: str, role: str = "admin", *, impersonating: bool = False) -> StaffContext:
    return StaffContext(
        user_id=user.id, user_name=user.name, email=user.email, is_super_admin=user.is_super_admin,
        tenant_id=tenant_id, role=role, impersonating=impersonating,
    )


@dataclasses.dataclass
class TwoTenants:
    a: object
    b: object
    alice: object
    bob: object

    @property
    def alice_ctx(self) -> StaffContext:
        return context_for(self.alice, self.a.id)

    @property
    def bob_ctx(self) -> StaffContext:
        return context_for(self.bob, self.b.id)


def two_tenants() -> TwoTenants:
    a = make_tenant("acme", name="Acme Detailing")
    b = make_tenant("bravo", name="Bravo Lawn", industry="lawn_care")
    alice = make_member(a.id, email="alice@acme.example", name="Alice Admin")
    bob = make_member(b.id, email="bob@bravo.example", name="Bob Admin")
    return TwoTenants(a, b, alice, bob)


def make_platform_owner():
    """The root tenant with its super_admin (like the real platform owner)."""
    root = make_tenant("clean-machine", name="Clean Machine Auto Detail", tenant_id="root",
                       plan=PlanTier.ELITE)
    owner = make_member(root.id, role="owner", email="owner@root.example", name="Owner Root", super_admin=True)
    return root, owner
