"""The dashboard home: a tenant's key numbers, all computed live from its tables."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, select

from backend.audit import service as audit_service
from backend.auth.models import Membership
from backend.customers.models import Customer
from backend.db.types import utcnow
from backend.tenancy.models import TenantPhoneConfig


@dataclasses.dataclass(frozen=True)
class DashboardNumbers:
    customers: int
    new_customers_30d: int
    vip_customers: int
    team_members: int
    phone_numbers: int
    activity_7d: int


def _count(db: Session, query) -> int:
    return int(db.exec(query).one())


def dashboard_numbers(db: Session, *, tenant_id: str, now: dt.datetime | None = None) -> DashboardNumbers:
    """Returns the tenant's dashboard numbers."""
    now = now or utcnow()
    customers = select(func.count()).select_from(Customer).where(Customer.tenant_id == tenant_id)
    return DashboardNumbers(
        customers=_count(db, customers),
        new_customers_30d=_count(db, customers.where(Customer.created_at >= now - dt.timedelta(days=30))),
        vip_customers=_count(db, customers.where(Customer.is_vip)),
        team_members=_count(db, select(func.count()).select_from(Membership).where(Membership.tenant_id == tenant_id)),
        phone_numbers=_count(
            db, select(func.count()).select_from(TenantPhoneConfig).where(TenantPhoneConfig.tenant_id == tenant_id)
        ),
        activity_7d=audit_service.count_since(db, tenant_id=tenant_id, since=now - dt.timedelta(days=7)),
    )
