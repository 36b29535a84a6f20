"""Sign-in, password reset, tenant picker and account pages."""

from __future__ import annotations

import reflex as rx

from components.layout import app_shell, page_header, public_shell
from components.ui import error_callout, field, info_callout, text_input
from state.auth import AccountState, ForgotPasswordState, LoginState, ResetPasswordState, SelectTenantState
from state.session import SessionState, api_url


def _brand() -> rx.Component:
    return rx.hstack(
        rx.center(rx.icon("sparkles", color="white", size=20), width="40px", height="40px",
                  border_radius="10px", background="var(--accent-9)"),
        rx.vstack(rx.heading("ServicePro", size="5"),
                  rx.text("Run your service business", size="2", color_scheme="gray"), spacing="0"),
        spacing="3",
        align="center",
    )


def _native_form(*children, action: str) -> rx.Component:
    return rx.el.form(
        rx.vstack(*children, spacing="3", width="100%"),
        action=api_url(action),
        method="post",
        on_submit=None,
        width="100%",
    )


def login_page() -> rx.Component:
    return public_shell(
        _brand(),
        rx.heading("Sign in", size="4"),
        error_callout(LoginState.error, id="login-error"),
        info_callout(LoginState.info, id="login-info"),
        _native_form(
            field("Email", text_input("email", type="email", placeholder="you@business.com", required=True,
                                      auto_complete="username", id="login-email")),
            field("Password", text_input("password", type="password", required=True,
                                         auto_complete="current-password", id="login-password")),
            rx.button("Sign in", type="submit", size="3", width="100%", id="login-submit"),
            action="/auth/login",
        ),
        rx.link("Forgot your password?", href="/forgot-password", size="2"),
    )


def forgot_password_page() -> rx.Component:
    return public_shell(
        _brand(),
        rx.heading("Reset your password", size="4"),
        rx.cond(
            ForgotPasswordState.sent,
            rx.callout("If an account exists for that email, we've sent a link to reset the password. "
                       "It works once, for one hour.", icon="mail-check", color_scheme="green", id="reset-sent"),
            _native_form(
                rx.text("Enter your email and we'll send you a link to choose a new password.", size="2"),
                field("Email", text_input("email", type="email", required=True, id="forgot-email")),
                rx.button("Send reset link", type="submit", size="3", width="100%"),
                action="/auth/forgot-password",
            ),
        ),
        rx.link("Back to sign in", href="/login", size="2"),
    )


def reset_password_page() -> rx.Component:
    return public_shell(
        _brand(),
        rx.heading("Choose a new password", size="4"),
        error_callout(ResetPasswordState.error),
        rx.cond(
            ResetPasswordState.token != "",
            _native_form(
                rx.el.input(type="hidden", name="token", value=ResetPasswordState.token),
                field("New password", text_input("password", type="password", required=True,
                                                 auto_complete="new-password"), "At least 10 characters."),
                field("Repeat it", text_input("confirm", type="password", required=True,
                                             auto_complete="new-password")),
                rx.button("Save password", type="submit", size="3", width="100%"),
                action="/auth/reset-password",
            ),
            rx.link("Request a new link", href="/forgot-password"),
        ),
    )


def _tenant_choice(choice: rx.Var) -> rx.Component:
    return rx.el.form(
        rx.el.input(type="hidden", name="tenant", value=choice["slug"]),
        rx.button(
            rx.hstack(
                rx.box(width="10px", height="36px", border_radius="4px", background=choice["color"]),
                rx.vstack(rx.text(choice["name"], weight="bold"),
                          rx.text(choice["role"], " · ", choice["industry"], size="1", color_scheme="gray"),
                          spacing="0", align="start"),
                align="center",
                spacing="3",
            ),
            type="submit",
            variant="surface",
            size="4",
            width="100%",
            justify="start",
        ),
        action=api_url("/auth/select-tenant"),
        method="post",
        on_submit=None,
        width="100%",
    )


def select_tenant_page() -> rx.Component:
    return public_shell(
        _brand(),
        rx.heading("Choose a business", size="4"),
        rx.text("You work with several businesses. Which one do you want to open?", size="2"),
        error_callout(SelectTenantState.error),
        rx.vstack(rx.foreach(SelectTenantState.choices, _tenant_choice), width="100%", spacing="2"),
        rx.el.form(
            rx.button("Sign out", type="submit", variant="ghost", size="2"),
            action=api_url("/auth/logout"), method="post", on_submit=None,
        ),
    )


def account_page() -> rx.Component:
    return app_shell(
        page_header("Your account", subtitle=SessionState.user_email),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Change password", size="3"),
                    rx.cond(
                        SessionState.impersonating,
                        rx.callout("Passwords cannot be changed while viewing as a business.",
                                   icon="lock", color_scheme="amber"),
                    ),
                    error_callout(AccountState.error),
                    field("Current password", text_input("current_password", type="password", required=True)),
                    field("New password", text_input("new_password", type="password", required=True),
                          "At least 10 characters."),
                    field("Repeat new password", text_input("confirm", type="password", required=True)),
                    rx.button("Change password", type="submit", disabled=SessionState.impersonating),
                    spacing="3",
                    width="100%",
                ),
                on_submit=AccountState.change_password,
                reset_on_submit=True,
            ),
            max_width="480px",
        ),
    )
