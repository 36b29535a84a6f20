"""The web chat widget: a chat panel in the business's colours (message bubbles from
components/chat.py, a typing indicator while the assistant answers, a composer), usable inline
(the /chat page, an iframe) or as a floating button that opens the panel.

Placed on a page, the widget needs WebChatState to know the business: the /chat/<token> page's
on-load does that (`WebChatState.load`); another page calls `WebChatState.open_widget(token)`
with its signed widget token. No database access here.
"""

from __future__ import annotations

import reflex as rx

from components.chat import message_bubble
from components.ui import error_callout
from state.web_chat import WebChatState

S = WebChatState

_KEYFRAMES = (
    "@keyframes webchat-dot{0%,80%,100%{opacity:.25;transform:translateY(0)}"
    "40%{opacity:1;transform:translateY(-3px)}}"
)


def _avatar(size: str = "36px") -> rx.Component:
    return rx.cond(
        S.logo_url != "",
        rx.image(src=S.logo_url, width=size, height=size, border_radius="10px", alt=S.business_name,
                 object_fit="cover", flex_shrink="0", background="white"),
        rx.center(rx.text(S.business_name[:1], weight="bold", color="white"), width=size, height=size,
                  border_radius="10px", background="rgba(255,255,255,0.22)", flex_shrink="0"),
    )


def _header(*, closable: bool) -> rx.Component:
    return rx.hstack(
        _avatar(),
        rx.vstack(
            rx.text(S.business_name, weight="bold", size="3", color="white", id="webchat-business",
                    overflow="hidden", text_overflow="ellipsis", white_space="nowrap", max_width="100%"),
            rx.text(rx.cond(S.handed_off, "A person from the team will reply here", "Assistant · replies in seconds"),
                    size="1", color="rgba(255,255,255,0.85)"),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.tooltip(
            rx.icon_button(rx.icon("rotate-ccw", size=16), variant="ghost", size="2", on_click=S.new_chat,
                           aria_label="Start a new chat", id="webchat-restart", color="white"),
            content="Start a new chat",
        ),
        rx.cond(closable, rx.icon_button(rx.icon("x", size=18), variant="ghost", size="2", color="white",
                                         on_click=S.set_panel_open(False), aria_label="Close the chat")),
        align="center",
        spacing="3",
        width="100%",
        padding="0.75rem 0.9rem",
        background=S.brand_color,
        flex_shrink="0",
    )


def typing_indicator() -> rx.Component:
    def dot(delay: float) -> rx.Component:
        return rx.box(width="7px", height="7px", border_radius="50%", background="var(--gray-10)",
                      style={"animation": f"webchat-dot 1.1s {delay}s infinite ease-in-out"})

    return rx.hstack(
        dot(0), dot(0.18), dot(0.36),
        spacing="1",
        align="center",
        padding="0.7rem 0.85rem",
        border_radius="12px",
        background="var(--gray-a3)",
        width="fit-content",
        id="webchat-typing",
        role="status",
        aria_label="The assistant is typing",
    )


def _messages() -> rx.Component:
    return rx.auto_scroll(
        rx.vstack(
            rx.foreach(S.messages, lambda m: message_bubble(m, mine="in")),
            rx.cond(S.typing, typing_indicator()),
            spacing="3",
            width="100%",
        ),
        id="webchat-messages",
        width="100%",
        flex="1",
        min_height="0",
        overflow_y="auto",
        padding="0.85rem",
        background="var(--color-background)",
        custom_attrs={"aria-live": "polite"},
    )


def _composer() -> rx.Component:
    return rx.box(
        error_callout(S.error, id="webchat-error"),
        rx.cond(
            S.ended,
            rx.button("Start a new chat", on_click=S.new_chat, width="100%", id="webchat-new",
                      background=S.brand_color),
            rx.form(
                rx.hstack(
                    rx.input(name="message", placeholder="Type your message…", id="webchat-input",
                             auto_complete="off", max_length=1000, size="3", flex="1", min_width="0",
                             aria_label="Your message"),
                    rx.icon_button(rx.icon("send-horizontal", size=18), type="submit", size="3", id="webchat-send",
                                   disabled=S.typing, aria_label="Send", background=S.brand_color,
                                   color="white"),
                    spacing="2",
                    width="100%",
                    align="center",
                ),
                on_submit=S.send,
                reset_on_submit=True,
                width="100%",
                id="webchat-form",
            ),
        ),
        rx.text("Chat answers come from an automated assistant; a person can take over anytime.", size="1",
                color_scheme="gray", padding_top="0.4rem", text_align="center"),
        padding="0.6rem 0.75rem 0.5rem",
        border_top="1px solid var(--gray-a5)",
        width="100%",
        flex_shrink="0",
        background="var(--color-panel-solid)",
    )


def web_chat_panel(*, closable: bool = False, **props) -> rx.Component:
    """The chat itself (header, messages, typing indicator, composer) filling its container."""
    style = dict(direction="column", width="100%", height="100%", overflow="hidden",
                 background="var(--color-panel-solid)")
    style.update(props)
    return rx.flex(
        rx.el.style(_KEYFRAMES),
        _header(closable=closable),
        _messages(),
        _composer(),
        id="webchat-panel",
        custom_attrs={"data-status": S.status, "data-typing": S.typing.to_string()},
        **style,
    )


def web_chat_launcher() -> rx.Component:
    """A floating round button (bottom right) that opens the chat panel above it."""
    return rx.fragment(
        rx.cond(
            S.panel_open,
            rx.box(
                web_chat_panel(closable=True),
                position="fixed",
                right=["8px", "16px"],
                bottom=["80px", "88px"],
                width=["calc(100vw - 16px)", "380px"],
                height=["calc(100dvh - 96px)", "min(600px, calc(100dvh - 120px))"],
                border_radius="14px",
                overflow="hidden",
                box_shadow="0 12px 40px rgba(0,0,0,0.22)",
                border="1px solid var(--gray-a5)",
                z_index="1000",
                id="webchat-popup",
            ),
        ),
        rx.icon_button(
            rx.cond(S.panel_open, rx.icon("x", size=24), rx.icon("message-circle", size=24)),
            on_click=S.toggle_panel,
            size="4",
            radius="full",
            position="fixed",
            right="16px",
            bottom="16px",
            width="56px",
            height="56px",
            background=S.brand_color,
            color="white",
            box_shadow="0 6px 20px rgba(0,0,0,0.25)",
            z_index="1001",
            id="webchat-launcher",
            aria_label=rx.cond(S.panel_open, "Close the chat", "Chat with us"),
        ),
    )
