"""Staff authentication over the real Starlette routes: cookies, lockout, session lifetimes,
rotation, tenant choice, password reset, impersonation and its audit trail."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from backend.api import app
from backend.api.auth_routes import SESSION_COOKIE
from backend.audit.models import AuditLog
from backend.auth import actions as auth_actions
from backend.auth import service as auth_service
from backend.auth.models import LoginAttempt, StaffSession
from backend.customers.models import Customer
from backend.db.session import platform_session, tenant_session
from backend.db.types import utcnow
from backend.email.models import OutboundEmail
from backend.errors import PermissionDenied, UserError
from tests.factories import PASSWORD, context_for, make_member, make_platform_owner, make_tenant

ORIGIN = {"origin": "https://servicepro.test"}


def client() -> TestClient:
    return TestClient(app, base_url="https://servicepro.test", follow_redirects=False)


def login(c: TestClient, email: str, password: str = PASSWORD):
    return c.post("/auth/login", data={"email": email, "password": password}, headers=ORIGIN)


def ctx_of(token: str):
    with platform_session("test") as s:
        return auth_service.resolve_session(s, token=token)


@pytest.fixture()
def member(db):
    tenant = make_tenant("acme")
    user = make_member(tenant.id, email="alice@acme.example", name="Alice")
    return tenant, user


def test_login_sets_httponly_lax_secure_cookie_with_opaque_token(member):
    tenant, user = member
    c = client()
    response = login(c, "Alice@Acme.example ")
    assert response.status_code == 303 and response.headers["location"] == "https://servicepro.test/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
    token = re.search(rf"{SESSION_COOKIE}=([^;]+)", cookie).group(1)
    assert len(token) >= 43  # 256 bits, url-safe base64
    with platform_session("test") as s:
        row = s.exec(select(StaffSession)).one()
        assert row.id_hash == auth_service.hash_token(token) and token not in row.id_hash
    state = ctx_of(token)
    assert state.context.tenant_id == tenant.id and state.context.role == "admin"


def test_wrong_password_redirects_with_error_and_sets_no_cookie(member):
    response = login(client(), "alice@acme.example", "wrong-password!")
    assert response.headers["location"].endswith("/login?error=invalid")
    assert "set-cookie" not in response.headers


def test_cross_site_form_post_is_refused(member):
    response = client().post("/auth/login", data={"email": "alice@acme.example", "password": PASSWORD},
                             headers={"origin": "https://evil.example"})
    assert response.status_code == 403


def test_login_follows_only_local_next_paths(member):
    c = client()
    ok = c.post("/auth/login", data={"email": "alice@acme.example", "password": PASSWORD, "next": "/audit"},
                headers=ORIGIN)
    assert ok.headers["location"].endswith("/audit")
    evil = c.post("/auth/login", data={"email": "alice@acme.example", "password": PASSWORD,
                                       "next": "//evil.example/x"}, headers=ORIGIN)
    assert evil.headers["location"] == "https://servicepro.test/"


def test_lockout_after_ten_failures_for_fifteen_minutes(member):
    for _ in range(9):
        with pytest.raises(UserError, match="don't match"):
            auth_actions.login(email="alice@acme.example", password="bad-password")
    with pytest.raises(auth_actions.AccountLocked, match="locked for 15 more minutes"):
        auth_actions.login(email="alice@acme.example", password="bad-password")
    # Even the right password is refused while locked, and the route says so.
    with pytest.raises(auth_actions.AccountLocked):
        auth_actions.login(email="alice@acme.example", password=PASSWORD)
    assert "error=locked" in login(client(), "alice@acme.example").headers["location"]
    # Fifteen minutes after the tenth failure the account opens again.
    with platform_session("test") as s:
        for attempt in s.exec(select(LoginAttempt)).all():
            attempt.at = attempt.at - dt.timedelta(minutes=15, seconds=1)
            s.add(attempt)
    assert auth_actions.login(email="alice@acme.example", password=PASSWORD).token


def test_lockout_is_per_account(member):
    tenant, _ = member
    make_member(tenant.id, email="bob@acme.example")
    for _ in range(10):
        with pytest.raises(UserError):
            auth_actions.login(email="alice@acme.example", password="bad-password")
    assert auth_actions.login(email="bob@acme.example", password=PASSWORD).token


def test_session_idle_and_absolute_lifetimes(member):
    token = auth_actions.login(email="alice@acme.example", password=PASSWORD).token
    now = utcnow()
    with platform_session("test") as s:
        assert auth_service.resolve_session(s, token=token, now=now + dt.timedelta(hours=1, minutes=59)).context
    with platform_session("test") as s:
        assert auth_service.resolve_session(s, token=token, now=now + dt.timedelta(hours=4)).problem == "idle"
    with platform_session("test") as s:
        row = s.get(StaffSession, auth_service.hash_token(token))
        row.last_seen_at = now + dt.timedelta(hours=11, minutes=59)
        s.add(row)
    with platform_session("test") as s:
        assert auth_service.resolve_session(s, token=token, now=now + dt.timedelta(hours=12, minutes=1)).problem == "expired"


def test_login_rotates_the_session_and_logout_revokes_it(member):
    c = client()
    first = login(c, "alice@acme.example").cookies.get(SESSION_COOKIE)
    second = login(c, "alice@acme.example").cookies.get(SESSION_COOKIE)
    assert first != second
    assert ctx_of(first).problem == "revoked" and ctx_of(second).context is not None
    out = c.post("/auth/logout", headers=ORIGIN)
    assert out.headers["location"].endswith("/login?info=signed_out")
    assert ctx_of(second).problem == "revoked"


def test_user_with_several_memberships_picks_a_tenant(member):
    tenant, user = member
    other = make_tenant("bravo")
    with tenant_session(other.id) as s:
        auth_actions.do_add_membership(s, tenant_id=other.id, user_id=user.id, role="staff", acting_user=None)
    c = client()
    response = login(c, "alice@acme.example")
    assert response.headers["location"].endswith("/select-tenant")
    first = response.cookies.get(SESSION_COOKIE)
    assert ctx_of(first).context.tenant_id is None
    stranger = make_tenant("stranger")
    refused = c.post("/auth/select-tenant", data={"tenant": stranger.slug}, headers=ORIGIN)
    assert refused.headers["location"].endswith("/select-tenant?error=tenant")
    picked = c.post("/auth/select-tenant", data={"tenant": "bravo"}, headers=ORIGIN)
    token = picked.cookies.get(SESSION_COOKIE)
    assert token != first and ctx_of(first).problem == "revoked"
    assert (ctx_of(token).context.tenant_id, ctx_of(token).context.role) == (other.id, "staff")


def test_password_reset_is_emailed_single_use_and_signs_out_everywhere(member):
    old_token = auth_actions.login(email="alice@acme.example", password=PASSWORD).token
    c = client()
    assert c.post("/auth/forgot-password", data={"email": "alice@acme.example"}, headers=ORIGIN).status_code == 303
    c.post("/auth/forgot-password", data={"email": "nobody@acme.example"}, headers=ORIGIN)
    with platform_session("test") as s:
        emails = s.exec(select(OutboundEmail)).all()
    assert len(emails) == 1 and emails[0].to_address == "alice@acme.example"
    assert emails[0].status == "stored"  # the offline outbox provider keeps it for viewing
    reset_token = re.search(r"token=([\w-]+)", emails[0].body).group(1)
    weak = c.post("/auth/reset-password", data={"token": reset_token, "password": "short", "confirm": "short"},
                  headers=ORIGIN)
    assert "error=weak" in weak.headers["location"]
    good = {"token": reset_token, "password": "a-much-better-password", "confirm": "a-much-better-password"}
    assert c.post("/auth/reset-password", data=good, headers=ORIGIN).headers["location"].endswith(
        "/login?info=password_reset")
    assert "error=invalid" in c.post("/auth/reset-password", data=good, headers=ORIGIN).headers["location"]
    assert ctx_of(old_token).problem == "revoked"
    assert auth_actions.login(email="alice@acme.example", password="a-much-better-password").token


# ---- impersonation --------------------------------------------------------------------------


@pytest.fixture()
def platform(db):
    root, owner = make_platform_owner()
    tenant = make_tenant("client-biz", name="Client Biz")
    make_member(tenant.id, email="admin@client.example")
    owner_token = auth_actions.login(email=owner.email, password=PASSWORD).token
    return root, owner, tenant, owner_token


def _audit_actions(tenant_id: str) -> list[str]:
    with tenant_session(tenant_id) as s:
        return [a.action for a in s.exec(select(AuditLog).order_by(AuditLog.at)).all()]


def test_impersonation_requires_platform_owner_and_a_reason(platform):
    root, owner, tenant, owner_token = platform
    with pytest.raises(UserError, match="Say why"):
        auth_actions.start_impersonation(token=owner_token, tenant_slug=tenant.slug, reason="")
    admin_token = auth_actions.login(email="admin@client.example", password=PASSWORD).token
    with pytest.raises(PermissionDenied):
        auth_actions.start_impersonation(token=admin_token, tenant_slug=root.slug, reason="curious person")


def test_impersonation_session_records_actor_tenant_and_audits_start_writes_and_stop(platform):
    root, owner, tenant, owner_token = platform
    c = client()
    c.cookies.set(SESSION_COOKIE, owner_token)
    response = c.post("/auth/impersonate", data={"tenant": tenant.slug, "reason": "fixing their services"},
                      headers=ORIGIN)
    view_token = response.cookies.get(SESSION_COOKIE)
    assert view_token and view_token != owner_token
    ctx = ctx_of(view_token).context
    assert (ctx.user_id, ctx.tenant_id, ctx.impersonating) == (owner.id, tenant.id, True)
    assert ctx.session_expires_at - utcnow() <= dt.timedelta(minutes=60)

    with tenant_session(tenant.id, acting_user=ctx) as s:
        s.add(Customer(name="Added by support", phone="+19185550155"))
    with tenant_session(tenant.id) as s:
        write = s.exec(select(AuditLog).where(AuditLog.action == "impersonation.insert")).one()
        assert write.actor_user_id == owner.id and write.impersonating and write.target_type == "customers"
        assert write.detail["reason"] == "fixing their services"

    with pytest.raises(PermissionDenied):
        auth_actions.change_password(acting_user=ctx, current_password=PASSWORD, new_password="another-password-1")

    c.cookies.set(SESSION_COOKIE, view_token)
    back = c.post("/auth/impersonate/exit", headers=ORIGIN)
    assert back.headers["location"].endswith("/admin/tenants?info=exited")
    normal = back.cookies.get(SESSION_COOKIE)
    assert ctx_of(normal).context.impersonating is False and ctx_of(normal).context.tenant_id == root.id
    assert ctx_of(view_token).context is None
    assert _audit_actions(tenant.id)[-3:] == ["impersonation.started", "impersonation.insert", "impersonation.stopped"]


def test_impersonation_ends_after_sixty_minutes_and_is_audited_once(platform):
    root, owner, tenant, owner_token = platform
    view_token = auth_actions.start_impersonation(token=owner_token, tenant_slug=tenant.slug, reason="checking")
    with platform_session("test") as s:
        row = s.get(StaffSession, auth_service.hash_token(view_token))
        row.expires_at = utcnow() - dt.timedelta(seconds=1)
        s.add(row)
    for _ in range(2):
        state = auth_actions.authenticate(token=view_token)
        assert state.context is None and state.problem == "impersonation_ended"
    assert _audit_actions(tenant.id).count("impersonation.expired") == 1


def test_only_the_tenant_sees_its_own_impersonation_entries(platform):
    root, owner, tenant, owner_token = platform
    other = make_tenant("uninvolved")
    auth_actions.start_impersonation(token=owner_token, tenant_slug=tenant.slug, reason="checking")
    assert "impersonation.started" in _audit_actions(tenant.id)
    assert "impersonation.started" not in _audit_actions(other.id)
    # The owner's own context is unchanged and still a platform admin outside impersonation.
    assert context_for(owner, root.id, role="owner").is_platform_admin
