"""Appointment detail (/appointments/[appointment_id]): customer, service, time, technician,
status with the allowed lifecycle moves, notes, quoted vs charged price, photos, history, and the
reschedule form (pick a new open time from find_slots).

The id comes from the URL and is looked up inside the signed-in tenant on every event (another
tenant's id is "not found", exactly like a missing one). Photos arrive through Reflex's upload
endpoint as in-memory/temporary files and are stored only by backend add_appointment_photo in
private storage; they are shown through the authenticated /files/appointment-photos route.
"""

from __future__ import annotations

import datetime as dt

import reflex as rx

from backend.errors import UserError
from backend.scheduling import actions as scheduling_actions
from backend.scheduling import views
from backend.scheduling.actions import MAX_PHOTO_BYTES, SlotTaken
from backend.scheduling.views import AppointmentDetail
from state.scheduling_common import clean_text, form_dict, is_id, tenant_call
from state.session import Access, current_context, requires

MAX_PHOTOS_PER_UPLOAD = 6

EMPTY_DETAIL = AppointmentDetail(
    id="", customer_id="", customer_name="", customer_phone="", address="", asset_label="", service_id="",
    service_name="", addons=[], attributes=[], attribute_values={}, addon_ids=[], day_label="", time_label="",
    local_date="", duration_label="", technician_id="", technician_name="", technician_color="#6b7280", status="",
    status_label="", source="", transitions=[], can_reschedule=False, notes="", price_quoted="", price_charged="",
    price_charged_input="", deposit="", cancel_reason="", history=[], photos=[], zone_name="",
)
SIMPLE_TRANSITIONS = ("confirmed", "in_progress", "no_show")


def appointment_id_from_path(path: str) -> str:
    """Returns the id in /appointments/<id> ('' when the path is anything else)."""
    parts = [p for p in str(path or "").split("/") if p]
    if len(parts) == 2 and parts[0] == "appointments" and is_id(parts[1]):
        return parts[1]
    return ""


