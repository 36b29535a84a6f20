"""Messaging settings (owner/admin): automatic texts (HELP reply, opt-out/opt-in confirmations,
missed-call text-back), who answers new conversations, quick replies, and the A2P 10DLC
registration form with per-field validation, draft saving and submitting.

Forms arrive as untrusted dicts: every value is type-checked and parsed into the backend's
schemas (MessagingSettingsUpdate, QuickReplyIn, the A2P draft) before anything is written; a
refused change writes nothing.
"""

from __future__ import annotations

import reflex as rx
from pydantic import ValidationError

from backend import timefmt
from backend.auth.context import StaffContext
from backend.db.session import tenant_session
from backend.errors import UserError, pydantic_message
from backend.messaging import actions as messaging_actions
from backend.messaging import service as messaging_service
from backend.messaging import views as messaging_views
from backend.messaging.actions import MessagingSettingsUpdate, QuickReplyIn
from backend.messaging.enums import ConversationMode
from state.inbox import _require_inbox, valid_id
from state.session import Access, current_context, requires, run_blocking

A2P_STATUS_LABELS = {
    "": "Not started",
    "draft": "Draft — not submitted yet",
    "submitted": "Submitted — waiting for the carriers' review",
    "approved": "Approved — you can text customers from your local number",
    "rejected": "Rejected — fix the problems below and submit again",
}
MODE_OPTIONS = [("ai", "The AI answers"), ("manual", "Staff answer"), ("paused", "Nobody answers automatically")]
EMPTY_QUICK_REPLY = {"id": "", "title": "", "body": "", "position": "0"}


def _text(form: dict, name: str, limit: int = 2000) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def _flag(form: dict, name: str) -> bool:
    value = form.get(name)
    return value is True or value in ("on", "true")


# ---- blocking backend calls ---------------------------------------------------------------------


def _load(ctx: StaffContext):
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        settings = messaging_views.settings_view(db, tenant_id=ctx.tenant_id)
        replies = [{"id": r.id, "title": r.title, "body": r.body, "position": str(r.position)}
                   for r in messaging_service.get_quick_replies(db, tenant_id=ctx.tenant_id)]
        a2p = messaging_views.a2p_view(db, tenant_id=ctx.tenant_id)
    return settings, replies, a2p


def _save_settings(ctx: StaffContext, settings_in: MessagingSettingsUpdate, help_text: str) -> None:
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        messaging_actions.do_update_messaging_settings(db, tenant_id=ctx.tenant_id, settings_in=settings_in,
                                                       acting_user=ctx)
        messaging_actions.do_update_help_text(db, tenant_id=ctx.tenant_id, text=help_text, acting_user=ctx)


def _save_quick_reply(ctx: StaffContext, quick_reply_id: str, data: QuickReplyIn) -> None:
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        if quick_reply_id:
            messaging_actions.do_update_quick_reply(db, tenant_id=ctx.tenant_id, quick_reply_id=quick_reply_id,
                                                    quick_reply_in=data, acting_user=ctx)
        else:
            messaging_actions.do_create_quick_reply(db, tenant_id=ctx.tenant_id, quick_reply_in=data, acting_user=ctx)


def _delete_quick_reply(ctx: StaffContext, quick_reply_id: str) -> None:
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        messaging_actions.do_delete_quick_reply(db, tenant_id=ctx.tenant_id, quick_reply_id=quick_reply_id,
                                                acting_user=ctx)


def _save_a2p(ctx: StaffContext, data: dict, submit: bool) -> None:
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        messaging_actions.do_save_a2p_registration(db, tenant_id=ctx.tenant_id, registration_in=data,
                                                   acting_user=ctx)
        if submit:
            messaging_actions.do_submit_a2p_registration(db, tenant_id=ctx.tenant_id, acting_user=ctx)


# ---- the state ------------------------------------------------------------------------------------


