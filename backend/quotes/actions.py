"""Quote actions: create (lines priced through backend.scheduling.pricing unless staff set a
price), send (mints the public approval link), and the public side: look a quote up by its token,
list bookable slots, approve with a slot (books the appointment in the same transaction) or
decline.

Public functions take the raw token and open the session of the tenant named in it; the
token's hash must match a quote of that tenant, so nothing is read across tenants.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import delete
from sqlmodel import Session

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.config import get_settings
from backend.customers import service as customers_service
from backend.db.session import tenant_session
from backend.db.locks import lock_rows
from backend.db.types import utcnow
from backend.errors import Conflict, NotFound, UserError
from backend.invoices.numbering import insert_numbered
from backend.invoices.totals import MAX_TAX_RATE_BPS, LineAmount, compute_totals
from backend.quotes import service as quotes_service
from backend.quotes.enums import LineKind, QuoteStatus
from backend.quotes.models import Quote, QuoteLine
from backend.scheduling import actions as scheduling_actions
from backend.scheduling import availability, pricing
from backend.scheduling import service as scheduling_service
from backend.scheduling.enums import AppointmentSource, AppointmentStatus
from backend.scheduling.models import Appointment
from backend.scheduling.timeutil import format_money, local_instant, tenant_zone
from backend.scheduling.tokens import new_public_token, parse_public_token
from backend.tenancy import service as tenancy_service
from backend.tenancy.models import Tenant

INVALID_LINK = "This quote link is not valid. Please contact the business for a new one."


class QuoteLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: LineKind
    service_id: str | None = None
    addon_id: str | None = None
    description: str = Field(default="", max_length=300)
    quantity: int = Field(default=1, ge=1, le=1000)
    # None: the price comes from the pricing engine (the top of the service's range).
    unit_price_cents: int | None = Field(default=None, ge=0, le=100_000_000)
    taxable: bool = True
    attributes: dict[str, str] = {}

    @model_validator(mode="after")
    def _shape(self):
        if self.kind == LineKind.SERVICE and not self.service_id:
            raise ValueError("A service line needs a service.")
        if self.kind == LineKind.ADDON and not self.addon_id:
            raise ValueError("An add-on line needs an add-on.")
        if self.kind == LineKind.CUSTOM and (not self.description.strip() or self.unit_price_cents is None):
            raise ValueError("A custom line needs a description and a price.")
        return self


class QuoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str
    title: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=4000)
    tax_rate_bps: int | None = Field(default=None, ge=0, le=MAX_TAX_RATE_BPS)
    discount_cents: int = Field(default=0, ge=0, le=100_000_000)
    valid_days: int = Field(default=30, ge=1, le=365)
    # A chosen last day (tenant's calendar); overrides valid_days. The quote expires at the end of it.
    expires_on: dt.date | None = None
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=50)

    @field_validator("title", "notes")
    @classmethod
    def _trim(cls, v: str) -> str:
        return v.strip()

    @model_validator(mode="after")
    def _one_service(self):
        if sum(1 for line in self.lines if line.kind == LineKind.SERVICE) > 1:
            raise ValueError("A quote can include one service; add add-ons or custom lines for the rest.")
        return self


def _default_tax(db: Session, tenant_id: str) -> int:
    return scheduling_service.booking_settings_or_default(db, tenant_id=tenant_id).default_tax_rate_bps


def _build_lines(db: Session, *, tenant_id: str, lines_in: list[QuoteLineIn]) -> list[QuoteLine]:
    service_line = next((line for line in lines_in if line.kind == LineKind.SERVICE), None)
    addon_ids = [line.addon_id for line in lines_in if line.kind == LineKind.ADDON]
    quote = None
    if service_line is not None:
        # Validates the service, its attributes and that the add-ons go with it.
        quote = pricing.quote_price(db, tenant_id=tenant_id, service_id=service_line.service_id,
                                    addon_ids=addon_ids, attributes=service_line.attributes)
    built = []
    for order, line in enumerate(lines_in):
        description = " ".join(line.description.split())
        attributes: dict = {}
        service_id = addon_id = None
        if line.kind == LineKind.SERVICE:
            service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=line.service_id)
            service_id = service.id
            service_lines = [pl for pl in quote.lines if pl.kind in ("service", "modifier")]
            price = line.unit_price_cents
            if price is None:
                price = sum(pl.max_cents for pl in service_lines)
            if not description:
                extras = [pl.label.split(": ", 1)[-1] for pl in service_lines if pl.kind == "modifier"]
                description = service.name + (f" ({', '.join(extras)})" if extras else "")
            attributes = quote.attributes
        elif line.kind == LineKind.ADDON:
            addon = scheduling_service.access_addon_by_id(db, tenant_id=tenant_id, addon_id=line.addon_id)
            if not addon.active:
                raise UserError(f"The add-on {addon.name} is not currently offered.")
            addon_id = addon.id
            price = line.unit_price_cents if line.unit_price_cents is not None else addon.price_max_cents
            description = description or addon.name
        else:
            price = line.unit_price_cents
        built.append(QuoteLine(
            tenant_id=tenant_id, kind=line.kind.value, service_id=service_id, addon_id=addon_id,
            description=description[:300], quantity=line.quantity, unit_price_cents=price,
            total_cents=price * line.quantity, taxable=line.taxable, attributes=attributes, sort_order=order,
        ))
    return built


def _apply_totals(quote: Quote, lines: list[QuoteLine]) -> None:
    try:
        totals = compute_totals(
            [LineAmount(line.quantity, line.unit_price_cents, line.taxable) for line in lines],
            tax_rate_bps=quote.tax_rate_bps, discount_cents=quote.discount_cents,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    quote.subtotal_cents = totals.subtotal_cents
    quote.discount_cents = totals.discount_cents
    quote.tax_cents = totals.tax_cents
    quote.total_cents = totals.total_cents


def _expires_at(db: Session, *, tenant_id: str, quote_in: QuoteCreate, now: dt.datetime) -> dt.datetime:
    """Returns the end of the quote's last valid day in the tenant's zone: "valid 30 days" and a
    chosen last day both hold until midnight, so a customer opening the link on the last day
    shown ("expires Dec 21") can still approve it."""
    zone = tenant_zone(db, tenant_id=tenant_id)
    today = now.astimezone(zone).date()
    if quote_in.expires_on is None:
        return local_instant(today + dt.timedelta(days=quote_in.valid_days), 1440, zone).astimezone(dt.timezone.utc)
    if quote_in.expires_on < today:
        raise UserError("The expiry date is in the past; choose today or a later day.")
    if quote_in.expires_on > today + dt.timedelta(days=365):
        raise UserError("A quote can stay open for at most a year.")
    return local_instant(quote_in.expires_on, 1440, zone).astimezone(dt.timezone.utc)


def create_quote(
    db: Session, *, tenant_id: str, quote_in: QuoteCreate, acting_user: StaffContext | None, now: dt.datetime | None = None
) -> Quote:
    """Creates a draft quote with priced lines and totals (integer cents)."""
    now = now or utcnow()
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=quote_in.customer_id)
    lines = _build_lines(db, tenant_id=tenant_id, lines_in=quote_in.lines)
    quote = Quote(
        tenant_id=tenant_id, customer_id=customer.id, title=quote_in.title, notes=quote_in.notes,
        tax_rate_bps=quote_in.tax_rate_bps if quote_in.tax_rate_bps is not None else _default_tax(db, tenant_id),
        discount_cents=quote_in.discount_cents, expires_at=_expires_at(db, tenant_id=tenant_id, quote_in=quote_in,
                                                                       now=now),
        created_by_user_id=acting_user.user_id if acting_user else None,
    )
    _apply_totals(quote, lines)
    insert_numbered(db, quote, prefix="Q")
    for line in lines:
        line.quote_id = quote.id
        db.add(line)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="quote.created", target_type="quotes",
                 target_id=quote.id, summary=f"Quote {quote.number} for {customer.name or customer.phone}: "
                                             f"{format_money(quote.total_cents)}")
    return quote


def update_draft_quote(
    db: Session,
    *,
    tenant_id: str,
    quote_id: str,
    quote_in: QuoteCreate,
    acting_user: StaffContext | None,
    now: dt.datetime | None = None,
) -> Quote:
    """Replaces a draft quote's customer, lines, tax, discount, expiry, title and notes and
    recomputes its totals. Sent, approved or closed quotes cannot be edited."""
    now = now or utcnow()
    quote = quotes_service.access_quote_by_id(db, tenant_id=tenant_id, quote_id=quote_id)
    if quote.status != QuoteStatus.DRAFT.value:
        raise Conflict(f"Quote {quote.number} is {quote.status}; only drafts can be edited.")
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=quote_in.customer_id)
    lines = _build_lines(db, tenant_id=tenant_id, lines_in=quote_in.lines)
    quote.customer_id = customer.id
    quote.title = quote_in.title
    quote.notes = quote_in.notes
    quote.tax_rate_bps = quote_in.tax_rate_bps if quote_in.tax_rate_bps is not None else _default_tax(db, tenant_id)
    quote.discount_cents = quote_in.discount_cents
    quote.expires_at = _expires_at(db, tenant_id=tenant_id, quote_in=quote_in, now=now)
    _apply_totals(quote, lines)
    db.execute(delete(QuoteLine).where(QuoteLine.tenant_id == tenant_id, QuoteLine.quote_id == quote.id))
    for line in lines:
        line.quote_id = quote.id
        db.add(line)
    quote.updated_at = now
    db.add(quote)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="quote.updated", target_type="quotes",
                 target_id=quote.id, summary=f"Edited quote {quote.number}: {format_money(quote.total_cents)}")
    return quote


@dataclasses.dataclass(frozen=True)
class QuotePreview:
    """What a quote would contain, priced exactly as create_quote would price it (nothing saved)."""

    lines: tuple[PublicQuoteLine, ...]
    subtotal_cents: int
    discount_cents: int
    tax_rate_bps: int
    tax_cents: int
    total_cents: int


def preview_quote(db: Session, *, tenant_id: str, quote_in: QuoteCreate) -> QuotePreview:
    """Returns the priced lines and totals for a quote being edited, without writing anything
    (the customer may still be blank while the quote is being put together)."""
    if quote_in.customer_id:
        customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=quote_in.customer_id)
    lines = _build_lines(db, tenant_id=tenant_id, lines_in=quote_in.lines)
    tax = quote_in.tax_rate_bps if quote_in.tax_rate_bps is not None else _default_tax(db, tenant_id)
    draft = Quote(tenant_id=tenant_id, number="", customer_id=quote_in.customer_id, tax_rate_bps=tax,
                  discount_cents=quote_in.discount_cents)
    _apply_totals(draft, lines)
    return QuotePreview(
        lines=tuple(PublicQuoteLine(line.description, line.quantity, line.unit_price_cents, line.total_cents)
                    for line in lines),
        subtotal_cents=draft.subtotal_cents, discount_cents=draft.discount_cents, tax_rate_bps=tax,
        tax_cents=draft.tax_cents, total_cents=draft.total_cents,
    )


def approval_url(token: str) -> str:
    """Returns the public page URL for a quote token (the page itself is built by the UI area)."""
    return f"{get_settings().servicepro_public_url.rstrip('/')}/q/{token}"


def send_quote(
    db: Session, *, tenant_id: str, quote_id: str, acting_user: StaffContext | None, now: dt.datetime | None = None
) -> tuple[Quote, str]:
    """Marks the quote sent and mints a fresh approval token (an older link stops working).
    Returns (quote, token); the caller texts/emails `approval_url(token)`."""
    now = now or utcnow()
    quote = quotes_service.access_quote_by_id(db, tenant_id=tenant_id, quote_id=quote_id)
    if quote.status not in (QuoteStatus.DRAFT.value, QuoteStatus.SENT.value):
        raise Conflict(f"Quote {quote.number} is {quote.status} and cannot be sent.")
    if quote.expires_at is not None and quote.expires_at <= now:
        raise Conflict(f"Quote {quote.number} has expired; create a new one.")
    token, token_hash = new_public_token(tenant_id)
    quote.token_hash = token_hash
    quote.status = QuoteStatus.SENT.value
    quote.sent_at = now
    quote.updated_at = now
    db.add(quote)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="quote.sent", target_type="quotes",
                 target_id=quote.id, summary=f"Sent quote {quote.number}")
    return quote, token


def text_quote_link(
    db: Session, *, tenant_id: str, quote_id: str, token: str, acting_user: StaffContext | None
) -> str:
    """Texts the quote's approval link to its customer's primary number through the messaging
    outbox (the offline provider stores it in the phone simulator). `token` must be the quote's
    current link. Returns the outbound message status ("pending", "simulated", "suppressed", ...)."""
    from backend.messaging import actions as messaging_actions
    from backend.messaging.enums import MessageKind
    from backend.scheduling.tokens import hash_token

    quote = quotes_service.access_quote_by_id(db, tenant_id=tenant_id, quote_id=quote_id)
    if quote.status != QuoteStatus.SENT.value or not isinstance(token, str) or quote.token_hash != hash_token(token):
        raise Conflict("Send the quote first to get its current link.")
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=quote.customer_id)
    if not customer.phone:
        raise UserError("This customer has no phone number; copy the link and send it another way.")
    config = tenancy_service.get_config(db, tenant_id=tenant_id)
    tenant = db.get(Tenant, tenant_id)
    business = (config.business_name if config else "") or (tenant.name if tenant else "")
    first = (customer.name.split() or [""])[0]
    greeting = f"Hi {first}, here" if first else "Here"
    body = f"{greeting}'s your quote {quote.number} from {business}: {approval_url(token)}"
    row = messaging_actions.send_sms(db, tenant_id=tenant_id, to=customer.phone, body=body,
                                     kind=MessageKind.TRANSACTIONAL.value, acting_user=acting_user)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="quote.link_texted", target_type="quotes",
                 target_id=quote.id, summary=f"Texted the link to quote {quote.number}")
    return row.status


def cancel_quote(db: Session, *, tenant_id: str, quote_id: str, acting_user: StaffContext | None) -> Quote:
    quote = quotes_service.access_quote_by_id(db, tenant_id=tenant_id, quote_id=quote_id)
    if quote.status in (QuoteStatus.APPROVED.value, QuoteStatus.CANCELLED.value):
        raise Conflict(f"Quote {quote.number} is already {quote.status}.")
    quote.status = QuoteStatus.CANCELLED.value
    quote.token_hash = None
    quote.updated_at = utcnow()
    db.add(quote)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="quote.cancelled", target_type="quotes",
                 target_id=quote.id, summary=f"Cancelled quote {quote.number}")
    return quote


# ---- public side ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PublicQuoteLine:
    description: str
    quantity: int
    unit_price_cents: int
    total_cents: int


@dataclasses.dataclass(frozen=True)
class PublicQuote:
    """What the public approval page may show (no ids other than what the token implies)."""

    business_name: str
    number: str
    title: str
    customer_first_name: str
    status: str
    lines: tuple[PublicQuoteLine, ...]
    subtotal_cents: int
    discount_cents: int
    tax_rate_bps: int
    tax_cents: int
    total_cents: int
    expires_at: dt.datetime | None  # tenant zone
    can_approve: bool
    service_name: str | None
    duration_minutes: int | None
    timezone: str
    # Branding of the business (shown on the public page).
    brand_color: str = "#2563eb"
    logo_url: str = ""
    # The booked visit, once approved (tenant zone).
    booked_start: dt.datetime | None = None


def _lock_by_token(db: Session, tenant_id: str, token_hash: str) -> Quote:
    """Returns the quote for a link, read under a row lock held until the transaction ends, so
    two approvals (or an approval and a decline) of one quote run one after the other and the
    second sees the first's outcome: one quote books one visit."""
    lock_rows(db, Quote, Quote.tenant_id == tenant_id, Quote.token_hash == token_hash)
    return _load_by_token(db, tenant_id, token_hash)


