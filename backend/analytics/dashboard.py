"""The dashboard home: a tenant's key numbers, all computed live from its tables — customers
and team, plus scheduling: appointments today and this week (local days in the tenant's zone),
revenue received in the last 30 days (payments on invoices that are not void) and the average
ticket of jobs completed in the last 30 days."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, select

from backend.audit import service as audit_service
from backend.auth.models import Membership
from backend.customers.models import Customer
from backend.db.types import utcnow
from backend.invoices.enums import InvoiceStatus
from backend.invoices.models import Invoice, InvoicePayment
from backend.scheduling.enums import AppointmentStatus
from backend.scheduling.models import Appointment
from backend.scheduling.timeutil import day_bounds_utc, tenant_zone
from backend.tenancy.models import TenantPhoneConfig

# Appointments that still count on the calendar (cancelled and no-shows do not).
_COUNTED = (AppointmentStatus.REQUESTED.value, AppointmentStatus.CONFIRMED.value,
            AppointmentStatus.IN_PROGRESS.value, AppointmentStatus.COMPLETED.value)


@dataclasses.dataclass(frozen=True)
class DashboardNumbers:
    customers: int
    new_customers_30d: int
    vip_customers: int
    team_members: int
    phone_numbers: int
    activity_7d: int
    appointments_today: int = 0
    appointments_week: int = 0
    revenue_30d_cents: int = 0
    completed_30d: int = 0
    charged_30d_cents: int = 0
    average_ticket_cents: int = 0


def _count(db: Session, query) -> int:
    return int(db.exec(query).one())


def _appointments_between(db: Session, tenant_id: str, start: dt.datetime, end: dt.datetime) -> int:
    return _count(db, select(func.count()).select_from(Appointment).where(
        Appointment.tenant_id == tenant_id, Appointment.start_at >= start, Appointment.start_at < end,
        Appointment.status.in_(_COUNTED)))


def scheduling_numbers(db: Session, *, tenant_id: str, now: dt.datetime | None = None) -> dict[str, int]:
    """Returns appointments today / this week (Monday–Sunday, local), payments received in the
    last 30 days, and completed jobs in the last 30 days with their charged total and average."""
    now = now or utcnow()
    zone = tenant_zone(db, tenant_id=tenant_id)
    today = now.astimezone(zone).date()
    day_start, day_end = day_bounds_utc(today, zone)
    monday = today - dt.timedelta(days=today.weekday())
    week_start_utc = day_bounds_utc(monday, zone)[0]
    week_end_utc = day_bounds_utc(monday + dt.timedelta(days=6), zone)[1]
    since = now - dt.timedelta(days=30)
    revenue = db.exec(
        select(func.coalesce(func.sum(InvoicePayment.amount_cents), 0))
        .join(Invoice, (Invoice.tenant_id == InvoicePayment.tenant_id) & (Invoice.id == InvoicePayment.invoice_id))
        .where(InvoicePayment.tenant_id == tenant_id, InvoicePayment.received_at >= since,
               InvoicePayment.received_at <= now, Invoice.status != InvoiceStatus.VOID.value)
    ).one()
    completed, charged = db.exec(
        select(func.count(), func.coalesce(func.sum(Appointment.price_charged_cents), 0)).where(
            Appointment.tenant_id == tenant_id, Appointment.status == AppointmentStatus.COMPLETED.value,
            Appointment.completed_at >= since, Appointment.completed_at <= now)
    ).one()
    completed, charged = int(completed), int(charged)
    return {
        "appointments_today": _appointments_between(db, tenant_id, day_start, day_end),
        "appointments_week": _appointments_between(db, tenant_id, week_start_utc, week_end_utc),
        "revenue_30d_cents": int(revenue),
        "completed_30d": completed,
        "charged_30d_cents": charged,
        "average_ticket_cents": (charged + completed // 2) // completed if completed else 0,
    }


def dashboard_numbers(db: Session, *, tenant_id: str, now: dt.datetime | None = None) -> DashboardNumbers:
    """Returns the tenant's dashboard numbers."""
    now = now or utcnow()
    customers = select(func.count()).select_from(Customer).where(Customer.tenant_id == tenant_id)
    return DashboardNumbers(
        **scheduling_numbers(db, tenant_id=tenant_id, now=now),
        customers=_count(db, customers),
        new_customers_30d=_count(db, customers.where(Customer.created_at >= now - dt.timedelta(days=30))),
        vip_customers=_count(db, customers.where(Customer.is_vip)),
        team_members=_count(db, select(func.count()).select_from(Membership).where(Membership.tenant_id == tenant_id)),
        phone_numbers=_count(
            db, select(func.count()).select_from(TenantPhoneConfig).where(TenantPhoneConfig.tenant_id == tenant_id)
        ),
        activity_7d=audit_service.count_since(db, tenant_id=tenant_id, since=now - dt.timedelta(days=7)),
    )
