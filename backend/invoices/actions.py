"""Invoice actions: create (from a completed appointment or by hand), edit while draft, send,
record payments (manual: cash, check, card terminal, ...) and void. Totals are integer cents
from backend.invoices.totals; paying or voiding refreshes the customer's lifetime value."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import delete
from sqlmodel import Session

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.customers import service as customers_service
from backend.customers import stats as customer_stats
from backend.db.locks import lock_rows
from backend.db.types import utcnow
from backend.errors import Conflict, NotFound, UserError
from backend.invoices import service as invoices_service
from backend.invoices.enums import InvoiceStatus, PaymentMethod
from backend.invoices.models import Invoice, InvoiceLine, InvoicePayment
from backend.invoices.numbering import insert_numbered
from backend.invoices.totals import MAX_TAX_RATE_BPS, LineAmount, compute_totals
from backend.quotes import service as quotes_service
from backend.quotes.enums import LineKind
from backend.scheduling import service as scheduling_service
from backend.scheduling.enums import AppointmentStatus
from backend.scheduling.models import Appointment
from backend.scheduling.timeutil import format_money, tenant_zone


class InvoiceLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: LineKind = LineKind.CUSTOM
    service_id: str | None = None
    addon_id: str | None = None
    description: str = Field(min_length=1, max_length=300)
    quantity: int = Field(default=1, ge=1, le=1000)
    unit_price_cents: int = Field(ge=0, le=100_000_000)
    taxable: bool = True

    @field_validator("description")
    @classmethod
    def _trim(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("Each line needs a description.")
        return v


class InvoiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=100)
    tax_rate_bps: int | None = Field(default=None, ge=0, le=MAX_TAX_RATE_BPS)
    discount_cents: int = Field(default=0, ge=0, le=100_000_000)
    discount_percent_bps: int = Field(default=0, ge=0, le=10000)
    notes: str = Field(default="", max_length=4000)
    due_days: int = Field(default=14, ge=0, le=365)

    @model_validator(mode="after")
    def _one_discount(self):
        if self.discount_cents and self.discount_percent_bps:
            raise ValueError("Use either a fixed discount or a percentage, not both.")
        return self


def _apply_totals(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    try:
        totals = compute_totals(
            [LineAmount(line.quantity, line.unit_price_cents, line.taxable) for line in lines],
            tax_rate_bps=invoice.tax_rate_bps,
            discount_cents=invoice.discount_cents if not invoice.discount_percent_bps else 0,
            discount_percent_bps=invoice.discount_percent_bps,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    invoice.subtotal_cents = totals.subtotal_cents
    invoice.discount_cents = totals.discount_cents
    invoice.tax_cents = totals.tax_cents
    invoice.total_cents = totals.total_cents


def _lines_from_input(db: Session, *, tenant_id: str, lines_in: list[InvoiceLineIn]) -> list[InvoiceLine]:
    lines = []
    for order, line in enumerate(lines_in):
        service_id = addon_id = None
        if line.service_id:
            service_id = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=line.service_id).id
        if line.addon_id:
            addon_id = scheduling_service.access_addon_by_id(db, tenant_id=tenant_id, addon_id=line.addon_id).id
        lines.append(InvoiceLine(
            tenant_id=tenant_id, kind=line.kind.value, service_id=service_id, addon_id=addon_id,
            description=line.description, quantity=line.quantity, unit_price_cents=line.unit_price_cents,
            total_cents=line.quantity * line.unit_price_cents, taxable=line.taxable, sort_order=order,
        ))
    return lines


def _insert(
    db: Session, *, invoice: Invoice, lines: list[InvoiceLine], acting_user: StaffContext | None, summary: str
) -> Invoice:
    _apply_totals(invoice, lines)
    insert_numbered(db, invoice, prefix="INV")
    for line in lines:
        line.invoice_id = invoice.id
        db.add(line)
    db.flush()
    audit.record(db, tenant_id=invoice.tenant_id, acting_user=acting_user, action="invoice.created",
                 target_type="invoices", target_id=invoice.id,
                 summary=f"Invoice {invoice.number} {summary}: {format_money(invoice.total_cents)}")
    return invoice


def create_invoice(
    db: Session, *, tenant_id: str, invoice_in: InvoiceCreate, acting_user: StaffContext | None,
    now: dt.datetime | None = None,
) -> Invoice:
    """Creates a draft invoice from typed lines."""
    now = now or utcnow()
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=invoice_in.customer_id)
    settings = scheduling_service.booking_settings_or_default(db, tenant_id=tenant_id)
    zone = tenant_zone(db, tenant_id=tenant_id)
    invoice = Invoice(
        tenant_id=tenant_id, customer_id=customer.id, notes=invoice_in.notes.strip(),
        tax_rate_bps=invoice_in.tax_rate_bps if invoice_in.tax_rate_bps is not None else settings.default_tax_rate_bps,
        discount_cents=invoice_in.discount_cents, discount_percent_bps=invoice_in.discount_percent_bps,
        due_date=now.astimezone(zone).date() + dt.timedelta(days=invoice_in.due_days),
        created_by_user_id=acting_user.user_id if acting_user else None,
        created_at=now,
    )
    lines = _lines_from_input(db, tenant_id=tenant_id, lines_in=invoice_in.lines)
    return _insert(db, invoice=invoice, lines=lines, acting_user=acting_user,
                   summary=f"for {customer.name or customer.phone}")


def _lines_for_charged_price(*, tenant_id: str, service, addons, charged: int, day_label: str) -> list[InvoiceLine]:
    """Returns the service line (charged price less the add-ons) and one line per add-on."""
    addon_total = sum(a.price_min_cents for a in addons)
    lines = [InvoiceLine(
        tenant_id=tenant_id, kind=LineKind.SERVICE.value, service_id=service.id,
        description=f"{service.name} — {day_label}",
        quantity=1, unit_price_cents=max(charged - addon_total, 0), total_cents=max(charged - addon_total, 0),
        sort_order=0,
    )]
    # A job charged below its add-ons' list prices (a goodwill price) is never invoiced for more
    # than was charged: the add-on lines take what is left of the charged price, in order.
    remaining = min(charged, addon_total)
    for order, addon in enumerate(addons, start=1):
        price = min(addon.price_min_cents, remaining)
        remaining -= price
        lines.append(InvoiceLine(
            tenant_id=tenant_id, kind=LineKind.ADDON.value, addon_id=addon.addon_id, description=addon.name,
            quantity=1, unit_price_cents=price, total_cents=price, sort_order=order,
        ))
    return lines


def create_invoice_from_appointment(
    db: Session,
    *,
    tenant_id: str,
    appointment_id: str,
    acting_user: StaffContext | None,
    tax_rate_bps: int | None = None,
    discount_cents: int = 0,
    discount_percent_bps: int = 0,
    due_days: int = 14,
    now: dt.datetime | None = None,
) -> Invoice:
    """Creates a draft invoice for a completed appointment: the approved quote's lines when the
    job was booked from a quote and charged its price, else the service line (charged price less
    the add-ons) and one line per add-on. One open invoice per appointment (the appointment row
    is locked so two clicks cannot both pass the check)."""
    now = now or utcnow()
    if isinstance(appointment_id, str):
        lock_rows(db, Appointment, Appointment.tenant_id == tenant_id, Appointment.id == appointment_id)
    appointment = scheduling_service.access_appointment_by_id(db, tenant_id=tenant_id, appointment_id=appointment_id)
    if appointment.status != AppointmentStatus.COMPLETED.value:
        raise Conflict("Only completed appointments can be invoiced.")
    existing = invoices_service.get_open_invoice_for_appointment(db, tenant_id=tenant_id, appointment_id=appointment.id)
    if existing is not None:
        raise Conflict(f"This appointment already has invoice {existing.number}.")
    if tax_rate_bps is not None and not 0 <= tax_rate_bps <= MAX_TAX_RATE_BPS:
        raise UserError(f"The tax rate must be between 0% and {MAX_TAX_RATE_BPS / 100:.0f}%.")
    service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=appointment.service_id)
    addons = scheduling_service.get_appointment_addons(
        db, tenant_id=tenant_id, appointment_ids=[appointment.id]
    ).get(appointment.id, [])
    charged = appointment.price_charged_cents
    if charged is None:
        charged = appointment.price_quoted_min_cents
    zone = tenant_zone(db, tenant_id=tenant_id)
    local_day = appointment.start_at.astimezone(zone)
    day_label = f"{local_day:%b} {local_day.day}, {local_day.year}"
    quote = quotes_service.get_approved_for_appointment(db, tenant_id=tenant_id, appointment_id=appointment.id)
    if quote is not None and charged == quote.subtotal_cents - quote.discount_cents:
        # Charged what the customer approved: invoice the quote's own lines (untaxed ones stay
        # untaxed), discount and tax rate, so the total is the one they agreed to.
        lines = [
            InvoiceLine(
                tenant_id=tenant_id, kind=line.kind, service_id=line.service_id, addon_id=line.addon_id,
                description=(f"{line.description} — {day_label}" if line.kind == LineKind.SERVICE.value
                             else line.description)[:300],
                quantity=line.quantity, unit_price_cents=line.unit_price_cents, total_cents=line.total_cents,
                taxable=line.taxable, sort_order=order,
            )
            for order, line in enumerate(quotes_service.get_lines(db, tenant_id=tenant_id, quote_id=quote.id))
        ]
        if tax_rate_bps is None:
            tax_rate_bps = quote.tax_rate_bps
        if not discount_cents and not discount_percent_bps:
            discount_cents = quote.discount_cents
    else:
        lines = _lines_for_charged_price(tenant_id=tenant_id, service=service, addons=addons, charged=charged,
                                         day_label=day_label)
    settings = scheduling_service.booking_settings_or_default(db, tenant_id=tenant_id)
    invoice = Invoice(
        tenant_id=tenant_id, customer_id=appointment.customer_id, appointment_id=appointment.id,
        tax_rate_bps=tax_rate_bps if tax_rate_bps is not None else settings.default_tax_rate_bps,
        discount_cents=discount_cents, discount_percent_bps=discount_percent_bps,
        due_date=now.astimezone(zone).date() + dt.timedelta(days=due_days),
        created_by_user_id=acting_user.user_id if acting_user else None,
        created_at=now,
    )
    invoice = _insert(db, invoice=invoice, lines=lines, acting_user=acting_user,
                      summary=f"for {service.name} on {local_day.date().isoformat()}")
    customer_stats.recompute_customer_stats(db, tenant_id=tenant_id, customer_id=invoice.customer_id)
    return invoice


def update_draft_invoice(
    db: Session,
    *,
    tenant_id: str,
    invoice_id: str,
    lines: list[InvoiceLineIn] | None = None,
    tax_rate_bps: int | None = None,
    discount_cents: int | None = None,
    discount_percent_bps: int | None = None,
    notes: str | None = None,
    acting_user: StaffContext | None,
) -> Invoice:
    """Edits a draft invoice's lines, tax, discount or notes and recomputes its totals."""
    invoice = invoices_service.access_invoice_by_id(db, tenant_id=tenant_id, invoice_id=invoice_id)
    if invoice.status != InvoiceStatus.DRAFT.value:
        raise Conflict(f"Invoice {invoice.number} has been {invoice.status}; only drafts can be edited.")
    if tax_rate_bps is not None:
        invoice.tax_rate_bps = tax_rate_bps
    if discount_cents is not None:
        invoice.discount_cents, invoice.discount_percent_bps = discount_cents, 0
    if discount_percent_bps is not None:
        invoice.discount_percent_bps, invoice.discount_cents = discount_percent_bps, 0
    if notes is not None:
        invoice.notes = notes.strip()[:4000]
    if lines is not None:
        if not lines:
            raise UserError("An invoice needs at least one line.")
        new_lines = _lines_from_input(db, tenant_id=tenant_id, lines_in=lines)
        db.execute(delete(InvoiceLine).where(InvoiceLine.tenant_id == tenant_id, InvoiceLine.invoice_id == invoice.id))
        for line in new_lines:
            line.invoice_id = invoice.id
            db.add(line)
    else:
        new_lines = invoices_service.get_lines(db, tenant_id=tenant_id, invoice_id=invoice.id)
    _apply_totals(invoice, new_lines)
    invoice.updated_at = utcnow()
    db.add(invoice)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="invoice.updated", target_type="invoices",
                 target_id=invoice.id, summary=f"Edited invoice {invoice.number}: {format_money(invoice.total_cents)}")
    return invoice


