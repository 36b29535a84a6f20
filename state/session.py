"""Who is signed in, and in which business: the one leaf state every page reads.

The staff context is resolved server-side from the HttpOnly session cookie by the auth
middleware (servicepro_app/auth_middleware.py) before every event and kept in the backend var
`_ctx`; nothing here trusts a value sent by the browser. Feature states declare their access
level with `@requires(...)`; the middleware refuses events of any state that did not.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from typing import TypeVar

import reflex as rx

from backend.auth import service as auth_service
from backend.auth.context import StaffContext
from backend.config import get_settings
from backend.errors import PermissionDenied
from backend.tenancy import views as tenancy_views

T = TypeVar("T")


class Access(enum.Enum):
    PUBLIC = "public"  # no session needed (login, public quote page, web chat)
    SIGNED_IN = "signed_in"  # a session, tenant not chosen yet (tenant picker, account)
    TENANT = "tenant"  # any member of the active tenant
    TENANT_ADMIN = "tenant_admin"  # owner/admin of the active tenant (or the owner viewing as it)
    PLATFORM_ADMIN = "platform_admin"  # the platform owner, not while viewing as a tenant


# State class -> access level; filled by @requires and read by the auth middleware.
STATE_ACCESS: dict[type, Access] = {}


def requires(access: Access) -> Callable[[type[T]], type[T]]:
    """Class decorator declaring who may send events to a state."""

    def register(cls: type[T]) -> type[T]:
        STATE_ACCESS[cls] = access
        return cls

    return register


def allows(access: Access, ctx: StaffContext | None) -> bool:
    """True when `ctx` satisfies the access level."""
    if access is Access.PUBLIC:
        return True
    if ctx is None:
        return False
    if access is Access.SIGNED_IN:
        return True
    if access is Access.PLATFORM_ADMIN:
        return ctx.is_platform_admin
    if ctx.tenant_id is None or ctx.role is None:
        return False
    if access is Access.TENANT_ADMIN:
        return ctx.is_tenant_admin
    return True


async def run_blocking(fn: Callable[..., T], /, *args, **kwargs) -> T:
    """Runs a synchronous backend call off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)


def api_url(path: str) -> str:
    """Absolute URL of a backend route (forms post there; same origin in prod)."""
    return get_settings().servicepro_api_url.rstrip("/") + path


def hard_redirect(path: str):
    """Navigates with a full page load, so the websocket reconnects with the current cookie."""
    return rx.call_script(f"window.location.assign({path!r})")


@requires(Access.PUBLIC)
class SessionState(rx.State):
    """Display data about the signed-in person and business (no ids, no tokens)."""

    _ctx: StaffContext | None = None

    signed_in: bool = False
    user_name: str = ""
    user_email: str = ""
    role: str = ""
    is_platform_admin: bool = False
    is_tenant_admin: bool = False
    impersonating: bool = False
    impersonation_reason: str = ""
    tenant_name: str = ""
    tenant_logo: str = ""
    brand_color: str = "#2563eb"
    plan_tier: str = ""
    tenant_status: str = ""
    features: list[str] = []
    # How many businesses this person belongs to: more than one shows "Switch business".
    business_count: int = 0

    def context(self) -> StaffContext:
        """Returns the verified staff context or raises PermissionDenied."""
        if self._ctx is None:
            raise PermissionDenied("Please sign in.")
        return self._ctx

    def _set_context(self, ctx: StaffContext | None) -> None:
        """Called by the auth middleware after verifying the cookie for this event."""
        self._ctx = ctx
        self.signed_in = ctx is not None
        if ctx is None:
            self.reset()
            return
        self.user_name = ctx.user_name
        self.user_email = ctx.email
        self.role = ctx.role or ""
        self.is_platform_admin = ctx.is_platform_admin
        self.is_tenant_admin = ctx.is_tenant_admin
        self.impersonating = ctx.impersonating
        self.impersonation_reason = ctx.impersonation_reason

    @rx.event
    async def load_shell(self):
        """Fills the shell (tenant name, logo, colour, plan features) for the active tenant."""
        ctx = self._ctx
        if ctx is None or ctx.tenant_id is None:
            return
        view = await run_blocking(tenancy_views.tenant_view, tenant_id=ctx.tenant_id)
        self.business_count = await run_blocking(auth_service.count_memberships, user_id=ctx.user_id)
        self.tenant_name = view.name
        self.tenant_logo = view.logo_url
        self.brand_color = view.brand_color
        self.plan_tier = view.plan_tier
        self.tenant_status = view.status
        self.features = list(view.features)


async def current_context(state: rx.State) -> StaffContext:
    """Returns the verified StaffContext for the event being handled."""
    session = await state.get_state(SessionState)
    return session.context()