@requires(Access.TENANT_ADMIN)
class MessagingSettingsState(rx.State):
    enabled: bool = True
    error: str = ""

    # automatic texts
    default_mode: str = "ai"
    missed_call_enabled: bool = True
    missed_call_window_minutes: str = "30"
    missed_call_text: str = ""
    opt_out_text: str = ""
    opt_in_text: str = ""
    help_text: str = ""
    default_help_text: str = ""
    reminder_hours: str = ""
    settings_error: str = ""
    settings_notice: str = ""
    settings_version: int = 0

    # quick replies
    quick_replies: list[dict[str, str]] = []
    qr_open: bool = False
    qr_editing: dict[str, str] = dict(EMPTY_QUICK_REPLY)
    qr_error: str = ""
    qr_notice: str = ""

    # A2P 10DLC
    a2p_status: str = ""
    a2p_status_label: str = A2P_STATUS_LABELS[""]
    a2p_detail: str = ""
    a2p_values: dict[str, str] = {}
    a2p_flags: dict[str, bool] = {}
    a2p_errors: dict[str, str] = {}
    a2p_error: str = ""
    a2p_notice: str = ""
    a2p_version: int = 0

    _tz: str = "UTC"
    _a2p_intent: str = "save"

    async def _context(self) -> StaffContext:
        ctx = await current_context(self)
        self._tz = await run_blocking(_require_inbox, ctx)
        return ctx

    async def _reload(self, ctx: StaffContext, *, settings: bool = True, a2p: bool = True) -> None:
        """Reloads the page data; a form that was not saved keeps what is typed in it."""
        view, replies, registration = await run_blocking(_load, ctx)
        self.quick_replies = replies
        if settings:
            self.default_mode = view.default_mode
            self.missed_call_enabled = view.missed_call_enabled
            self.missed_call_window_minutes = str(view.missed_call_window_minutes)
            self.missed_call_text = view.missed_call_text
            self.opt_out_text = view.opt_out_text
            self.opt_in_text = view.opt_in_text
            self.help_text = view.help_text
            self.default_help_text = view.default_help_text
            self.reminder_hours = "" if view.reminder_hours_before is None else str(view.reminder_hours_before)
            self.settings_version += 1
        if a2p:
            self._show_a2p(registration)

    def _show_a2p(self, a2p: messaging_views.A2PView) -> None:
        self.a2p_status = a2p.status
        self.a2p_status_label = A2P_STATUS_LABELS.get(a2p.status, a2p.status)
        detail = []
        if a2p.submitted_at:
            detail.append(f"Submitted {timefmt.with_zone(a2p.submitted_at, self._tz)}")
        if a2p.decided_at:
            detail.append(f"decided {timefmt.with_zone(a2p.decided_at, self._tz)}")
        if a2p.rejection_reason:
            detail.append(f"Reason: {a2p.rejection_reason}")
        if not detail and a2p.updated_at:
            detail.append(f"Last saved {timefmt.with_zone(a2p.updated_at, self._tz)}")
        self.a2p_detail = " · ".join(detail)
        self.a2p_values = {k: v for k, v in a2p.values.items() if isinstance(v, str)}
        self.a2p_flags = {k: v for k, v in a2p.values.items() if isinstance(v, bool)}
        self.a2p_errors = a2p.errors
        self.a2p_version += 1

    @rx.event
    async def load(self):
        self.error = self.settings_error = self.settings_notice = ""
        self.qr_error = self.qr_notice = self.a2p_error = self.a2p_notice = ""
        try:
            ctx = await self._context()
            await self._reload(ctx)
        except UserError as exc:
            self.enabled = False
            self.error = str(exc)
            return
        self.enabled = True

    # -- automatic texts --

    @rx.event
    async def save_settings(self, form: dict):
        if not isinstance(form, dict):
            return
        self.settings_error = self.settings_notice = ""
        mode = _text(form, "default_mode", 20)
        window = _text(form, "missed_call_window_minutes", 10).strip()
        if mode not in ConversationMode.values():
            self.settings_error = "Choose who answers new conversations."
            return
        if not window.isdigit():
            self.settings_error = "The text-back window must be a whole number of minutes."
            return
        try:
            settings_in = MessagingSettingsUpdate(
                default_mode=mode, missed_call_enabled=_flag(form, "missed_call_enabled"),
                missed_call_window_minutes=int(window), missed_call_text=_text(form, "missed_call_text", 1000),
                opt_out_text=_text(form, "opt_out_text", 1000), opt_in_text=_text(form, "opt_in_text", 1000),
            )
            ctx = await self._context()
            await run_blocking(_save_settings, ctx, settings_in, _text(form, "help_text", 1000))
        except ValidationError as exc:
            self.settings_error = pydantic_message(exc)
            return
        except UserError as exc:
            self.settings_error = str(exc)
            return
        await self._reload(ctx, a2p=False)
        self.settings_notice = "Saved."

    # -- quick replies --

    @rx.event
    def start_new_quick_reply(self):
        self.qr_editing = dict(EMPTY_QUICK_REPLY, position=str(len(self.quick_replies)))
        self.qr_error = ""
        self.qr_open = True

    @rx.event
    def start_edit_quick_reply(self, quick_reply_id: str):
        row = next((r for r in self.quick_replies if r["id"] == quick_reply_id), None)
        if row is None:
            return
        self.qr_editing = dict(row)
        self.qr_error = ""
        self.qr_open = True

    @rx.event
    def set_qr_open(self, value: bool):
        self.qr_open = bool(value)

    @rx.event
    async def save_quick_reply(self, form: dict):
        if not isinstance(form, dict):
            return
        editing_id = self.qr_editing.get("id", "")
        if editing_id and not valid_id(editing_id):
            return
        position = _text(form, "position", 6).strip() or "0"
        if not position.lstrip("-").isdigit() or not -1000 <= int(position) <= 1000:
            self.qr_error = "Order must be a whole number."
            return
        try:
            data = QuickReplyIn(title=_text(form, "title", 200), body=_text(form, "body", 2000), position=int(position))
            ctx = await self._context()
            await run_blocking(_save_quick_reply, ctx, editing_id, data)
        except ValidationError as exc:
            self.qr_error = pydantic_message(exc)
            return
        except UserError as exc:
            self.qr_error = str(exc)
            return
        self.qr_open = False
        self.qr_notice = f"Saved “{data.title}”."
        await self._reload(ctx, settings=False, a2p=False)

    @rx.event
    async def delete_quick_reply(self, quick_reply_id: str):
        if not valid_id(quick_reply_id):
            return
        try:
            ctx = await self._context()
            await run_blocking(_delete_quick_reply, ctx, quick_reply_id)
        except UserError as exc:
            self.qr_error = str(exc)
            return
        self.qr_error = ""
        self.qr_notice = "Quick reply removed."
        await self._reload(ctx, settings=False, a2p=False)

    # -- A2P 10DLC --

    @rx.event
    def set_a2p_intent(self, intent: str):
        """The button pressed: "save" (draft) or "submit"; the form's submit event follows."""
        self._a2p_intent = "submit" if intent == "submit" else "save"

    @rx.event
    async def a2p_form_submit(self, form: dict):
        if not isinstance(form, dict):
            return
        intent, self._a2p_intent = self._a2p_intent, "save"
        if intent == "submit":
            await self._submit_a2p_form(form)
        else:
            await self._save_a2p_draft(form)

    async def _save_a2p_draft(self, form: dict) -> None:
        """Saves the form as a draft (incomplete is fine) and lists what still blocks submitting."""
        self.a2p_error = self.a2p_notice = ""
        data = messaging_views.draft_from_form(form)
        try:
            ctx = await self._context()
            await run_blocking(_save_a2p, ctx, data, False)
        except UserError as exc:
            self.a2p_error = str(exc)
            return
        await self._reload(ctx, settings=False)
        missing = len(self.a2p_errors)
        self.a2p_notice = ("Draft saved. Everything is filled in — you can submit." if not missing else
                           f"Draft saved. {missing} field{'s' if missing != 1 else ''} still need attention before "
                           "you can submit.")

    async def _submit_a2p_form(self, form: dict) -> None:
        """Validates the form like Twilio does; when it passes, saves and submits it in one go.
        With problems, shows each next to its field and changes nothing."""
        self.a2p_error = self.a2p_notice = ""
        data = messaging_views.draft_from_form(form)
        errors = messaging_views.field_errors(data)
        if errors:
            self.a2p_errors = errors
            self.a2p_error = (f"{len(errors)} field{'s' if len(errors) != 1 else ''} need attention before the "
                              "registration can be submitted. Nothing was submitted.")
            return
        try:
            ctx = await self._context()
            await run_blocking(_save_a2p, ctx, data, True)
        except UserError as exc:
            self.a2p_error = str(exc)
            return
        await self._reload(ctx, settings=False)
        self.a2p_notice = "Submitted. Carriers usually review a registration within a few days."
