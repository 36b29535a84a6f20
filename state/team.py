"""Team & hours (/team) and scheduling settings (/settings/scheduling), owners and admins only.

Team: technicians (colour, optional staff login of this business, skills, weekly working hours,
time off). Settings: business hours per weekday, lunch break, closed days, booking rules and
the service area (ZIP list and/or a radius around a base point). Hours are typed as
"08:00-17:00" (or "08:00-12:00, 13:00-17:00"); times off are local wall-clock times converted in
the tenant's zone by the backend.
"""

from __future__ import annotations

import re

import reflex as rx

from backend.errors import UserError
from backend.scheduling import area, hours, technicians, views
from backend.scheduling import service as scheduling_service
from backend.scheduling.views import ClosureRow, DayHours, TechnicianRow
from backend.tenancy import views as tenancy_views
from backend.tenancy.features import has_feature
from state.scheduling_common import checked, clean_text, form_dict, is_id, tenant_call
from state.session import Access, current_context, requires, run_blocking

COLOR = re.compile(r"#[0-9a-fA-F]{6}")
EMPTY_TECH = {"id": "", "name": "", "color": "", "phone": "", "email": "", "login": "none", "active": "on"}


def weekly_hours_from_form(data: dict, prefix: str) -> dict[int, list[tuple[int, int]]]:
    """Reads fields <prefix>0 … <prefix>6 ("08:00-17:00", "" = off) into {weekday: windows}."""
    result = {}
    for day in range(7):
        windows = views.parse_windows(data.get(f"{prefix}{day}", ""), day_name=hours.WEEKDAY_NAMES[day])
        if windows:
            result[day] = windows
    return result


def _team(db, ctx) -> views.TeamOverview:
    return views.team_overview(db, tenant_id=ctx.tenant_id)


