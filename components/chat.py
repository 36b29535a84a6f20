"""Chat pieces shared by every conversation view (staff inbox, phone simulator, later the web
chat widget): message bubbles with time, sender, delivery status and media, a scrolling message
list, and a segment counter line.

A page passes display-ready `ChatMessage` values (strings already formatted in the tenant's
time zone, media URLs already checked to be http(s)); `mine` says which direction is drawn on
the right ("out" for staff views, "in" for the customer's phone in the simulator).
"""

from __future__ import annotations

import dataclasses

import reflex as rx


@dataclasses.dataclass
class ChatMedia:
    url: str = ""
    is_image: bool = False
    label: str = ""


@dataclasses.dataclass
class ChatMessage:
    id: str = ""
    direction: str = "in"  # "in": from the customer; "out": from the business
    body: str = ""
    time: str = ""
    sender: str = ""
    status: str = ""  # machine value (received, simulated, failed, ...) for styling and tests
    status_label: str = ""
    failed: bool = False  # failed / undelivered / suppressed: shown in red with `error`
    error: str = ""
    note: str = ""  # e.g. what automation did with an inbound text
    media: list[ChatMedia] = dataclasses.field(default_factory=list)


def _media(item: rx.Var) -> rx.Component:
    return rx.cond(
        item.is_image,
        rx.link(
            rx.image(src=item.url, alt=item.label, max_width="220px", max_height="220px", border_radius="8px",
                     object_fit="cover", class_name="chat-image"),
            href=item.url, is_external=True,
        ),
        rx.link(rx.hstack(rx.icon("paperclip", size=14), rx.text(item.label, size="2"), spacing="1",
                          align="center"),
                href=item.url, is_external=True, class_name="chat-attachment"),
    )


def message_bubble(m: rx.Var, *, mine: str = "out") -> rx.Component:
    """One message; `mine` is the direction drawn on the right in the accent colour."""
    is_mine = m.direction == mine
    return rx.flex(
        rx.vstack(
            rx.cond(m.body != "", rx.text(m.body, size="2", white_space="pre-wrap", word_break="break-word",
                                          class_name="chat-body")),
            rx.cond(m.media.length() > 0, rx.flex(rx.foreach(m.media, _media), wrap="wrap", gap="0.5rem")),
            spacing="1",
            padding="0.5rem 0.75rem",
            border_radius="12px",
            max_width="min(80%, 520px)",
            background=rx.cond(is_mine, "var(--accent-a4)", "var(--gray-a3)"),
            border=rx.cond(m.failed, "1px solid var(--red-8)", "1px solid transparent"),
        ),
        rx.flex(
            rx.text(m.sender, weight="medium"),
            rx.text("·"),
            rx.text(m.time),
            rx.cond(m.status_label != "", rx.text("·")),
            rx.cond(m.status_label != "",
                    rx.text(m.status_label, color=rx.cond(m.failed, "var(--red-11)", "inherit"),
                            class_name="chat-status")),
            gap="0.35rem",
            wrap="wrap",
            font_size="11px",
            color="var(--gray-10)",
            justify=rx.cond(is_mine, "end", "start"),
        ),
        rx.cond(m.error != "", rx.text(m.error, size="1", color="var(--red-11)", class_name="chat-error",
                                       max_width="min(80%, 520px)", text_align=rx.cond(is_mine, "right", "left"))),
        rx.cond(m.note != "", rx.text(m.note, size="1", color_scheme="gray", font_style="italic")),
        direction="column",
        align=rx.cond(is_mine, "end", "start"),
        gap="0.2rem",
        width="100%",
        class_name="chat-message",
        custom_attrs={"data-direction": m.direction, "data-status": m.status, "data-message-id": m.id},
    )


def message_list(messages: rx.Var, *, id: str, mine: str = "out", empty_text: str = "No messages yet.",
                 header: rx.Component | None = None) -> rx.Component:
    """A scrolling column of bubbles that stays at the newest message."""
    return rx.auto_scroll(
        header if header is not None else rx.fragment(),
        rx.cond(
            messages.length() > 0,
            rx.vstack(rx.foreach(messages, lambda m: message_bubble(m, mine=mine)), spacing="3", width="100%"),
            rx.center(rx.text(empty_text, color_scheme="gray", size="2"), padding="2rem", width="100%"),
        ),
        id=id,
        width="100%",
        flex="1",
        min_height="0",
        overflow_y="auto",
        padding="0.75rem",
    )


def segment_counter(text: rx.Var, *, too_long: rx.Var | bool = False, id: str = "segment-counter") -> rx.Component:
    """The "n chars · m segments · encoding" line under a composer."""
    return rx.text(text, size="1", color=rx.cond(too_long, "var(--red-11)", "var(--gray-10)"), id=id)
