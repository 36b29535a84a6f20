"""Display read models for the CRM pages: the customer list rows, the profile (contact,
household, assets, tags, stats and history tabs) and the asset attribute choices.

Everything here is scoped to the caller's tenant, returns display-ready values (formatted in
the tenant's zone, money as text) and never an ORM row. Ids of the tenant's own rows are
included so pages can link to them; tenant and user ids are not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlmodel import Session, col, select

from backend.customers import profile as customers_profile
from backend.customers import service as customers_service
from backend.customers.enums import AssetKind, SmsConsent
from backend.customers.models import Customer, CustomerTag
from backend.db.types import utcnow
from backend.invoices.money import format_cents
from backend.phones import display as display_phone
from backend.quotes import service as quotes_service
from backend.quotes.views import display_status as quote_display_status
from backend.scheduling import service as scheduling_service
from backend.scheduling.timeutil import tenant_zone

log = logging.getLogger(__name__)

CONSENT_LABELS = {
    SmsConsent.OPTED_IN.value: "Opted in",
    SmsConsent.OPTED_OUT.value: "Opted out (STOP)",
    SmsConsent.UNKNOWN.value: "Not asked yet",
}
ASSET_KIND_LABELS = {
    AssetKind.VEHICLE.value: "Vehicle",
    AssetKind.PET.value: "Pet",
    AssetKind.PROPERTY.value: "Property",
    AssetKind.OTHER.value: "Other",
}
STATUS_LABELS = {
    "pending": "Pending", "confirmed": "Confirmed", "en_route": "On the way", "in_progress": "In progress",
    "completed": "Completed", "cancelled": "Cancelled", "no_show": "No-show",
}


def day_label(value: dt.datetime | dt.date | None, zone) -> str:
    """Returns "Mar 3, 2026" in the tenant's zone ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(zone).date()
    return f"{value:%b} {value.day}, {value.year}"


def when_label(value: dt.datetime | None, zone) -> str:
    """Returns "Tue, Mar 3, 2026 · 9:30 AM" in the tenant's zone."""
    if value is None:
        return ""
    local = value.astimezone(zone)
    return f"{local:%a}, {local:%b} {local.day}, {local.year} · {local:%-I:%M %p}"


# ---- list -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CustomerRow:
    id: str
    name: str
    phone: str  # national format, e.g. (918) 555-0111
    email: str
    city: str
    last_job: str
    total_jobs: int
    lifetime_value: str
    tags: list[str]
    is_vip: bool


def tags_by_customer(db: Session, *, tenant_id: str, customer_ids: list[str]) -> dict[str, list[str]]:
    """Returns customer id → its tags (sorted), in one query."""
    if not customer_ids:
        return {}
    result: dict[str, list[str]] = {}
    for customer_id, tag in db.exec(
        select(CustomerTag.customer_id, CustomerTag.tag)
        .where(CustomerTag.tenant_id == tenant_id, col(CustomerTag.customer_id).in_(customer_ids))
        .order_by(CustomerTag.tag)
    ).all():
        result.setdefault(customer_id, []).append(tag)
    return result


def customer_rows(
    db: Session, *, tenant_id: str, query: str = "", tag: str | None = None, vip_only: bool = False, limit: int = 100
) -> list[CustomerRow]:
    """Returns the customer list rows matching a search (name, phone in any format, email,
    address, "tag:x"), an optional tag and the VIP filter, by name."""
    customers = customers_service.search_customers(
        db, tenant_id=tenant_id, query=query, tag=tag or None, limit=limit, vip_only=vip_only
    )
    zone = tenant_zone(db, tenant_id=tenant_id)
    tags = tags_by_customer(db, tenant_id=tenant_id, customer_ids=[c.id for c in customers])
    return [
        CustomerRow(
            id=c.id, name=c.name or display_phone(c.phone) or c.email or "(no name)",
            phone=display_phone(c.phone) if c.phone else "", email=c.email, city=c.city,
            last_job=day_label(c.last_job_at, zone), total_jobs=c.total_jobs,
            lifetime_value=format_cents(c.lifetime_value_cents), tags=tags.get(c.id, []), is_vip=c.is_vip,
        )
        for c in customers
    ]


