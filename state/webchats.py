"""Web chats for staff (/webchats): the business's web chat sessions (waiting for a person
first), a transcript, a reply box and "hand back to AI".

Every chat id from the browser goes through `backend.agent.webchat.access_web_chat_by_id` inside
the caller's tenant (another tenant's id is "No such chat.", like a missing one); replies and
hand-backs are the agent backend's staff actions, which check the StaffContext again. The list
refreshes itself every few seconds while the page is open (a background event that stops when
the tab leaves the page).
"""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from backend.agent import ui_views, webchat
from backend.agent.ui_views import WebChatRow
from backend.auth.context import StaffContext
from backend.errors import UserError
from components.chat import ChatMessage
from state.scheduling_common import form_dict, is_id, tenant_call
from state import live
from state.session import Access, allows, current_context, requires, run_blocking

FEATURE = "ai_agent"
PATH = "/webchats"
FILTERS = {"all": "All", "needs_human": "Needs a person"}
POLL_SECONDS = 5.0
POLL_FOR_SECONDS = 30 * 60


def _tz(db, ctx: StaffContext) -> str:
    from backend.tenancy.models import Tenant

    tenant = db.get(Tenant, ctx.tenant_id)
    return tenant.timezone if tenant else "UTC"


def _list(db, ctx: StaffContext, needs_human_only: bool):
    tz = _tz(db, ctx)
    return tz, ui_views.web_chat_rows(db, tenant_id=ctx.tenant_id, tz=tz, needs_human_only=needs_human_only)


def _thread(db, ctx: StaffContext, session_id: str):
    return ui_views.web_chat_thread(db, tenant_id=ctx.tenant_id, session_id=session_id, tz=_tz(db, ctx))


def staff_messages(lines) -> list[ChatMessage]:
    senders = {"customer": "Visitor", "agent": "AI assistant", "staff": "Staff"}
    return [ChatMessage(id=line.id, direction=line.direction, body=line.body, time=line.time,
                        sender=senders.get(line.sender, line.sender), status=line.sender) for line in lines]


@requires(Access.TENANT)
class StaffWebChatsState(rx.State):
    enabled: bool = True
    error: str = ""
    notice: str = ""
    filter: str = "all"
    chats: list[WebChatRow] = []
    selected_id: str = ""
    chat: WebChatRow = WebChatRow()
    messages: list[ChatMessage] = []

    _poll_pending: bool = False  # set by load: the next `poll` event may start a poller
    _poll_id: int = 0  # the live poller's number; an older one stops
    _poll_beat: float = 0.0  # wall time of the poller's last round

    async def _reload_list(self, ctx: StaffContext) -> None:
        _tz_name, rows = await tenant_call(ctx, _list, self.filter == "needs_human", feature=FEATURE)
        self.chats = rows

    async def _reload_thread(self, ctx: StaffContext) -> None:
        row, lines = await tenant_call(ctx, _thread, self.selected_id, feature=FEATURE)
        self.chat, self.messages = row, staff_messages(lines)

    def _clear_thread(self) -> None:
        self.selected_id, self.chat, self.messages = "", WebChatRow(), []

    @rx.event
    async def load(self):
        ctx = await current_context(self)
        self.error = self.notice = ""
        try:
            await self._reload_list(ctx)
        except UserError as exc:
            self.enabled, self.error, self.chats = False, str(exc), []
            self._clear_thread()
            return
        self.enabled = True
        wanted = self.router.url.query_parameters.get("chat", "")
        if is_id(wanted):
            self.selected_id = wanted
        if self.selected_id:
            try:
                await self._reload_thread(ctx)
            except UserError as exc:
                self._clear_thread()
                self.error = str(exc)
        if time.time() - self._poll_beat > 3 * POLL_SECONDS:  # no poller alive for this tab
            self._poll_pending, self._poll_beat = True, time.time()
            return StaffWebChatsState.poll

    @rx.event
    async def set_filter(self, value: str):
        ctx = await current_context(self)
        if value not in FILTERS:
            return
        self.filter = value
        try:
            await self._reload_list(ctx)
        except UserError as exc:
            self.error = str(exc)

    @rx.event
    async def select(self, session_id: str):
        ctx = await current_context(self)
        if not is_id(session_id):
            return
        previous, self.selected_id = self.selected_id, session_id
        try:
            await self._reload_thread(ctx)
        except UserError as exc:
            self.selected_id = previous
            self.error = str(exc)
            return
        self.error = self.notice = ""

    @rx.event
    def close_thread(self):
        self._clear_thread()

    @rx.event
    async def send_reply(self, form: dict):
        ctx = await current_context(self)
        text = form_dict(form).get("body", "")
        session_id = self.selected_id
        if not session_id:
            return
        if not text.strip():
            self.error = "Write a reply first."
            return
        try:
            await tenant_call(ctx, lambda db, c: webchat.do_reply_web_chat(
                db, tenant_id=c.tenant_id, session_id=session_id, text=text, acting_user=c), feature=FEATURE)
        except UserError as exc:
            self.error = str(exc)
            return
        self.error, self.notice = "", "Sent. The visitor sees it in their chat; the AI stays quiet until you hand back."
        await self._reload_thread(ctx)
        await self._reload_list(ctx)

    @rx.event
    async def hand_back(self):
        ctx = await current_context(self)
        session_id = self.selected_id
        if not session_id:
            return
        try:
            await tenant_call(ctx, lambda db, c: webchat.do_hand_back_web_chat(
                db, tenant_id=c.tenant_id, session_id=session_id, acting_user=c), feature=FEATURE)
        except UserError as exc:
            self.error = str(exc)
            return
        self.error, self.notice = "", "Handed back to the AI: it answers the visitor's next message."
        await self._reload_thread(ctx)
        await self._reload_list(ctx)

    @rx.event(background=True)
    async def poll(self):
        """Refreshes the list (and the open chat) every few seconds while this tab shows the page.
        Each round re-checks the session cookie (read-only, like live updates) and stops when the
        tab left the page, the session ended or the business changed."""
        from servicepro_app.auth_middleware import session_token

        async with self:
            if not self._poll_pending:
                return  # only started by `load`
            self._poll_pending = False
            self._poll_id += 1
            mine = self._poll_id
            first = await current_context(self)
        deadline = time.monotonic() + POLL_FOR_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            async with self:
                if self._poll_id != mine or (self.router.url.path or "").rstrip("/") != PATH or not self.enabled:
                    return
                self._poll_beat = time.time()
                cookie = session_token(self)
                needs_human_only, selected = self.filter == "needs_human", self.selected_id
            ctx = await run_blocking(live.verify_session, cookie)
            if ctx is None or ctx.tenant_id != first.tenant_id or not allows(Access.TENANT, ctx):
                return
            try:
                _tz_name, rows = await tenant_call(ctx, _list, needs_human_only, feature=FEATURE)
                thread = await tenant_call(ctx, _thread, selected, feature=FEATURE) if selected else None
            except UserError:
                return
            async with self:
                if self._poll_id != mine:
                    return
                if (self.filter == "needs_human") == needs_human_only:
                    self.chats = rows
                if thread is not None and self.selected_id == selected:
                    self.chat, self.messages = thread[0], staff_messages(thread[1])
