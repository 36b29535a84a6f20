"""The inbox side panel's AI sections for a conversation a person has (manual or paused):

- "Smart schedule": reads the open conversation with `backend.agent.handoff.smart_schedule` into
  a prefilled booking form (service, add-ons, size/condition, day, the open times find_slots
  offers, address) and books it for the conversation's customer through the scheduling backend
  (`book_appointment`, acting as the signed-in staff member).
- "Hand back to AI": shows `handback_analysis` (safe or not, and why) and hands back with
  `hand_back_to_ai`, which also seeds the agent with the draft so it continues from there.

The conversation is always the inbox's server-side open conversation (InboxState.selected_id,
set only after the tenant-scoped lookup succeeded), never an argument from the browser; the
backend looks it up again inside the caller's tenant. The customer booked is the one on that
conversation's row. Choices (service, add-ons, attribute values, start times) must be among the
ones this state offered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import reflex as rx

from backend.agent import handoff
from backend.agent import ui_views
from backend.auth.context import StaffContext
from backend.errors import UserError
from backend.scheduling import pricing, views
from backend.scheduling.actions import SlotTaken
from state.inbox import InboxState, valid_id
from state.scheduling_common import check_feature, clean_text, tenant_call
from state.session import Access, current_context, requires

INBOX_FEATURE = "sms_inbox"


@dataclasses.dataclass
class _FormChoices:
    addons: list[views.Choice]
    attributes: list[views.AttributeChoice]
    quote: views.QuoteView | None
    quote_error: str
    slots: list[views.SlotChoice]


def _choices(db, ctx: StaffContext, service_id: str, addon_ids: list[str], attributes: dict[str, str],
             day: dt.date | None) -> _FormChoices:
    """Add-ons and attributes of the service, its price for these choices, the open times of `day`."""
    check_feature(ctx, "scheduling")
    booking = views.booking_choices(db, tenant_id=ctx.tenant_id, service_id=service_id)
    allowed_addons = {a.value for a in booking.addons}
    addon_ids = [a for a in addon_ids if a in allowed_addons]
    values = {a.key: a.default for a in booking.attributes}
    for attribute in booking.attributes:
        if attributes.get(attribute.key) in {o.value for o in attribute.options}:
            values[attribute.key] = attributes[attribute.key]
    quote, quote_error = None, ""
    try:
        quote = views.quote_view(pricing.quote_price(db, tenant_id=ctx.tenant_id, service_id=service_id,
                                                     addon_ids=addon_ids, attributes=values))
    except UserError as exc:
        quote_error = str(exc)
    slots = []
    if day is not None:
        slots = views.slot_choices(db, tenant_id=ctx.tenant_id, service_id=service_id, day=day, addon_ids=addon_ids,
                                   attributes=values)
    return _FormChoices(booking.addons, booking.attributes, quote, quote_error, slots)


def _smart_schedule(db, ctx: StaffContext, conversation_id: str):
    check_feature(ctx, "scheduling")
    draft = ui_views.smart_schedule_view(db, tenant_id=ctx.tenant_id, conversation_id=conversation_id)
    services = views.service_choices(db, tenant_id=ctx.tenant_id)
    return draft, services


def _same_instant(a: str, b: str) -> bool:
    try:
        return dt.datetime.fromisoformat(a) == dt.datetime.fromisoformat(b)
    except ValueError:
        return False


@requires(Access.TENANT)
class AgentPanelState(rx.State):
    error: str = ""
    notice: str = ""

    # hand back
    handback_for: str = ""  # the conversation the analysis below is about
    handback_safe: bool = False
    handback_summary: str = ""
    handback_reasons: list[str] = []
    handing_back: bool = False

    # smart schedule
    draft_for: str = ""  # the conversation the form below was read from
    running: bool = False
    customer_name: str = ""
    phone: str = ""
    evidence: list[str] = []
    missing: list[str] = []
    in_area: str = ""
    services: list[dict[str, str]] = []
    service_id: str = ""
    addons: list[dict[str, str]] = []
    addon_ids: list[str] = []
    attributes: list[views.AttributeChoice] = []
    attribute_values: dict[str, str] = {}
    price_label: str = ""
    duration_label: str = ""
    date: str = ""
    slots: list[dict[str, str]] = []
    slots_for: str = ""
    slot_key: str = ""
    address: str = ""
    booking: bool = False
    booked_message: str = ""
    booked_id: str = ""

    _conversation_id: str = ""
    _suggested: list[str] = []

    # -- helpers --------------------------------------------------------------------------------

    async def _open_conversation(self) -> str:
        """The inbox's open conversation in this tab ("" when none)."""
        inbox = await self.get_state(InboxState)
        cid = inbox.selected_id
        return cid if valid_id(cid) else ""

    async def _current_draft(self) -> bool:
        """True while the form belongs to the conversation still open in the inbox."""
        cid = await self._open_conversation()
        if not cid or cid != self._conversation_id or self.draft_for != cid:
            self._clear_draft()
            return False
        return True

    def _clear_draft(self) -> None:
        self._conversation_id = self.draft_for = ""
        self.customer_name = self.phone = self.in_area = self.service_id = ""
        self.evidence, self.missing, self.services, self.addons, self.addon_ids = [], [], [], [], []
        self.attributes, self.attribute_values = [], {}
        self.price_label = self.duration_label = self.date = self.slot_key = self.slots_for = self.address = ""
        self.slots, self._suggested = [], []
        self.booking = self.running = False
        self.booked_message = self.booked_id = ""

    def _apply(self, choices: _FormChoices) -> None:
        self.addons = [{"value": a.value, "label": a.label, "hint": a.hint} for a in choices.addons]
        allowed = {a.value for a in choices.addons}
        self.addon_ids = [a for a in self.addon_ids if a in allowed]
        self.attributes = list(choices.attributes)
        values = {a.key: a.default for a in choices.attributes}
        for attribute in choices.attributes:
            if self.attribute_values.get(attribute.key) in {o.value for o in attribute.options}:
                values[attribute.key] = self.attribute_values[attribute.key]
        self.attribute_values = values
        if choices.quote is not None:
            self.price_label, self.duration_label = choices.quote.price_label, choices.quote.duration_label
        else:
            self.price_label, self.duration_label = "", ""
        self.error = choices.quote_error
        self._set_slots(choices.slots)

    def _set_slots(self, slots: list[views.SlotChoice]) -> None:
        previous = self.slot_key
        self.slots = [{"key": s.key, "label": s.label, "tech": s.technician_label,
                       "suggested": "1" if any(_same_instant(s.key, k) for k in self._suggested) else ""}
                      for s in slots]
        self.slot_key = next((s["key"] for s in self.slots if previous and _same_instant(s["key"], previous)), "")
        self.slots_for = self.date

    async def _reload_choices(self, ctx: StaffContext) -> None:
        if not self.service_id:
            return
        day = dt.date.fromisoformat(self.date) if self.date else None
        service_id, addon_ids, attributes = self.service_id, list(self.addon_ids), dict(self.attribute_values)
        try:
            choices = await tenant_call(ctx, _choices, service_id, addon_ids, attributes, day, feature=INBOX_FEATURE)
        except UserError as exc:
            self.error = str(exc)
            return
        self._apply(choices)

    async def _refresh_inbox(self, ctx: StaffContext) -> None:
        inbox = await self.get_state(InboxState)
        try:
            await inbox._reload_thread(ctx, mark_read=False)
            await inbox._reload_list(ctx)
        except UserError as exc:
            inbox.error = str(exc)

    # -- smart schedule -------------------------------------------------------------------------

    @rx.event
    async def run_smart_schedule(self):
        """Reads the open conversation into the prefilled booking form."""
        ctx = await current_context(self)
        cid = await self._open_conversation()
        self._clear_draft()
        self.error = self.notice = ""
        if not cid:
            return
        self.running = True
        yield
        try:
            draft, services = await tenant_call(ctx, _smart_schedule, cid, feature=INBOX_FEATURE)
        except UserError as exc:
            self.running = False
            self.error = str(exc)
            return
        self._conversation_id = self.draft_for = cid
        self.customer_name, self.phone, self.in_area = draft.customer_name, draft.phone, draft.in_area
        self.evidence, self.missing = draft.evidence[:8], draft.missing
        self.services = [{"value": s.value, "label": s.label, "hint": s.hint} for s in services]
        self.service_id = draft.service_id if any(s.value == draft.service_id for s in services) else ""
        self.addon_ids = list(draft.addon_ids)
        self.attribute_values = dict(draft.attributes)
        self.address = draft.address
        self.date = draft.date
        self._suggested = [s["key"] for s in draft.suggested] + ([draft.start] if draft.start else [])
        self.slot_key = draft.start
        await self._reload_choices(ctx)
        self.running = False

    @rx.event
    async def set_service(self, service_id: str):
        ctx = await current_context(self)
        if not await self._current_draft() or not any(s["value"] == service_id for s in self.services):
            return
        self.service_id = service_id
        await self._reload_choices(ctx)

    @rx.event
    async def toggle_addon(self, addon_id: str, value: bool):
        ctx = await current_context(self)
        if not await self._current_draft() or not any(a["value"] == addon_id for a in self.addons):
            return
        ids = [i for i in self.addon_ids if i != addon_id]
        if value is True:
            ids.append(addon_id)
        self.addon_ids = ids
        await self._reload_choices(ctx)

    @rx.event
    async def set_attribute(self, key: str, value: str):
        ctx = await current_context(self)
        if not await self._current_draft():
            return
        attribute = next((a for a in self.attributes if a.key == key), None)
        if attribute is None or value not in {o.value for o in attribute.options}:
            return
        self.attribute_values = {**self.attribute_values, key: value}
        await self._reload_choices(ctx)

    @rx.event
    async def set_date(self, value: str):
        ctx = await current_context(self)
        if not await self._current_draft():
            return
        try:
            self.date = views.parse_local_date(value).isoformat()
        except UserError as exc:
            self.error = str(exc)
            return
        self.error = ""
        await self._reload_choices(ctx)

    @rx.event
    def pick_slot(self, key: str):
        if isinstance(key, str) and any(s["key"] == key for s in self.slots):
            self.slot_key = key

    @rx.event
    def set_address(self, value: str):
        self.address = clean_text(value, limit=300)

    @rx.event
    async def book(self):
        """Books the form for the conversation's customer (as the signed-in staff member)."""
        ctx = await current_context(self)
        if self.booking or not await self._current_draft():
            return
        if not self.service_id:
            self.error = "Choose a service."
            return
        if not self.slot_key or not any(s["key"] == self.slot_key for s in self.slots):
            self.error = "Choose one of the open times."
            return
        cid, service_id, start = self._conversation_id, self.service_id, dt.datetime.fromisoformat(self.slot_key)
        addon_ids, attributes, address = list(self.addon_ids), dict(self.attribute_values), self.address

        def run(db, c):
            check_feature(c, "scheduling")
            return ui_views.book_for_conversation(db, tenant_id=c.tenant_id, conversation_id=cid, service_id=service_id,
                                                  start=start, addon_ids=addon_ids, attributes=attributes,
                                                  address=address, acting_user=c)

        self.booking, self.error = True, ""
        yield
        try:
            detail = await tenant_call(ctx, run, feature=INBOX_FEATURE)
        except SlotTaken as exc:
            self.booking, self.error = False, str(exc)
            await self._reload_choices(ctx)
            return
        except UserError as exc:
            self.booking, self.error = False, str(exc)
            return
        self.booking = False
        self.booked_id = detail.id
        self.booked_message = (f"Booked {detail.service_name} for {detail.customer_name} on {detail.day_label}, "
                               f"{detail.time_label} with {detail.technician_name}.")
        await self._refresh_inbox(ctx)

    @rx.event
    def close_form(self):
        self._clear_draft()

    # -- hand back ----------------------------------------------------------------------------------

    @rx.event
    async def check_handback(self):
        """Says whether the open conversation can safely go back to the AI, and why."""
        ctx = await current_context(self)
        cid = await self._open_conversation()
        self.handback_for, self.handback_reasons, self.handback_summary = "", [], ""
        if not cid:
            return

        def run(db, c):
            check_feature(c, "ai_agent")
            return ui_views.handback_view(db, tenant_id=c.tenant_id, conversation_id=cid)

        try:
            view = await tenant_call(ctx, run, feature=INBOX_FEATURE)
        except UserError as exc:
            self.error = str(exc)
            return
        self.error = ""
        self.handback_for, self.handback_safe = cid, view.safe
        self.handback_summary, self.handback_reasons = view.summary, view.reasons

    @rx.event
    async def hand_back(self):
        """Hands the open conversation back to the AI (after its analysis was shown)."""
        ctx = await current_context(self)
        cid = await self._open_conversation()
        if not cid or cid != self.handback_for or self.handing_back:
            return

        def run(db, c):
            check_feature(c, "ai_agent")
            return handoff.hand_back_to_ai(db, tenant_id=c.tenant_id, conversation_id=cid, acting_user=c)

        self.handing_back = True
        yield
        try:
            await tenant_call(ctx, run, feature=INBOX_FEATURE)
        except UserError as exc:
            self.handing_back, self.error = False, str(exc)
            return
        self.handing_back, self.error = False, ""
        self.handback_for = ""
        self.notice = "Handed back to the AI: it answers this customer's next message."
        await self._refresh_inbox(ctx)