def _load_by_token(db: Session, tenant_id: str, token_hash: str) -> Quote:
    quote = quotes_service.get_by_token_hash(db, tenant_id=tenant_id, token_hash=token_hash)
    if quote is None:
        raise NotFound(INVALID_LINK)
    return quote


def _expire_if_due(db: Session, quote: Quote, now: dt.datetime) -> None:
    if quote.status == QuoteStatus.SENT.value and quote.expires_at is not None and quote.expires_at <= now:
        quote.status = QuoteStatus.EXPIRED.value
        quote.updated_at = now
        db.add(quote)
        db.flush()


def _booking_request(db: Session, *, tenant_id: str, quote: Quote):
    lines = quotes_service.get_lines(db, tenant_id=tenant_id, quote_id=quote.id)
    service_line = next((line for line in lines if line.kind == LineKind.SERVICE.value), None)
    addon_ids = [line.addon_id for line in lines if line.kind == LineKind.ADDON.value and line.addon_id]
    return lines, service_line, addon_ids


def get_public_quote(token: str, *, now: dt.datetime | None = None) -> PublicQuote:
    """Returns the quote behind a public token, or raises NotFound with a friendly message."""
    parsed = parse_public_token(token)
    if parsed is None:
        raise NotFound(INVALID_LINK)
    tenant_id, token_hash = parsed
    now = now or utcnow()
    with tenant_session(tenant_id) as db:
        quote = _load_by_token(db, tenant_id, token_hash)
        _expire_if_due(db, quote, now)
        lines, service_line, addon_ids = _booking_request(db, tenant_id=tenant_id, quote=quote)
        customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=quote.customer_id)
        config = tenancy_service.get_config(db, tenant_id=tenant_id)
        zone = tenant_zone(db, tenant_id=tenant_id)
        service_name = duration = None
        if service_line is not None:
            service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=service_line.service_id)
            service_name = service.name
            try:
                duration = pricing.quote_price(db, tenant_id=tenant_id, service_id=service.id, addon_ids=addon_ids,
                                               attributes=service_line.attributes).duration_minutes
            except UserError:
                duration = None
        tenant = db.get(Tenant, tenant_id)
        booked_start = None
        if quote.appointment_id:
            appointment = db.get(Appointment, (tenant_id, quote.appointment_id))
            # A visit the business cancelled since must not still be promised on the page.
            if appointment is not None and appointment.status not in (
                AppointmentStatus.CANCELLED.value, AppointmentStatus.NO_SHOW.value
            ):
                booked_start = appointment.start_at.astimezone(zone)
        return PublicQuote(
            business_name=(config.business_name if config else "") or (tenant.name if tenant else ""),
            number=quote.number,
            title=quote.title,
            customer_first_name=(customer.name.split() or [""])[0],
            status=quote.status,
            lines=tuple(
                PublicQuoteLine(line.description, line.quantity, line.unit_price_cents, line.total_cents)
                for line in lines
            ),
            subtotal_cents=quote.subtotal_cents,
            discount_cents=quote.discount_cents,
            tax_rate_bps=quote.tax_rate_bps,
            tax_cents=quote.tax_cents,
            total_cents=quote.total_cents,
            expires_at=quote.expires_at.astimezone(zone) if quote.expires_at else None,
            can_approve=quote.status == QuoteStatus.SENT.value and service_line is not None and duration is not None,
            service_name=service_name,
            duration_minutes=duration,
            timezone=zone.key,
            brand_color=tenant.brand_color if tenant else "#2563eb",
            logo_url=tenant.logo_url if tenant else "",
            booked_start=booked_start,
        )


