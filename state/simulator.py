"""The phone simulator page: text one of the business's numbers as any customer phone and see
what that phone would receive. Sends go through `backend.messaging.simulator`, which posts real
signed requests to /twilio/sms; only available while SMS_PROVIDER=simulator.

The tenant number must be one of the caller's tenant's numbers (checked against the list the
backend returns for that tenant, and again by `simulate_customer_text`); the thread is read
only for such a number, so no other business's messages can be shown here.
"""

from __future__ import annotations

import reflex as rx

from backend.auth.context import StaffContext
from backend.config import get_settings
from backend.errors import UserError
from backend.messaging import simulator
from backend.phones import InvalidPhoneNumber, display, to_e164_strict
from components.chat import ChatMessage
from state import live
from state.inbox import _require_inbox, chat_message, safe_url
from state.session import Access, current_context, requires, run_blocking

KEYWORDS = ("STOP", "START", "HELP")
MAX_BODY = 1600
MAX_PHONE = 32


def _numbers(ctx: StaffContext) -> list[dict]:
    return simulator.simulator_numbers(acting_user=ctx, tenant_id=ctx.tenant_id)


def _thread(ctx: StaffContext, tenant_number: str, phone: str, tz: str) -> list[ChatMessage]:
    # The number was checked to belong to ctx's tenant by the caller (SimulatorState._number_ok).
    messages = [chat_message(m, tz) for m in simulator.thread(tenant_number=tenant_number, phone=phone)]
    for m in messages:
        if m.direction == "in":
            m.sender, m.note = "This phone", ""
    return messages


def _send(ctx: StaffContext, tenant_number: str, phone: str, body: str, media: tuple[str, ...]):
    return simulator.simulate_customer_text(acting_user=ctx, tenant_id=ctx.tenant_id, tenant_number=tenant_number,
                                            from_number=phone, body=body, media=media)