def send_invoice(
    db: Session, *, tenant_id: str, invoice_id: str, acting_user: StaffContext | None, now: dt.datetime | None = None
) -> Invoice:
    """Marks a draft invoice as sent (delivery itself belongs to the messaging/email areas).
    A $0 invoice (fully discounted) owes nothing, so it is settled at once: no payment can
    ever be recorded against it, and it would otherwise stay open forever."""
    invoice = invoices_service.access_invoice_by_id(db, tenant_id=tenant_id, invoice_id=invoice_id)
    if invoice.status != InvoiceStatus.DRAFT.value:
        raise Conflict(f"Invoice {invoice.number} is already {invoice.status}.")
    invoice.status = InvoiceStatus.SENT.value
    invoice.sent_at = now or utcnow()
    invoice.updated_at = invoice.sent_at
    if invoice.total_cents == 0:
        invoice.status = InvoiceStatus.PAID.value
        invoice.paid_at = invoice.sent_at
    db.add(invoice)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="invoice.sent", target_type="invoices",
                 target_id=invoice.id, summary=f"Sent invoice {invoice.number}")
    return invoice


def _lock_invoice(db: Session, *, tenant_id: str, invoice_id: str) -> Invoice:
    """Returns the invoice freshly read under a lock held until the transaction ends, so two
    payments (or a payment and a void) on one invoice are applied one after the other, each
    seeing the other's result: a double-clicked payment is recorded once."""
    if not isinstance(invoice_id, str):
        raise NotFound("No such invoice.")
    lock_rows(db, Invoice, Invoice.tenant_id == tenant_id, Invoice.id == invoice_id)
    invoice = db.get(Invoice, (tenant_id, invoice_id), populate_existing=True)
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