def _check_open(quote: Quote, zone) -> None:
    if quote.status == QuoteStatus.EXPIRED.value:
        last_day = quotes_service.last_valid_day(quote.expires_at, zone)
        when = f"{last_day:%b} {last_day.day}, {last_day.year}" if last_day else "its expiry date"
        raise Conflict(f"This quote expired on {when}. Please contact us for an updated quote.")
    if quote.status == QuoteStatus.APPROVED.value:
        raise Conflict("This quote has already been approved — see you soon!")
    if quote.status != QuoteStatus.SENT.value:
        raise Conflict(f"This quote is {quote.status} and can no longer be approved.")


def public_quote_slots(
    token: str, *, start_date: dt.date, end_date: dt.date, now: dt.datetime | None = None
) -> list[availability.Slot]:
    """Returns the bookable slots for the quote's service (for the approval page's picker)."""
    parsed = parse_public_token(token)
    if parsed is None:
        raise NotFound(INVALID_LINK)
    tenant_id, token_hash = parsed
    now = now or utcnow()
    with tenant_session(tenant_id) as db:
        quote = _load_by_token(db, tenant_id, token_hash)
        _expire_if_due(db, quote, now)
        _check_open(quote, tenant_zone(db, tenant_id=tenant_id))
        _, service_line, addon_ids = _booking_request(db, tenant_id=tenant_id, quote=quote)
        if service_line is None:
            raise UserError("This quote has no service to schedule; we'll contact you to arrange it.")
        return availability.find_slots(
            db, tenant_id=tenant_id, service_ids=[service_line.service_id], addon_ids=addon_ids,
            attributes=service_line.attributes, start_date=start_date, end_date=end_date, now=now,
        )


