"""The public quote approval page (/q/<token>): no session. The business (tenant) comes only
from the token in the page URL, resolved by backend.quotes.actions (which opens that tenant's
session and matches the token's hash); nothing else the browser sends names a tenant or a row.

What the page may show is exactly `PublicQuote` (business branding, the quote's lines and
totals, expiry, the customer's first name) and the open start times — never technician ids,
other quotes or other tokens. The customer picks one of the offered times; a time that was
just taken gets a clear message and a fresh list.
"""

from __future__ import annotations

import datetime as dt
import logging

import reflex as rx

from backend.errors import Conflict, UserError
from backend.invoices.money import format_cents
from backend.quotes import actions as quotes_actions
from backend.quotes.actions import INVALID_LINK
from backend.scheduling.actions import SlotTaken
from backend.scheduling.timeutil import format_day, format_time, zone
from backend.scheduling.tokens import parse_public_token
from backend.tenancy import views as tenancy_views
from backend.tenancy.features import has_feature
from state.session import Access, requires, run_blocking

log = logging.getLogger(__name__)

DAYS_AHEAD = 14
_PREFIX = "/q/"


def _token_from_path(path: str) -> str:
    path = (path or "").rstrip("/")
    if not path.startswith(_PREFIX):
        return ""
    token = path[len(_PREFIX):]
    return token if parse_public_token(token) else ""


def _feature_on(token: str) -> bool:
    parsed = parse_public_token(token)
    if parsed is None:
        return False
    try:
        return has_feature(tenancy_views.tenant_view(tenant_id=parsed[0]), "quotes_invoices")
    except UserError:
        return False


def _load(token: str) -> tuple[quotes_actions.PublicQuote, list]:
    if not _feature_on(token):
        raise UserError(INVALID_LINK)
    quote = quotes_actions.get_public_quote(token)
    slots = []
    if quote.can_approve:
        today = dt.datetime.now(zone(quote.timezone)).date()
        try:
            slots = quotes_actions.public_quote_slots(token, start_date=today,
                                                      end_date=today + dt.timedelta(days=DAYS_AHEAD - 1))
        except Conflict:
            slots = []
    return quote, slots