def record_payment(
    db: Session,
    *,
    tenant_id: str,
    invoice_id: str,
    amount_cents: int,
    method: str = PaymentMethod.CASH.value,
    reference: str = "",
    note: str = "",
    received_at: dt.datetime | None = None,
    acting_user: StaffContext | None,
) -> InvoicePayment:
    """Records a manual payment; the invoice becomes paid when its balance reaches zero.
    Overpayments are refused with the open balance in the message."""
    invoice = _lock_invoice(db, tenant_id=tenant_id, invoice_id=invoice_id)
    if invoice.status == InvoiceStatus.VOID.value:
        raise Conflict(f"Invoice {invoice.number} is void.")
    if invoice.status == InvoiceStatus.PAID.value:
        raise Conflict(f"Invoice {invoice.number} is already paid in full.")
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise UserError("Enter a payment amount greater than zero (in cents).")
    if amount_cents > invoice.balance_cents:
        raise UserError(
            f"{format_money(amount_cents)} is more than the balance of {format_money(invoice.balance_cents)}."
        )
    if method not in PaymentMethod.values():
        raise UserError(f"Payment method must be one of {', '.join(PaymentMethod.values())}.")
    now = utcnow()
    received_at = received_at or now
    if received_at.tzinfo is None:
        raise UserError("The payment time needs a time zone.")
    if received_at > now + dt.timedelta(minutes=5):  # a few minutes of clock skew is fine
        raise UserError("A payment can't be dated in the future.")
    payment = InvoicePayment(
        tenant_id=tenant_id, invoice_id=invoice.id, amount_cents=amount_cents, method=method,
        reference=(reference or "").strip()[:120], note=(note or "").strip()[:300], received_at=received_at,
        recorded_by_user_id=acting_user.user_id if acting_user else None,
    )
    db.add(payment)
    invoice.amount_paid_cents += amount_cents
    if invoice.status == InvoiceStatus.DRAFT.value:
        invoice.sent_at = invoice.sent_at or now
        invoice.status = InvoiceStatus.SENT.value
    if invoice.amount_paid_cents >= invoice.total_cents:
        invoice.status = InvoiceStatus.PAID.value
        invoice.paid_at = received_at
    invoice.updated_at = now
    db.add(invoice)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="invoice.payment_recorded",
                 target_type="invoices", target_id=invoice.id,
                 summary=f"{format_money(amount_cents)} {method} on {invoice.number}"
                         + (" — paid in full" if invoice.status == InvoiceStatus.PAID.value else ""))
    customer_stats.recompute_customer_stats(db, tenant_id=tenant_id, customer_id=invoice.customer_id)
    return payment


