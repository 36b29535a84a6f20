"""The public chat page (/chat/<widget token>): a business's assistant in its colours, full
screen on a phone, a centred card on a desktop (and fit for an <iframe>). `?view=button` shows
the floating chat button instead, as it would sit on a business's own site. No sign-in, no app
shell; an invalid link shows only that it is invalid."""

from __future__ import annotations

import reflex as rx

from components.web_chat import web_chat_launcher, web_chat_panel
from state.web_chat import WebChatState

S = WebChatState


def _problem() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.icon("message-circle-off", size=32, color="var(--gray-9)"),
                rx.heading(S.problem, size="4", id="webchat-problem"),
                rx.text("Please ask the business for a new link.", color_scheme="gray", size="2"),
                align="center",
                spacing="3",
                text_align="center",
            ),
            max_width="420px",
            width="100%",
            size="3",
        ),
        min_height="100dvh",
        padding="1rem",
        background="var(--gray-2)",
    )


def _inline() -> rx.Component:
    return rx.center(
        rx.box(
            web_chat_panel(),
            width="100%",
            max_width=["100%", "100%", "560px"],
            height=["100dvh", "100dvh", "min(760px, calc(100dvh - 3rem))"],
            border_radius=["0", "0", "16px"],
            overflow="hidden",
            box_shadow=["none", "none", "0 10px 40px rgba(0,0,0,0.12)"],
            border=["none", "none", "1px solid var(--gray-a5)"],
        ),
        min_height="100dvh",
        background="var(--gray-2)",
    )


def _launcher_page() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading(S.business_name, size="7"),
            rx.text("Questions about prices, openings or booking? Tap the chat button.", color_scheme="gray"),
            spacing="2",
            padding="2rem 1.25rem",
            max_width="720px",
            margin="0 auto",
        ),
        web_chat_launcher(),
        min_height="100dvh",
        background="var(--gray-2)",
    )


def web_chat_page() -> rx.Component:
    return rx.cond(
        S.loaded,
        rx.cond(S.problem != "", _problem(), rx.cond(S.launcher, _launcher_page(), _inline())),
        rx.center(rx.spinner(size="3"), min_height="100dvh"),
    )