def approve_quote_with_slot(
    token: str, *, start: dt.datetime, technician_id: str | None = None, now: dt.datetime | None = None
) -> Appointment:
    """Approves the quote and books its service at `start`, in one transaction: either both
    happen or neither. Raises SlotTaken (with alternatives) when the time was just taken."""
    parsed = parse_public_token(token)
    if parsed is None:
        raise NotFound(INVALID_LINK)
    tenant_id, token_hash = parsed
    now = now or utcnow()
    with tenant_session(tenant_id) as db:
        quote = _lock_by_token(db, tenant_id, token_hash)
        _expire_if_due(db, quote, now)
        zone = tenant_zone(db, tenant_id=tenant_id)
        try:
            _check_open(quote, zone)
        except Conflict:
            db.commit()  # keep the expiry stamp
            raise
        _, service_line, addon_ids = _booking_request(db, tenant_id=tenant_id, quote=quote)
        if service_line is None:
            raise UserError("This quote has no service to schedule; we'll contact you to arrange it.")
        pre_tax = quote.subtotal_cents - quote.discount_cents
        appointment = scheduling_actions.book_appointment(
            db, tenant_id=tenant_id, customer_id=quote.customer_id, service_id=service_line.service_id,
            start=start, addon_ids=addon_ids, attributes=service_line.attributes, technician_id=technician_id,
            source=AppointmentSource.QUOTE.value, notes=f"From quote {quote.number}", acting_user=None,
            price_quoted_cents=(pre_tax, pre_tax), now=now,
        )
        quote.status = QuoteStatus.APPROVED.value
        quote.approved_at = now
        quote.appointment_id = appointment.id
        quote.updated_at = now
        db.add(quote)
        audit.record(db, tenant_id=tenant_id, acting_user=None, action="quote.approved", target_type="quotes",
                     target_id=quote.id, summary=f"Customer approved quote {quote.number} and booked a time")
        db.flush()
        return appointment


def decline_quote(token: str, *, reason: str = "", now: dt.datetime | None = None) -> None:
    """Records the customer's "no thanks"."""
    parsed = parse_public_token(token)
    if parsed is None:
        raise NotFound(INVALID_LINK)
    tenant_id, token_hash = parsed
    now = now or utcnow()
    with tenant_session(tenant_id) as db:
        quote = _lock_by_token(db, tenant_id, token_hash)
        _expire_if_due(db, quote, now)
        _check_open(quote, tenant_zone(db, tenant_id=tenant_id))
        quote.status = QuoteStatus.DECLINED.value
        quote.declined_at = now
        quote.updated_at = now
        db.add(quote)
        audit.record(db, tenant_id=tenant_id, acting_user=None, action="quote.declined", target_type="quotes",
                     target_id=quote.id, summary=f"Customer declined quote {quote.number}",
                     detail={"reason": (reason or "")[:300]})
