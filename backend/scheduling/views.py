"""Read models for the staff scheduling pages: the calendar (day and week, per technician), the
booking form's choices, the appointment detail, the services editor and the team & hours page.

Everything here is display-ready (labels, local times in the tenant's zone, money strings) and
computed from the tenant's own rows: every id a caller passes goes through an `access_*`
helper first. All wall-clock math (where a block sits on the grid, which day an appointment is
on) goes through zoneinfo, so DST days come out right. Also the small parsers the pages need
(dollars → cents, "09:00–17:00" windows), kept here so the UI layer stays thin.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from backend.auth.models import Membership, User
from backend.customers import service as customers_service
from backend.db.types import utcnow
from backend.errors import UserError
from backend.phones import display as display_phone
from backend.scheduling import availability, pricing
from backend.scheduling import service as scheduling_service
from backend.scheduling.enums import OPEN_STATUSES, TRANSITIONS, AppointmentStatus
from backend.scheduling.hours import WEEKDAY_NAMES
from backend.scheduling.models import Appointment
from backend.scheduling.timeutil import (
    day_bounds_utc,
    format_day,
    format_money,
    format_price_range,
    format_time,
    hhmm_to_minute,
    local_instant,
    minutes_to_hhmm,
    tenant_zone,
)

STATUS_LABELS = {
    "requested": "Requested",
    "confirmed": "Confirmed",
    "in_progress": "In progress",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "no_show": "No-show",
}
# Button labels for each lifecycle move, in the order they are offered.
TRANSITION_LABELS = {
    "confirmed": "Confirm",
    "in_progress": "Start job",
    "completed": "Complete",
    "cancelled": "Cancel appointment",
    "no_show": "No-show",
}
UNASSIGNED = "unassigned"
DEFAULT_FIRST_MINUTE = 8 * 60
DEFAULT_LAST_MINUTE = 18 * 60
MAX_CALENDAR_DAYS = 7


# ---- small formatting and parsing helpers ---------------------------------------------------


def duration_label(minutes: int) -> str:
    """Returns '45 min', '2 h' or '1 h 30 min'."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


def time_range_label(start: dt.datetime, end: dt.datetime) -> str:
    return f"{format_time(start)} – {format_time(end)}"


def cents_to_dollars_text(cents: int | None) -> str:
    """Returns cents as an editable dollar amount: 12900 → '129', 4550 → '45.50'."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}{whole}" + (f".{part:02d}" if part else "")


_MONEY = re.compile(r"-?\d{1,9}(\.\d{1,2})?")


def parse_dollars(raw, *, field: str = "Price", allow_negative: bool = False, maximum_cents: int = 100_000_000) -> int:
    """Parses a dollar amount typed by a person ('129', '$1,299.50', '45.5') into exact integer
    cents (Decimal, no float rounding). Raises UserError naming `field` for anything else."""
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("$", "").replace(" ", "")
    if text.startswith("+"):
        text = text[1:]
    if not text or len(text) > 16 or not _MONEY.fullmatch(text):
        raise UserError(f"{field}: enter an amount in dollars, like 129 or 45.50.")
    try:
        cents = int((Decimal(text) * 100).to_integral_exact())
    except InvalidOperation:
        raise UserError(f"{field}: enter an amount in dollars, like 129 or 45.50.") from None
    if cents < 0 and not allow_negative:
        raise UserError(f"{field} can't be negative.")
    if abs(cents) > maximum_cents:
        raise UserError(f"{field} is too large.")
    return cents


def parse_int(raw, *, field: str, minimum: int, maximum: int) -> int:
    """Parses a whole number within [minimum, maximum] or raises UserError naming the field."""
    text = str(raw if raw is not None else "").strip()
    if not re.fullmatch(r"-?\d{1,7}", text):
        raise UserError(f"{field}: enter a whole number.")
    value = int(text)
    if not minimum <= value <= maximum:
        raise UserError(f"{field} must be between {minimum} and {maximum}.")
    return value


def parse_windows(raw: str, *, day_name: str = "") -> list[tuple[int, int]]:
    """Parses '08:00-17:00' or '8:00-12:00, 13:00-17:30' (dash or en dash) into minute windows;
    '' or 'closed' is no window. Raises UserError naming the day."""
    text = str(raw or "").strip().lower()
    prefix = f"{day_name}: " if day_name else ""
    if text in ("", "closed", "off", "-"):
        return []
    if len(text) > 120:
        raise UserError(f"{prefix}too many hours given.")
    windows = []
    for part in re.split(r"[,;]", text):
        part = part.strip()
        if not part:
            continue
        bits = re.split(r"\s*(?:-|–|—|to)\s*", part)
        if len(bits) != 2:
            raise UserError(f"{prefix}write hours like 08:00-17:00.")
        try:
            start, end = hhmm_to_minute(bits[0]), hhmm_to_minute(bits[1])
        except UserError:
            raise UserError(f"{prefix}write hours like 08:00-17:00.") from None
        if end <= start:
            raise UserError(f"{prefix}{bits[0]}–{bits[1]} must end after it starts.")
        windows.append((start, end))
    return sorted(windows)


def windows_text(windows: Iterable[tuple[int, int]]) -> str:
    """The inverse of parse_windows: '08:00-12:00, 13:00-17:00' ('' when closed)."""
    return ", ".join(f"{minutes_to_hhmm(s)}-{minutes_to_hhmm(e)}" for s, e in windows)


def parse_local_date(raw) -> dt.date:
    """Parses YYYY-MM-DD (what a date input sends) or raises UserError."""
    text = str(raw or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise UserError("Choose a date.")
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise UserError("Choose a valid date.") from None
    if not 2000 <= value.year <= 2100:
        raise UserError("Choose a date between 2000 and 2100.")
    return value


def local_datetime(db: Session, *, tenant_id: str, day: dt.date, hhmm: str) -> dt.datetime:
    """Returns the aware instant of a wall-clock time on a local day in the tenant's zone."""
    zone = tenant_zone(db, tenant_id=tenant_id)
    minute = hhmm_to_minute(hhmm)
    if minute >= 1440:
        raise UserError(f"{hhmm!r} is not a time like 09:00.")
    return local_instant(day, minute, zone)


