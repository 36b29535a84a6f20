"""Calendar and booking: the day view (one column per technician, plus "Unassigned" when
needed), the week view (one column per day, blocks in technician colours), and the
"New appointment" dialog (customer → service, add-ons, attributes → price → date → slot → book).

All time math (which day, how far down the grid) happens in backend.scheduling.views in the
tenant's zone; this module only turns those minutes into CSS positions. Every id the browser
sends is checked with a backend access_* lookup inside the signed-in tenant.
"""

from __future__ import annotations

import datetime as dt

import reflex as rx

from backend.customers import actions as customers_actions
from backend.customers.models import CustomerCreate
from backend.errors import UserError
from backend.scheduling import actions as scheduling_actions
from backend.scheduling import pricing, views
from backend.scheduling import service as scheduling_service
from backend.scheduling.actions import SlotTaken
from state.scheduling_common import clean_text, form_dict, is_id, tenant_call
from state.session import Access, current_context, requires

HOUR_PX = 64
DAY_COLUMN_MIN_PX = 150
WEEK_COLUMN_MIN_PX = 120
GUTTER_PX = 56


def _px(value: float) -> str:
    return f"{value:.1f}px"


def _hour_label(minute: int) -> str:
    hour = minute // 60
    return f"{hour % 12 or 12} {'AM' if hour % 24 < 12 else 'PM'}"


def grid_model(view: views.CalendarView, mode: str) -> dict:
    """Turns the backend calendar into display rows: columns, blocks (CSS positions), hour
    labels. Pure, so it is unit-tested without a browser."""
    if mode == "day":
        columns = [{"key": t.id, "label": t.name, "color": t.color, "sub": "", "today": ""}
                   for t in view.technicians]
        if view.has_unassigned:
            columns.append({"key": views.UNASSIGNED, "label": "Unassigned", "color": "#6b7280", "sub": "",
                            "today": ""})
        day = view.days[0]
        if day.closed and columns:
            for column in columns:
                column["sub"] = day.closed_reason or "Closed"
    else:
        columns = [{"key": d.date.isoformat(), "label": d.label, "color": "", "sub": d.closed_reason if d.closed else "",
                    "today": "yes" if d.is_today else ""} for d in view.days]
    index = {c["key"]: i for i, c in enumerate(columns)}
    n = max(len(columns), 1)
    for i, column in enumerate(columns):
        column["left"] = f"{i * 100 / n:.4f}%"
        column["width"] = f"{100 / n:.4f}%"
        column["index"] = str(i)
    blocks = []
    for e in view.entries:
        key = (e.technician_id if e.technician_id in index else views.UNASSIGNED) if mode == "day" else e.day.isoformat()
        col = index.get(key)
        if col is None:
            continue
        top = (e.start_minute - view.first_minute) * HOUR_PX / 60
        height = max((e.end_minute - e.start_minute) * HOUR_PX / 60 - 2, 20)
        lanes = max(e.lanes, 1)
        left_pct = (col + e.lane / lanes) * 100 / n
        width_pct = 100 / (n * lanes)
        blocks.append({
            "id": e.id, "href": f"/appointments/{e.id}", "top": _px(top), "height": _px(height),
            "left": f"calc({left_pct:.4f}% + 2px)", "width": f"calc({width_pct:.4f}% - 4px)",
            "color": e.color, "service": e.service, "customer": e.customer, "time": e.time_label,
            "status": e.status, "status_label": e.status_label, "technician": e.technician,
            "start": f"{e.start_minute // 60:02d}:{e.start_minute % 60:02d}", "day": e.day.isoformat(),
            "column": str(col), "price": e.price_label,
            "faded": "yes" if e.status in ("cancelled", "no_show") else "",
        })
    hours = [{"label": _hour_label(m), "top": _px((m - view.first_minute) * HOUR_PX / 60)}
             for m in range(view.first_minute, view.last_minute, 60)]
    min_col = DAY_COLUMN_MIN_PX if mode == "day" else WEEK_COLUMN_MIN_PX
    return {
        "columns": columns, "blocks": blocks, "hours": hours,
        "grid_height": _px((view.last_minute - view.first_minute) * HOUR_PX / 60),
        "grid_min_width": f"{len(columns) * min_col}px",
    }


