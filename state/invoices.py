"""Invoice states: the invoice list with "New invoice" (from a completed appointment or by
hand), and one invoice (edit a draft's lines, tax and discount; mark sent; record a manual
payment). Voiding lives in its own TENANT_ADMIN state.

The invoice comes from the page URL and is looked up inside the signed-in tenant
(`access_invoice_by_id`); handlers act on that server-side id. Appointment and customer choices
must be among the options the server offered and are checked again by the backend. Dollars
typed by staff are parsed into integer cents exactly.
"""

from __future__ import annotations

import datetime as dt

import reflex as rx
from pydantic import ValidationError

from backend.auth.context import StaffContext
from backend.customers import views as customers_views
from backend.errors import UserError, pydantic_message
from backend.invoices import actions as invoices_actions
from backend.invoices import views as invoices_views
from backend.invoices.enums import InvoiceStatus, PaymentMethod
from backend.invoices.money import parse_cents, parse_percent_bps
from backend.invoices.totals import MAX_TAX_RATE_BPS
from backend.invoices.views import METHOD_LABELS, InvoiceableAppointment, InvoiceDetail, InvoiceRow
from backend.quotes.enums import LineKind
from state.customers import call, clean_text, in_tenant, url_id
from state.session import Access, current_context, requires, run_blocking

FEATURE = "quotes_invoices"
LIST_FILTERS = ["all", *InvoiceStatus.values()]
MAX_LINES = 50
LINE_FIELDS = {"description": 300, "quantity": 6, "unit_price": 20}
PAYMENT_METHODS = [{"value": m, "label": METHOD_LABELS[m]} for m in PaymentMethod.values()]


def _parse_quantity(raw, line_no: int) -> int:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise UserError(f"Line {line_no}: the quantity must be a whole number from 1 to 1000.")
    return int(text)


def _parse_lines(rows: list[dict[str, str]]) -> list[tuple[str, int, int, bool]]:
    """Returns (description, quantity, unit cents, taxable) for the filled-in rows."""
    parsed = []
    for number, row in enumerate(rows, start=1):
        description = " ".join(str(row.get("description", "")).split())
        price_text = str(row.get("unit_price", "")).strip()
        if not description and not price_text:
            continue
        if not description:
            raise UserError(f"Line {number}: add a description.")
        parsed.append((description, _parse_quantity(row.get("quantity", "1"), number),
                       parse_cents(price_text, field=f"Line {number} price"), row.get("taxable") == "yes"))
    if not parsed:
        raise UserError("An invoice needs at least one line.")
    return parsed


# ---- list -----------------------------------------------------------------------------------


def _list_data(db, *, tenant_id: str, status: str | None):
    return (invoices_views.invoice_rows(db, tenant_id=tenant_id, status=status),
            invoices_views.invoiceable_appointments(db, tenant_id=tenant_id))


def _create_from_appointment(db, *, tenant_id: str, appointment_id: str, acting_user: StaffContext) -> str:
    return invoices_actions.create_invoice_from_appointment(db, tenant_id=tenant_id, appointment_id=appointment_id,
                                                            acting_user=acting_user).id


def _create_custom(db, *, tenant_id: str, invoice_in, acting_user: StaffContext) -> str:
    return invoices_actions.create_invoice(db, tenant_id=tenant_id, invoice_in=invoice_in, acting_user=acting_user).id


