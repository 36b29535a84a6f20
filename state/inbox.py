"""The unified inbox: conversation list (search, filters, counts), thread, composer with quick
replies and a live segment counter, take over / hand back / pause / assign, the customer side
panel, and live updates pushed by state/live.py.

Every conversation id from the browser goes through the tenant-scoped lookups of
backend.messaging (`access_conversation_by_id` inside the inbox queries and actions) with the
tenant of the server-side StaffContext; another tenant's id fails exactly like a missing one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import reflex as rx

from backend import timefmt
from backend.auth.context import StaffContext
from backend.db.session import tenant_session
from backend.db.types import utcnow
from backend.errors import UserError
from backend.messaging import actions as messaging_actions
from backend.messaging import inbox
from backend.messaging import service as messaging_service
from backend.messaging import views as messaging_views
from backend.messaging.enums import InboundHandling, MessageKind, OutboundStatus
from backend.tenancy import views as tenancy_views
from backend.tenancy.features import FeatureNotAvailable, require_feature
from components.chat import ChatMedia, ChatMessage
from state import live
from state.session import Access, current_context, requires, run_blocking

FEATURE = "sms_inbox"
PAGE_SIZE = 50
MAX_LIST = inbox.MAX_PAGE
THREAD_PAGE = 100
MAX_THREAD = inbox.MAX_PAGE
MAX_DRAFT = 2000
MAX_SEARCH = 100
_ID = re.compile(r"[0-9A-Za-z_-]{1,40}")

FILTER_LABELS = {"all": "All", "unread": "Unread", "mine": "Mine", "needs_human": "Needs human",
                 "opted_out": "Opted out"}
MODE_LABELS = {"ai": "AI replying", "manual": "Staff replying", "paused": "Paused"}
HANDLING_NOTES = {
    InboundHandling.OPT_OUT.value: "Opt-out recorded",
    InboundHandling.OPT_IN.value: "Opt-in recorded",
    InboundHandling.HELP.value: "HELP reply sent automatically",
    InboundHandling.IGNORED_OPTED_OUT.value: "Not answered: this number opted out",
    InboundHandling.AI_REPLY.value: "Answered by the AI",
    InboundHandling.NEEDS_HUMAN.value: "Waiting for a person",
    InboundHandling.PAUSED.value: "Automation paused",
}
KIND_LABELS = {
    MessageKind.REMINDER.value: "reminder", MessageKind.CONFIRMATION.value: "confirmation",
    MessageKind.MISSED_CALL.value: "missed-call text", MessageKind.CONSENT.value: "consent",
    MessageKind.SYSTEM.value: "automatic", MessageKind.MARKETING.value: "marketing",
    MessageKind.CAMPAIGN.value: "campaign", MessageKind.OTP.value: "code",
}
PROBLEM_STATUSES = {OutboundStatus.FAILED.value, OutboundStatus.UNDELIVERED.value, OutboundStatus.SUPPRESSED.value}
CONSENT_LABELS = {"opted_in": "Opted in", "opted_out": "Opted out (STOP)", "unknown": "No consent recorded"}


def valid_id(value) -> bool:
    """True for a well-formed row id (a ULID-like string); anything else is refused unread."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def safe_url(url) -> str:
    """Returns an http(s) URL unchanged, "" for anything else (javascript:, data:, ...)."""
    url = url.strip() if isinstance(url, str) else ""
    return url if re.match(r"https?://", url, re.I) and len(url) <= 2000 else ""


# ---- display models ---------------------------------------------------------------------------


@dataclasses.dataclass
class ConversationRow:
    id: str = ""
    name: str = ""
    phone: str = ""
    preview: str = ""
    time: str = ""
    unread: int = 0
    mode: str = ""
    mode_label: str = ""
    needs_human: bool = False
    opted_out: bool = False
    assigned: str = ""


@dataclasses.dataclass
class PanelAppointment:
    title: str = ""
    when: str = ""
    status: str = ""
    technician: str = ""


