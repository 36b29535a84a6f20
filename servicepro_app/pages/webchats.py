"""Web chats (/webchats): chats from the web chat widget, those waiting for a person first; the
transcript, a reply box and "hand back to AI". On a phone the list and the chat are separate
views (a back button returns to the list)."""

from __future__ import annotations

import reflex as rx

from components.chat import message_list
from components.layout import app_shell, page_header
from components.ui import error_callout, info_callout
from state.webchats import FILTERS, StaffWebChatsState

S = StaffWebChatsState
HAS_CHAT = S.selected_id != ""


def _filter_button(key: str, label: str) -> rx.Component:
    return rx.button(label, size="1", variant=rx.cond(S.filter == key, "solid", "soft"),
                     color_scheme=rx.cond(S.filter == key, "teal", "gray"), on_click=S.set_filter(key),
                     custom_attrs={"data-filter": key})


def _row(c: rx.Var) -> rx.Component:
    selected = c.id == S.selected_id
    return rx.box(
        rx.hstack(
            rx.text(c.name, weight="bold", size="2", overflow="hidden", text_overflow="ellipsis", white_space="nowrap",
                    flex="1", min_width="0", class_name="webchat-name"),
            rx.text(c.time, size="1", color_scheme="gray", white_space="nowrap"),
            width="100%",
            align="center",
        ),
        rx.text(c.preview, size="1", color_scheme="gray", overflow="hidden", text_overflow="ellipsis",
                white_space="nowrap"),
        rx.hstack(
            rx.badge(c.status_label, size="1", variant="soft",
                     color_scheme=rx.match(c.status, ("open", "purple"), ("handoff", "blue"), "gray")),
            rx.cond(c.needs_human, rx.badge("Needs a person", size="1", color_scheme="amber")),
            rx.cond(c.phone != "", rx.text(c.phone, size="1", color_scheme="gray")),
            spacing="1",
            wrap="wrap",
            padding_top="0.2rem",
        ),
        on_click=S.select(c.id),
        padding="0.65rem 0.75rem",
        border_bottom="1px solid var(--gray-a4)",
        background=rx.cond(selected, "var(--accent-a3)", "transparent"),
        _hover={"background": rx.cond(selected, "var(--accent-a3)", "var(--gray-a2)")},
        cursor="pointer",
        width="100%",
        class_name="webchat-row",
        custom_attrs={"data-chat-id": c.id, "data-needs-human": c.needs_human.to_string(), "role": "button"},
    )


def _list() -> rx.Component:
    return rx.flex(
        rx.flex(*[_filter_button(k, label) for k, label in FILTERS.items()], gap="0.35rem", padding="0.75rem",
                border_bottom="1px solid var(--gray-a5)", width="100%"),
        rx.box(
            rx.cond(S.chats.length() > 0, rx.foreach(S.chats, _row),
                    rx.center(rx.text("No web chats yet. Share your chat link from the Knowledge page.", size="2",
                                      color_scheme="gray", text_align="center"), padding="2rem")),
            overflow_y="auto",
            flex="1",
            min_height="0",
            width="100%",
            id="webchat-list",
        ),
        direction="column",
        width=["100%", "100%", "100%", "320px"],
        min_width=["0", "0", "0", "320px"],
        border_right=["none", "none", "none", "1px solid var(--gray-a5)"],
        height="100%",
        display=[rx.cond(HAS_CHAT, "none", "flex"), rx.cond(HAS_CHAT, "none", "flex"),
                 rx.cond(HAS_CHAT, "none", "flex"), "flex"],
    )


def _thread() -> rx.Component:
    return rx.flex(
        rx.cond(
            HAS_CHAT,
            rx.fragment(
                rx.hstack(
                    rx.icon_button(rx.icon("arrow-left", size=18), variant="ghost", on_click=S.close_thread,
                                   aria_label="Back to web chats", display=["flex", "flex", "flex", "none"]),
                    rx.vstack(
                        rx.text(S.chat.name, weight="bold", size="3", id="webchat-thread-name"),
                        rx.text(rx.cond(S.chat.phone != "", S.chat.phone, "No number given"), size="1",
                                color_scheme="gray"),
                        spacing="0",
                        min_width="0",
                    ),
                    rx.spacer(),
                    rx.badge(S.chat.status_label, id="webchat-thread-status", custom_attrs={"data-status": S.chat.status},
                             color_scheme=rx.match(S.chat.status, ("open", "purple"), ("handoff", "blue"), "gray")),
                    rx.cond(S.chat.status != "open",
                            rx.button(rx.icon("bot", size=14), "Hand back to AI", size="1", variant="soft",
                                      color_scheme="purple", on_click=S.hand_back, id="webchat-hand-back")),
                    width="100%",
                    align="center",
                    spacing="2",
                    padding="0.6rem 0.75rem",
                    border_bottom="1px solid var(--gray-a5)",
                    wrap="wrap",
                ),
                message_list(S.messages, id="webchat-thread", mine="out"),
                rx.form(
                    rx.flex(
                        rx.text_area(name="body", placeholder="Reply to the visitor…", rows="2", flex="1",
                                     min_width="0", id="webchat-reply", max_length=1000),
                        rx.button(rx.icon("send", size=14), "Send", type="submit", id="webchat-reply-send"),
                        gap="0.5rem",
                        align="end",
                        width="100%",
                    ),
                    rx.text("Replying takes the chat over from the AI until you hand it back.", size="1",
                            color_scheme="gray", padding_top="0.3rem"),
                    on_submit=S.send_reply,
                    reset_on_submit=True,
                    padding="0.75rem",
                    border_top="1px solid var(--gray-a5)",
                    width="100%",
                ),
            ),
            rx.center(rx.vstack(rx.icon("message-circle", size=32, color="var(--gray-8)"),
                                rx.text("Choose a chat", color_scheme="gray"), align="center"),
                      height="100%", width="100%"),
        ),
        direction="column",
        flex="1",
        min_width="0",
        height="100%",
        display=[rx.cond(HAS_CHAT, "flex", "none"), rx.cond(HAS_CHAT, "flex", "none"),
                 rx.cond(HAS_CHAT, "flex", "none"), "flex"],
    )


def webchats_page() -> rx.Component:
    return app_shell(
        page_header("Web chats", subtitle="Conversations from your website chat. Those waiting for a person come first."),
        error_callout(S.error, id="webchats-error"),
        info_callout(S.notice, id="webchats-notice"),
        rx.cond(
            S.enabled,
            rx.flex(
                _list(),
                _thread(),
                height=["calc(100dvh - 170px)", "calc(100dvh - 180px)", "calc(100dvh - 200px)"],
                min_height="420px",
                border="1px solid var(--gray-a5)",
                border_radius="10px",
                overflow="hidden",
                width="100%",
                background="var(--color-panel-solid)",
            ),
        ),
    )