@requires(Access.TENANT)
class InvoicesState(rx.State):
    """The invoice list (number, customer, status, total, balance) and "New invoice"."""

    _customer_ids: list[str] = []

    rows: list[InvoiceRow] = []
    invoiceable: list[InvoiceableAppointment] = []
    status_filter: str = "all"
    error: str = ""

    create_open: bool = False
    create_error: str = ""
    create_mode: str = "appointment"
    chosen_appointment: str = ""
    customer_query: str = ""
    customer_options: list[dict[str, str]] = []
    customer_id: str = ""
    customer_label: str = ""

    async def _refresh(self):
        try:
            status = None if self.status_filter == "all" else self.status_filter
            self.rows, self.invoiceable = await call(self, FEATURE, _list_data, status=status)
            self.error = ""
        except UserError as exc:
            self.rows, self.invoiceable, self.error = [], [], str(exc)

    @rx.event
    async def load(self):
        self.create_open = False
        await self._refresh()

    @rx.event
    async def set_status_filter(self, value: str):
        if value in LIST_FILTERS:
            self.status_filter = value
            await self._refresh()

    @rx.event
    def set_create_open(self, value: bool):
        self.create_open = value is True
        self.create_error = ""
        self.chosen_appointment = self.invoiceable[0].id if self.invoiceable else ""
        self.customer_id = self.customer_label = self.customer_query = ""
        self.customer_options, self._customer_ids = [], []
        self.create_mode = "appointment" if self.invoiceable else "custom"

    @rx.event
    def set_create_mode(self, value: str | list[str]):
        if isinstance(value, str) and value in ("appointment", "custom"):
            self.create_mode = value
            self.create_error = ""

    @rx.event
    def choose_appointment(self, appointment_id: str):
        if appointment_id in [a.id for a in self.invoiceable]:
            self.chosen_appointment = appointment_id

    @rx.event
    async def search_customers(self, query: str):
        self.customer_query = clean_text(query, 200)
        if not self.customer_query:
            self.customer_options = []
            return
        try:
            self.customer_options = await call(self, "crm", customers_views.customer_choices, query=self.customer_query)
        except UserError as exc:
            self.create_error = str(exc)
            return
        self._customer_ids = list(dict.fromkeys([*self._customer_ids, *(o["id"] for o in self.customer_options)]))

    @rx.event
    def choose_customer(self, customer_id: str):
        if not isinstance(customer_id, str) or customer_id not in self._customer_ids:
            return
        option = next((o for o in self.customer_options if o["id"] == customer_id), None)
        self.customer_id = customer_id
        self.customer_label = option["label"] if option else ""
        self.customer_options, self.customer_query = [], ""

    @rx.event
    async def create_from_appointment(self):
        appointment_id = self.chosen_appointment
        if appointment_id not in [a.id for a in self.invoiceable]:
            self.create_error = "Choose a completed appointment."
            return
        ctx = await current_context(self)
        try:
            invoice_id = await run_blocking(in_tenant, ctx, FEATURE, _create_from_appointment,
                                            appointment_id=appointment_id, acting_user=ctx)
        except UserError as exc:
            self.create_error = str(exc)
            return
        self.create_open, self.create_error = False, ""
        return rx.redirect(f"/invoices/{invoice_id}")

    @rx.event
    async def create_custom(self, form: dict):
        if not isinstance(form, dict):
            return
        if not self.customer_id or self.customer_id not in self._customer_ids:
            self.create_error = "Choose a customer."
            return
        try:
            [(description, quantity, unit, taxable)] = _parse_lines([{
                "description": clean_text(form.get("description"), 300), "quantity": "1",
                "unit_price": clean_text(form.get("amount"), 20), "taxable": "yes",
            }])
            invoice_in = invoices_actions.InvoiceCreate(
                customer_id=self.customer_id,
                lines=[invoices_actions.InvoiceLineIn(kind=LineKind.CUSTOM, description=description,
                                                      quantity=quantity, unit_price_cents=unit, taxable=taxable)],
            )
            ctx = await current_context(self)
            invoice_id = await run_blocking(in_tenant, ctx, FEATURE, _create_custom, invoice_in=invoice_in,
                                            acting_user=ctx)
        except ValidationError as exc:
            self.create_error = pydantic_message(exc)
            return
        except UserError as exc:
            self.create_error = str(exc)
            return
        self.create_open, self.create_error = False, ""
        return rx.redirect(f"/invoices/{invoice_id}")


# ---- one invoice ----------------------------------------------------------------------------


def _empty_detail() -> InvoiceDetail:
    return InvoiceDetail(
        id="", number="", status="", status_label="", editable=False, can_pay=False, can_void=False, customer_id="",
        customer="", customer_phone="", appointment_id="", appointment="", notes="", tax_rate="0", discount="",
        discount_percent="", lines=[], payments=[], subtotal="$0.00", discount_total="$0.00", tax_label="Tax",
        tax="$0.00", total="$0.00", paid="$0.00", balance="$0.00", balance_input="", created="", due="", sent="",
        paid_on="", voided="", void_reason="", today="",
    )


def _update_draft(db, *, tenant_id: str, invoice_id: str, lines, tax_rate_bps: int, discount_cents: int | None,
                  discount_percent_bps: int | None, notes: str, acting_user: StaffContext):
    return invoices_actions.update_draft_invoice(
        db, tenant_id=tenant_id, invoice_id=invoice_id, lines=lines, tax_rate_bps=tax_rate_bps,
        discount_cents=discount_cents, discount_percent_bps=discount_percent_bps, notes=notes,
        acting_user=acting_user,
    ).id