@requires(Access.TENANT_ADMIN)
class TeamState(rx.State):
    technicians: list[TechnicianRow] = []
    members: list[dict[str, str]] = []
    service_options: list[dict[str, str]] = []
    zone_name: str = ""
    error: str = ""
    message: str = ""

    tech_open: bool = False
    tech_form: dict[str, str] = dict(EMPTY_TECH)
    tech_hours: list[DayHours] = []
    tech_skills: list[str] = []
    form_error: str = ""

    time_off_open: bool = False
    time_off_tech_id: str = ""
    time_off_tech_name: str = ""

    @rx.event
    async def load(self):
        ctx = await current_context(self)
        try:
            overview = await tenant_call(ctx, _team)
        except UserError as exc:
            self.error = str(exc)
            return
        self.error = ""
        self.technicians = overview.technicians
        self.members = [{"value": m.value, "label": m.label} for m in overview.members]
        self.service_options = [{"value": s.value, "label": s.label} for s in overview.services]
        self.zone_name = overview.zone_name

    # -- technician form ---------------------------------------------------------------------

    @rx.event
    def edit_technician(self, technician_id: str):
        self.form_error = ""
        if technician_id == "":
            self.tech_form = dict(EMPTY_TECH)
            self.tech_hours = [DayHours(d, hours.WEEKDAY_NAMES[d], "") for d in range(7)]
            self.tech_skills = [s["value"] for s in self.service_options]
            self.tech_open = True
            return
        row = next((t for t in self.technicians if t.id == technician_id), None)
        if row is None:
            return
        self.tech_form = {"id": row.id, "name": row.name, "color": row.color, "phone": row.phone, "email": row.email,
                          "login": row.membership_id or "none", "active": "on" if row.active else ""}
        self.tech_hours = list(row.hours)
        self.tech_skills = list(row.skill_ids)
        self.tech_open = True

    @rx.event
    def set_tech_open(self, value: bool):
        self.tech_open = bool(value)

    @rx.event
    def toggle_skill(self, service_id: str, value: bool):
        if not any(s["value"] == service_id for s in self.service_options):
            return
        ids = [i for i in self.tech_skills if i != service_id]
        if value:
            ids.append(service_id)
        self.tech_skills = ids

    @rx.event
    async def save_technician(self, form: dict):
        ctx = await current_context(self)
        data = form_dict(form)
        technician_id = self.tech_form.get("id", "")
        login = clean_text(data.get("login"), limit=40) or "none"
        skills = list(self.tech_skills)
        color = clean_text(data.get("color"), limit=7)
        try:
            if color and not COLOR.fullmatch(color):
                raise UserError("Colour must look like #1a2b3c.")
            weekly = weekly_hours_from_form(data, "hours_")
            tenant = await run_blocking(tenancy_views.tenant_view, tenant_id=ctx.tenant_id)
            several_allowed = has_feature(tenant, "multi_technician")
            technician_in = technicians.TechnicianIn(
                name=clean_text(data.get("name"), limit=120), color=color or None,
                phone=clean_text(data.get("phone"), limit=40), email=clean_text(data.get("email"), limit=254),
                active=checked(data, "active"),
            )

            def run(db, c):
                user_id = views.user_id_for_membership(db, tenant_id=c.tenant_id,
                                                       membership_id=None if login == "none" else login)
                technician_in.user_id = user_id
                if technician_id:
                    tech = technicians.update_technician(db, tenant_id=c.tenant_id, technician_id=technician_id,
                                                         technician_in=technician_in, acting_user=c)
                    technicians.set_technician_skills(db, tenant_id=c.tenant_id, technician_id=tech.id,
                                                      service_ids=skills, acting_user=c)
                    technicians.set_technician_hours(db, tenant_id=c.tenant_id, technician_id=tech.id, hours=weekly,
                                                     acting_user=c)
                    return tech.name
                active = scheduling_service.list_technicians(db, tenant_id=c.tenant_id)
                if active and technician_in.active and not several_allowed:
                    raise UserError(f"Several technicians are not included in the {tenant.plan_tier} plan.")
                tech = technicians.create_technician(db, tenant_id=c.tenant_id, technician_in=technician_in,
                                                     acting_user=c, service_ids=skills, weekly_hours=weekly)
                return tech.name

            name = await tenant_call(ctx, run)
        except (UserError, ValueError) as exc:
            self.form_error = str(exc)
            return
        self.tech_open = False
        self.form_error = ""
        self.message = f"Saved {name}."
        return TeamState.load

    # -- time off ----------------------------------------------------------------------------

    @rx.event
    def open_time_off(self, technician_id: str):
        row = next((t for t in self.technicians if t.id == technician_id), None)
        if row is None:
            return
        self.time_off_tech_id, self.time_off_tech_name = row.id, row.name
        self.form_error = ""
        self.time_off_open = True

    @rx.event
    def set_time_off_open(self, value: bool):
        self.time_off_open = bool(value)

    @rx.event
    async def add_time_off(self, form: dict):
        ctx = await current_context(self)
        data = form_dict(form)
        technician_id = self.time_off_tech_id
        if not is_id(technician_id):
            return
        try:
            start_day = views.parse_local_date(data.get("start_date"))
            end_day = views.parse_local_date(data.get("end_date") or data.get("start_date"))
            start_time = clean_text(data.get("start_time"), limit=5) or "00:00"
            end_time = clean_text(data.get("end_time"), limit=5) or "23:59"
            reason = clean_text(data.get("reason"), limit=200)

            def run(db, c):
                starts = views.local_datetime(db, tenant_id=c.tenant_id, day=start_day, hhmm=start_time)
                ends = views.local_datetime(db, tenant_id=c.tenant_id, day=end_day, hhmm=end_time)
                technicians.add_time_off(db, tenant_id=c.tenant_id, technician_id=technician_id, starts_at=starts,
                                         ends_at=ends, reason=reason, acting_user=c)

            await tenant_call(ctx, run)
        except UserError as exc:
            self.form_error = str(exc)
            return
        self.time_off_open = False
        self.form_error = ""
        self.message = f"Added time off for {self.time_off_tech_name}."
        return TeamState.load

    @rx.event
    async def remove_time_off(self, time_off_id: str):
        ctx = await current_context(self)
        if not any(o.id == time_off_id for t in self.technicians for o in t.time_off):
            return
        try:
            await tenant_call(ctx, lambda db, c: technicians.remove_time_off(
                db, tenant_id=c.tenant_id, time_off_id=time_off_id, acting_user=c))
        except UserError as exc:
            self.error = str(exc)
            return
        self.message = "Removed time off."
        return TeamState.load


# ---- scheduling settings --------------------------------------------------------------------


def _settings(db, ctx) -> views.SchedulingSettingsView:
    return views.scheduling_settings_view(db, tenant_id=ctx.tenant_id)


def _float_or_none(text: str, field: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"-?\d{1,3}(\.\d{1,8})?", text):
        raise UserError(f"{field}: enter a number like 36.154.")
    return float(text)