@dataclasses.dataclass
class CustomerPanelView:
    customer_id: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    notes: str = ""
    vip: bool = False
    tags: list[str] = dataclasses.field(default_factory=list)
    history: str = ""
    consent_state: str = "unknown"
    consent_label: str = ""
    consent_detail: str = ""
    appointments: list[PanelAppointment] = dataclasses.field(default_factory=list)
    assets: list[str] = dataclasses.field(default_factory=list)
    points: str = ""  # "" when no loyalty area provides points


def list_time(instant: dt.datetime, tz: str, now: dt.datetime | None = None) -> str:
    """Returns "2:05 PM" for today, "Mon" within the week, else "Nov 21" (tenant's zone)."""
    local = timefmt.local(instant, tz)
    today = timefmt.local(now or utcnow(), tz).date()
    if local.date() == today:
        return f"{local:%-I:%M %p}"
    if 0 < (today - local.date()).days < 7:
        return f"{local:%a}"
    return f"{local:%b} {local.day}"


def conversation_row(c: inbox.ConversationRead, tz: str) -> ConversationRow:
    prefix = "You: " if c.last_message_direction == "out" else ""
    return ConversationRow(
        id=c.id, name=c.customer_name, phone=c.phone_display, preview=prefix + c.last_message_preview,
        time=list_time(c.last_activity_at, tz), unread=c.unread_count, mode=c.mode,
        mode_label=MODE_LABELS.get(c.mode, c.mode), needs_human=c.needs_human, opted_out=c.opted_out,
        assigned=c.assigned_user_name,
    )


def chat_message(m: inbox.MessageRead, tz: str) -> ChatMessage:
    media = []
    for item in m.media:
        url = safe_url(item.url)
        if url:
            name = url.rsplit("/", 1)[-1][:60] or "attachment"
            media.append(ChatMedia(url=url, is_image=item.is_image, label=item.content_type or name))
    if m.direction == "in":
        return ChatMessage(id=m.id, direction="in", body=m.body, time=timefmt.short(m.at, tz), sender=m.sender_name,
                           status="received", status_label="", note=HANDLING_NOTES.get(m.handling, ""), media=media)
    sender = m.sender_name or "system"
    kind = KIND_LABELS.get(m.kind, "")
    if kind and kind not in sender.lower():
        sender = f"{sender} ({kind})"
    failed = m.status in PROBLEM_STATUSES
    error = ""
    if failed:
        code = f"Error {m.error_code}: " if m.error_code else ""
        error = (code + (m.error_message or "")).strip().rstrip(":")
    return ChatMessage(id=m.id, direction="out", body=m.body, time=timefmt.short(m.at, tz), sender=sender,
                       status=m.status, status_label=m.status_label, failed=failed, error=error, media=media)


def _appointment(row: dict) -> PanelAppointment:
    when = str(row.get("starts_at", ""))
    try:
        start = dt.datetime.fromisoformat(when)
        when = f"{start:%a}, {start:%b} {start.day} · {start:%-I:%M %p}"
    except ValueError:
        pass
    return PanelAppointment(title=str(row.get("title") or "Appointment"), when=when,
                            status=str(row.get("status", "")).replace("_", " "),
                            technician=str(row.get("technician") or ""))


def panel_view(p: inbox.CustomerPanel, tz: str) -> CustomerPanelView:
    consent = p.consent
    detail = ""
    if consent.state != "unknown":
        detail = f"{consent.source} · {timefmt.short(consent.at, tz)}" if consent.at else consent.source
        if consent.text:
            detail += f" · “{consent.text[:80]}”"
    jobs = f"{p.total_jobs} job{'s' if p.total_jobs != 1 else ''}"
    history = f"{jobs} · ${p.lifetime_value_cents / 100:,.2f} lifetime"
    assets = [" ".join(part for part in (a.get("label") or "", f"({a.get('kind')})" if a.get("kind") else "") if part)
              for a in p.assets]
    return CustomerPanelView(
        customer_id=p.customer_id, name=p.name, phone=p.phone_display, email=p.email, address=p.address,
        notes=p.notes, vip=p.is_vip, tags=list(p.tags), history=history, consent_state=consent.state,
        consent_label=CONSENT_LABELS.get(consent.state, consent.state), consent_detail=detail,
        appointments=[_appointment(a) for a in p.upcoming_appointments], assets=[a for a in assets if a],
        points="" if p.points is None else f"{p.points:,}",
    )


