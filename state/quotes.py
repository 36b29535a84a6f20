"""Quote states: the quote list and the quote editor (customer, a service with its add-ons and
attributes priced by backend.scheduling.pricing, custom lines, tax, discount, expiry, notes;
save, send with the public approval link, text the link, cancel).

TENANT states. The quote being edited comes from the page URL and is looked up inside the
signed-in tenant (`access_quote_by_id`); handlers act on that server-side id. Ids a client may
choose (customer, service, add-ons) must be among the options the server offered, and the
backend checks them again inside the tenant. Money typed in dollars is parsed into integer
cents exactly (backend.invoices.money).
"""

from __future__ import annotations

import datetime as dt

import reflex as rx
from pydantic import ValidationError

from backend.auth.context import StaffContext
from backend.customers import service as customers_service
from backend.customers import views as customers_views
from backend.errors import NotFound, UserError, pydantic_message
from backend.invoices.money import format_bps, format_cents, parse_cents, parse_optional_cents, parse_percent_bps
from backend.invoices.totals import MAX_TAX_RATE_BPS
from backend.phones import display as display_phone
from backend.quotes import actions as quotes_actions
from backend.quotes import views as quotes_views
from backend.quotes.enums import LineKind, QuoteStatus
from backend.quotes.views import AddonChoice, QuoteRow, ServiceAttributeView, ServiceChoice
from state.customers import call, clean_text, in_tenant, is_row_id, url_id
from state.session import Access, current_context, requires, run_blocking

FEATURE = "quotes_invoices"
LIST_FILTERS = ["all", *QuoteStatus.values()]
MAX_CUSTOM_LINES = 30
LINE_FIELDS = {"description": 300, "quantity": 6, "unit_price": 20}


@requires(Access.TENANT)
class QuotesState(rx.State):
    """The quote list (status, customer, total, expiry)."""

    rows: list[QuoteRow] = []
    status_filter: str = "all"
    error: str = ""

    async def _refresh(self):
        try:
            status = None if self.status_filter == "all" else self.status_filter
            self.rows = await call(self, FEATURE, quotes_views.quote_rows, status=status)
            self.error = ""
        except UserError as exc:
            self.rows, self.error = [], str(exc)

    @rx.event
    async def load(self):
        await self._refresh()

    @rx.event
    async def set_status_filter(self, value: str):
        if value in LIST_FILTERS:
            self.status_filter = value
            await self._refresh()


# ---- editor ---------------------------------------------------------------------------------


def _parse_quantity(raw, line_no: int) -> int:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise UserError(f"Line {line_no}: the quantity must be a whole number from 1 to 1000.")
    return int(text)


def _customer_label(db, *, tenant_id: str, customer_id: str) -> dict[str, str]:
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    label = " · ".join(p for p in (customer.name, display_phone(customer.phone) if customer.phone else "") if p)
    return {"id": customer.id, "label": label or customer.email}


def _editor_data(db, *, tenant_id: str, quote_id: str, customer_id: str):
    catalogue = quotes_views.quote_catalogue(db, tenant_id=tenant_id)
    detail = quotes_views.quote_detail(db, tenant_id=tenant_id, quote_id=quote_id) if quote_id else None
    customer = None
    if detail is None and customer_id:
        try:
            customer = _customer_label(db, tenant_id=tenant_id, customer_id=customer_id)
        except NotFound:
            customer = None  # a stale or foreign ?customer= just leaves the picker empty
    return catalogue, detail, customer


def _save(db, *, tenant_id: str, quote_id: str, quote_in, acting_user: StaffContext) -> str:
    if quote_id:
        return quotes_actions.update_draft_quote(db, tenant_id=tenant_id, quote_id=quote_id, quote_in=quote_in,
                                                 acting_user=acting_user).id
    return quotes_actions.create_quote(db, tenant_id=tenant_id, quote_in=quote_in, acting_user=acting_user).id