@requires(Access.TENANT)
class InvoiceEditorState(rx.State):
    """One invoice (/invoices/<id>): the draft editor, "mark sent" and manual payments."""

    _invoice_id: str = ""

    d: InvoiceDetail = _empty_detail()
    found: bool = False
    not_found: bool = False
    error: str = ""
    message: str = ""

    lines: list[dict[str, str]] = []
    tax_rate: str = ""
    discount: str = ""
    discount_percent: str = ""
    notes: str = ""
    preview_subtotal: str = "$0.00"
    preview_discount: str = "$0.00"
    preview_tax_label: str = "Tax"
    preview_tax: str = "$0.00"
    preview_total: str = "$0.00"
    preview_error: str = ""

    pay_open: bool = False
    pay_error: str = ""
    pay_method: str = PaymentMethod.CASH.value
    methods: list[dict[str, str]] = PAYMENT_METHODS

    async def _reload(self) -> bool:
        try:
            self.d = await call(self, FEATURE, invoices_views.invoice_detail, invoice_id=self._invoice_id)
        except UserError as exc:
            self._invoice_id = ""
            self.d, self.found, self.not_found, self.error = _empty_detail(), False, True, str(exc)
            return False
        self.found, self.not_found = True, False
        self.lines = [{"description": line.description, "quantity": line.quantity, "unit_price": line.unit_price,
                       "taxable": "yes" if line.taxable else "no"} for line in self.d.lines]
        self.tax_rate, self.discount, self.discount_percent = self.d.tax_rate, self.d.discount, self.d.discount_percent
        self.notes = self.d.notes
        self._preview()
        return True

    @rx.event
    async def load(self):
        self._invoice_id = url_id(self, "/invoices")
        self.error = self.message = ""
        self.pay_open = False
        if not self._invoice_id:
            self.d, self.found, self.not_found = _empty_detail(), False, True
            return
        await self._reload()

    # -- draft editing --

    def _parsed(self):
        lines = _parse_lines(self.lines)
        tax = parse_percent_bps(self.tax_rate, field="Tax rate", max_bps=MAX_TAX_RATE_BPS)
        discount = parse_cents(self.discount, field="Discount") if self.discount.strip() else 0
        percent = parse_percent_bps(self.discount_percent, field="Discount %")
        if discount and percent:
            raise UserError("Use either a fixed discount or a percentage, not both.")
        return lines, tax, discount, percent

    def _preview(self) -> None:
        try:
            lines, tax, discount, percent = self._parsed()
            preview = invoices_views.preview_totals([(q, u, t) for _, q, u, t in lines], tax_rate_bps=tax,
                                                    discount_cents=discount, discount_percent_bps=percent)
        except UserError as exc:
            self.preview_error = str(exc)
            self.preview_subtotal = self.preview_discount = self.preview_tax = self.preview_total = "—"
            return
        self.preview_error = ""
        self.preview_subtotal, self.preview_discount = preview.subtotal, preview.discount
        self.preview_tax_label, self.preview_tax, self.preview_total = preview.tax_label, preview.tax, preview.total

    @rx.event
    def set_field(self, name: str, value: str):
        limits = {"tax_rate": 10, "discount": 20, "discount_percent": 10, "notes": 4000}
        if not self.d.editable or name not in limits or not isinstance(value, str):
            return
        setattr(self, name, value[: limits[name]])
        self._preview()

    @rx.event
    def add_line(self):
        if self.d.editable and len(self.lines) < MAX_LINES:
            self.lines = [*self.lines, {"description": "", "quantity": "1", "unit_price": "", "taxable": "yes"}]

    @rx.event
    def remove_line(self, index: int):
        if not self.d.editable or not isinstance(index, int) or not 0 <= index < len(self.lines):
            return
        self.lines = [line for i, line in enumerate(self.lines) if i != index]
        self._preview()

    @rx.event
    def set_line(self, index: int, field: str, value):
        if not self.d.editable or not isinstance(index, int) or not 0 <= index < len(self.lines):
            return
        if field == "taxable":
            text = "yes" if value is True else "no"
        elif field in LINE_FIELDS and isinstance(value, str):
            text = value[: LINE_FIELDS[field]]
        else:
            return
        lines = [dict(line) for line in self.lines]
        lines[index][field] = text
        self.lines = lines
        self._preview()

    @rx.event
    async def save(self):
        self.message = ""
        if not self.found or not self.d.editable:
            return
        try:
            lines, tax, discount, percent = self._parsed()
            lines_in = [invoices_actions.InvoiceLineIn(kind=LineKind.CUSTOM, description=desc, quantity=q,
                                                       unit_price_cents=u, taxable=t) for desc, q, u, t in lines]
            # Keep service/add-on links of lines that were not changed (from an appointment).
            ctx = await current_context(self)
            await run_blocking(in_tenant, ctx, FEATURE, _update_draft_keeping_kinds, invoice_id=self._invoice_id,
                               lines=lines_in, tax_rate_bps=tax, discount_cents=None if percent else discount,
                               discount_percent_bps=percent if percent else None, notes=self.notes, acting_user=ctx)
        except ValidationError as exc:
            self.error = pydantic_message(exc)
            return
        except UserError as exc:
            self.error = str(exc)
            return
        self.error = ""
        await self._reload()
        self.message = "Invoice saved."

    @rx.event
    async def mark_sent(self):
        if not self.found:
            return
        ctx = await current_context(self)
        try:
            await run_blocking(in_tenant, ctx, FEATURE, invoices_actions.send_invoice, invoice_id=self._invoice_id,
                               acting_user=ctx)
        except UserError as exc:
            self.error = str(exc)
            return
        self.error = ""
        await self._reload()
        self.message = "Marked as sent."

    # -- payments --

    @rx.event
    def set_pay_open(self, value: bool):
        self.pay_open = value is True and self.found and self.d.can_pay
        self.pay_error = ""
        self.pay_method = PaymentMethod.CASH.value

    @rx.event
    def set_pay_method(self, value: str):
        if value in PaymentMethod.values():
            self.pay_method = value

    @rx.event
    async def record_payment(self, form: dict):
        if not isinstance(form, dict) or not self.found:
            return
        try:
            amount = parse_cents(clean_text(form.get("amount"), 20), field="Amount", allow_zero=False)
            if self.pay_method not in PaymentMethod.values():
                raise UserError("Choose how it was paid.")
            try:
                day = dt.date.fromisoformat(clean_text(form.get("date"), 10))
            except ValueError:
                raise UserError("Choose the day the payment was received.") from None
            ctx = await current_context(self)
            await run_blocking(in_tenant, ctx, FEATURE, invoices_actions.record_payment_on_day,
                               invoice_id=self._invoice_id, amount_cents=amount, method=self.pay_method, day=day,
                               reference=clean_text(form.get("reference"), 120), note=clean_text(form.get("note"), 300),
                               acting_user=ctx)
        except UserError as exc:
            self.pay_error = str(exc)
            return
        self.pay_open, self.pay_error = False, ""
        await self._reload()
        self.message = "Payment recorded." + (" The invoice is paid in full." if self.d.status == "paid" else "")