@requires(Access.TENANT_ADMIN)
class SchedulingSettingsState(rx.State):
    business_hours: list[DayHours] = []
    closures: list[ClosureRow] = []
    settings: dict[str, str] = {}
    auto_confirm: bool = True
    zone_name: str = ""
    error: str = ""
    message: str = ""
    # Keeps each form's inputs remounted with fresh defaults after a save.
    version: int = 0

    @rx.event
    async def load(self):
        ctx = await current_context(self)
        try:
            view = await tenant_call(ctx, _settings)
        except UserError as exc:
            self.error = str(exc)
            return
        self.business_hours = view.business_hours
        self.closures = view.closures
        self.auto_confirm = view.auto_confirm
        self.zone_name = view.zone_name
        self.settings = {
            "lunch": view.lunch, "slot_increment_minutes": str(view.slot_increment_minutes),
            "buffer_minutes": str(view.buffer_minutes), "travel_padding_minutes": str(view.travel_padding_minutes),
            "min_notice_hours": view.min_notice_hours, "horizon_days": str(view.horizon_days),
            "cancellation_notice_hours": str(view.cancellation_notice_hours),
            "reminder_hours_before": str(view.reminder_hours_before), "zips": view.zips,
            "base_latitude": view.base_latitude, "base_longitude": view.base_longitude,
            "radius_miles": view.radius_miles, "area_description": view.area_description,
        }
        self.version += 1

    async def _save(self, fn, message: str):
        ctx = await current_context(self)
        try:
            await tenant_call(ctx, fn)
        except (UserError, ValueError) as exc:
            self.error = str(exc)
            self.message = ""
            return None
        self.error = ""
        self.message = message
        return SchedulingSettingsState.load

    @rx.event
    async def save_hours(self, form: dict):
        data = form_dict(form)
        try:
            weekly = weekly_hours_from_form(data, "day_")
            lunch = views.parse_windows(data.get("lunch", ""), day_name="Lunch break")
            if len(lunch) > 1:
                raise UserError("Lunch break: give one window, like 12:00-13:00.")
        except UserError as exc:
            self.error = str(exc)
            return

        def run(db, c):
            hours.set_business_hours(db, tenant_id=c.tenant_id, hours=weekly, acting_user=c)
            update = (hours.BookingSettingsUpdate(lunch_start_minute=lunch[0][0], lunch_end_minute=lunch[0][1])
                      if lunch else hours.BookingSettingsUpdate(clear_lunch=True))
            hours.update_booking_settings(db, tenant_id=c.tenant_id, settings_in=update, acting_user=c)

        return await self._save(run, "Saved business hours.")

    @rx.event
    async def save_rules(self, form: dict):
        data = form_dict(form)
        try:
            notice_text = (data.get("min_notice_hours") or "0").strip()
            if not re.fullmatch(r"\d{1,3}(\.\d{1,2})?", notice_text):
                raise UserError("Minimum notice: enter hours, like 2 or 1.5.")
            update = hours.BookingSettingsUpdate(
                slot_increment_minutes=views.parse_int(data.get("slot_increment_minutes"), field="Slot every (minutes)",
                                                       minimum=5, maximum=240),
                buffer_minutes=views.parse_int(data.get("buffer_minutes"), field="Buffer (minutes)", minimum=0,
                                               maximum=240),
                travel_padding_minutes=views.parse_int(data.get("travel_padding_minutes"),
                                                       field="Travel padding (minutes)", minimum=0, maximum=240),
                min_notice_minutes=round(float(notice_text) * 60),
                horizon_days=views.parse_int(data.get("horizon_days"), field="Book ahead (days)", minimum=1,
                                             maximum=365),
                cancellation_notice_hours=views.parse_int(data.get("cancellation_notice_hours"),
                                                          field="Cancellation notice (hours)", minimum=0,
                                                          maximum=14 * 24),
                reminder_hours_before=views.parse_int(data.get("reminder_hours_before"), field="Reminder (hours before)",
                                                      minimum=1, maximum=7 * 24),
                auto_confirm=checked(data, "auto_confirm"),
            )
        except (UserError, ValueError) as exc:
            self.error = str(exc)
            return
        return await self._save(
            lambda db, c: hours.update_booking_settings(db, tenant_id=c.tenant_id, settings_in=update, acting_user=c),
            "Saved booking rules.")

    @rx.event
    async def add_closure(self, form: dict):
        data = form_dict(form)
        try:
            day = views.parse_local_date(data.get("day"))
        except UserError as exc:
            self.error = str(exc)
            return
        name = clean_text(data.get("name"), limit=120) or "Closed"
        return await self._save(
            lambda db, c: hours.add_closure(db, tenant_id=c.tenant_id, day=day, name=name, acting_user=c),
            f"Closed on {day.isoformat()}.")

    @rx.event
    async def remove_closure(self, day_text: str):
        try:
            day = views.parse_local_date(day_text)
        except UserError:
            return
        return await self._save(
            lambda db, c: hours.remove_closure(db, tenant_id=c.tenant_id, day=day, acting_user=c),
            f"Open again on {day.isoformat()}.")

    @rx.event
    async def save_area(self, form: dict):
        data = form_dict(form)
        try:
            zips = [z for z in re.split(r"[\s,;]+", data.get("zips", "")) if z][:500]
            lat = _float_or_none(data.get("base_latitude", ""), "Base latitude")
            lon = _float_or_none(data.get("base_longitude", ""), "Base longitude")
            radius_text = (data.get("radius_miles") or "").strip()
            if radius_text and not re.fullmatch(r"\d{1,3}(\.\d{1,2})?", radius_text):
                raise UserError("Radius: enter miles, like 25.")
            radius = float(radius_text) if radius_text else 0.0
        except UserError as exc:
            self.error = str(exc)
            return
        description = clean_text(data.get("area_description"), limit=300)
        return await self._save(
            lambda db, c: area.set_service_area(db, tenant_id=c.tenant_id, zips=zips, base_latitude=lat,
                                                base_longitude=lon, radius_miles=radius, description=description,
                                                acting_user=c),
            "Saved service area.")