def void_invoice(
    db: Session, *, tenant_id: str, invoice_id: str, reason: str, acting_user: StaffContext | None
) -> Invoice:
    """Voids an unpaid invoice (one with payments must be refunded outside first)."""
    invoice = _lock_invoice(db, tenant_id=tenant_id, invoice_id=invoice_id)
    if invoice.status == InvoiceStatus.VOID.value:
        raise Conflict(f"Invoice {invoice.number} is already void.")
    if invoice.amount_paid_cents:
        raise Conflict(f"Invoice {invoice.number} has payments recorded; it cannot be voided.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise UserError("Say why the invoice is voided.")
    invoice.status = InvoiceStatus.VOID.value
    invoice.voided_at = utcnow()
    invoice.void_reason = reason[:300]
    invoice.updated_at = invoice.voided_at
    db.add(invoice)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="invoice.voided", target_type="invoices",
                 target_id=invoice.id, summary=f"Voided {invoice.number}: {reason[:200]}")
    customer_stats.recompute_customer_stats(db, tenant_id=tenant_id, customer_id=invoice.customer_id)
    return invoice


def record_payment_on_day(
    db: Session,
    *,
    tenant_id: str,
    invoice_id: str,
    amount_cents: int,
    method: str,
    day: dt.date,
    reference: str = "",
    note: str = "",
    acting_user: StaffContext | None,
    now: dt.datetime | None = None,
) -> InvoicePayment:
    """Records a manual payment received on a calendar day of the tenant (today: now; an
    earlier day: noon that day). Payments dated in the future are refused."""
    now = now or utcnow()
    zone = tenant_zone(db, tenant_id=tenant_id)
    today = now.astimezone(zone).date()
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise UserError("Choose the day the payment was received.")
    if day > today:
        raise UserError("A payment can't be dated in the future.")
    if day < today - dt.timedelta(days=3650):
        raise UserError("That payment date is too far in the past.")
    received_at = now if day == today else dt.datetime.combine(day, dt.time(12, 0), tzinfo=zone)
    return record_payment(db, tenant_id=tenant_id, invoice_id=invoice_id, amount_cents=amount_cents, method=method,
                          reference=reference, note=note, received_at=received_at.astimezone(dt.timezone.utc),
                          acting_user=acting_user)
