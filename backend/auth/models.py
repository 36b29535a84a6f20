"""Staff identity tables. Users, sessions, login attempts and reset tokens are global (a person
may work for several tenants); memberships are tenant-owned."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.auth.enums import Role, SessionKind
from backend.db.base import TenantScoped
from backend.db.ids import new_id
from backend.db.types import UTCDateTime, utcnow


class User(SQLModel, table=True):
    """A staff person who can log in. `is_super_admin` is the platform owner's role."""

    __tablename__ = "users"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    is_super_admin: bool = Field(default=False)
    active: bool = Field(default=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    password_changed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Membership(TenantScoped, table=True):
    """A user's role inside one tenant. Platform-readable so login can list a user's tenants."""

    __tablename__ = "memberships"
    __platform_readable__ = True
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id", name="uq_membership_tenant_user"),
        Index("ix_memberships_user", "user_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    user_id: str = Field(foreign_key="users.id", max_length=40)
    role: str = Field(default=Role.STAFF.value, max_length=20)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffSession(SQLModel, table=True):
    """A server-side login session. Only the SHA-256 of the cookie value is stored.

    For impersonation `actor_user_id` is the super_admin really acting and `user_id` equals it;
    `active_tenant_id` is the tenant being viewed.
    """

    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_user", "user_id"),)

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="users.id", max_length=40)
    active_tenant_id: str | None = Field(default=None, foreign_key="tenants.id", max_length=40)
    kind: str = Field(default=SessionKind.NORMAL.value, max_length=20)
    impersonation_reason: str = Field(default="", max_length=500)
    # The session an impersonation started from; exiting returns to it.
    parent_id_hash: str | None = Field(default=None, max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)


class LoginAttempt(SQLModel, table=True):
    """One login attempt for an account (by normalised email), for lockout counting."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_at", "email", "at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    email: str = Field(max_length=254)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    success: bool = Field(default=False)
    ip: str = Field(default="", max_length=64)


class PasswordResetToken(SQLModel, table=True):
    """A single-use password reset token; only its SHA-256 is stored."""

    __tablename__ = "password_reset_tokens"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="users.id", max_length=40)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    used_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
