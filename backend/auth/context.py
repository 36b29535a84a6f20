"""`StaffContext`: who is acting and in which tenant, resolved server-side from the session.

Every state handler, route and action receives one of these instead of ids from the client.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from backend.auth.enums import ADMIN_ROLES


@dataclasses.dataclass(frozen=True)
class StaffContext:
    user_id: str
    user_name: str
    email: str
    is_super_admin: bool
    # The effective tenant (the impersonated one while impersonating); None until chosen.
    tenant_id: str | None
    role: str | None
    impersonating: bool = False
    impersonation_reason: str = ""
    session_expires_at: dt.datetime | None = None

    @property
    def is_tenant_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def is_platform_admin(self) -> bool:
        """True for the platform owner acting as themself (not while viewing as a tenant)."""
        return self.is_super_admin and not self.impersonating

    def has_role(self, *roles: str) -> bool:
        return self.role in roles
