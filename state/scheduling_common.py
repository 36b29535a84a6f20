"""Shared plumbing for the scheduling states (calendar, booking, appointment, services, team,
scheduling settings): run a backend call for the verified staff context inside its tenant,
behind the plan's "scheduling" feature, and turn input checks into UserErrors.

No state lives here. The tenant always comes from the StaffContext the auth middleware put in
SessionState — never from an argument a browser sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError

from backend.auth.context import StaffContext
from backend.db.session import tenant_session
from backend.errors import PermissionDenied, UserError, pydantic_message
from backend.tenancy import views as tenancy_views
from backend.tenancy.features import FeatureNotAvailable, require_feature
from state.session import run_blocking

T = TypeVar("T")

FEATURE = "scheduling"


def check_feature(ctx: StaffContext, feature: str = FEATURE) -> None:
    """Raises UserError when the tenant's plan/status does not include `feature`."""
    if ctx.tenant_id is None:
        raise PermissionDenied("Choose a business first.")
    try:
        require_feature(tenancy_views.tenant_view(tenant_id=ctx.tenant_id), feature)
    except FeatureNotAvailable as exc:
        raise UserError(str(exc)) from None


def in_tenant(ctx: StaffContext, fn: Callable[..., T], *args, feature: str | None = FEATURE, **kwargs) -> T:
    """Runs fn(db, ctx, *args, **kwargs) in one transaction of the context's tenant."""
    if feature:
        check_feature(ctx, feature)
    if ctx.tenant_id is None:
        raise PermissionDenied("Choose a business first.")
    try:
        with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
            return fn(db, ctx, *args, **kwargs)
    except ValidationError as exc:
        raise UserError(pydantic_message(exc)) from None


async def tenant_call(ctx: StaffContext, fn: Callable[..., T], *args, feature: str | None = FEATURE, **kwargs) -> T:
    """`in_tenant` off the event loop."""
    return await run_blocking(in_tenant, ctx, fn, *args, feature=feature, **kwargs)


def clean_text(value, *, limit: int) -> str:
    """Returns a client-sent value as a stripped string of at most `limit` characters."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    return str(value).strip()[:limit]


def is_id(value) -> bool:
    """Shape check for a row id sent by the browser (the backend access_* lookup decides)."""
    return isinstance(value, str) and 0 < len(value) <= 40 and value.replace("_", "").replace("-", "").isalnum()


def form_dict(form) -> dict:
    """Returns a submitted form as a dict of str → str (anything else is dropped)."""
    if not isinstance(form, dict):
        return {}
    result = {}
    for key, value in list(form.items())[:300]:
        if isinstance(key, str) and len(key) <= 100:
            if isinstance(value, bool):
                result[key] = "on" if value else ""
            elif isinstance(value, str | int | float):
                result[key] = str(value)[:5000]
    return result


def checked(form: dict, name: str) -> bool:
    return form.get(name) in ("on", "true", "True", "1", "yes")
