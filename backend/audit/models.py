"""`audit_log`: tenant-owned so a tenant's admins see what happened in their business,
platform-readable so the platform owner can review across tenants."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index
from sqlmodel import Field

from backend.db.base import TenantScoped
from backend.db.ids import new_id
from backend.db.types import UTCDateTime, utcnow


class AuditLog(TenantScoped, table=True):
    __tablename__ = "audit_log"
    __platform_readable__ = True
    __table_args__ = (Index("ix_audit_log_tenant_at", "tenant_id", "at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The person really acting (the super_admin during impersonation); None for system jobs.
    actor_user_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    actor_name: str = Field(default="system", max_length=200)
    impersonating: bool = Field(default=False)
    action: str = Field(max_length=80)
    target_type: str = Field(default="", max_length=60)
    target_id: str = Field(default="", max_length=80)
    summary: str = Field(default="", max_length=500)
    detail: dict = Field(default_factory=dict, sa_type=JSON)
