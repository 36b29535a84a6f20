"""Registry invariants for the web layer: unique page paths, an access level for every state,
and every HTTP route accounted for in the route tenancy table (a new route without an entry —
and therefore without a tenancy test — fails here)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import reflex as rx

import state as state_package
from backend.api import app as api_app
from servicepro_app.auth_middleware import access_for
from servicepro_app.routes import ROUTES
from state.session import Access, allows
from tests.factories import context_for
from tests.route_tenancy import ROUTE_TENANCY


def _import_all_states() -> list[type[rx.State]]:
    for info in pkgutil.iter_modules(state_package.__path__):
        importlib.import_module(f"state.{info.name}")
    found, stack = [], list(rx.State.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("state."):
            found.append(cls)
    return found


def test_page_paths_are_unique():
    paths = [route.path for route in ROUTES]
    assert len(paths) == len(set(paths))


def test_every_state_declares_an_access_level():
    missing = [cls.__name__ for cls in _import_all_states() if access_for(cls) is None]
    assert not missing, f"decorate with @requires(Access.…): {missing}"


def test_only_auth_and_public_pages_are_public():
    public = sorted(cls.__name__ for cls in _import_all_states() if access_for(cls) is Access.PUBLIC)
    allowed_prefixes = ("Session", "Login", "ForgotPassword", "ResetPassword", "Public", "WebChat")
    assert all(name.startswith(allowed_prefixes) for name in public), public


def test_every_http_route_has_a_tenancy_entry_pointing_at_its_test():
    paths = {route.path for route in api_app.routes}
    missing = paths - set(ROUTE_TENANCY)
    assert not missing, f"add to tests/route_tenancy.py: {sorted(missing)}"
    stale = set(ROUTE_TENANCY) - paths
    assert not stale, f"routes no longer exist: {sorted(stale)}"
    for path, entry in ROUTE_TENANCY.items():
        module_name, _, test_name = entry.test.partition("::")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, test_name, None)), f"{path}: missing test {entry.test}"


class _User:
    id, name, email, is_super_admin = "u1", "U", "u@example.com", False


@pytest.mark.parametrize(
    ("access", "role", "super_admin", "impersonating", "expected"),
    [
        (Access.TENANT, "staff", False, False, True),
        (Access.TENANT_ADMIN, "staff", False, False, False),
        (Access.TENANT_ADMIN, "admin", False, False, True),
        (Access.PLATFORM_ADMIN, "owner", False, False, False),
        (Access.PLATFORM_ADMIN, "owner", True, False, True),
        (Access.PLATFORM_ADMIN, "owner", True, True, False),
        (Access.TENANT_ADMIN, "owner", True, True, True),
    ],
)
def test_access_levels(access, role, super_admin, impersonating, expected):
    user = _User()
    user.is_super_admin = super_admin
    ctx = context_for(user, "t1", role=role, impersonating=impersonating)
    assert allows(access, ctx) is expected
    assert allows(access, None) is False
    assert allows(Access.PUBLIC, None) is True


def test_healthz_reports_ok_without_touching_tenant_data():
    from starlette.testclient import TestClient

    assert TestClient(api_app).get("/healthz").json() == {"ok": True}