def counter_text(text: str) -> tuple[str, bool, str]:
    """Returns ("n chars · m segments · encoding", too long, hint about UCS-2 characters)."""
    info = inbox.composer_info(text)
    line = (f"{info.characters} char{'s' if info.characters != 1 else ''} · "
            f"{info.segments} segment{'s' if info.segments != 1 else ''} · {info.encoding}")
    hint = ""
    if info.non_gsm_characters:
        shown = " ".join(info.non_gsm_characters[:5])
        hint = f"{shown} switch the text to UCS-2 ({info.per_segment} characters per segment)."
    return line, info.too_long, hint


# ---- blocking backend calls (run off the event loop) ----------------------------------------


def _require_inbox(ctx: StaffContext) -> str:
    """Returns the tenant's time zone, or raises UserError when the plan/status has no inbox."""
    view = tenancy_views.tenant_view(tenant_id=ctx.tenant_id)
    try:
        require_feature(view, FEATURE)
    except FeatureNotAvailable as exc:
        raise UserError(str(exc)) from None
    return view.timezone


def _load_list(ctx: StaffContext, filter: str, search: str, limit: int):
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        rows = inbox.list_conversations(db, tenant_id=ctx.tenant_id, user_id=ctx.user_id, search=search,
                                        filter=filter, limit=limit + 1)
        counts = inbox.inbox_counts(db, tenant_id=ctx.tenant_id, user_id=ctx.user_id)
    return rows, counts


def _load_thread(ctx: StaffContext, conversation_id: str, limit: int, mark_read: bool):
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        if mark_read:
            messaging_actions.do_mark_conversation_read(db, tenant_id=ctx.tenant_id, conversation_id=conversation_id,
                                                        acting_user=ctx)
        thread = inbox.get_thread(db, tenant_id=ctx.tenant_id, conversation_id=conversation_id, limit=limit)
        panel = inbox.customer_panel(db, tenant_id=ctx.tenant_id, conversation_id=conversation_id)
    return thread, panel


def _load_options(ctx: StaffContext):
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        staff = messaging_views.staff_options(db, tenant_id=ctx.tenant_id)
        replies = messaging_service.get_quick_replies(db, tenant_id=ctx.tenant_id)
        return staff, [{"id": r.id, "title": r.title, "body": r.body} for r in replies]


def _act(ctx: StaffContext, action, conversation_id: str, **kwargs) -> None:
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        action(db, tenant_id=ctx.tenant_id, conversation_id=conversation_id, acting_user=ctx, **kwargs)


# ---- the state ------------------------------------------------------------------------------------


