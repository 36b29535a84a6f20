"""Display read models for the invoice pages: the list, one invoice with its lines and
payments, and the completed appointments that can still be invoiced.

Scoped to the caller's tenant; money is formatted text or integer cents, never floats.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session, col, select

from backend.customers.models import Customer
from backend.db.types import utcnow
from backend.invoices import service as invoices_service
from backend.invoices.enums import InvoiceStatus, PaymentMethod
from backend.invoices.models import Invoice
from backend.invoices.money import bps_input, cents_input, format_bps, format_cents
from backend.phones import display as display_phone
from backend.scheduling import service as scheduling_service
from backend.scheduling.enums import AppointmentStatus
from backend.scheduling.models import Appointment, Service
from backend.scheduling.timeutil import tenant_zone

STATUS_LABELS = {
    InvoiceStatus.DRAFT.value: "Draft",
    InvoiceStatus.SENT.value: "Sent",
    InvoiceStatus.PAID.value: "Paid",
    InvoiceStatus.VOID.value: "Void",
}
METHOD_LABELS = {
    PaymentMethod.CASH.value: "Cash",
    PaymentMethod.CHECK.value: "Check",
    PaymentMethod.CARD.value: "Card",
    PaymentMethod.BANK_TRANSFER.value: "Bank transfer",
    PaymentMethod.VENMO.value: "Venmo",
    PaymentMethod.ZELLE.value: "Zelle",
    PaymentMethod.OTHER.value: "Other",
}


def _day(value: dt.datetime | dt.date | None, zone) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(zone).date()
    return f"{value:%b} {value.day}, {value.year}"


def _names(db: Session, *, tenant_id: str, customer_ids: list[str]) -> dict[str, str]:
    ids = list(set(customer_ids))
    if not ids:
        return {}
    return {
        c.id: c.name or display_phone(c.phone) or c.email
        for c in db.exec(select(Customer).where(Customer.tenant_id == tenant_id, col(Customer.id).in_(ids))).all()
    }


def balance_of(invoice: Invoice) -> int:
    """Returns what is still owed (0 for void invoices)."""
    return 0 if invoice.status == InvoiceStatus.VOID.value else invoice.balance_cents


@dataclasses.dataclass(frozen=True)
class InvoiceRow:
    id: str
    number: str
    customer_id: str
    customer: str
    status: str
    status_label: str
    total: str
    balance: str
    created: str
    due: str


def invoice_rows(db: Session, *, tenant_id: str, status: str | None = None, limit: int = 200) -> list[InvoiceRow]:
    """Returns the invoice list, newest first, optionally for one status."""
    if status is not None and status not in InvoiceStatus.values():
        status = None
    invoices = invoices_service.list_invoices(db, tenant_id=tenant_id, status=status, limit=limit)
    zone = tenant_zone(db, tenant_id=tenant_id)
    names = _names(db, tenant_id=tenant_id, customer_ids=[i.customer_id for i in invoices])
    return [
        InvoiceRow(
            id=i.id, number=i.number, customer_id=i.customer_id, customer=names.get(i.customer_id, ""),
            status=i.status, status_label=STATUS_LABELS.get(i.status, i.status), total=format_cents(i.total_cents),
            balance=format_cents(balance_of(i)), created=_day(i.created_at, zone), due=_day(i.due_date, zone),
        )
        for i in invoices
    ]


@dataclasses.dataclass(frozen=True)
class LineView:
    description: str
    quantity: str
    unit_price: str  # dollars text for the editor
    unit: str  # formatted
    total: str
    taxable: bool


@dataclasses.dataclass(frozen=True)
class PaymentView:
    date: str
    amount: str
    method: str
    reference: str
    note: str


@dataclasses.dataclass(frozen=True)
class InvoiceDetail:
    id: str
    number: str
    status: str
    status_label: str
    editable: bool
    can_pay: bool
    can_void: bool
    customer_id: str
    customer: str
    customer_phone: str
    appointment_id: str
    appointment: str
    notes: str
    tax_rate: str  # percent text
    discount: str  # dollars text ("" when a percentage is used)
    discount_percent: str  # percent text ("" when a fixed amount is used)
    lines: list[LineView]
    payments: list[PaymentView]
    subtotal: str
    discount_total: str
    tax_label: str
    tax: str
    total: str
    paid: str
    balance: str
    balance_input: str  # dollars text, pre-fills the payment amount
    created: str
    due: str
    sent: str
    paid_on: str
    voided: str
    void_reason: str
    today: str  # yyyy-mm-dd in the tenant's zone (pre-fills the payment date)


def invoice_detail(db: Session, *, tenant_id: str, invoice_id: str) -> InvoiceDetail:
    """Returns one invoice with lines and payments; NotFound for a missing id or another tenant's."""
    invoice = invoices_service.access_invoice_by_id(db, tenant_id=tenant_id, invoice_id=invoice_id)
    zone = tenant_zone(db, tenant_id=tenant_id)
    customer = db.get(Customer, (tenant_id, invoice.customer_id))
    lines = invoices_service.get_lines(db, tenant_id=tenant_id, invoice_id=invoice.id)
    payments = invoices_service.get_payments(db, tenant_id=tenant_id, invoice_id=invoice.id)
    appointment_label = ""
    if invoice.appointment_id:
        appointment = db.get(Appointment, (tenant_id, invoice.appointment_id))
        if appointment is not None:
            service = db.get(Service, (tenant_id, appointment.service_id))
            appointment_label = f"{service.name if service else 'Appointment'} on {_day(appointment.start_at, zone)}"
    balance = balance_of(invoice)
    status = invoice.status
    return InvoiceDetail(
        id=invoice.id, number=invoice.number, status=status, status_label=STATUS_LABELS.get(status, status),
        editable=status == InvoiceStatus.DRAFT.value,
        can_pay=status in (InvoiceStatus.DRAFT.value, InvoiceStatus.SENT.value) and balance > 0,
        can_void=status != InvoiceStatus.VOID.value and invoice.amount_paid_cents == 0,
        customer_id=invoice.customer_id, customer=(customer.name or display_phone(customer.phone)) if customer else "",
        customer_phone=display_phone(customer.phone) if customer and customer.phone else "",
        appointment_id=invoice.appointment_id or "", appointment=appointment_label, notes=invoice.notes,
        tax_rate=bps_input(invoice.tax_rate_bps),
        discount=cents_input(invoice.discount_cents) if invoice.discount_cents and not invoice.discount_percent_bps
        else "",
        discount_percent=bps_input(invoice.discount_percent_bps) if invoice.discount_percent_bps else "",
        lines=[LineView(line.description, str(line.quantity), cents_input(line.unit_price_cents),
                        format_cents(line.unit_price_cents), format_cents(line.total_cents), line.taxable)
               for line in lines],
        payments=[PaymentView(_day(p.received_at, zone), format_cents(p.amount_cents),
                              METHOD_LABELS.get(p.method, p.method), p.reference, p.note) for p in payments],
        subtotal=format_cents(invoice.subtotal_cents), discount_total=format_cents(invoice.discount_cents),
        tax_label=f"Tax ({format_bps(invoice.tax_rate_bps)})", tax=format_cents(invoice.tax_cents),
        total=format_cents(invoice.total_cents), paid=format_cents(invoice.amount_paid_cents),
        balance=format_cents(balance), balance_input=cents_input(balance), created=_day(invoice.created_at, zone),
        due=_day(invoice.due_date, zone), sent=_day(invoice.sent_at, zone), paid_on=_day(invoice.paid_at, zone),
        voided=_day(invoice.voided_at, zone), void_reason=invoice.void_reason,
        today=utcnow().astimezone(zone).date().isoformat(),
    )


