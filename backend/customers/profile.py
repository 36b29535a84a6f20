"""The customer profile query: everything the CRM page shows about one customer in one call —
phones, tags, assets, household, appointment history and upcoming visits, recurring schedules,
quotes, invoices and the derived totals. Messages and loyalty points are added by their areas."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session

from backend.customers import service as customers_service
from backend.customers.models import Customer, CustomerAsset, CustomerPhone
from backend.db.types import utcnow
from backend.invoices import service as invoices_service
from backend.invoices.enums import InvoiceStatus
from backend.invoices.models import Invoice
from backend.quotes import service as quotes_service
from backend.quotes.models import Quote
from backend.scheduling import recurrence
from backend.scheduling import service as scheduling_service
from backend.scheduling.enums import OPEN_STATUSES
from backend.scheduling.models import Appointment, RecurringSeries


@dataclasses.dataclass(frozen=True)
class AppointmentSummary:
    appointment: Appointment
    service_name: str
    technician_name: str | None


@dataclasses.dataclass(frozen=True)
class CustomerProfile:
    customer: Customer
    phones: list[CustomerPhone]
    tags: list[str]
    assets: list[CustomerAsset]
    household: list[Customer]
    upcoming: list[AppointmentSummary]
    history: list[AppointmentSummary]  # past and closed appointments, newest first
    series: list[RecurringSeries]
    quotes: list[Quote]
    invoices: list[Invoice]
    open_balance_cents: int


def get_customer_profile(
    db: Session, *, tenant_id: str, customer_id: str, now: dt.datetime | None = None, history_limit: int = 100
) -> CustomerProfile:
    """Returns the customer's profile; NotFound for another tenant's or a missing id."""
    now = now or utcnow()
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    services = {s.id: s.name for s in scheduling_service.list_services(db, tenant_id=tenant_id, active_only=False)}
    techs = {t.id: t.name for t in scheduling_service.list_technicians(db, tenant_id=tenant_id, active_only=False)}
    appointments = scheduling_service.list_appointments(db, tenant_id=tenant_id, customer_id=customer.id)

    def summary(a: Appointment) -> AppointmentSummary:
        return AppointmentSummary(a, services.get(a.service_id, ""), techs.get(a.technician_id or ""))

    upcoming = [summary(a) for a in appointments if a.status in OPEN_STATUSES and a.end_at >= now]
    history = [summary(a) for a in reversed(appointments) if not (a.status in OPEN_STATUSES and a.end_at >= now)]
    invoices = invoices_service.list_invoices(db, tenant_id=tenant_id, customer_id=customer.id)
    open_balance = sum(
        i.balance_cents for i in invoices if i.status in (InvoiceStatus.DRAFT.value, InvoiceStatus.SENT.value)
    )
    return CustomerProfile(
        customer=customer,
        phones=customers_service.get_phones(db, tenant_id=tenant_id, customer_id=customer.id),
        tags=customers_service.get_tags(db, tenant_id=tenant_id, customer_id=customer.id),
        assets=customers_service.get_assets(db, tenant_id=tenant_id, customer_id=customer.id),
        household=customers_service.get_household(db, tenant_id=tenant_id, customer_id=customer.id),
        upcoming=upcoming,
        history=history[:history_limit],
        series=recurrence.list_series(db, tenant_id=tenant_id, customer_id=customer.id),
        quotes=quotes_service.list_quotes(db, tenant_id=tenant_id, customer_id=customer.id),
        invoices=invoices,
        open_balance_cents=open_balance,
    )
