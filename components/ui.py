"""Small reusable UI pieces: form fields, messages, stat cards, badges, empty states."""

from __future__ import annotations

import reflex as rx


def field(label: str, control: rx.Component, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label"),
        control,
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        spacing="1",
        width="100%",
    )


def text_input(name: str, *, placeholder: str = "", type: str = "text", required: bool = False,
               default_value: str | rx.Var = "", **props) -> rx.Component:
    return rx.input(name=name, placeholder=placeholder, type=type, required=required,
                    default_value=default_value, width="100%", size="3", **props)


def error_callout(message: rx.Var[str], *, id: str = "form-error") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%", id=id),
    )


def info_callout(message: rx.Var[str], *, id: str = "form-info") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="info", color_scheme="blue", width="100%", id=id),
    )


def stat_card(label: str, value: rx.Var | str, *, icon: str, hint: rx.Var | str = "", id: str = "") -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.center(rx.icon(icon, size=20), width="40px", height="40px", border_radius="10px",
                      background="var(--accent-a3)", color="var(--accent-11)"),
            rx.vstack(
                rx.text(label, size="2", color_scheme="gray"),
                rx.heading(value, size="6", id=id or None),
                rx.text(hint, size="1", color_scheme="gray"),
                spacing="0",
            ),
            spacing="3",
            align="center",
        ),
        width="100%",
    )


STATUS_COLORS = {
    "active": "green",
    "trialing": "blue",
    "past_due": "amber",
    "suspended": "red",
    "cancelled": "gray",
}

TIER_COLORS = {"starter": "gray", "pro": "blue", "elite": "purple", "internal": "teal"}


def color_badge(value: rx.Var[str], mapping: dict[str, str], default: str = "gray") -> rx.Component:
    return rx.match(
        value,
        *[(key, rx.badge(value, color_scheme=color, variant="soft")) for key, color in mapping.items()],
        rx.badge(value, color_scheme=default, variant="soft"),
    )


def empty_state(message: str, icon: str = "inbox") -> rx.Component:
    return rx.center(
        rx.vstack(rx.icon(icon, size=28, color="var(--gray-9)"), rx.text(message, color_scheme="gray"),
                  align="center"),
        padding="2rem",
        width="100%",
    )