@dataclasses.dataclass(frozen=True)
class InvoiceableAppointment:
    id: str
    label: str


def invoiceable_appointments(db: Session, *, tenant_id: str, limit: int = 50) -> list[InvoiceableAppointment]:
    """Returns completed appointments without an open (non-void) invoice, newest first."""
    invoiced = set(
        db.exec(
            select(Invoice.appointment_id).where(
                Invoice.tenant_id == tenant_id, col(Invoice.appointment_id).is_not(None),
                Invoice.status != InvoiceStatus.VOID.value,
            )
        ).all()
    )
    completed = scheduling_service.list_appointments(
        db, tenant_id=tenant_id, statuses=[AppointmentStatus.COMPLETED.value], newest_first=True, limit=limit + len(invoiced),
    )
    pending = [a for a in completed if a.id not in invoiced][:limit]
    zone = tenant_zone(db, tenant_id=tenant_id)
    names = _names(db, tenant_id=tenant_id, customer_ids=[a.customer_id for a in pending])
    services = {s.id: s.name for s in scheduling_service.list_services(db, tenant_id=tenant_id, active_only=False)}
    result = []
    for a in pending:
        price = a.price_charged_cents if a.price_charged_cents is not None else a.price_quoted_min_cents
        result.append(InvoiceableAppointment(
            a.id, f"{_day(a.start_at, zone)} · {services.get(a.service_id, 'Service')} · "
                  f"{names.get(a.customer_id, '')} · {format_cents(price)}",
        ))
    return result


@dataclasses.dataclass(frozen=True)
class TotalsPreview:
    subtotal: str
    discount: str
    tax_label: str
    tax: str
    total: str


def preview_totals(
    lines: list[tuple[int, int, bool]], *, tax_rate_bps: int, discount_cents: int = 0, discount_percent_bps: int = 0
) -> TotalsPreview:
    """Returns the formatted totals for (quantity, unit cents, taxable) lines, computed exactly
    as the invoice will be (backend.invoices.totals); raises UserError for impossible values."""
    from backend.errors import UserError
    from backend.invoices.totals import LineAmount, compute_totals

    try:
        totals = compute_totals([LineAmount(q, u, t) for q, u, t in lines], tax_rate_bps=tax_rate_bps,
                                discount_cents=discount_cents, discount_percent_bps=discount_percent_bps)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return TotalsPreview(format_cents(totals.subtotal_cents), format_cents(totals.discount_cents),
                         f"Tax ({format_bps(tax_rate_bps)})", format_cents(totals.tax_cents),
                         format_cents(totals.total_cents))
