"""Display read models for the quote pages: the list, the editor's catalogue (services with the
attributes that price them and the add-ons offered with each) and one quote for the editor.

Scoped to the caller's tenant; money is formatted text or integer cents, never floats.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session, col, select

from backend.customers.models import Customer
from backend.db.types import utcnow
from backend.invoices.money import bps_input, cents_input, format_bps, format_cents
from backend.phones import display as display_phone
from backend.quotes import service as quotes_service
from backend.quotes.enums import LineKind, QuoteStatus
from backend.quotes.models import Quote
from backend.errors import UserError
from backend.scheduling import pricing
from backend.scheduling import service as scheduling_service
from backend.scheduling.models import ServiceAttribute
from backend.scheduling.timeutil import format_price_range, tenant_zone

DEFAULT_VALID_DAYS = 30

STATUS_LABELS = {
    QuoteStatus.DRAFT.value: "Draft",
    QuoteStatus.SENT.value: "Sent",
    QuoteStatus.APPROVED.value: "Approved",
    QuoteStatus.DECLINED.value: "Declined",
    QuoteStatus.EXPIRED.value: "Expired",
    QuoteStatus.CANCELLED.value: "Cancelled",
}


def display_status(quote: Quote, now: dt.datetime) -> str:
    """Returns the status people should see: a sent quote past its expiry shows as expired
    (the row itself is stamped when the link is next used)."""
    if quote.status == QuoteStatus.SENT.value and quote.expires_at is not None and quote.expires_at <= now:
        return QuoteStatus.EXPIRED.value
    return quote.status


def _day(value: dt.datetime | None, zone) -> str:
    if value is None:
        return ""
    local = value.astimezone(zone)
    return f"{local:%b} {local.day}, {local.year}"


def _last_day(expires_at: dt.datetime | None, zone) -> str:
    day = quotes_service.last_valid_day(expires_at, zone)
    return f"{day:%b} {day.day}, {day.year}" if day else ""


@dataclasses.dataclass(frozen=True)
class QuoteRow:
    id: str
    number: str
    title: str
    customer_id: str
    customer: str
    status: str
    status_label: str
    total: str
    created: str
    expires: str


def quote_rows(db: Session, *, tenant_id: str, status: str | None = None, limit: int = 200) -> list[QuoteRow]:
    """Returns the quote list, newest first; `status` filters on the displayed status."""
    now = utcnow()
    zone = tenant_zone(db, tenant_id=tenant_id)
    stored_status = None
    if status in (QuoteStatus.DRAFT.value, QuoteStatus.APPROVED.value, QuoteStatus.DECLINED.value,
                  QuoteStatus.CANCELLED.value):
        stored_status = status
    quotes = quotes_service.list_quotes(db, tenant_id=tenant_id, status=stored_status, limit=limit)
    names = _customer_names(db, tenant_id=tenant_id, customer_ids=[q.customer_id for q in quotes])
    rows = []
    for q in quotes:
        shown = display_status(q, now)
        if status and shown != status:
            continue
        rows.append(QuoteRow(
            id=q.id, number=q.number, title=q.title, customer_id=q.customer_id,
            customer=names.get(q.customer_id, ""), status=shown, status_label=STATUS_LABELS.get(shown, shown),
            total=format_cents(q.total_cents), created=_day(q.created_at, zone), expires=_last_day(q.expires_at, zone),
        ))
    return rows


def _customer_names(db: Session, *, tenant_id: str, customer_ids: list[str]) -> dict[str, str]:
    ids = list(set(customer_ids))
    if not ids:
        return {}
    return {
        c.id: c.name or display_phone(c.phone) or c.email
        for c in db.exec(select(Customer).where(Customer.tenant_id == tenant_id, col(Customer.id).in_(ids))).all()
    }


# ---- editor catalogue -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OptionView:
    value: str
    label: str


@dataclasses.dataclass(frozen=True)
class ServiceAttributeView:
    key: str
    label: str
    default_value: str
    options: list[OptionView]


@dataclasses.dataclass(frozen=True)
class ServiceChoice:
    id: str
    name: str
    price: str  # "$150–$200"
    attributes: list[ServiceAttributeView]
    addon_ids: list[str]


@dataclasses.dataclass(frozen=True)
class AddonChoice:
    id: str
    name: str
    price: str


@dataclasses.dataclass(frozen=True)
class QuoteCatalogue:
    services: list[ServiceChoice]
    addons: list[AddonChoice]
    default_tax: str  # percent text, e.g. "8.52"
    default_expires_on: str  # yyyy-mm-dd, 30 days from today in the tenant's zone


def quote_catalogue(db: Session, *, tenant_id: str) -> QuoteCatalogue:
    """Returns the active services (with the attributes that change their price and the
    add-ons offered with each) and add-ons, for the quote editor."""
    services = scheduling_service.list_services(db, tenant_id=tenant_id)
    addons = scheduling_service.list_addons(db, tenant_id=tenant_id)
    links = scheduling_service.addon_links(db, tenant_id=tenant_id)
    attributes = {a.id: a for a in scheduling_service.list_attributes(db, tenant_id=tenant_id)}
    used: dict[str, list[ServiceAttribute]] = {}
    for modifier in scheduling_service.get_modifiers(db, tenant_id=tenant_id):
        attribute = attributes.get(modifier.attribute_id)
        if attribute is not None and attribute not in used.setdefault(modifier.service_id, []):
            used[modifier.service_id].append(attribute)
    settings = scheduling_service.booking_settings_or_default(db, tenant_id=tenant_id)
    return QuoteCatalogue(
        services=[
            ServiceChoice(
                id=s.id, name=s.name, price=format_price_range(s.price_min_cents, s.price_max_cents),
                attributes=[
                    ServiceAttributeView(
                        a.key, a.label, a.default_value,
                        [OptionView(str(o["value"]), str(o.get("label") or o["value"])) for o in a.options or []],
                    )
                    for a in sorted(used.get(s.id, []), key=lambda a: (a.sort_order, a.key))
                ],
                addon_ids=[a.id for a in addons if not links.get(a.id) or s.id in links[a.id]],
            )
            for s in services
        ],
        addons=[AddonChoice(a.id, a.name, format_price_range(a.price_min_cents, a.price_max_cents)) for a in addons],
        default_tax=bps_input(settings.default_tax_rate_bps),
        default_expires_on=(utcnow().astimezone(tenant_zone(db, tenant_id=tenant_id)).date()
                            + dt.timedelta(days=DEFAULT_VALID_DAYS)).isoformat(),
    )


# ---- one quote for the editor ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CustomLineView:
    description: str
    quantity: str
    unit_price: str  # dollars text
    taxable: bool


@dataclasses.dataclass(frozen=True)
class QuoteDetail:
    id: str
    number: str
    status: str
    status_label: str
    editable: bool
    customer_id: str
    customer: str
    customer_phone: str
    title: str
    notes: str
    tax_rate: str  # percent text
    discount: str  # dollars text
    expires_on: str  # yyyy-mm-dd in the tenant's zone
    expires: str
    service_id: str
    service_price: str  # dollars text; "" = priced by the catalogue
    attributes: dict[str, str]
    addon_ids: list[str]
    custom_lines: list[CustomLineView]
    lines: list[dict[str, str]]  # description, quantity, unit, total (formatted)
    subtotal: str
    discount_total: str
    tax_label: str
    tax: str
    total: str
    sent: str
    approved: str
    appointment_id: str


def quote_detail(db: Session, *, tenant_id: str, quote_id: str) -> QuoteDetail:
    """Returns one quote for the editor; NotFound for a missing id or another tenant's."""
    quote = quotes_service.access_quote_by_id(db, tenant_id=tenant_id, quote_id=quote_id)
    lines = quotes_service.get_lines(db, tenant_id=tenant_id, quote_id=quote.id)
    zone = tenant_zone(db, tenant_id=tenant_id)
    customer = db.get(Customer, (tenant_id, quote.customer_id))
    service_line = next((line for line in lines if line.kind == LineKind.SERVICE.value), None)
    shown = display_status(quote, utcnow())
    service_price = ""
    addon_ids = [line.addon_id for line in lines if line.kind == LineKind.ADDON.value and line.addon_id]
    if service_line is not None:
        try:
            priced = pricing.quote_price(db, tenant_id=tenant_id, service_id=service_line.service_id,
                                         attributes=service_line.attributes)
            catalogue_price = sum(pl.max_cents for pl in priced.lines)
        except UserError:
            catalogue_price = None
        # A price equal to the catalogue's is left blank so it follows attribute changes.
        if catalogue_price != service_line.unit_price_cents:
            service_price = cents_input(service_line.unit_price_cents)
    expires_day = quotes_service.last_valid_day(quote.expires_at, zone)
    return QuoteDetail(
        id=quote.id, number=quote.number, status=shown, status_label=STATUS_LABELS.get(shown, shown),
        editable=quote.status == QuoteStatus.DRAFT.value, customer_id=quote.customer_id,
        customer=(customer.name or display_phone(customer.phone)) if customer else "",
        customer_phone=display_phone(customer.phone) if customer and customer.phone else "",
        title=quote.title, notes=quote.notes, tax_rate=bps_input(quote.tax_rate_bps),
        discount=cents_input(quote.discount_cents) if quote.discount_cents else "",
        expires_on=expires_day.isoformat() if expires_day else "",
        expires=f"{expires_day:%b} {expires_day.day}, {expires_day.year}" if expires_day else "",
        service_id=service_line.service_id if service_line else "",
        service_price=service_price,
        attributes=dict(service_line.attributes or {}) if service_line else {},
        addon_ids=addon_ids,
        custom_lines=[CustomLineView(line.description, str(line.quantity), cents_input(line.unit_price_cents),
                                     line.taxable)
                      for line in lines if line.kind == LineKind.CUSTOM.value],
        lines=[{"description": line.description, "quantity": str(line.quantity),
                "unit": format_cents(line.unit_price_cents), "total": format_cents(line.total_cents)}
               for line in lines],
        subtotal=format_cents(quote.subtotal_cents), discount_total=format_cents(quote.discount_cents),
        tax_label=f"Tax ({format_bps(quote.tax_rate_bps)})", tax=format_cents(quote.tax_cents),
        total=format_cents(quote.total_cents), sent=_day(quote.sent_at, zone), approved=_day(quote.approved_at, zone),
        appointment_id=quote.appointment_id or "",
    )

