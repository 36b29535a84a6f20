"""Staff identity queries: users, memberships and session resolution."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from sqlmodel import Session, select

from backend.auth.context import StaffContext
from backend.auth.enums import Role, SessionKind
from backend.auth.models import Membership, StaffSession, User
from backend.db.types import utcnow
from backend.tenancy.models import Tenant

SESSION_ABSOLUTE = dt.timedelta(hours=12)
SESSION_IDLE = dt.timedelta(hours=2)
IMPERSONATION_LIFETIME = dt.timedelta(minutes=60)
# last_seen_at is written at most this often, so resolving a session is usually read-only.
TOUCH_INTERVAL = dt.timedelta(seconds=60)


def hash_token(token: str) -> str:
    """Returns the SHA-256 hex digest under which a cookie/session token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def get_user_by_email(db: Session, *, email: str) -> User | None:
    return db.exec(select(User).where(User.email == normalize_email(email))).first()


def get_memberships(db: Session, *, user_id: str) -> list[tuple[Membership, Tenant]]:
    """Returns a user's memberships with their tenants (platform session), root first."""
    rows = db.exec(
        select(Membership, Tenant)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .where(Membership.user_id == user_id)
        .order_by(Tenant.id != "root", Tenant.name)
    ).all()
    return [(m, t) for m, t in rows]


def count_memberships(*, user_id: str) -> int:
    """Returns how many businesses a user belongs to."""
    from sqlalchemy import func

    from backend.db.session import platform_session

    with platform_session("auth:membership-count") as db:
        return db.exec(select(func.count()).select_from(Membership).where(Membership.user_id == user_id)).one()


def get_membership(db: Session, *, user_id: str, tenant_id: str) -> Membership | None:
    return db.exec(
        select(Membership).where(Membership.user_id == user_id, Membership.tenant_id == tenant_id)
    ).first()


@dataclasses.dataclass(frozen=True)
class SessionState:
    """A resolved session: the context to act with, or why there is none."""

    context: StaffContext | None
    session: StaffSession | None
    problem: str = ""  # "", "missing", "expired", "idle", "revoked", "impersonation_ended"


def session_deadline(row: StaffSession) -> dt.datetime:
    """Returns when the session stops being valid (absolute or idle, whichever is first)."""
    idle_deadline = row.last_seen_at + SESSION_IDLE
    return min(row.expires_at, idle_deadline)


def resolve_session(db: Session, *, token: str | None, now: dt.datetime | None = None) -> SessionState:
    """Looks up a session by its raw cookie token and checks every lifetime rule.

    Runs in a platform session: sessions, users and memberships are looked up before any tenant
    is known. Touches last_seen_at at most once a minute.
    """
    if not token or len(token) > 200:
        return SessionState(None, None, "missing")
    now = now or utcnow()
    row = db.get(StaffSession, hash_token(token))
    if row is None:
        return SessionState(None, None, "missing")
    if row.revoked_at is not None:
        problem = "impersonation_ended" if row.kind == SessionKind.IMPERSONATION.value else "revoked"
        return SessionState(None, row, problem)
    if now >= row.expires_at:
        problem = "impersonation_ended" if row.kind == SessionKind.IMPERSONATION.value else "expired"
        return SessionState(None, row, problem)
    if now >= row.last_seen_at + SESSION_IDLE:
        return SessionState(None, row, "idle")
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return SessionState(None, row, "revoked")
    role = None
    impersonating = row.kind == SessionKind.IMPERSONATION.value
    if row.active_tenant_id:
        if impersonating:
            role = Role.OWNER.value if user.is_super_admin else None
        else:
            membership = get_membership(db, user_id=user.id, tenant_id=row.active_tenant_id)
            role = membership.role if membership else None
        if role is None:
            return SessionState(None, row, "revoked")
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
        db.add(row)
    context = StaffContext(
        user_id=user.id,
        user_name=user.name,
        email=user.email,
        is_super_admin=user.is_super_admin,
        tenant_id=row.active_tenant_id,
        role=role,
        impersonating=impersonating,
        impersonation_reason=row.impersonation_reason,
        session_expires_at=row.expires_at,
    )
    return SessionState(context, row, "")
