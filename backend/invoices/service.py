"""Invoice queries."""

from __future__ import annotations

from sqlmodel import Session, col, select

from backend.errors import NotFound
from backend.invoices.enums import InvoiceStatus
from backend.invoices.models import Invoice, InvoiceLine, InvoicePayment


def access_invoice_by_id(db: Session, *, tenant_id: str, invoice_id: str) -> Invoice:
    """Returns the tenant's invoice or raises NotFound (also for another tenant's id)."""
    invoice = db.get(Invoice, (tenant_id, invoice_id)) if isinstance(invoice_id, str) else None
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


def get_lines(db: Session, *, tenant_id: str, invoice_id: str) -> list[InvoiceLine]:
    return list(
        db.exec(
            select(InvoiceLine)
            .where(InvoiceLine.tenant_id == tenant_id, InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.sort_order)
        ).all()
    )


def get_payments(db: Session, *, tenant_id: str, invoice_id: str) -> list[InvoicePayment]:
    return list(
        db.exec(
            select(InvoicePayment)
            .where(InvoicePayment.tenant_id == tenant_id, InvoicePayment.invoice_id == invoice_id)
            .order_by(InvoicePayment.received_at)
        ).all()
    )


def list_invoices(
    db: Session, *, tenant_id: str, customer_id: str | None = None, status: str | None = None, limit: int = 200
) -> list[Invoice]:
    """Returns invoices, newest first."""
    query = select(Invoice).where(Invoice.tenant_id == tenant_id)
    if customer_id is not None:
        query = query.where(Invoice.customer_id == customer_id)
    if status is not None:
        query = query.where(Invoice.status == status)
    return list(db.exec(query.order_by(Invoice.created_at.desc()).limit(limit)).all())


def get_open_invoice_for_appointment(db: Session, *, tenant_id: str, appointment_id: str) -> Invoice | None:
    """Returns the appointment's invoice that is not void, if any."""
    return db.exec(
        select(Invoice).where(
            Invoice.tenant_id == tenant_id,
            Invoice.appointment_id == appointment_id,
            col(Invoice.status) != InvoiceStatus.VOID.value,
        )
    ).first()