@requires(Access.PUBLIC)
class PublicQuoteState(rx.State):
    """A customer looking at a quote link: see it, pick a time, approve (or decline)."""

    _token: str = ""
    _starts: dict[str, str] = {}  # offered slot key → ISO start (tenant zone)

    loaded: bool = False
    problem: str = ""

    business_name: str = ""
    brand_color: str = "#2563eb"
    logo_url: str = ""
    number: str = ""
    title: str = ""
    first_name: str = ""
    status: str = ""
    lines: list[dict[str, str]] = []
    subtotal: str = ""
    discount: str = ""
    has_discount: bool = False
    tax_label: str = ""
    tax: str = ""
    total: str = ""
    expires: str = ""
    service_name: str = ""
    duration: str = ""
    can_approve: bool = False
    no_service: bool = False
    zone_note: str = ""

    days: list[dict[str, str]] = []
    slots_by_day: dict[str, list[dict[str, str]]] = {}
    selected_day: str = ""
    selected_slot: str = ""
    slot_error: str = ""
    working: bool = False

    approved: bool = False
    booked_label: str = ""
    declined: bool = False

    @rx.var
    def day_slots(self) -> list[dict[str, str]]:
        return self.slots_by_day.get(self.selected_day, [])

    @rx.var
    def selected_label(self) -> str:
        for slot in self.slots_by_day.get(self.selected_day, []):
            if slot["key"] == self.selected_slot:
                return f"{slot['day']} at {slot['label']}"
        return ""

    def _show(self, quote: quotes_actions.PublicQuote, slots: list) -> None:
        self.business_name, self.brand_color, self.logo_url = quote.business_name, quote.brand_color, quote.logo_url
        self.number, self.title, self.first_name, self.status = quote.number, quote.title, quote.customer_first_name, \
            quote.status
        self.lines = [{"description": line.description, "quantity": str(line.quantity),
                       "unit": format_cents(line.unit_price_cents), "total": format_cents(line.total_cents)}
                      for line in quote.lines]
        self.subtotal, self.discount = format_cents(quote.subtotal_cents), format_cents(quote.discount_cents)
        self.has_discount = quote.discount_cents > 0
        whole, frac = divmod(quote.tax_rate_bps, 100)
        rate = f"{whole}" if not frac else f"{whole}.{frac:02d}".rstrip("0")
        self.tax_label = f"Tax ({rate}%)"
        self.tax, self.total = format_cents(quote.tax_cents), format_cents(quote.total_cents)
        expires = quote.expires_at
        if expires is not None and expires.time() == dt.time(0, 0):
            expires -= dt.timedelta(minutes=1)  # stored as the end of the last day
        self.expires = f"{format_day(expires)}, {expires.year}" if expires else ""
        self.service_name = quote.service_name or ""
        self.duration = _duration(quote.duration_minutes)
        self.can_approve = quote.can_approve
        now_there = dt.datetime.now(zone(quote.timezone))
        self.zone_note = f"Times are {quote.business_name}'s local time ({now_there:%Z})."
        self.no_service = quote.status == "sent" and not quote.service_name
        self.approved = quote.status == "approved"
        self.declined = quote.status == "declined"
        self.booked_label = (f"{format_day(quote.booked_start)} at {format_time(quote.booked_start)}"
                             if quote.booked_start else "")
        if quote.status == "expired":
            self.problem = f"This quote expired on {self.expires}. Please contact {quote.business_name} for an " \
                           "updated quote."
        elif quote.status in ("cancelled",):
            self.problem = "This quote was withdrawn by the business. Please contact them for a new one."
        else:
            self.problem = ""
        self._set_slots(slots)

    def _set_slots(self, slots: list) -> None:
        starts: dict[str, str] = {}
        by_day: dict[str, list[dict[str, str]]] = {}
        days: list[dict[str, str]] = []
        for slot in slots:
            key = slot.start.isoformat()
            day_key = slot.start.date().isoformat()
            if day_key not in by_day:
                by_day[day_key] = []
                days.append({"key": day_key, "weekday": f"{slot.start:%a}", "label": f"{slot.start:%b} {slot.start.day}"})
            starts[key] = key
            by_day[day_key].append({"key": key, "label": format_time(slot.start), "day": format_day(slot.start)})
        self._starts, self.slots_by_day, self.days = starts, by_day, days
        if self.selected_day not in by_day:
            self.selected_day = days[0]["key"] if days else ""
        if self.selected_slot not in starts:
            self.selected_slot = ""

    def _reset_quote(self, problem: str) -> None:
        self.loaded, self.problem = True, problem
        self.lines, self.days, self.slots_by_day, self._starts = [], [], {}, {}
        self.brand_color, self.logo_url = "#64748b", ""
        self.number = self.title = self.business_name = self.first_name = self.status = ""
        self.can_approve = self.approved = self.declined = self.no_service = False

    @rx.event
    async def load(self):
        self._token = _token_from_path(str(self.router.url.path or ""))
        self.slot_error, self.selected_slot, self.working = "", "", False
        if not self._token:
            self._reset_quote(INVALID_LINK)
            return
        try:
            quote, slots = await run_blocking(_load, self._token)
        except UserError as exc:
            self._reset_quote(str(exc))
            return
        self._show(quote, slots)
        self.loaded = True

    @rx.event
    def choose_day(self, day: str):
        if isinstance(day, str) and day in self.slots_by_day:
            self.selected_day = day
            self.selected_slot = ""
            self.slot_error = ""

    @rx.event
    def choose_slot(self, key: str):
        if isinstance(key, str) and key in self._starts:
            self.selected_slot = key
            self.slot_error = ""

    @rx.event
    async def approve(self):
        if not self._token or not self.can_approve or self.working:
            return
        if self.selected_slot not in self._starts:
            self.slot_error = "Choose a time first."
            return
        start = dt.datetime.fromisoformat(self._starts[self.selected_slot])
        self.working = True
        yield
        try:
            await run_blocking(quotes_actions.approve_quote_with_slot, self._token, start=start)
        except SlotTaken:
            self.working = False
            self.slot_error = "Sorry — that time was just taken. Please choose another time."
            try:
                _, slots = await run_blocking(_load, self._token)
            except UserError:
                slots = []
            self._set_slots(slots)
            return
        except UserError as exc:
            self.working = False
            self.slot_error = str(exc)
            try:
                quote, slots = await run_blocking(_load, self._token)
                self._show(quote, slots)
            except UserError as again:
                self._reset_quote(str(again))
            return
        self.working = False
        await self._refresh()

    async def _refresh(self) -> None:
        try:
            quote, slots = await run_blocking(_load, self._token)
        except UserError as exc:
            self._reset_quote(str(exc))
            return
        self._show(quote, slots)

    @rx.event
    async def decline(self):
        if not self._token or not self.can_approve or self.working:
            return
        try:
            await run_blocking(quotes_actions.decline_quote, self._token, reason="declined on the quote page")
        except UserError as exc:
            self.slot_error = str(exc)
            return
        await self._refresh()


def _duration(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"about {rest} min"
    return f"about {hours} h" + (f" {rest} min" if rest else "")