def _load_calendar(db, ctx, day: dt.date | None, mode: str, technician_id: str | None, include_cancelled: bool):
    if day is None:
        day = views.today_in_zone(db, tenant_id=ctx.tenant_id)
    start = day if mode == "day" else views.week_start(day)
    view = views.calendar_view(db, tenant_id=ctx.tenant_id, start_day=start, days=1 if mode == "day" else 7,
                               technician_id=technician_id, include_cancelled=include_cancelled)
    techs = [{"id": t.id, "name": t.name, "color": t.color}
             for t in scheduling_service.list_technicians(db, tenant_id=ctx.tenant_id)]
    return day, view, techs


@requires(Access.TENANT)
class CalendarState(rx.State):
    """The calendar grid and its navigation."""

    mode: str = "day"
    day: str = ""  # YYYY-MM-DD, local to the tenant
    technician: str = "all"
    show_cancelled: bool = False
    title: str = ""
    zone_name: str = ""
    columns: list[dict[str, str]] = []
    blocks: list[dict[str, str]] = []
    hours: list[dict[str, str]] = []
    grid_height: str = "0px"
    grid_min_width: str = "0px"
    technician_options: list[dict[str, str]] = []
    error: str = ""
    message: str = ""
    loaded: bool = False

    async def _refresh(self, day: dt.date | None = None):
        ctx = await current_context(self)
        technician_id = self.technician if self.technician != "all" else None
        try:
            day, view, techs = await tenant_call(ctx, _load_calendar, day, self.mode, technician_id,
                                                 self.show_cancelled)
        except UserError as exc:
            if technician_id is not None:
                # A technician that is no longer there: fall back to everyone.
                self.technician = "all"
                return await self._refresh(day)
            self.error = str(exc)
            return
        self.error = ""
        self.day = day.isoformat()
        self.title = view.title
        self.zone_name = view.zone_name
        model = grid_model(view, self.mode)
        self.columns, self.blocks, self.hours = model["columns"], model["blocks"], model["hours"]
        self.grid_height, self.grid_min_width = model["grid_height"], model["grid_min_width"]
        self.technician_options = techs
        self.loaded = True

    def _current_day(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(self.day) if self.day else None
        except ValueError:
            return None

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        mode = params.get("view", "")
        if mode in ("day", "week"):
            self.mode = mode
        day = None
        if params.get("date"):
            try:
                day = views.parse_local_date(params.get("date"))
            except UserError:
                day = None
        self.message = ""
        await self._refresh(day or self._current_day())

    @rx.event
    async def set_mode(self, mode: str | list[str]):
        if mode not in ("day", "week"):
            return
        self.mode = mode
        await self._refresh(self._current_day())

    @rx.event
    async def go_today(self):
        await self._refresh(None)

    @rx.event
    async def go_prev(self):
        await self._step(-1)

    @rx.event
    async def go_next(self):
        await self._step(1)

    async def _step(self, direction: int):
        day = self._current_day()
        if day is None:
            return await self._refresh(None)
        await self._refresh(day + dt.timedelta(days=direction * (1 if self.mode == "day" else 7)))

    @rx.event
    async def set_day(self, value: str):
        try:
            day = views.parse_local_date(value)
        except UserError:
            return
        await self._refresh(day)

    @rx.event
    async def set_technician(self, value: str):
        if value != "all" and not any(t["id"] == value for t in self.technician_options):
            return
        self.technician = value
        await self._refresh(self._current_day())

    @rx.event
    async def set_show_cancelled(self, value: bool):
        self.show_cancelled = bool(value)
        await self._refresh(self._current_day())

    @rx.event
    async def show_booked(self, day: str, message: str):
        """After a booking: jump to its day and say what happened."""
        try:
            parsed = views.parse_local_date(day)
        except UserError:
            parsed = self._current_day()
        await self._refresh(parsed)
        self.message = clean_text(message, limit=300)

    @rx.event
    def open_appointment(self, appointment_id: str):
        if not is_id(appointment_id):
            return
        return rx.redirect(f"/appointments/{appointment_id}")


# ---- booking ---------------------------------------------------------------------------------


def _customer_label(choice: views.CustomerChoice) -> dict[str, str]:
    return {"id": choice.id, "name": choice.name, "phone": choice.phone, "address": choice.address}


def _choice_rows(choices) -> list[dict[str, str]]:
    return [{"value": c.value, "label": c.label, "hint": c.hint} for c in choices]


@requires(Access.TENANT)
class BookingState(rx.State):
    """The "New appointment" dialog. Nothing is written until `book`, which goes through
    backend book_appointment (it re-checks the slot under a technician lock)."""

    open: bool = False
    error: str = ""
    customer_error: str = ""
    booking: bool = False

    customer_query: str = ""
    customer_results: list[dict[str, str]] = []
    customer_id: str = ""
    customer_name: str = ""
    customer_detail: str = ""
    new_customer: bool = False
    assets: list[dict[str, str]] = []
    asset_id: str = ""

    services: list[dict[str, str]] = []
    service_id: str = ""
    addons: list[dict[str, str]] = []
    addon_ids: list[str] = []
    attributes: list[views.AttributeChoice] = []
    attribute_values: dict[str, str] = {}
    technicians: list[dict[str, str]] = []
    technician: str = "any"

    price_label: str = ""
    duration_label: str = ""
    deposit_label: str = ""
    quote_lines: list[dict[str, str]] = []

    date: str = ""
    slots: list[dict[str, str]] = []
    slots_loaded: bool = False
    # "<date>|<technician>" the shown slots were computed for (lets tests wait for a refresh).
    slots_for: str = ""
    slot_key: str = ""
    custom_time: str = ""
    notes: str = ""

    # Server-side only: the attributes of the customer's assets (id → attributes).
    _asset_attributes: dict[str, dict[str, str]] = {}

    def _reset_form(self):
        self.error = self.customer_error = ""
        self.customer_query = ""
        self.customer_results = []
        self.customer_id = self.customer_name = self.customer_detail = ""
        self.new_customer = False
        self.assets, self.asset_id, self._asset_attributes = [], "", {}
        self.service_id = ""
        self.addons, self.addon_ids = [], []
        self.attributes, self.attribute_values = [], {}
        self.technicians, self.technician = [], "any"
        self.price_label = self.duration_label = self.deposit_label = ""
        self.quote_lines = []
        self.slots, self.slots_loaded, self.slot_key, self.custom_time = [], False, "", ""
        self.notes = ""
        self.booking = False

    @rx.event
    async def start(self, day: str = ""):
        """Opens the dialog for a day (the calendar's current day)."""
        ctx = await current_context(self)
        self._reset_form()
        try:
            self.date = views.parse_local_date(day).isoformat()
        except UserError:
            self.date = ""
        try:
            services = await tenant_call(ctx, lambda db, c: views.service_choices(db, tenant_id=c.tenant_id))
        except UserError as exc:
            self.error = str(exc)
            self.open = True
            return
        self.services = _choice_rows(services)
        self.open = True

    @rx.event
    def set_open(self, value: bool):
        self.open = bool(value)

    # -- customer ---------------------------------------------------------------------------

    @rx.event
    async def search_customers(self, query: str):
        ctx = await current_context(self)
        self.customer_query = clean_text(query, limit=100)
        if len(self.customer_query) < 2:
            self.customer_results = []
            return
        query = self.customer_query
        try:
            found = await tenant_call(
                ctx, lambda db, c: views.customer_choices(db, tenant_id=c.tenant_id, query=query))
        except UserError as exc:
            self.customer_error = str(exc)
            return
        self.customer_error = ""
        self.customer_results = [_customer_label(c) for c in found]

    async def _select_customer(self, ctx, customer_id: str):
        choice, assets = await tenant_call(
            ctx, lambda db, c: views.customer_asset_choices(db, tenant_id=c.tenant_id, customer_id=customer_id))
        self.customer_id = choice.id
        self.customer_name = choice.name
        self.customer_detail = " · ".join(p for p in (choice.phone, choice.address) if p)
        self.customer_results = []
        self.new_customer = False
        self.assets = [{"id": a.id, "label": a.label} for a in assets]
        self._asset_attributes = {a.id: dict(a.attributes) for a in assets}
        self.asset_id = assets[0].id if assets else ""
        self._apply_asset_attributes()

    def _apply_asset_attributes(self):
        attrs = self._asset_attributes.get(self.asset_id, {})
        values = dict(self.attribute_values)
        for attribute in self.attributes:
            allowed = {o.value for o in attribute.options}
            if attrs.get(attribute.key) in allowed:
                values[attribute.key] = attrs[attribute.key]
        self.attribute_values = values

    @rx.event
    async def pick_customer(self, customer_id: str):
        ctx = await current_context(self)
        if not is_id(customer_id):
            return
        try:
            await self._select_customer(ctx, customer_id)
        except UserError as exc:
            self.customer_error = str(exc)
            return
        self.customer_error = ""
        await self._requote(ctx)

    @rx.event
    def clear_customer(self):
        self.customer_id = self.customer_name = self.customer_detail = ""
        self.assets, self.asset_id, self._asset_attributes = [], "", {}

    @rx.event
    def set_new_customer(self, value: bool):
        self.new_customer = bool(value)
        self.customer_error = ""

    @rx.event
    async def create_customer(self, form: dict):
        ctx = await current_context(self)
        data = form_dict(form)
        name = clean_text(data.get("name"), limit=200)
        phone = clean_text(data.get("phone"), limit=40)
        if not name or not phone:
            self.customer_error = "Enter the customer's name and mobile number."
            return

        def create(db, c):
            customer = customers_actions.create_customer(
                db, tenant_id=c.tenant_id, acting_user=c,
                customer_in=CustomerCreate(
                    name=name, phones=[phone], email=clean_text(data.get("email"), limit=254),
                    address_line1=clean_text(data.get("address_line1"), limit=200),
                    city=clean_text(data.get("city"), limit=100), region=clean_text(data.get("region"), limit=100),
                    postal_code=clean_text(data.get("postal_code"), limit=20),
                ),
            )
            return customer.id

        try:
            customer_id = await tenant_call(ctx, create)
            await self._select_customer(ctx, customer_id)
        except UserError as exc:
            self.customer_error = str(exc)
            return
        self.customer_error = ""
        await self._requote(ctx)

    @rx.event
    async def pick_asset(self, asset_id: str):
        ctx = await current_context(self)
        if asset_id != "none" and asset_id not in self._asset_attributes:
            return
        self.asset_id = "" if asset_id == "none" else asset_id
        self._apply_asset_attributes()
        await self._requote(ctx)

    # -- service, add-ons, attributes, technician ---------------------------------------------

    @rx.event
    async def pick_service(self, service_id: str):
        ctx = await current_context(self)
        if not any(s["value"] == service_id for s in self.services):
            return
        try:
            choices = await tenant_call(
                ctx, lambda db, c: views.booking_choices(db, tenant_id=c.tenant_id, service_id=service_id))
        except UserError as exc:
            self.error = str(exc)
            return
        self.service_id = service_id
        self.addons = _choice_rows(choices.addons)
        self.addon_ids = []
        self.attributes = list(choices.attributes)
        self.attribute_values = {a.key: a.default for a in choices.attributes}
        self._apply_asset_attributes()
        self.technicians = [{"value": t.value, "label": t.label} for t in choices.technicians]
        if self.technician != "any" and not any(t["value"] == self.technician for t in self.technicians):
            self.technician = "any"
        self.error = ""
        await self._requote(ctx)

    @rx.event
    async def toggle_addon(self, addon_id: str, value: bool):
        ctx = await current_context(self)
        if not any(a["value"] == addon_id for a in self.addons):
            return
        ids = [i for i in self.addon_ids if i != addon_id]
        if value:
            ids.append(addon_id)
        self.addon_ids = ids
        await self._requote(ctx)

    @rx.event
    async def set_attribute(self, key: str, value: str):
        ctx = await current_context(self)
        attribute = next((a for a in self.attributes if a.key == key), None)
        if attribute is None or value not in {o.value for o in attribute.options}:
            return
        self.attribute_values = {**self.attribute_values, key: value}
        await self._requote(ctx)

    @rx.event
    async def set_technician(self, value: str):
        ctx = await current_context(self)
        if value != "any" and not any(t["value"] == value for t in self.technicians):
            return
        self.technician = value
        await self._load_slots(ctx)

    @rx.event
    async def set_date(self, value: str):
        ctx = await current_context(self)
        try:
            self.date = views.parse_local_date(value).isoformat()
        except UserError as exc:
            self.error = str(exc)
            return
        self.error = ""
        await self._load_slots(ctx)

    @rx.event
    def pick_slot(self, key: str):
        if any(s["key"] == key for s in self.slots):
            self.slot_key = key
            self.custom_time = ""

    @rx.event
    def set_custom_time(self, value: str):
        text = clean_text(value, limit=5)
        self.custom_time = text
        if text:
            self.slot_key = ""

    @rx.event
    def set_notes(self, value: str):
        self.notes = clean_text(value, limit=2000)

    async def _requote(self, ctx):
        if not self.service_id:
            return
        service_id, addon_ids, attributes = self.service_id, list(self.addon_ids), dict(self.attribute_values)
        try:
            quote = await tenant_call(ctx, lambda db, c: views.quote_view(pricing.quote_price(
                db, tenant_id=c.tenant_id, service_id=service_id, addon_ids=addon_ids, attributes=attributes)))
        except UserError as exc:
            self.error = str(exc)
            self.price_label = ""
            return
        self.error = ""
        self.price_label, self.duration_label, self.deposit_label = (quote.price_label, quote.duration_label,
                                                                     quote.deposit_label)
        self.quote_lines = [{"label": line.label, "amount": line.hint} for line in quote.lines]
        await self._load_slots(ctx)

    async def _load_slots(self, ctx):
        self.slot_key = ""
        if not self.service_id or not self.date:
            self.slots, self.slots_loaded = [], False
            return
        day = dt.date.fromisoformat(self.date)
        service_id, addon_ids, attributes = self.service_id, list(self.addon_ids), dict(self.attribute_values)
        technician_id = None if self.technician == "any" else self.technician
        try:
            slots = await tenant_call(ctx, lambda db, c: views.slot_choices(
                db, tenant_id=c.tenant_id, service_id=service_id, day=day, addon_ids=addon_ids,
                attributes=attributes, technician_id=technician_id))
        except UserError as exc:
            self.error = str(exc)
            self.slots, self.slots_loaded = [], True
            return
        self.slots = [{"key": s.key, "label": s.label, "tech": s.technician_label} for s in slots]
        self.slots_loaded = True
        self.slots_for = f"{self.date}|{self.technician}"

    # -- book --------------------------------------------------------------------------------

    @rx.event
    async def book(self):
        ctx = await current_context(self)
        if not self.customer_id:
            self.error = "Choose or add the customer first."
            return
        if not self.service_id:
            self.error = "Choose a service."
            return
        if not self.date:
            self.error = "Choose a date."
            return
        if not self.slot_key and not self.custom_time:
            self.error = "Choose one of the open times (or type a time)."
            return
        if self.slot_key and not any(s["key"] == self.slot_key for s in self.slots):
            self.error = "Choose one of the open times."
            return
        day = dt.date.fromisoformat(self.date)
        slot_key, custom_time = self.slot_key, self.custom_time
        customer_id, service_id = self.customer_id, self.service_id
        addon_ids, attributes = list(self.addon_ids), dict(self.attribute_values)
        asset_id = self.asset_id or None
        technician_id = None if self.technician == "any" else self.technician
        notes = self.notes

        def run(db, c):
            if slot_key:
                start = dt.datetime.fromisoformat(slot_key)
            else:
                start = views.local_datetime(db, tenant_id=c.tenant_id, day=day, hhmm=custom_time)
            appointment = scheduling_actions.book_appointment(
                db, tenant_id=c.tenant_id, customer_id=customer_id, service_id=service_id, start=start,
                addon_ids=addon_ids, attributes=attributes, technician_id=technician_id, source="staff",
                notes=notes, acting_user=c, asset_id=asset_id,
            )
            detail = views.appointment_detail(db, tenant_id=c.tenant_id, appointment_id=appointment.id)
            return detail

        self.booking = True
        yield
        try:
            detail = await tenant_call(ctx, run)
        except SlotTaken as exc:
            self.booking = False
            self.error = str(exc)
            await self._load_slots(ctx)
            return
        except UserError as exc:
            self.booking = False
            self.error = str(exc)
            return
        self.booking = False
        self.open = False
        message = (f"Booked {detail.service_name} for {detail.customer_name} on {detail.day_label}, "
                   f"{detail.time_label} with {detail.technician_name}.")
        yield CalendarState.show_booked(detail.local_date, message)
