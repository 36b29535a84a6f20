"""Phone simulator: a phone-shaped panel where the owner texts one of the business's numbers as
any customer and sees what that phone receives (live)."""

from __future__ import annotations

import reflex as rx

from components.chat import message_list
from components.layout import app_shell, page_header
from components.ui import error_callout, field, info_callout
from state.simulator import KEYWORDS, SimulatorState

S = SimulatorState


def _controls() -> rx.Component:
    return rx.vstack(
        field("Business number", rx.select.root(
            rx.select.trigger(width="100%", placeholder="Choose a number", id="sim-number"),
            rx.select.content(rx.foreach(S.numbers, lambda n: rx.select.item(n["label"], value=n["number"]))),
            value=S.tenant_number,
            on_change=S.set_tenant_number,
        )),
        field("Customer phone", rx.input(
            value=S.phone,
            on_change=S.set_phone,
            debounce_timeout=300,
            placeholder="e.g. (512) 555-0199",
            width="100%",
            id="sim-phone",
            type="tel",
            autocomplete="off",
        ), "Any number: a new one acts like a first-time customer."),
        rx.cond(S.phone_display != "", rx.text("Texting as ", rx.text.strong(S.phone_display), size="2",
                                               id="sim-phone-display")),
        spacing="3",
        width="100%",
    )


def _composer() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text_area(name="body", value=S.body, on_change=S.set_body, debounce_timeout=200,
                         placeholder="Text message", rows="2", width="100%", id="sim-body"),
            rx.input(name="image_url", value=S.image_url, on_change=S.set_image_url, debounce_timeout=200,
                     placeholder="Picture URL for an MMS (optional, https://…)", width="100%", id="sim-image",
                     size="1"),
            rx.flex(
                *[rx.button(k, type="button", size="1", variant="soft", color_scheme="gray",
                            on_click=S.send_keyword(k), id=f"sim-{k.lower()}") for k in KEYWORDS],
                rx.spacer(),
                rx.button(rx.icon("send", size=14), "Send", type="submit", id="sim-send"),
                width="100%",
                gap="0.4rem",
                align="center",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=S.send,
        width="100%",
        padding="0.75rem",
        border_top="1px solid var(--gray-a5)",
    )


def _phone() -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.icon("smartphone", size=16),
            rx.text(rx.cond(S.phone_display != "", S.phone_display, "Customer phone"), size="2", weight="medium"),
            padding="0.6rem 0.75rem",
            border_bottom="1px solid var(--gray-a5)",
            width="100%",
            align="center",
        ),
        message_list(S.messages, id="sim-thread", mine="in",
                     empty_text="Type a customer number and send a text."),
        _composer(),
        direction="column",
        width="100%",
        max_width="420px",
        height=["calc(100dvh - 330px)", "calc(100dvh - 330px)", "640px"],
        min_height="420px",
        border="1px solid var(--gray-a6)",
        border_radius="24px",
        overflow="hidden",
        background="var(--color-panel-solid)",
        box_shadow="0 6px 24px var(--gray-a4)",
    )


def simulator_page() -> rx.Component:
    return app_shell(
        page_header("Phone simulator", subtitle="Text your business as a customer would. Nothing is really sent."),
        rx.cond(
            S.available,
            rx.flex(
                rx.vstack(
                    _controls(),
                    error_callout(S.error, id="sim-error"),
                    info_callout(S.notice, id="sim-notice"),
                    rx.text("Replies from the AI, automatic texts and staff replies in the inbox appear on the phone "
                            "as they are sent. STOP, START and HELP behave exactly as on a real phone.",
                            size="1", color_scheme="gray"),
                    width="100%",
                    max_width=["100%", "100%", "340px"],
                    spacing="3",
                ),
                _phone(),
                direction=rx.breakpoints(initial="column", md="row"),
                gap="1.5rem",
                width="100%",
                align="start",
            ),
            rx.callout(S.unavailable_reason, icon="circle-slash", color_scheme="amber", id="sim-unavailable"),
        ),
    )
