"""Sign-in, password reset, tenant choice and account pages. The forms post to the Starlette
auth routes (which own the HttpOnly cookie); these states only turn result codes from the
redirect back into messages and load what the pages list."""

from __future__ import annotations

import reflex as rx

from backend.auth import actions as auth_actions
from backend.auth import service as auth_service
from backend.auth.passwords import WeakPassword
from backend.db.session import platform_session
from backend.errors import UserError
from state.session import Access, SessionState, current_context, hard_redirect, requires, run_blocking

LOGIN_MESSAGES = {
    "invalid": "That email and password don't match an account.",
    "session": "Your session ended. Please sign in again.",
}
LOGIN_INFO = {
    "signed_out": "You're signed out.",
    "idle": "You were signed out after 2 hours without activity.",
    "expired": "Your session expired after 12 hours. Please sign in again.",
    "impersonation_ended": "The viewing session has ended. Please sign in again.",
    "password_reset": "Your password was changed. Sign in with the new one.",
    "signin": "Please sign in to continue.",
}


def _param(state: rx.State, name: str) -> str:
    return str(state.router.url.query_parameters.get(name, ""))[:100]


@requires(Access.PUBLIC)
class LoginState(rx.State):
    error: str = ""
    info: str = ""

    @rx.event
    def load(self):
        code = _param(self, "error")
        if code == "locked":
            minutes = _param(self, "minutes")
            minutes = minutes if minutes.isdigit() else "15"
            self.error = (f"Too many failed sign-in attempts. This account is locked for {minutes} more "
                          "minutes; try again later or reset your password.")
        else:
            self.error = LOGIN_MESSAGES.get(code, "")
        self.info = LOGIN_INFO.get(_param(self, "info"), "")


@requires(Access.PUBLIC)
class ForgotPasswordState(rx.State):
    sent: bool = False

    @rx.event
    def load(self):
        self.sent = _param(self, "info") == "sent"


RESET_ERRORS = {
    "mismatch": "The two passwords don't match.",
    "weak": "Use at least 10 characters with a mix of different characters.",
    "invalid": "This reset link is invalid or has expired; request a new one.",
}


@requires(Access.PUBLIC)
class ResetPasswordState(rx.State):
    token: str = ""
    error: str = ""

    @rx.event
    def load(self):
        # The token is the customer's own secret from their email; echoing it into the form is fine.
        self.token = _param(self, "token")
        self.error = RESET_ERRORS.get(_param(self, "error"), "")
        if not self.token and not self.error:
            self.error = RESET_ERRORS["invalid"]


def _tenant_choices(user_id: str) -> list[dict[str, str]]:
    with platform_session("auth:tenant-choices") as db:
        return [
            {"slug": tenant.slug, "name": tenant.name, "role": membership.role, "industry": tenant.industry,
             "color": tenant.brand_color}
            for membership, tenant in auth_service.get_memberships(db, user_id=user_id)
        ]


@requires(Access.SIGNED_IN)
class SelectTenantState(rx.State):
    choices: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    async def load(self):
        ctx = await current_context(self)
        self.choices = await run_blocking(_tenant_choices, ctx.user_id)
        self.error = "That business isn't one of yours." if _param(self, "error") == "tenant" else ""


@requires(Access.SIGNED_IN)
class AccountState(rx.State):
    message: str = ""
    error: str = ""

    @rx.event
    async def change_password(self, form: dict):
        ctx = await current_context(self)
        if not isinstance(form, dict):
            return
        new, confirm = str(form.get("new_password", "")), str(form.get("confirm", ""))
        self.message, self.error = "", ""
        if new != confirm:
            self.error = "The two new passwords don't match."
            return
        try:
            await run_blocking(auth_actions.change_password, acting_user=ctx,
                               current_password=str(form.get("current_password", "")), new_password=new)
        except WeakPassword as exc:
            self.error = str(exc)
            return
        except UserError as exc:
            self.error = str(exc)
            return
        # Every session of this user was revoked; sign in again with the new password.
        session = await self.get_state(SessionState)
        session._set_context(None)
        return hard_redirect("/login?info=password_reset")