def _save_and_send(db, *, tenant_id: str, quote_id: str, quote_in, acting_user: StaffContext) -> tuple[str, str]:
    if quote_in is not None:
        quote_id = _save(db, tenant_id=tenant_id, quote_id=quote_id, quote_in=quote_in, acting_user=acting_user)
    quote, token = quotes_actions.send_quote(db, tenant_id=tenant_id, quote_id=quote_id, acting_user=acting_user)
    return quote.id, token


@requires(Access.TENANT)
class QuoteEditorState(rx.State):
    """A new quote (/quotes/new) or an existing one (/quotes/<id>): a draft is edited here, a
    sent or closed quote is shown read-only with its status."""

    _quote_id: str = ""
    _token: str = ""  # the link minted by the last send (kept server-side for "Text link")
    _customer_ids: list[str] = []  # customers the picker offered (a choice must be one of them)

    loaded: bool = False
    not_found: bool = False
    is_new: bool = True
    number: str = ""
    status: str = QuoteStatus.DRAFT.value
    status_label: str = "Draft"
    editable: bool = True
    sent_on: str = ""
    approved_on: str = ""
    expires_label: str = ""
    appointment_id: str = ""

    customer_id: str = ""
    customer_label: str = ""
    customer_phone: str = ""
    customer_query: str = ""
    customer_options: list[dict[str, str]] = []

    title: str = ""
    notes: str = ""
    tax_rate: str = ""
    discount: str = ""
    expires_on: str = ""

    services: list[ServiceChoice] = []
    addons: list[AddonChoice] = []
    service_id: str = ""
    service_price: str = ""
    attributes: dict[str, str] = {}
    addon_ids: list[str] = []
    custom_lines: list[dict[str, str]] = []

    preview_lines: list[dict[str, str]] = []
    subtotal: str = "$0.00"
    discount_total: str = "$0.00"
    tax_label: str = "Tax"
    tax: str = "$0.00"
    total: str = "$0.00"
    preview_error: str = ""

    public_link: str = ""
    link_message: str = ""
    error: str = ""
    message: str = ""

    @rx.var
    def service_attributes(self) -> list[ServiceAttributeView]:
        service = next((s for s in self.services if s.id == self.service_id), None)
        return service.attributes if service else []

    @rx.var
    def service_addons(self) -> list[AddonChoice]:
        service = next((s for s in self.services if s.id == self.service_id), None)
        if service is None:
            return []
        return [a for a in self.addons if a.id in service.addon_ids]

    # -- loading --

    def _blank(self, catalogue) -> None:
        self.is_new, self.editable = True, True
        self.number, self.status, self.status_label = "", QuoteStatus.DRAFT.value, "Draft"
        self.sent_on = self.approved_on = self.expires_label = self.appointment_id = ""
        self.customer_id = self.customer_label = self.customer_phone = ""
        self.title = self.notes = self.discount = self.service_id = self.service_price = ""
        self.tax_rate = catalogue.default_tax
        self.expires_on = catalogue.default_expires_on
        self.attributes, self.addon_ids, self.custom_lines = {}, [], []
        self._clear_totals()

    def _clear_totals(self) -> None:
        self.preview_lines = []
        self.subtotal = self.discount_total = self.tax = self.total = "—"
        self.tax_label = "Tax"

    def _fill(self, d: quotes_views.QuoteDetail) -> None:
        self.is_new, self.editable = False, d.editable
        self.number, self.status, self.status_label = d.number, d.status, d.status_label
        self.sent_on, self.approved_on, self.expires_label = d.sent, d.approved, d.expires
        self.appointment_id = d.appointment_id
        self.customer_id, self.customer_label, self.customer_phone = d.customer_id, d.customer, d.customer_phone
        self._customer_ids = [d.customer_id]
        self.title, self.notes, self.tax_rate, self.discount = d.title, d.notes, d.tax_rate, d.discount
        self.expires_on = d.expires_on
        self.service_id, self.service_price = d.service_id, d.service_price
        self.attributes, self.addon_ids = dict(d.attributes), list(d.addon_ids)
        self.custom_lines = [
            {"description": c.description, "quantity": c.quantity, "unit_price": c.unit_price,
             "taxable": "yes" if c.taxable else "no"}
            for c in d.custom_lines
        ]
        self.preview_lines = d.lines
        self.subtotal, self.discount_total, self.tax_label = d.subtotal, d.discount_total, d.tax_label
        self.tax, self.total = d.tax, d.total

    @rx.event
    async def load(self):
        path_id = url_id(self, "/quotes")
        new = path_id in ("", "new")
        quote_id = "" if new else path_id
        if quote_id != self._quote_id or new:
            # The link belongs to the quote it was minted for; never carry it to another page.
            self._token, self.public_link, self.link_message = "", "", ""
            self.error = self.message = ""
        self._quote_id = quote_id
        self.preview_error = ""
        self.customer_query, self.customer_options, self._customer_ids = "", [], []
        wanted_customer = self.router.url.query_parameters.get("customer", "") if new else ""
        try:
            catalogue, detail, customer = await call(
                self, FEATURE, _editor_data, quote_id=quote_id,
                customer_id=wanted_customer if is_row_id(wanted_customer) else "",
            )
        except UserError as exc:
            # Same outcome for a missing id and another tenant's id; nothing stays selected.
            self._quote_id, self._token, self.editable = "", "", False
            self.loaded, self.not_found, self.error = True, True, str(exc)
            return
        self.services, self.addons = catalogue.services, catalogue.addons
        self.not_found = False
        if detail is None:
            self._blank(catalogue)
            if customer is not None:
                self.customer_id, self.customer_label = customer["id"], customer["label"]
                self._customer_ids = [customer["id"]]
        else:
            self._fill(detail)
        self.loaded = True
        if self.editable:
            await self._preview()

    # -- customer --

    @rx.event
    async def search_customers(self, query: str):
        if not self.editable:
            return
        self.customer_query = clean_text(query, 200)
        if not self.customer_query:
            self.customer_options = []
            return
        try:
            options = await call(self, "crm", customers_views.customer_choices, query=self.customer_query)
        except UserError as exc:
            self.error = str(exc)
            return
        self.customer_options = options
        self._customer_ids = list(dict.fromkeys([*self._customer_ids, *(o["id"] for o in options)]))

    @rx.event
    async def choose_customer(self, customer_id: str):
        if not self.editable or not isinstance(customer_id, str) or customer_id not in self._customer_ids:
            return
        option = next((o for o in self.customer_options if o["id"] == customer_id), None)
        self.customer_id = customer_id
        self.customer_label = option["label"] if option else self.customer_label
        self.customer_options, self.customer_query = [], ""
        await self._preview()

    # -- fields --

    @rx.event
    async def set_field(self, name: str, value: str):
        limits = {"title": 200, "notes": 4000, "tax_rate": 10, "discount": 20, "expires_on": 10,
                  "service_price": 20}
        if not self.editable or name not in limits or not isinstance(value, str):
            return
        setattr(self, name, value[: limits[name]])
        if name in ("tax_rate", "discount", "service_price"):
            await self._preview()

    @rx.event
    async def set_service(self, service_id: str):
        if not self.editable or not isinstance(service_id, str):
            return
        if service_id in ("", "none"):
            self.service_id, self.attributes, self.addon_ids, self.service_price = "", {}, [], ""
        else:
            service = next((s for s in self.services if s.id == service_id), None)
            if service is None:
                return
            self.service_id = service.id
            self.service_price = ""
            self.attributes = {a.key: a.default_value for a in service.attributes}
            self.addon_ids = [a for a in self.addon_ids if a in service.addon_ids]
        await self._preview()

    @rx.event
    async def set_attribute(self, key: str, value: str):
        attribute = next((a for a in self.service_attributes if a.key == key), None)
        if not self.editable or attribute is None or value not in [o.value for o in attribute.options]:
            return
        self.attributes = {**self.attributes, key: value}
        await self._preview()

    @rx.event
    async def toggle_addon(self, addon_id: str, checked: bool):
        if not self.editable or addon_id not in [a.id for a in self.service_addons]:
            return
        ids = [a for a in self.addon_ids if a != addon_id]
        if checked is True:
            ids.append(addon_id)
        self.addon_ids = ids
        await self._preview()

    @rx.event
    async def add_line(self):
        if not self.editable or len(self.custom_lines) >= MAX_CUSTOM_LINES:
            return
        self.custom_lines = [*self.custom_lines,
                             {"description": "", "quantity": "1", "unit_price": "", "taxable": "yes"}]

    @rx.event
    async def remove_line(self, index: int):
        if not self.editable or not isinstance(index, int) or not 0 <= index < len(self.custom_lines):
            return
        self.custom_lines = [line for i, line in enumerate(self.custom_lines) if i != index]
        await self._preview()

    @rx.event
    async def set_line(self, index: int, field: str, value):
        if not self.editable or not isinstance(index, int) or not 0 <= index < len(self.custom_lines):
            return
        if field == "taxable":
            text = "yes" if value is True else "no"
        elif field in LINE_FIELDS and isinstance(value, str):
            text = value[: LINE_FIELDS[field]]
        else:
            return
        lines = [dict(line) for line in self.custom_lines]
        lines[index][field] = text
        self.custom_lines = lines
        await self._preview()

    # -- building the input --

    def _quote_in(self) -> quotes_actions.QuoteCreate:
        """Returns the validated quote input from the form, or raises UserError/ValidationError."""
        lines: list[quotes_actions.QuoteLineIn] = []
        if self.service_id:
            lines.append(quotes_actions.QuoteLineIn(
                kind=LineKind.SERVICE, service_id=self.service_id, attributes=dict(self.attributes),
                unit_price_cents=parse_optional_cents(self.service_price, field="Service price"),
            ))
            lines += [quotes_actions.QuoteLineIn(kind=LineKind.ADDON, addon_id=a) for a in self.addon_ids]
        for number, line in enumerate(self.custom_lines, start=1):
            description = " ".join(line.get("description", "").split())
            price_text = line.get("unit_price", "").strip()
            if not description and not price_text:
                continue  # a blank row the user added and left empty
            if not description:
                raise UserError(f"Line {number}: add a description.")
            lines.append(quotes_actions.QuoteLineIn(
                kind=LineKind.CUSTOM, description=description,
                quantity=_parse_quantity(line.get("quantity", "1"), number),
                unit_price_cents=parse_cents(price_text, field=f"Line {number} price"),
                taxable=line.get("taxable") == "yes",
            ))
        if not lines:
            raise UserError("Add a service or at least one line.")
        tax = (parse_percent_bps(self.tax_rate, field="Tax rate", max_bps=MAX_TAX_RATE_BPS)
               if self.tax_rate.strip() else None)
        discount = parse_cents(self.discount, field="Discount") if self.discount.strip() else 0
        try:
            expires_on = dt.date.fromisoformat(self.expires_on) if self.expires_on.strip() else None
        except ValueError:
            raise UserError("Choose a valid expiry date.") from None
        return quotes_actions.QuoteCreate(
            customer_id=self.customer_id, title=self.title, notes=self.notes, tax_rate_bps=tax,
            discount_cents=discount, expires_on=expires_on, lines=lines,
        )

    async def _preview(self) -> None:
        try:
            quote_in = self._quote_in()
            preview = await call(self, FEATURE, quotes_actions.preview_quote, quote_in=quote_in)
        except ValidationError as exc:
            self.preview_error = pydantic_message(exc)
            self._clear_totals()
            return
        except UserError as exc:
            self.preview_error = str(exc)
            self._clear_totals()
            return
        self.preview_error = ""
        self.preview_lines = [
            {"description": line.description, "quantity": str(line.quantity),
             "unit": format_cents(line.unit_price_cents), "total": format_cents(line.total_cents)}
            for line in preview.lines
        ]
        self.subtotal, self.discount_total = format_cents(preview.subtotal_cents), format_cents(preview.discount_cents)
        self.tax_label = f"Tax ({format_bps(preview.tax_rate_bps)})"
        self.tax, self.total = format_cents(preview.tax_cents), format_cents(preview.total_cents)

    def _validated(self) -> quotes_actions.QuoteCreate | None:
        if not self.customer_id:
            self.error = "Choose a customer."
            return None
        try:
            return self._quote_in()
        except ValidationError as exc:
            self.error = pydantic_message(exc)
        except UserError as exc:
            self.error = str(exc)
        return None

    # -- actions --

    @rx.event
    async def save(self):
        self.message = ""
        if not self.editable:
            return
        quote_in = self._validated()
        if quote_in is None:
            return
        ctx = await current_context(self)
        try:
            quote_id = await run_blocking(in_tenant, ctx, FEATURE, _save, quote_id=self._quote_id,
                                          quote_in=quote_in, acting_user=ctx)
        except ValidationError as exc:
            self.error = pydantic_message(exc)
            return
        except UserError as exc:
            self.error = str(exc)
            return
        self.error = ""
        self.message = "Quote saved."
        if not self._quote_id:
            self._quote_id = quote_id
            return rx.redirect(f"/quotes/{quote_id}")
        return QuoteEditorState.load

    @rx.event
    async def send(self):
        """Saves a draft, marks it sent and mints its approval link (a resend mints a new link
        and the old one stops working)."""
        self.message = ""
        quote_in = None
        if self.editable:
            quote_in = self._validated()
            if quote_in is None:
                return
        elif self.status not in (QuoteStatus.SENT.value,) or not self._quote_id:
            self.error = f"This quote is {self.status_label.lower()} and cannot be sent."
            return
        ctx = await current_context(self)
        try:
            quote_id, token = await run_blocking(in_tenant, ctx, FEATURE, _save_and_send, quote_id=self._quote_id,
                                                 quote_in=quote_in, acting_user=ctx)
        except ValidationError as exc:
            self.error = pydantic_message(exc)
            return
        except UserError as exc:
            self.error = str(exc)
            return
        self.error = ""
        self._token = token
        self.public_link = quotes_actions.approval_url(token)
        self.link_message = ""
        self.message = "Quote sent. Share the link below with the customer."
        if self._quote_id != quote_id:
            self._quote_id = quote_id
            return rx.redirect(f"/quotes/{quote_id}")
        return QuoteEditorState.load

    @rx.event
    async def text_link(self):
        if not self._token or not self._quote_id:
            self.link_message = "Send the quote first."
            return
        ctx = await current_context(self)
        try:
            status = await run_blocking(in_tenant, ctx, FEATURE, quotes_actions.text_quote_link,
                                        quote_id=self._quote_id, token=self._token, acting_user=ctx)
        except UserError as exc:
            self.link_message = str(exc)
            return
        if status == "suppressed":
            self.link_message = "Not texted: this customer opted out of texts (STOP). Copy the link instead."
        else:
            self.link_message = f"Texted the link to {self.customer_phone}."

    @rx.event
    async def cancel_quote(self):
        if not self._quote_id:
            return
        ctx = await current_context(self)
        try:
            await run_blocking(in_tenant, ctx, FEATURE, quotes_actions.cancel_quote, quote_id=self._quote_id,
                               acting_user=ctx)
        except UserError as exc:
            self.error = str(exc)
            return
        self._token, self.public_link = "", ""
        self.message = "Quote cancelled; its link no longer works."
        return QuoteEditorState.load
