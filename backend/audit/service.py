"""Audit log queries for the tenant's admins and for the platform owner."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session, select

from backend.audit.models import AuditLog


@dataclasses.dataclass(frozen=True)
class AuditFilter:
    action_prefix: str = ""
    impersonation_only: bool = False
    tenant_id: str = ""  # platform view only
    limit: int = 200


def _apply(query, audit_filter: AuditFilter):
    if audit_filter.action_prefix:
        query = query.where(AuditLog.action.startswith(audit_filter.action_prefix))
    if audit_filter.impersonation_only:
        query = query.where(AuditLog.impersonating)
    return query.order_by(AuditLog.at.desc()).limit(max(1, min(audit_filter.limit, 1000)))


def get_recent(db: Session, *, tenant_id: str, audit_filter: AuditFilter = AuditFilter()) -> list[AuditLog]:
    """Returns a tenant's newest audit rows first."""
    return list(db.exec(_apply(select(AuditLog).where(AuditLog.tenant_id == tenant_id), audit_filter)).all())


def get_recent_across_tenants_for_platform_admin(
    db: Session, *, audit_filter: AuditFilter = AuditFilter()
) -> list[AuditLog]:
    """Returns audit rows of every tenant (platform session only), newest first."""
    query = select(AuditLog)
    if audit_filter.tenant_id:
        query = query.where(AuditLog.tenant_id == audit_filter.tenant_id)
    return list(db.exec(_apply(query, audit_filter)).all())


def count_since(db: Session, *, tenant_id: str, since: dt.datetime) -> int:
    from sqlalchemy import func

    return db.exec(
        select(func.count()).select_from(AuditLog).where(AuditLog.tenant_id == tenant_id, AuditLog.at >= since)
    ).one()