@requires(Access.TENANT)
class InboxState(rx.State):
    enabled: bool = True
    error: str = ""
    notice: str = ""

    conversations: list[ConversationRow] = []
    has_more: bool = False
    counts: dict[str, int] = {}
    filter: str = "all"
    search: str = ""

    selected_id: str = ""
    name: str = ""
    phone: str = ""
    mode: str = ""
    mode_label: str = ""
    needs_human: bool = False
    opted_out: bool = False
    assigned_key: str = "none"
    messages: list[ChatMessage] = []
    thread_has_more: bool = False
    panel: CustomerPanelView = CustomerPanelView()
    show_details: bool = False

    staff: list[dict[str, str]] = []  # {"key", "name"}; keys map to user ids server-side
    quick_replies: list[dict[str, str]] = []
    draft: str = ""
    counter: str = "0 chars · 0 segments · GSM-7"
    counter_too_long: bool = False
    counter_hint: str = ""

    _tz: str = "UTC"
    _limit: int = PAGE_SIZE
    _thread_limit: int = THREAD_PAGE
    _staff_keys: dict[str, str] = {}

    # -- helpers --

    async def _context(self) -> StaffContext:
        ctx = await current_context(self)
        self._tz = await run_blocking(_require_inbox, ctx)
        return ctx

    async def _reload_list(self, ctx: StaffContext) -> None:
        rows, counts = await run_blocking(_load_list, ctx, self.filter, self.search, self._limit)
        self.has_more = len(rows) > self._limit
        self.conversations = [conversation_row(r, self._tz) for r in rows[: self._limit]]
        self.counts = counts.model_dump()

    async def _reload_thread(self, ctx: StaffContext, *, mark_read: bool) -> None:
        thread, panel = await run_blocking(_load_thread, ctx, self.selected_id, self._thread_limit, mark_read)
        c = thread.conversation
        self.name, self.phone, self.mode = c.customer_name, c.phone_display, c.mode
        self.mode_label = MODE_LABELS.get(c.mode, c.mode)
        self.needs_human, self.opted_out = c.needs_human, c.opted_out
        self.assigned_key = self._key_for(c.assigned_user_id)
        self.messages = [chat_message(m, self._tz) for m in thread.messages]
        self.thread_has_more = thread.has_more and self._thread_limit < MAX_THREAD
        self.panel = panel_view(panel, self._tz)

    async def _reload_options(self, ctx: StaffContext) -> None:
        staff, replies = await run_blocking(_load_options, ctx)
        self._staff_keys = {f"s{i}": s.user_id for i, s in enumerate(staff, 1)}
        self.staff = [{"key": f"s{i}", "name": s.name + (" (me)" if s.user_id == ctx.user_id else "")}
                      for i, s in enumerate(staff, 1)]
        self.quick_replies = replies

    def _key_for(self, user_id: str | None) -> str:
        if not user_id:
            return "none"
        return next((k for k, v in self._staff_keys.items() if v == user_id), "other")

    def _clear_thread(self) -> None:
        self.selected_id = ""
        self.messages = []
        self.panel = CustomerPanelView()
        self.name = self.phone = self.mode = self.mode_label = ""
        self.needs_human = self.opted_out = self.show_details = False
        self.assigned_key = "none"
        self._set_draft("")

    def _set_draft(self, text: str) -> None:
        self.draft = text
        self.counter, self.counter_too_long, self.counter_hint = counter_text(text)

    def _fail(self, exc: Exception) -> None:
        self.error = str(exc)
        self.notice = ""

    # -- page events --

    @rx.event
    async def load(self):
        """Loads the page, registers this tab for live updates of the caller's tenant, and opens
        the conversation named by `?c=` if there is one."""
        self.error = self.notice = ""
        self._limit, self._thread_limit = PAGE_SIZE, THREAD_PAGE
        try:
            ctx = await self._context()
        except UserError as exc:
            self.enabled = False
            self._fail(exc)
            return
        self.enabled = True
        live.watch_page(self, ctx, "inbox")
        await self._reload_options(ctx)
        await self._reload_list(ctx)
        wanted = self.router.url.query_parameters.get("c", "")
        target = wanted if valid_id(wanted) else self.selected_id
        if target:
            self.selected_id = target
            try:
                await self._reload_thread(ctx, mark_read=True)
            except UserError as exc:
                self._clear_thread()
                self._fail(exc)
                return
            await self._reload_list(ctx)
        else:
            self._clear_thread()

    async def _live_refresh(self, ctx: StaffContext, conversation_ids: frozenset[str]) -> None:
        """Called by state/live.py (already verified: same tenant, still on this page)."""
        if not self.enabled:
            return
        try:
            self._tz = await run_blocking(_require_inbox, ctx)
            if self.selected_id and self.selected_id in conversation_ids:
                try:
                    await self._reload_thread(ctx, mark_read=True)
                except UserError:
                    self._clear_thread()
            await self._reload_list(ctx)
        except UserError as exc:  # e.g. the plan lost the inbox meanwhile
            self._fail(exc)

    @rx.event
    async def set_filter(self, value: str):
        if not isinstance(value, str) or value not in FILTER_LABELS:
            return
        self.filter = value
        self._limit = PAGE_SIZE
        await self._refresh_list()

    @rx.event
    async def set_search(self, value: str):
        if not isinstance(value, str):
            return
        self.search = " ".join(value.split())[:MAX_SEARCH]
        self._limit = PAGE_SIZE
        await self._refresh_list()

    @rx.event
    async def load_more(self):
        self._limit = min(self._limit + PAGE_SIZE, MAX_LIST)
        await self._refresh_list()

    async def _refresh_list(self) -> None:
        try:
            ctx = await self._context()
            await self._reload_list(ctx)
        except UserError as exc:
            self._fail(exc)

    @rx.event
    async def select_conversation(self, conversation_id: str):
        if not valid_id(conversation_id):
            return
        try:
            ctx = await self._context()
        except UserError as exc:
            self._fail(exc)
            return
        previous, self.selected_id = self.selected_id, conversation_id
        self._thread_limit = THREAD_PAGE
        try:
            await self._reload_thread(ctx, mark_read=True)
        except UserError as exc:
            self.selected_id = previous
            self._fail(exc)
            return
        self.error = self.notice = ""
        self.show_details = False
        if previous != conversation_id:
            self._set_draft("")
        live.watch_page(self, ctx, "inbox")
        await self._reload_list(ctx)

    @rx.event
    def close_thread(self):
        self._clear_thread()

    @rx.event
    def toggle_details(self):
        self.show_details = not self.show_details

    @rx.event
    async def load_earlier(self):
        if not self.selected_id:
            return
        self._thread_limit = min(self._thread_limit + THREAD_PAGE, MAX_THREAD)
        try:
            ctx = await self._context()
            await self._reload_thread(ctx, mark_read=False)
        except UserError as exc:
            self._fail(exc)

    async def _mode_action(self, action, notice: str, **kwargs):
        if not self.selected_id:
            return
        try:
            ctx = await self._context()
            await run_blocking(_act, ctx, action, self.selected_id, **kwargs)
            await self._reload_thread(ctx, mark_read=False)
            await self._reload_list(ctx)
        except UserError as exc:
            self._fail(exc)
            return
        self.error, self.notice = "", notice

    @rx.event
    async def take_over(self):
        await self._mode_action(messaging_actions.do_take_over, "You took over: the AI stays quiet here.")

    @rx.event
    async def hand_back(self):
        await self._mode_action(messaging_actions.do_hand_back, "Handed back to the AI.")

    @rx.event
    async def pause(self):
        await self._mode_action(messaging_actions.do_pause_conversation, "Automated replies paused.")

    @rx.event
    async def assign(self, key: str):
        if not isinstance(key, str) or not self.selected_id:
            return
        if key == "none":
            user_id = None
        elif key in self._staff_keys:
            user_id = self._staff_keys[key]
        else:
            self.error = "Choose someone from the list."
            return
        await self._mode_action(messaging_actions.do_assign_conversation,
                                "Unassigned." if user_id is None else "Assigned.", user_id=user_id)

    @rx.event
    async def assign_to_me(self):
        if not self.selected_id:
            return
        ctx = await current_context(self)
        await self._mode_action(messaging_actions.do_assign_conversation, "Assigned to you.", user_id=ctx.user_id)

    @rx.event
    def set_draft(self, text: str):
        if not isinstance(text, str):
            return
        self._set_draft(text[:MAX_DRAFT])

    @rx.event
    def use_quick_reply(self, quick_reply_id: str):
        reply = next((r for r in self.quick_replies if r["id"] == quick_reply_id), None)
        if reply is None:
            return
        text = reply["body"] if not self.draft.strip() else f"{self.draft.rstrip()} {reply['body']}"
        self._set_draft(text[:MAX_DRAFT])

    @rx.event
    async def send_reply(self, form: dict):
        """Sends the composer text (the form's value, so a last keystroke is never lost)."""
        body = form.get("body") if isinstance(form, dict) else None
        if not isinstance(body, str) or not self.selected_id:
            return
        if len(body) > MAX_DRAFT:
            self.error = f"A text can be at most {messaging_actions.MAX_BODY_CHARS:,} characters."
            return
        self._set_draft(body)
        if not body.strip():
            self.error = "Write a message first."
            return
        try:
            ctx = await self._context()
            await run_blocking(_act, ctx, messaging_actions.do_send_staff_reply, self.selected_id, body=body)
        except UserError as exc:
            self._fail(exc)
            return
        self.error = ""
        self.notice = ""
        self._set_draft("")
        await self._reload_thread(ctx, mark_read=False)
        await self._reload_list(ctx)


live.register_page("inbox", InboxState, "/inbox", Access.TENANT)