@requires(Access.TENANT)
class AppointmentState(rx.State):
    detail: AppointmentDetail = EMPTY_DETAIL
    not_found: bool = False
    error: str = ""
    message: str = ""

    complete_open: bool = False
    cancel_open: bool = False

    reschedule_open: bool = False
    reschedule_date: str = ""
    reschedule_technician: str = "keep"
    reschedule_technicians: list[dict[str, str]] = []
    reschedule_slots: list[dict[str, str]] = []
    reschedule_slot: str = ""
    reschedule_time: str = ""
    reschedule_error: str = ""
    slots_loaded: bool = False
    # "<date>|<technician choice>" the shown slots were computed for.
    slots_for: str = ""

    # The appointment this page shows, from the URL; every handler re-checks it in the tenant.
    _appointment_id: str = ""

    async def _reload(self, ctx=None) -> bool:
        ctx = ctx or await current_context(self)
        appointment_id = self._appointment_id
        try:
            detail = await tenant_call(
                ctx, lambda db, c: views.appointment_detail(db, tenant_id=c.tenant_id, appointment_id=appointment_id))
        except UserError as exc:
            self.detail = EMPTY_DETAIL
            self.not_found = True
            self.error = str(exc)
            return False
        self.detail = detail
        self.not_found = False
        return True

    @rx.event
    async def load(self):
        self._appointment_id = appointment_id_from_path(self.router.url.path)
        self.error = self.message = ""
        self.complete_open = self.cancel_open = self.reschedule_open = False
        await self.open_appointment(self._appointment_id)

    @rx.event
    async def open_appointment(self, appointment_id: str):
        """Shows one appointment (also used by tests and by the page on load)."""
        ctx = await current_context(self)
        if not is_id(appointment_id):
            self._appointment_id = ""
            self.detail = EMPTY_DETAIL
            self.not_found = True
            self.error = "No such appointment."
            return
        self._appointment_id = appointment_id
        await self._reload(ctx)

    async def _act(self, fn, success: str):
        ctx = await current_context(self)
        if not self._appointment_id:
            self.error = "No such appointment."
            return False
        appointment_id = self._appointment_id
        try:
            await tenant_call(ctx, lambda db, c: fn(db, c, appointment_id))
        except UserError as exc:
            self.error = str(exc)
            self.message = ""
            return False
        self.error = ""
        self.message = success
        await self._reload(ctx)
        return True

    # -- lifecycle ---------------------------------------------------------------------------

    @rx.event
    async def transition(self, to_status: str):
        """Confirm, start or mark as no-show (completing and cancelling have their own forms)."""
        if to_status not in SIMPLE_TRANSITIONS:
            return
        if not any(t.value == to_status for t in self.detail.transitions):
            self.error = "That change isn't possible for this appointment any more."
            return
        await self._act(
            lambda db, c, appointment_id: scheduling_actions.transition_appointment(
                db, tenant_id=c.tenant_id, appointment_id=appointment_id, to_status=to_status, acting_user=c),
            f"Marked as {views.STATUS_LABELS[to_status].lower()}.",
        )

    @rx.event
    def set_complete_open(self, value: bool):
        self.complete_open = bool(value)

    @rx.event
    def set_cancel_open(self, value: bool):
        self.cancel_open = bool(value)

    @rx.event
    async def complete(self, form: dict):
        data = form_dict(form)
        try:
            cents = views.parse_dollars(data.get("price_charged", ""), field="Charged price")
        except UserError as exc:
            self.error = str(exc)
            return
        if await self._act(
            lambda db, c, appointment_id: scheduling_actions.transition_appointment(
                db, tenant_id=c.tenant_id, appointment_id=appointment_id, to_status="completed", acting_user=c,
                price_charged_cents=cents),
            "Job completed.",
        ):
            self.complete_open = False

    @rx.event
    async def cancel(self, form: dict):
        reason = clean_text(form_dict(form).get("reason", ""), limit=300)
        if await self._act(
            lambda db, c, appointment_id: scheduling_actions.cancel_appointment(
                db, tenant_id=c.tenant_id, appointment_id=appointment_id, reason=reason, acting_user=c),
            "Appointment cancelled.",
        ):
            self.cancel_open = False

    @rx.event
    async def set_price_charged(self, form: dict):
        try:
            cents = views.parse_dollars(form_dict(form).get("price_charged", ""), field="Charged price")
        except UserError as exc:
            self.error = str(exc)
            return
        await self._act(
            lambda db, c, appointment_id: scheduling_actions.set_price_charged(
                db, tenant_id=c.tenant_id, appointment_id=appointment_id, price_charged_cents=cents, acting_user=c),
            "Charged price saved.",
        )

    @rx.event
    async def save_notes(self, form: dict):
        notes = form_dict(form).get("notes", "")
        if len(notes) > 5000:
            self.error = "Notes can be at most 5,000 characters."
            return
        await self._act(
            lambda db, c, appointment_id: scheduling_actions.update_appointment_notes(
                db, tenant_id=c.tenant_id, appointment_id=appointment_id, notes=notes, acting_user=c),
            "Notes saved.",
        )

    # -- photos ------------------------------------------------------------------------------

    @rx.event
    async def upload_photos(self, files: list[rx.UploadFile]):
        """Stores uploaded photos privately through the backend; nothing is written to Reflex's
        public upload directory."""
        if not isinstance(files, list) or not files:
            self.error = "Choose a photo first."
            return
        if len(files) > MAX_PHOTOS_PER_UPLOAD:
            self.error = f"Upload at most {MAX_PHOTOS_PER_UPLOAD} photos at a time."
            return
        payloads = []
        for file in files:
            if not callable(getattr(file, "read", None)):
                self.error = "Choose a photo first."
                return
            data = await file.read(MAX_PHOTO_BYTES + 1)
            if len(data) > MAX_PHOTO_BYTES:
                self.error = "Photos can be at most 15 MB."
                return
            payloads.append((clean_text(getattr(file, "name", "") or "", limit=200), data))

        def store(db, c, appointment_id):
            for name, data in payloads:
                scheduling_actions.add_appointment_photo(
                    db, tenant_id=c.tenant_id, appointment_id=appointment_id, data=data, filename=name, acting_user=c)

        await self._act(store, f"Added {len(payloads)} photo{'s' if len(payloads) != 1 else ''}.")

    @rx.event
    async def delete_photo(self, photo_id: str):
        if not any(p.id == photo_id for p in self.detail.photos):
            return
        await self._act(
            lambda db, c, appointment_id: scheduling_actions.delete_appointment_photo(
                db, tenant_id=c.tenant_id, photo_id=photo_id, acting_user=c),
            "Photo removed.",
        )

    # -- reschedule --------------------------------------------------------------------------

    @rx.event
    async def set_reschedule_open(self, value: bool):
        self.reschedule_open = bool(value)
        if not self.reschedule_open:
            return
        ctx = await current_context(self)
        self.reschedule_error = ""
        self.reschedule_slot = self.reschedule_time = ""
        self.reschedule_technician = "keep" if self.detail.technician_id else "any"
        self.reschedule_date = self.detail.local_date
        service_id = self.detail.service_id
        try:
            choices = await tenant_call(
                ctx, lambda db, c: views.booking_choices(db, tenant_id=c.tenant_id, service_id=service_id))
        except UserError as exc:
            self.reschedule_error = str(exc)
            return
        self.reschedule_technicians = [{"value": t.value, "label": t.label} for t in choices.technicians]
        await self._load_reschedule_slots(ctx)

    @rx.event
    async def set_reschedule_date(self, value: str):
        try:
            self.reschedule_date = views.parse_local_date(value).isoformat()
        except UserError as exc:
            self.reschedule_error = str(exc)
            return
        self.reschedule_error = ""
        await self._load_reschedule_slots(await current_context(self))

    @rx.event
    async def set_reschedule_technician(self, value: str):
        if value not in ("keep", "any") and not any(t["value"] == value for t in self.reschedule_technicians):
            return
        self.reschedule_technician = value
        await self._load_reschedule_slots(await current_context(self))

    @rx.event
    def pick_reschedule_slot(self, key: str):
        if any(s["key"] == key for s in self.reschedule_slots):
            self.reschedule_slot = key
            self.reschedule_time = ""

    @rx.event
    def set_reschedule_time(self, value: str):
        self.reschedule_time = clean_text(value, limit=5)
        if self.reschedule_time:
            self.reschedule_slot = ""

    def _reschedule_technician_id(self) -> str | None:
        if self.reschedule_technician == "keep":
            return self.detail.technician_id or None
        if self.reschedule_technician == "any":
            return None
        return self.reschedule_technician

    async def _load_reschedule_slots(self, ctx):
        self.reschedule_slot = ""
        if not self.reschedule_date or not self.detail.service_id:
            self.reschedule_slots, self.slots_loaded = [], False
            return
        day = dt.date.fromisoformat(self.reschedule_date)
        service_id, addon_ids = self.detail.service_id, list(self.detail.addon_ids)
        attributes = dict(self.detail.attribute_values)
        technician_id = self._reschedule_technician_id()
        try:
            slots = await tenant_call(ctx, lambda db, c: views.slot_choices(
                db, tenant_id=c.tenant_id, service_id=service_id, day=day, addon_ids=addon_ids,
                attributes=attributes, technician_id=technician_id))
        except UserError as exc:
            self.reschedule_error = str(exc)
            self.reschedule_slots, self.slots_loaded = [], True
            return
        self.reschedule_slots = [{"key": s.key, "label": s.label, "tech": s.technician_label} for s in slots]
        self.slots_loaded = True
        self.slots_for = f"{self.reschedule_date}|{self.reschedule_technician}"

    @rx.event
    async def reschedule(self):
        ctx = await current_context(self)
        if not self._appointment_id:
            return
        if not self.reschedule_slot and not self.reschedule_time:
            self.reschedule_error = "Choose one of the open times (or type a time)."
            return
        if self.reschedule_slot and not any(s["key"] == self.reschedule_slot for s in self.reschedule_slots):
            self.reschedule_error = "Choose one of the open times."
            return
        slot, typed = self.reschedule_slot, self.reschedule_time
        day = dt.date.fromisoformat(self.reschedule_date)
        technician_id = self._reschedule_technician_id()
        appointment_id = self._appointment_id

        def run(db, c):
            start = (dt.datetime.fromisoformat(slot) if slot
                     else views.local_datetime(db, tenant_id=c.tenant_id, day=day, hhmm=typed))
            scheduling_actions.reschedule_appointment(
                db, tenant_id=c.tenant_id, appointment_id=appointment_id, new_start=start,
                technician_id=technician_id, acting_user=c)

        try:
            await tenant_call(ctx, run)
        except SlotTaken as exc:
            self.reschedule_error = str(exc)
            await self._load_reschedule_slots(ctx)
            return
        except UserError as exc:
            self.reschedule_error = str(exc)
            return
        self.reschedule_open = False
        self.reschedule_error = ""
        await self._reload(ctx)
        self.error = ""
        self.message = f"Moved to {self.detail.day_label}, {self.detail.time_label} with {self.detail.technician_name}."