def week_start(day: dt.date) -> dt.date:
    """Returns the Monday of the week containing `day`."""
    return day - dt.timedelta(days=day.weekday())


def today_in_zone(db: Session, *, tenant_id: str, now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(tenant_zone(db, tenant_id=tenant_id)).date()


# ---- calendar -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    label: str  # "Tue, Mar 10"
    is_today: bool
    closed: bool
    closed_reason: str


@dataclasses.dataclass(frozen=True)
class CalendarTechnician:
    id: str
    name: str
    color: str


@dataclasses.dataclass(frozen=True)
class CalendarEntry:
    """One appointment placed on the grid: local day, minutes after local midnight, and its lane
    among the appointments it overlaps in the same column."""

    id: str
    day: dt.date
    technician_id: str | None
    start_minute: int
    end_minute: int
    service: str
    customer: str
    status: str
    status_label: str
    color: str
    technician: str
    time_label: str
    price_label: str
    lane: int = 0
    lanes: int = 1


@dataclasses.dataclass(frozen=True)
class CalendarView:
    zone_name: str
    days: list[CalendarDay]
    technicians: list[CalendarTechnician]
    has_unassigned: bool
    entries: list[CalendarEntry]
    first_minute: int
    last_minute: int
    title: str  # "Tue, Mar 10, 2026" or "Mar 9 – 15, 2026"


def assign_lanes(items: Sequence[tuple[str, int, int]]) -> dict[str, tuple[int, int]]:
    """Lays out overlapping intervals side by side: for (id, start, end) returns id → (lane,
    lanes), where `lanes` is the width of the overlapping cluster the interval is in."""
    result: dict[str, tuple[int, int]] = {}
    cluster: list[tuple[str, int]] = []
    lane_ends: list[int] = []
    cluster_end = None

    def close_cluster():
        for item_id, lane in cluster:
            result[item_id] = (lane, len(lane_ends))

    for item_id, start, end in sorted(items, key=lambda i: (i[1], i[2], i[0])):
        if cluster_end is not None and start >= cluster_end:
            close_cluster()
            cluster, lane_ends, cluster_end = [], [], None
        lane = next((k for k, lane_end in enumerate(lane_ends) if lane_end <= start), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        cluster.append((item_id, lane))
        cluster_end = end if cluster_end is None else max(cluster_end, end)
    if cluster:
        close_cluster()
    return result


def _local_minutes(appointment: Appointment, day: dt.date, zone: ZoneInfo) -> tuple[int, int]:
    start = appointment.start_at.astimezone(zone)
    end = appointment.end_at.astimezone(zone)
    start_minute = start.hour * 60 + start.minute
    end_minute = 1440 if end.date() > day else end.hour * 60 + end.minute
    # A fall-back hour can make the wall-clock end precede the start; keep a visible block.
    return start_minute, max(end_minute, start_minute + 15)


def calendar_view(
    db: Session,
    *,
    tenant_id: str,
    start_day: dt.date,
    days: int = 1,
    technician_id: str | None = None,
    include_cancelled: bool = False,
    now: dt.datetime | None = None,
) -> CalendarView:
    """Returns the calendar for `days` local days from `start_day`: technician columns (active
    ones, plus inactive ones that still have appointments shown), an "unassigned" column when
    needed, and every appointment placed by local wall-clock time in the tenant's zone.
    `technician_id` (checked inside the tenant) limits it to one technician."""
    if not isinstance(start_day, dt.date) or isinstance(start_day, dt.datetime):
        raise UserError("Choose a date.")
    days = max(1, min(int(days), MAX_CALENDAR_DAYS))
    now = now or utcnow()
    zone = tenant_zone(db, tenant_id=tenant_id)
    today = now.astimezone(zone).date()
    day_list = [start_day + dt.timedelta(days=i) for i in range(days)]
    range_start = day_bounds_utc(day_list[0], zone)[0]
    range_end = day_bounds_utc(day_list[-1], zone)[1]

    only = None
    if technician_id:
        only = scheduling_service.access_technician_by_id(db, tenant_id=tenant_id, technician_id=technician_id)
    all_techs = scheduling_service.list_technicians(db, tenant_id=tenant_id, active_only=False)
    tech_by_id = {t.id: t for t in all_techs}
    appointments = scheduling_service.list_appointments(
        db, tenant_id=tenant_id, start=range_start, end=range_end,
        technician_id=only.id if only else None,
    )
    if not include_cancelled:
        appointments = [a for a in appointments
                        if a.status not in (AppointmentStatus.CANCELLED.value, AppointmentStatus.NO_SHOW.value)]
    if only is not None:
        technicians = [only]
    else:
        shown_ids = {a.technician_id for a in appointments if a.technician_id}
        technicians = [t for t in all_techs if t.active or t.id in shown_ids]

    services = {s.id: s.name for s in scheduling_service.list_services(db, tenant_id=tenant_id, active_only=False)}
    customer_ids = list({a.customer_id for a in appointments})
    customers = {}
    if customer_ids:
        from backend.customers.models import Customer

        for c in db.exec(select(Customer).where(Customer.tenant_id == tenant_id, Customer.id.in_(customer_ids))).all():
            customers[c.id] = c.name or display_phone(c.phone) or c.email or "Customer"

    hours = scheduling_service.get_business_hours(db, tenant_id=tenant_id)
    open_weekdays = {h.weekday for h in hours}
    closures = {c.day: c.name for c in scheduling_service.get_closures(db, tenant_id=tenant_id,
                                                                         start=day_list[0], end=day_list[-1])}
    shown_weekdays = {d.weekday() for d in day_list}
    relevant = [h for h in hours if h.weekday in shown_weekdays] or hours
    first = min((h.open_minute for h in relevant), default=DEFAULT_FIRST_MINUTE)
    last = max((h.close_minute for h in relevant), default=DEFAULT_LAST_MINUTE)

    raw_entries = []
    for a in appointments:
        day = a.start_at.astimezone(zone).date()
        start_minute, end_minute = _local_minutes(a, day, zone)
        first, last = min(first, start_minute), max(last, end_minute)
        tech = tech_by_id.get(a.technician_id or "")
        local_start, local_end = a.start_at.astimezone(zone), a.end_at.astimezone(zone)
        price = (format_money(a.price_charged_cents) if a.price_charged_cents is not None
                 else format_price_range(a.price_quoted_min_cents, a.price_quoted_max_cents))
        raw_entries.append(CalendarEntry(
            id=a.id, day=day, technician_id=a.technician_id, start_minute=start_minute, end_minute=end_minute,
            service=services.get(a.service_id, "Service"), customer=customers.get(a.customer_id, "Customer"),
            status=a.status, status_label=STATUS_LABELS.get(a.status, a.status),
            color=tech.color if tech else "#6b7280", technician=tech.name if tech else "Unassigned",
            time_label=time_range_label(local_start, local_end), price_label=price,
        ))
    first = max(0, (first // 60) * 60)
    last = min(1440, -(-last // 60) * 60)
    if last - first < 120:
        last = min(1440, first + 120)

    # Lanes: per technician column in a day view, per day in a week view.
    entries = []
    groups: dict[tuple, list[CalendarEntry]] = {}
    for entry in raw_entries:
        key = (entry.day, entry.technician_id or UNASSIGNED) if days == 1 else (entry.day,)
        groups.setdefault(key, []).append(entry)
    for group in groups.values():
        lanes = assign_lanes([(e.id, e.start_minute, e.end_minute) for e in group])
        for entry in group:
            lane, width = lanes[entry.id]
            entries.append(dataclasses.replace(entry, lane=lane, lanes=width))
    entries.sort(key=lambda e: (e.day, e.start_minute, e.technician, e.id))

    day_models = [
        CalendarDay(date=d, label=format_day(d), is_today=d == today,
                    closed=d in closures or d.weekday() not in open_weekdays,
                    closed_reason=closures.get(d, "Closed" if d.weekday() not in open_weekdays else ""))
        for d in day_list
    ]
    if days == 1:
        title = f"{format_day(day_list[0])}, {day_list[0].year}"
    else:
        a, b = day_list[0], day_list[-1]
        title = (f"{a:%b} {a.day} – {b.day}, {b.year}" if a.month == b.month
                 else f"{a:%b} {a.day} – {b:%b} {b.day}, {b.year}")
    return CalendarView(
        zone_name=zone.key,
        days=day_models,
        technicians=[CalendarTechnician(t.id, t.name, t.color) for t in technicians],
        has_unassigned=only is None and any(e.technician_id is None or e.technician_id not in
                                            {t.id for t in technicians} for e in entries),
        entries=entries,
        first_minute=first,
        last_minute=last,
        title=title,
    )


# ---- booking form choices -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Choice:
    value: str
    label: str
    hint: str = ""


@dataclasses.dataclass(frozen=True)
class AttributeChoice:
    key: str
    label: str
    default: str
    options: list[Choice]


@dataclasses.dataclass(frozen=True)
class ServiceChoices:
    """What the booking form offers once a service is picked."""

    addons: list[Choice]
    attributes: list[AttributeChoice]
    technicians: list[Choice]


def service_choices(db: Session, *, tenant_id: str, active_only: bool = True) -> list[Choice]:
    """Returns the tenant's services as choices with price range and duration."""
    return [
        Choice(s.id, s.name, f"{format_price_range(s.price_min_cents, s.price_max_cents)} · "
                             f"{duration_label(s.duration_minutes)}")
        for s in scheduling_service.list_services(db, tenant_id=tenant_id, active_only=active_only)
    ]


def attributes_for_service(db: Session, *, tenant_id: str, service_id: str) -> list[AttributeChoice]:
    """Returns the asset attributes that change this service's price or duration."""
    used = {m.attribute_id for m in scheduling_service.get_modifiers(db, tenant_id=tenant_id, service_ids=[service_id])}
    return [
        AttributeChoice(a.key, a.label, a.default_value,
                        [Choice(o["value"], o.get("label") or o["value"]) for o in a.options])
        for a in scheduling_service.list_attributes(db, tenant_id=tenant_id) if a.id in used
    ]


def booking_choices(db: Session, *, tenant_id: str, service_id: str) -> ServiceChoices:
    """Returns the add-ons offered with a service, the attributes that price it and the
    technicians who can do it. NotFound for a service that is not the tenant's."""
    service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=service_id)
    addons = [
        Choice(a.id, a.name, f"+{format_price_range(a.price_min_cents, a.price_max_cents)}"
                             + (f" · +{duration_label(a.duration_minutes)}" if a.duration_minutes else ""))
        for a in scheduling_service.list_addons(db, tenant_id=tenant_id, service_id=service.id)
    ]
    techs = [Choice(t.id, t.name) for t in
             scheduling_service.technicians_for_services(db, tenant_id=tenant_id, service_ids=[service.id])]
    return ServiceChoices(addons, attributes_for_service(db, tenant_id=tenant_id, service_id=service.id), techs)


@dataclasses.dataclass(frozen=True)
class QuoteView:
    price_label: str
    duration_label: str
    deposit_label: str
    lines: list[Choice]  # label, amount


def quote_view(quote: pricing.PriceQuote) -> QuoteView:
    lines = []
    for line in quote.lines:
        amount = format_price_range(line.min_cents, line.max_cents)
        if line.kind != "service" and line.min_cents >= 0:
            amount = "+" + amount
        extra = f" · +{duration_label(line.duration_minutes)}" if line.kind != "service" and line.duration_minutes else ""
        lines.append(Choice(line.ref_id, line.label, amount + extra))
    return QuoteView(
        price_label=format_price_range(quote.min_cents, quote.max_cents),
        duration_label=duration_label(quote.duration_minutes),
        deposit_label=format_money(quote.deposit_cents) if quote.deposit_cents else "",
        lines=lines,
    )


@dataclasses.dataclass(frozen=True)
class SlotChoice:
    key: str  # the start instant, ISO 8601 with offset
    label: str  # "9:00 AM"
    technician_ids: tuple[str, ...]
    technician_label: str  # "Dana Cole" or "Dana Cole +1"


def slot_choices(
    db: Session,
    *,
    tenant_id: str,
    service_id: str,
    day: dt.date,
    addon_ids: Sequence[str] = (),
    attributes: Mapping[str, str] | None = None,
    technician_id: str | None = None,
    now: dt.datetime | None = None,
) -> list[SlotChoice]:
    """Returns the open start times of one local day (find_slots), labelled for a picker."""
    slots = availability.find_slots(
        db, tenant_id=tenant_id, service_ids=[service_id], addon_ids=list(addon_ids), attributes=attributes,
        start_date=day, end_date=day, technician_id=technician_id, now=now,
    )
    names = {t.id: t.name for t in scheduling_service.list_technicians(db, tenant_id=tenant_id, active_only=False)}
    result = []
    for slot in slots:
        first = names.get(slot.technician_ids[0], "") if slot.technician_ids else ""
        more = len(slot.technician_ids) - 1
        result.append(SlotChoice(slot.start.isoformat(), format_time(slot.start), tuple(slot.technician_ids),
                                 first + (f" +{more}" if more > 0 else "")))
    return result


@dataclasses.dataclass(frozen=True)
class CustomerChoice:
    id: str
    name: str
    phone: str
    address: str


def customer_choices(db: Session, *, tenant_id: str, query: str, limit: int = 8) -> list[CustomerChoice]:
    """Returns customers matching a name/phone/email/address search (the CRM search)."""
    text = " ".join(str(query or "").split())[:100]
    if len(text) < 2:
        return []
    rows = customers_service.search_customers(db, tenant_id=tenant_id, query=text, limit=limit)
    return [
        CustomerChoice(c.id, c.name or display_phone(c.phone) or c.email or "Customer", display_phone(c.phone) if c.phone else "",
                       ", ".join(p for p in (c.address_line1, c.city) if p))
        for c in rows
    ]


@dataclasses.dataclass(frozen=True)
class AssetChoice:
    id: str
    label: str
    attributes: dict[str, str]


def customer_asset_choices(db: Session, *, tenant_id: str, customer_id: str) -> tuple[CustomerChoice, list[AssetChoice]]:
    """Returns the customer (NotFound unless the tenant's) and their vehicles/pets/properties."""
    c = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    choice = CustomerChoice(c.id, c.name or display_phone(c.phone) or c.email or "Customer",
                            display_phone(c.phone) if c.phone else "",
                            ", ".join(p for p in (c.address_line1, c.city) if p))
    assets = [AssetChoice(a.id, a.label or a.kind.title(), {str(k): str(v) for k, v in (a.attributes or {}).items()})
              for a in customers_service.get_assets(db, tenant_id=tenant_id, customer_id=c.id)]
    return choice, assets


# ---- appointment detail ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HistoryItem:
    at: str
    who: str
    what: str


@dataclasses.dataclass(frozen=True)
class PhotoItem:
    id: str
    url: str
    caption: str
    at: str


@dataclasses.dataclass(frozen=True)
class AppointmentDetail:
    id: str
    customer_id: str
    customer_name: str
    customer_phone: str
    address: str
    asset_label: str
    service_id: str
    service_name: str
    addons: list[Choice]
    attributes: list[Choice]  # label, option label
    attribute_values: dict[str, str]
    addon_ids: list[str]
    day_label: str
    time_label: str
    local_date: str  # YYYY-MM-DD
    duration_label: str
    technician_id: str
    technician_name: str
    technician_color: str
    status: str
    status_label: str
    source: str
    transitions: list[Choice]  # status, button label
    can_reschedule: bool
    notes: str
    price_quoted: str
    price_charged: str
    price_charged_input: str  # dollars, prefilled for "complete"
    deposit: str
    cancel_reason: str
    history: list[HistoryItem]
    photos: list[PhotoItem]
    zone_name: str


def _event_text(event, techs: Mapping[str, str], zone: ZoneInfo) -> str:
    detail = event.detail or {}
    if event.kind == "created":
        return f"Booked ({detail.get('source', 'staff')}) as {STATUS_LABELS.get(event.to_status, event.to_status)}"
    if event.kind == "status":
        text = f"{STATUS_LABELS.get(event.from_status, event.from_status)} → {STATUS_LABELS.get(event.to_status, event.to_status)}"
        if detail.get("price_charged_cents") is not None:
            text += f", charged {format_money(int(detail['price_charged_cents']))}"
        if detail.get("reason"):
            text += f": {detail['reason']}"
        return text
    if event.kind == "rescheduled":
        parts = []
        for key in ("from", "to"):
            try:
                value = dt.datetime.fromisoformat(detail.get(key, "")).astimezone(zone)
                parts.append(f"{format_day(value)} {format_time(value)}")
            except (TypeError, ValueError):
                parts.append("?")
        text = f"Rescheduled from {parts[0]} to {parts[1]}"
        if detail.get("technician_id") and detail.get("technician_id") != detail.get("from_technician_id"):
            text += f" with {techs.get(detail['technician_id'], 'another technician')}"
        return text
    if event.kind == "price":
        before = detail.get("from")
        return (f"Charged price {format_money(int(before)) if before is not None else '—'} → "
                f"{format_money(int(detail.get('to') or 0))}")
    if event.kind == "note":
        return "Updated notes"
    if event.kind == "photo":
        return "Added a photo"
    return event.kind.replace("_", " ").capitalize()


def appointment_detail(
    db: Session, *, tenant_id: str, appointment_id: str, now: dt.datetime | None = None
) -> AppointmentDetail:
    """Returns everything the appointment page shows; NotFound for an id that is missing or
    another tenant's."""
    now = now or utcnow()
    a = scheduling_service.access_appointment_by_id(db, tenant_id=tenant_id, appointment_id=appointment_id)
    zone = tenant_zone(db, tenant_id=tenant_id)
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=a.customer_id)
    service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=a.service_id)
    techs = {t.id: t for t in scheduling_service.list_technicians(db, tenant_id=tenant_id, active_only=False)}
    tech = techs.get(a.technician_id or "")
    addons = scheduling_service.get_appointment_addons(db, tenant_id=tenant_id, appointment_ids=[a.id]).get(a.id, [])
    asset_label = ""
    if a.asset_id:
        try:
            asset_label = customers_service.access_asset_by_id(db, tenant_id=tenant_id, asset_id=a.asset_id).label
        except UserError:
            asset_label = ""
    attribute_rows = {attr.key: attr for attr in scheduling_service.list_attributes(db, tenant_id=tenant_id)}
    attributes = []
    for key, value in (a.attributes or {}).items():
        attr = attribute_rows.get(key)
        label = next((o.get("label") or value for o in (attr.options if attr else []) if o["value"] == value), value)
        attributes.append(Choice(key, attr.label if attr else key.replace("_", " ").capitalize(), label))
    start, end = a.start_at.astimezone(zone), a.end_at.astimezone(zone)
    transitions = [
        Choice(status, TRANSITION_LABELS[status])
        for status in TRANSITION_LABELS
        if status in TRANSITIONS.get(a.status, ()) and not (status == "no_show" and now < a.start_at)
    ]
    photos = [
        PhotoItem(p.id, f"/files/appointment-photos/{p.id}", p.caption, format_day(p.created_at.astimezone(zone)))
        for p in scheduling_service.get_appointment_photos(db, tenant_id=tenant_id, appointment_id=a.id)
    ]
    names = {k: t.name for k, t in techs.items()}
    history = [
        HistoryItem(f"{format_day(e.at.astimezone(zone))}, {format_time(e.at.astimezone(zone))}", e.actor_name,
                    _event_text(e, names, zone))
        for e in scheduling_service.get_appointment_events(db, tenant_id=tenant_id, appointment_id=a.id)
    ]
    return AppointmentDetail(
        id=a.id,
        customer_id=customer.id,
        customer_name=customer.name or display_phone(customer.phone) or customer.email or "Customer",
        customer_phone=display_phone(customer.phone) if customer.phone else "",
        address=a.address,
        asset_label=asset_label,
        service_id=service.id,
        service_name=service.name,
        addons=[Choice(x.addon_id, x.name, format_price_range(x.price_min_cents, x.price_max_cents)) for x in addons],
        attributes=attributes,
        attribute_values={str(k): str(v) for k, v in (a.attributes or {}).items()},
        addon_ids=[x.addon_id for x in addons],
        day_label=f"{format_day(start)}, {start.year}",
        time_label=time_range_label(start, end),
        local_date=start.date().isoformat(),
        duration_label=duration_label(a.duration_minutes),
        technician_id=a.technician_id or "",
        technician_name=tech.name if tech else "Unassigned",
        technician_color=tech.color if tech else "#6b7280",
        status=a.status,
        status_label=STATUS_LABELS.get(a.status, a.status),
        source=a.source,
        transitions=transitions,
        can_reschedule=a.status in (AppointmentStatus.REQUESTED.value, AppointmentStatus.CONFIRMED.value),
        notes=a.notes,
        price_quoted=format_price_range(a.price_quoted_min_cents, a.price_quoted_max_cents),
        price_charged=format_money(a.price_charged_cents) if a.price_charged_cents is not None else "",
        price_charged_input=cents_to_dollars_text(
            a.price_charged_cents if a.price_charged_cents is not None else a.price_quoted_min_cents),
        deposit=format_money(a.deposit_cents) if a.deposit_cents else "",
        cancel_reason=a.cancel_reason,
        history=history,
        photos=photos,
        zone_name=zone.key,
    )


# ---- services editor ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ModifierRow:
    attribute_key: str
    attribute_label: str
    option_value: str
    option_label: str
    price_delta: str  # dollars, editable ("30", "-5", "0")
    duration_delta: int
    summary: str  # "+$30 · +30 min"


@dataclasses.dataclass(frozen=True)
class ServiceRow:
    id: str
    name: str
    description: str
    duration_minutes: int
    duration_label: str
    price_min: str  # dollars, editable
    price_max: str
    price_label: str
    deposit_percent: int
    active: bool
    synonyms: str
    modifiers: list[ModifierRow]
    addon_names: list[str]


@dataclasses.dataclass(frozen=True)
class AddonRow:
    id: str
    name: str
    description: str
    price_min: str
    price_max: str
    price_label: str
    duration_minutes: int
    active: bool
    service_ids: list[str]
    services_label: str  # "All services" or "Full Detail, Interior Detail"


@dataclasses.dataclass(frozen=True)
class AttributeRow:
    key: str
    label: str
    options: list[Choice]


@dataclasses.dataclass(frozen=True)
class ServicesOverview:
    services: list[ServiceRow]
    addons: list[AddonRow]
    attributes: list[AttributeRow]


def _delta_summary(price_cents: int, minutes: int) -> str:
    parts = []
    if price_cents:
        parts.append(("+" if price_cents > 0 else "−") + format_money(abs(price_cents)))
    if minutes:
        parts.append(("+" if minutes > 0 else "−") + f"{abs(minutes)} min")
    return " · ".join(parts) or "no change"


def services_overview(db: Session, *, tenant_id: str) -> ServicesOverview:
    """Returns every service (active or not) with its attribute modifiers, every add-on with the
    services offering it, and the attributes that can price a service."""
    services = scheduling_service.list_services(db, tenant_id=tenant_id, active_only=False)
    addons = scheduling_service.list_addons(db, tenant_id=tenant_id, active_only=False)
    links = scheduling_service.addon_links(db, tenant_id=tenant_id)
    attributes = scheduling_service.list_attributes(db, tenant_id=tenant_id)
    modifiers = scheduling_service.get_modifiers(db, tenant_id=tenant_id)
    by_service: dict[str, dict[tuple[str, str], object]] = {}
    for m in modifiers:
        by_service.setdefault(m.service_id, {})[(m.attribute_id, m.option_value)] = m
    names = {s.id: s.name for s in services}

    service_rows = []
    for s in services:
        mods = by_service.get(s.id, {})
        used_attrs = [a for a in attributes if any(k[0] == a.id for k in mods)]
        rows = []
        for a in used_attrs:
            for option in a.options:
                m = mods.get((a.id, option["value"]))
                price = m.price_delta_cents if m else 0
                minutes = m.duration_delta_minutes if m else 0
                rows.append(ModifierRow(a.key, a.label, option["value"], option.get("label") or option["value"],
                                        cents_to_dollars_text(price), minutes, _delta_summary(price, minutes)))
        offered = [x.name for x in addons if not links.get(x.id) or s.id in links[x.id]]
        service_rows.append(ServiceRow(
            id=s.id, name=s.name, description=s.description, duration_minutes=s.duration_minutes,
            duration_label=duration_label(s.duration_minutes), price_min=cents_to_dollars_text(s.price_min_cents),
            price_max=cents_to_dollars_text(s.price_max_cents),
            price_label=format_price_range(s.price_min_cents, s.price_max_cents), deposit_percent=s.deposit_percent,
            active=s.active, synonyms=", ".join(s.synonyms or []), modifiers=rows, addon_names=offered,
        ))
    addon_rows = [
        AddonRow(
            id=x.id, name=x.name, description=x.description, price_min=cents_to_dollars_text(x.price_min_cents),
            price_max=cents_to_dollars_text(x.price_max_cents),
            price_label=format_price_range(x.price_min_cents, x.price_max_cents), duration_minutes=x.duration_minutes,
            active=x.active, service_ids=sorted(links.get(x.id, set())),
            services_label=", ".join(names[i] for i in names if i in links.get(x.id, set())) or "All services",
        )
        for x in addons
    ]
    attribute_rows = [AttributeRow(a.key, a.label, [Choice(o["value"], o.get("label") or o["value"]) for o in a.options])
                      for a in attributes]
    return ServicesOverview(service_rows, addon_rows, attribute_rows)


# ---- team, hours and booking settings -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DayHours:
    weekday: int
    name: str
    text: str  # "08:00-17:00" or ""


@dataclasses.dataclass(frozen=True)
class TimeOffRow:
    id: str
    label: str  # "Mon, Mar 9 8:00 AM – Tue, Mar 10 5:00 PM"
    reason: str


@dataclasses.dataclass(frozen=True)
class TechnicianRow:
    id: str
    name: str
    color: str
    phone: str
    email: str
    active: bool
    membership_id: str  # the linked staff login, as this tenant's membership row id
    login_label: str
    skill_ids: list[str]
    skills_label: str
    hours: list[DayHours]
    hours_label: str
    time_off: list[TimeOffRow]


@dataclasses.dataclass(frozen=True)
class TeamOverview:
    technicians: list[TechnicianRow]
    members: list[Choice]  # membership id, "Name (role)"
    services: list[Choice]
    zone_name: str


def _hours_label(by_day: Mapping[int, list[tuple[int, int]]]) -> str:
    parts = [f"{WEEKDAY_NAMES[d][:3]} {windows_text(w)}" for d, w in sorted(by_day.items()) if w]
    return "; ".join(parts) or "No hours set"


def _members(db: Session, *, tenant_id: str) -> list[tuple[Membership, User]]:
    return list(db.exec(
        select(Membership, User).join(User, User.id == Membership.user_id).where(Membership.tenant_id == tenant_id)
        .order_by(User.name)
    ).all())


def member_choices(db: Session, *, tenant_id: str) -> list[Choice]:
    """Returns the tenant's staff logins as choices keyed by membership id (a tenant row id, so
    no user id ever reaches the browser)."""
    return [Choice(membership.id, f"{user.name} ({membership.role})", user.email)
            for membership, user in _members(db, tenant_id=tenant_id)]


def user_id_for_membership(db: Session, *, tenant_id: str, membership_id: str | None) -> str | None:
    """Returns the user behind one of the tenant's memberships (None for no link); UserError for
    anything else — a technician may only be linked to a login of the same business."""
    if not membership_id:
        return None
    for membership, user in _members(db, tenant_id=tenant_id):
        if membership.id == membership_id:
            return user.id
    raise UserError("Choose a staff login of this business.")


def team_overview(db: Session, *, tenant_id: str, now: dt.datetime | None = None) -> TeamOverview:
    """Returns every technician (active or not) with skills, weekly hours and upcoming time off."""
    now = now or utcnow()
    zone = tenant_zone(db, tenant_id=tenant_id)
    techs = scheduling_service.list_technicians(db, tenant_id=tenant_id, active_only=False)
    services = scheduling_service.list_services(db, tenant_id=tenant_id, active_only=False)
    service_names = {s.id: s.name for s in services}
    skills = scheduling_service.skills_by_technician(db, tenant_id=tenant_id)
    hours: dict[str, dict[int, list[tuple[int, int]]]] = {}
    for row in scheduling_service.get_technician_hours(db, tenant_id=tenant_id):
        hours.setdefault(row.technician_id, {}).setdefault(row.weekday, []).append((row.start_minute, row.end_minute))
    time_off: dict[str, list[TimeOffRow]] = {}
    for row in scheduling_service.get_time_off(db, tenant_id=tenant_id, start=now, end=now + dt.timedelta(days=800)):
        s, e = row.starts_at.astimezone(zone), row.ends_at.astimezone(zone)
        time_off.setdefault(row.technician_id, []).append(
            TimeOffRow(row.id, f"{format_day(s)} {format_time(s)} – {format_day(e)} {format_time(e)}", row.reason))
    memberships = _members(db, tenant_id=tenant_id)
    members = [Choice(m.id, f"{u.name} ({m.role})", u.email) for m, u in memberships]
    membership_of_user = {u.id: (m.id, f"{u.name} ({m.role})") for m, u in memberships}
    rows = []
    for t in techs:
        by_day = hours.get(t.id, {})
        skill_ids = [s.id for s in services if s.id in skills.get(t.id, set())]
        rows.append(TechnicianRow(
            id=t.id, name=t.name, color=t.color, phone=display_phone(t.phone) if t.phone else "", email=t.email,
            active=t.active, membership_id=membership_of_user.get(t.user_id or "", ("", ""))[0],
            login_label=membership_of_user.get(t.user_id or "", ("", ""))[1],
            skill_ids=skill_ids,
            skills_label=("All services" if skill_ids and len(skill_ids) == len(services)
                          else ", ".join(service_names[i] for i in skill_ids) or "No services"),
            hours=[DayHours(d, WEEKDAY_NAMES[d], windows_text(by_day.get(d, []))) for d in range(7)],
            hours_label=_hours_label(by_day),
            time_off=time_off.get(t.id, []),
        ))
    return TeamOverview(rows, members, [Choice(s.id, s.name) for s in services], zone.key)


@dataclasses.dataclass(frozen=True)
class ClosureRow:
    date: str
    label: str
    name: str


@dataclasses.dataclass(frozen=True)
class SchedulingSettingsView:
    business_hours: list[DayHours]
    closures: list[ClosureRow]
    lunch: str  # "12:00-13:00" or ""
    slot_increment_minutes: int
    buffer_minutes: int
    travel_padding_minutes: int
    min_notice_hours: str  # hours, may be fractional ("1.5")
    horizon_days: int
    cancellation_notice_hours: int
    reminder_hours_before: int
    auto_confirm: bool
    zips: str  # "741*, 74105"
    base_latitude: str
    base_longitude: str
    radius_miles: str
    area_description: str
    zone_name: str


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def scheduling_settings_view(db: Session, *, tenant_id: str, now: dt.datetime | None = None) -> SchedulingSettingsView:
    """Returns business hours, upcoming closed days, booking rules and the service area."""
    now = now or utcnow()
    zone = tenant_zone(db, tenant_id=tenant_id)
    by_day: dict[int, list[tuple[int, int]]] = {}
    for row in scheduling_service.get_business_hours(db, tenant_id=tenant_id):
        by_day.setdefault(row.weekday, []).append((row.open_minute, row.close_minute))
    settings = scheduling_service.booking_settings_or_default(db, tenant_id=tenant_id)
    today = now.astimezone(zone).date()
    closures = [ClosureRow(c.day.isoformat(), f"{format_day(c.day)}, {c.day.year}", c.name)
                for c in scheduling_service.get_closures(db, tenant_id=tenant_id, start=today)]
    lunch = ""
    if settings.lunch_start_minute is not None and settings.lunch_end_minute is not None:
        lunch = windows_text([(settings.lunch_start_minute, settings.lunch_end_minute)])
    return SchedulingSettingsView(
        business_hours=[DayHours(d, WEEKDAY_NAMES[d], windows_text(by_day.get(d, []))) for d in range(7)],
        closures=closures,
        lunch=lunch,
        slot_increment_minutes=settings.slot_increment_minutes,
        buffer_minutes=settings.buffer_minutes,
        travel_padding_minutes=settings.travel_padding_minutes,
        min_notice_hours=f"{settings.min_notice_minutes / 60:g}",
        horizon_days=settings.horizon_days,
        cancellation_notice_hours=settings.cancellation_notice_hours,
        reminder_hours_before=settings.reminder_hours_before,
        auto_confirm=settings.auto_confirm,
        zips=", ".join(scheduling_service.get_area_zips(db, tenant_id=tenant_id)),
        base_latitude=_number_text(settings.base_latitude),
        base_longitude=_number_text(settings.base_longitude),
        radius_miles=_number_text(settings.service_radius_miles),
        area_description=settings.area_description,
        zone_name=zone.key,
    )


# ---- dashboard ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class UpcomingItem:
    id: str
    when: str  # "Today 9:00 AM" / "Tue, Mar 10 9:00 AM"
    service: str
    customer: str
    technician: str
    color: str
    status_label: str


def upcoming_appointments(db: Session, *, tenant_id: str, limit: int = 5, now: dt.datetime | None = None) -> list[UpcomingItem]:
    """Returns the next open appointments (from now on), labelled in the tenant's zone."""
    now = now or utcnow()
    zone = tenant_zone(db, tenant_id=tenant_id)
    today = now.astimezone(zone).date()
    rows = scheduling_service.list_appointments(db, tenant_id=tenant_id, start=now - dt.timedelta(hours=1),
                                                statuses=OPEN_STATUSES, limit=limit)
    services = {s.id: s.name for s in scheduling_service.list_services(db, tenant_id=tenant_id, active_only=False)}
    techs = {t.id: t for t in scheduling_service.list_technicians(db, tenant_id=tenant_id, active_only=False)}
    result = []
    for a in rows:
        local = a.start_at.astimezone(zone)
        day = "Today" if local.date() == today else (
            "Tomorrow" if local.date() == today + dt.timedelta(days=1) else format_day(local))
        customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=a.customer_id)
        tech = techs.get(a.technician_id or "")
        result.append(UpcomingItem(
            a.id, f"{day} {format_time(local)}", services.get(a.service_id, "Service"),
            customer.name or display_phone(customer.phone) or "Customer", tech.name if tech else "Unassigned",
            tech.color if tech else "#6b7280", STATUS_LABELS.get(a.status, a.status),
        ))
    return result