def _update_draft_keeping_kinds(db, *, tenant_id: str, invoice_id: str, lines, tax_rate_bps, discount_cents,
                                discount_percent_bps, notes, acting_user):
    """Saves a draft; a line whose description matches an existing service/add-on line keeps
    that line's kind and link (so invoices from appointments stay tied to their service)."""
    from backend.invoices import service as invoices_service

    existing = invoices_service.get_lines(db, tenant_id=tenant_id, invoice_id=invoice_id)
    by_description = {line.description: line for line in existing if line.kind != LineKind.CUSTOM.value}
    kept = []
    for line in lines:
        old = by_description.pop(line.description, None)
        if old is not None:
            line = line.model_copy(update={"kind": LineKind(old.kind), "service_id": old.service_id,
                                           "addon_id": old.addon_id})
        kept.append(line)
    return _update_draft(db, tenant_id=tenant_id, invoice_id=invoice_id, lines=kept, tax_rate_bps=tax_rate_bps,
                         discount_cents=discount_cents, discount_percent_bps=discount_percent_bps, notes=notes,
                         acting_user=acting_user)


@requires(Access.TENANT_ADMIN)
class InvoiceVoidState(rx.State):
    """Voiding an invoice is for the business's owner and admins. It acts on the invoice the
    editor loaded from the URL (InvoiceEditorState's server-side id), never on a sent id."""

    dialog_open: bool = False
    error: str = ""

    @rx.event
    def set_dialog_open(self, value: bool):
        self.dialog_open = value is True
        self.error = ""

    @rx.event
    async def void(self, form: dict):
        if not isinstance(form, dict):
            return
        reason = clean_text(form.get("reason"), 300)
        if not reason:
            self.error = "Say why the invoice is voided."
            return
        editor = await self.get_state(InvoiceEditorState)
        if not editor.found or not editor._invoice_id:
            self.error = "Open an invoice first."
            return
        ctx = await current_context(self)
        try:
            await run_blocking(in_tenant, ctx, FEATURE, invoices_actions.void_invoice, invoice_id=editor._invoice_id,
                               reason=reason, acting_user=ctx)
        except UserError as exc:
            self.error = str(exc)
            return
        self.dialog_open = False
        self.error = ""
        return InvoiceEditorState.load