def customer_choices(db: Session, *, tenant_id: str, query: str = "", limit: int = 12) -> list[dict[str, str]]:
    """Returns {id, label} options for a customer picker (name · phone)."""
    rows = customers_service.search_customers(db, tenant_id=tenant_id, query=query, limit=limit)
    return [{"id": c.id, "label": " · ".join(p for p in (c.name, display_phone(c.phone) if c.phone else "") if p)
             or c.email} for c in rows]


# ---- profile --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PhoneView:
    number: str  # national format
    e164: str
    label: str
    primary: bool


@dataclasses.dataclass(frozen=True)
class AssetAttributeView:
    key: str
    label: str
    value: str
    value_label: str


@dataclasses.dataclass(frozen=True)
class AssetView:
    id: str
    kind: str
    kind_label: str
    label: str
    attributes: list[AssetAttributeView]
    summary: str
    notes: str


@dataclasses.dataclass(frozen=True)
class HouseholdMember:
    id: str
    name: str
    phone: str


@dataclasses.dataclass(frozen=True)
class AppointmentItem:
    id: str
    when: str
    service: str
    technician: str
    status: str
    status_label: str
    price: str
    upcoming: bool


@dataclasses.dataclass(frozen=True)
class InvoiceItem:
    id: str
    number: str
    date: str
    status: str
    total: str
    balance: str


@dataclasses.dataclass(frozen=True)
class QuoteItem:
    id: str
    number: str
    title: str
    date: str
    status: str
    total: str
    expires: str


@dataclasses.dataclass(frozen=True)
class MessageItem:
    direction: str  # "in" | "out"
    body: str
    at: str
    who: str
    status_label: str


@dataclasses.dataclass(frozen=True)
class ProfileView:
    id: str
    name: str
    email: str
    phones: list[PhoneView]
    primary_phone: str
    address: str
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    source: str
    notes: str
    is_vip: bool
    sms_consent: str
    sms_consent_label: str
    household: list[HouseholdMember]
    assets: list[AssetView]
    tags: list[str]
    first_job: str
    last_job: str
    total_jobs: int
    lifetime_value: str
    open_balance: str
    customer_since: str
    appointments: list[AppointmentItem]
    invoices: list[InvoiceItem]
    quotes: list[QuoteItem]
    messages: list[MessageItem]


@dataclasses.dataclass(frozen=True)
class AttributeOption:
    value: str
    label: str


@dataclasses.dataclass(frozen=True)
class AttributeChoice:
    """A priced attribute an asset of `kind` can carry (e.g. vehicle_size for vehicles)."""

    kind: str
    key: str
    label: str
    options: list[AttributeOption]


def attribute_choices(db: Session, *, tenant_id: str) -> list[AttributeChoice]:
    """Returns the tenant's priced attributes with their options, for the asset editor."""
    return [
        AttributeChoice(
            kind=a.asset_kind, key=a.key, label=a.label,
            options=[AttributeOption(str(o.get("value", "")), str(o.get("label") or o.get("value", "")))
                     for o in (a.options or []) if o.get("value")],
        )
        for a in scheduling_service.list_attributes(db, tenant_id=tenant_id)
    ]


def _asset_view(asset, choices: dict[str, AttributeChoice]) -> AssetView:
    attributes = []
    for key, value in sorted((asset.attributes or {}).items()):
        choice = choices.get(key)
        label = choice.label if choice else key.replace("_", " ").capitalize()
        value_label = next((o.label for o in choice.options if o.value == value), value) if choice else value
        attributes.append(AssetAttributeView(key, label, str(value), str(value_label)))
    return AssetView(
        id=asset.id, kind=asset.kind, kind_label=ASSET_KIND_LABELS.get(asset.kind, asset.kind.title()),
        label=asset.label or ASSET_KIND_LABELS.get(asset.kind, "Asset"), attributes=attributes,
        summary=", ".join(f"{a.label}: {a.value_label}" for a in attributes), notes=asset.notes,
    )


def customer_messages(db: Session, *, tenant_id: str, customer_id: str, limit: int = 50) -> list[MessageItem]:
    """Returns the customer's latest texts (both directions) from the messaging area, oldest
    first; empty when the customer has no conversation."""
    from backend.messaging import inbox
    from backend.messaging.models import Conversation

    zone = tenant_zone(db, tenant_id=tenant_id)
    conversation_ids = db.exec(
        select(Conversation.id).where(Conversation.tenant_id == tenant_id, Conversation.customer_id == customer_id)
    ).all()
    messages = []
    for conversation_id in conversation_ids:
        messages.extend(inbox.get_thread(db, tenant_id=tenant_id, conversation_id=conversation_id,
                                         limit=limit).messages)
    messages.sort(key=lambda m: m.at)
    return [
        MessageItem(direction=m.direction, body=m.body or ("📷 Picture" if m.media else ""),
                    at=when_label(m.at, zone), who=m.sender_name, status_label=m.status_label)
        for m in messages[-limit:]
    ]