@requires(Access.TENANT_ADMIN)
class SimulatorState(rx.State):
    available: bool = True
    unavailable_reason: str = ""
    error: str = ""
    notice: str = ""

    numbers: list[dict[str, str]] = []  # {"number", "label"}
    tenant_number: str = ""
    phone: str = ""  # as typed
    phone_display: str = ""  # normalised, once valid
    body: str = ""
    image_url: str = ""
    messages: list[ChatMessage] = []

    _phone_e164: str = ""
    _tz: str = "UTC"
    # The caller's tenant's numbers as the backend listed them; authorisation never reads the
    # public `numbers` var.
    _allowed_numbers: list[str] = []
    _allowed_for: str = ""  # the tenant those numbers belong to

    async def _context(self) -> StaffContext:
        ctx = await current_context(self)
        if get_settings().sms_provider != "simulator":
            raise UserError("The phone simulator is off because SMS_PROVIDER is twilio: texts go to real phones. "
                            "Use a real phone to test, or run with SMS_PROVIDER=simulator.")
        self._tz = await run_blocking(_require_inbox, ctx)
        return ctx

    def _number_ok(self, number: str) -> bool:
        return isinstance(number, str) and number in self._allowed_numbers

    async def _check_tenant(self, ctx: StaffContext) -> None:
        """Re-lists the numbers if this tab's session moved to another tenant since loading."""
        if self._allowed_for != ctx.tenant_id:
            self._allowed_numbers, self._allowed_for = [], ctx.tenant_id or ""
            self._allowed_numbers = [n["number"] for n in await run_blocking(_numbers, ctx)]

    async def _reload_thread(self, ctx: StaffContext) -> None:
        await self._check_tenant(ctx)
        if not self._phone_e164 or not self._number_ok(self.tenant_number):
            self.messages = []
            return
        self.messages = await run_blocking(_thread, ctx, self.tenant_number, self._phone_e164, self._tz)

    @rx.event
    async def load(self):
        self.error = self.notice = ""
        try:
            ctx = await self._context()
            numbers = await run_blocking(_numbers, ctx)
        except UserError as exc:
            self.available = False
            self.unavailable_reason = str(exc)
            self.numbers, self.messages, self._allowed_numbers, self._allowed_for = [], [], [], ""
            return
        self.available = True
        self.unavailable_reason = ""
        self._allowed_numbers, self._allowed_for = [n["number"] for n in numbers], ctx.tenant_id or ""
        self.numbers = [{"number": n["number"], "label": f"{n['display']} · {n['label']}" if n.get("label")
                         else n["display"]} for n in numbers]
        if not self._number_ok(self.tenant_number):
            self.tenant_number = self.numbers[0]["number"] if self.numbers else ""
        live.watch_page(self, ctx, "simulator")
        await self._reload_thread(ctx)

    async def _live_refresh(self, ctx: StaffContext, conversation_ids: frozenset[str]) -> None:
        """Called by state/live.py: a conversation of this tenant changed; show new replies."""
        if not self.available:
            return
        try:
            await self._reload_thread(ctx)
        except UserError as exc:
            self.error = str(exc)

    @rx.event
    async def set_tenant_number(self, value: str):
        try:
            ctx = await self._context()
            await self._check_tenant(ctx)
        except UserError as exc:
            self.error = str(exc)
            return
        if not self._number_ok(value):
            self.error = "Choose one of this business's numbers."
            return
        self.tenant_number = value
        self.error = ""
        await self._reload_thread(ctx)

    @rx.event
    async def set_phone(self, value: str):
        if not isinstance(value, str):
            return
        self.phone = value[:MAX_PHONE]
        try:
            self._phone_e164 = to_e164_strict(self.phone) if self.phone.strip() else ""
        except InvalidPhoneNumber:
            self._phone_e164 = ""
        self.phone_display = display(self._phone_e164) if self._phone_e164 else ""
        try:
            await self._reload_thread(await self._context())
        except UserError as exc:
            self.error = str(exc)

    @rx.event
    def set_body(self, value: str):
        if isinstance(value, str):
            self.body = value[:MAX_BODY]

    @rx.event
    def set_image_url(self, value: str):
        if isinstance(value, str):
            self.image_url = value[:500]

    @rx.event
    async def send(self, form: dict):
        """Texts the form's message (and optional picture URL) from the typed phone."""
        if not isinstance(form, dict):
            return
        body = form.get("body", "")
        image = form.get("image_url", "")
        if not isinstance(body, str) or not isinstance(image, str):
            return
        await self._send(body, image)

    @rx.event
    async def send_keyword(self, keyword: str):
        if not isinstance(keyword, str) or keyword not in KEYWORDS:
            return
        await self._send(keyword, "")

    async def _send(self, body: str, image: str) -> None:
        self.error = self.notice = ""
        if len(body) > MAX_BODY:
            self.error = f"A text can be at most {MAX_BODY:,} characters."
            return
        media: tuple[str, ...] = ()
        if image.strip():
            url = safe_url(image)
            if not url or len(url) > 500:
                self.error = "The picture must be a web address starting with https://"
                return
            media = (url,)
        if not body.strip() and not media:
            self.error = "Type a message to send."
            return
        try:
            ctx = await self._context()
            await self._check_tenant(ctx)
            phone = to_e164_strict(self.phone)
        except InvalidPhoneNumber as exc:
            self.error = f"Customer phone: {exc}"
            return
        except UserError as exc:
            self.error = str(exc)
            return
        if not self._number_ok(self.tenant_number):
            self.error = "Choose one of this business's numbers."
            return
        self._phone_e164, self.phone_display = phone, display(phone)
        try:
            result = await run_blocking(_send, ctx, self.tenant_number, phone, body, media)
        except UserError as exc:
            self.error = str(exc)
            return
        if result.status_code != 200:
            self.error = f"The webhook answered {result.status_code}; the text was not accepted."
        else:
            self.notice = "Duplicate: already delivered." if result.duplicate else ""
            self.body = ""
            self.image_url = ""
        await self._reload_thread(ctx)


live.register_page("simulator", SimulatorState, "/simulator", Access.TENANT_ADMIN)
