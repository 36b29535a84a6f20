"""Derived customer figures: first/last job date, total jobs and lifetime value.

Lifetime value = money actually received on the customer's invoices (non-void) + the charged
price of completed appointments that have no (non-void) invoice yet. Recomputed from the rows
whenever an appointment completes (or leaves completed) and whenever an invoice is paid or voided,
so it never drifts.
"""

from __future__ import annotations

from sqlmodel import Session, select

from backend.customers import service as customers_service
from backend.customers.models import Customer
from backend.db.types import utcnow
from backend.invoices.enums import InvoiceStatus
from backend.invoices.models import Invoice
from backend.scheduling.enums import AppointmentStatus
from backend.scheduling.models import Appointment


def recompute_customer_stats(db: Session, *, tenant_id: str, customer_id: str) -> Customer:
    """Recomputes first/last job, total jobs and lifetime value from appointments and invoices."""
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    completed = db.exec(
        select(Appointment.id, Appointment.start_at, Appointment.price_charged_cents, Appointment.price_quoted_min_cents)
        .where(
            Appointment.tenant_id == tenant_id,
            Appointment.customer_id == customer_id,
            Appointment.status == AppointmentStatus.COMPLETED.value,
        )
    ).all()
    invoices = db.exec(
        select(Invoice.appointment_id, Invoice.amount_paid_cents).where(
            Invoice.tenant_id == tenant_id,
            Invoice.customer_id == customer_id,
            Invoice.status != InvoiceStatus.VOID.value,
        )
    ).all()
    invoiced_appointments = {appointment_id for appointment_id, _ in invoices if appointment_id}
    paid = sum(amount for _, amount in invoices)
    uninvoiced = sum(
        (charged if charged is not None else quoted_min)
        for appointment_id, _, charged, quoted_min in completed
        if appointment_id not in invoiced_appointments
    )
    starts = [start for _, start, _, _ in completed]
    customer.total_jobs = len(completed)
    customer.first_job_at = min(starts) if starts else None
    customer.last_job_at = max(starts) if starts else None
    customer.lifetime_value_cents = paid + uninvoiced
    customer.updated_at = utcnow()
    db.add(customer)
    db.flush()
    return customer