def customer_profile(db: Session, *, tenant_id: str, customer_id: str) -> ProfileView:
    """Returns the profile page model; NotFound for a missing id or another tenant's."""
    profile = customers_profile.get_customer_profile(db, tenant_id=tenant_id, customer_id=customer_id)
    customer: Customer = profile.customer
    zone = tenant_zone(db, tenant_id=tenant_id)
    now = utcnow()
    choices = {c.key: c for c in attribute_choices(db, tenant_id=tenant_id)}
    consent = customer.sms_consent
    if customer.phone:
        # The messaging consent ledger (STOP/START per number) is what sends obey.
        from backend.messaging import service as messaging_service

        ledger = messaging_service.get_consent(db, tenant_id=tenant_id, phone_e164=customer.phone)
        if ledger is not None and ledger.state in CONSENT_LABELS:
            consent = ledger.state

    def appointment_item(summary: customers_profile.AppointmentSummary, upcoming: bool) -> AppointmentItem:
        a = summary.appointment
        if a.price_charged_cents is not None:
            price = format_cents(a.price_charged_cents)
        elif a.price_quoted_min_cents == a.price_quoted_max_cents:
            price = format_cents(a.price_quoted_min_cents)
        else:
            price = f"{format_cents(a.price_quoted_min_cents)}–{format_cents(a.price_quoted_max_cents)}"
        return AppointmentItem(
            id=a.id, when=when_label(a.start_at, zone), service=summary.service_name,
            technician=summary.technician_name or "Unassigned", status=a.status,
            status_label=STATUS_LABELS.get(a.status, a.status.replace("_", " ").capitalize()), price=price,
            upcoming=upcoming,
        )

    address = ", ".join(p for p in (customer.address_line1, customer.address_line2, customer.city,
                                    " ".join(p for p in (customer.region, customer.postal_code) if p)) if p)
    # A customer imported with their history was a customer before their record was created.
    since = min(customer.created_at, customer.first_job_at or customer.created_at)
    return ProfileView(
        id=customer.id, name=customer.name or display_phone(customer.phone) or customer.email or "(no name)",
        email=customer.email,
        phones=[PhoneView(display_phone(p.phone_e164), p.phone_e164, p.label, p.phone_e164 == customer.phone)
                for p in profile.phones],
        primary_phone=display_phone(customer.phone) if customer.phone else "",
        address=address, address_line1=customer.address_line1, address_line2=customer.address_line2,
        city=customer.city, region=customer.region, postal_code=customer.postal_code,
        source=customer.source, notes=customer.notes, is_vip=customer.is_vip,
        sms_consent=consent, sms_consent_label=CONSENT_LABELS.get(consent, consent),
        household=[HouseholdMember(m.id, m.name or display_phone(m.phone), display_phone(m.phone) if m.phone else "")
                   for m in profile.household],
        assets=[_asset_view(a, choices) for a in profile.assets],
        tags=profile.tags,
        first_job=day_label(customer.first_job_at, zone), last_job=day_label(customer.last_job_at, zone),
        total_jobs=customer.total_jobs, lifetime_value=format_cents(customer.lifetime_value_cents),
        open_balance=format_cents(profile.open_balance_cents), customer_since=day_label(since, zone),
        appointments=[appointment_item(s, True) for s in profile.upcoming]
        + [appointment_item(s, False) for s in profile.history],
        invoices=[InvoiceItem(i.id, i.number, day_label(i.created_at, zone), i.status, format_cents(i.total_cents),
                              format_cents(i.balance_cents if i.status != "void" else 0)) for i in profile.invoices],
        quotes=[QuoteItem(q.id, q.number, q.title, day_label(q.created_at, zone), quote_display_status(q, now),
                          format_cents(q.total_cents),
                          day_label(quotes_service.last_valid_day(q.expires_at, zone), zone)) for q in profile.quotes],
        messages=customer_messages(db, tenant_id=tenant_id, customer_id=customer.id),
    )
