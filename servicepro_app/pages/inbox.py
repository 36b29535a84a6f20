"""The unified inbox: conversation list, thread with composer, customer side panel.

Wide screens show list | thread | panel side by side; below 62em the list and the thread are
separate views (a back button returns to the list) and below 80em the panel replaces the thread
when "Details" is pressed. The side panel is built from PANEL_SECTIONS, so another area can add
a section (e.g. smart scheduling) by appending a function that returns a component.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from components.agent_panel import agent_panel_section
from components.chat import message_list, segment_counter
from components.layout import app_shell
from components.ui import error_callout, info_callout
from state.inbox import FILTER_LABELS, InboxState

S = InboxState
HAS_THREAD = S.selected_id != ""


def _responsive(*values) -> list:
    return list(values)


# ---- conversation list --------------------------------------------------------------------------


def _filter_button(key: str, label: str) -> rx.Component:
    badge = rx.fragment()
    if key != "opted_out":  # the backend counts every filter but this one
        count = S.counts[key].to(int)
        badge = rx.cond(count > 0, rx.badge(count, variant="solid", radius="full", size="1"))
    return rx.button(
        label,
        badge,
        size="1",
        variant=rx.cond(S.filter == key, "solid", "soft"),
        color_scheme=rx.cond(S.filter == key, "teal", "gray"),
        on_click=S.set_filter(key),
        custom_attrs={"data-filter": key},
        class_name="inbox-filter",
    )


def _conversation_row(row: rx.Var) -> rx.Component:
    selected = row.id == S.selected_id
    return rx.box(
        rx.hstack(
            rx.center(
                rx.text(row.name[:1].upper(), weight="bold", size="2"),
                width="36px", min_width="36px", height="36px", border_radius="50%",
                background=rx.cond(row.needs_human, "var(--amber-5)", "var(--accent-a4)"),
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(row.name, weight=rx.cond(row.unread > 0, "bold", "medium"), size="2",
                            overflow="hidden", text_overflow="ellipsis", white_space="nowrap",
                            class_name="conversation-name"),
                    rx.spacer(),
                    rx.text(row.time, size="1", color_scheme="gray", white_space="nowrap"),
                    width="100%",
                    align="center",
                ),
                rx.hstack(
                    rx.text(row.preview, size="1", color_scheme="gray", overflow="hidden", text_overflow="ellipsis",
                            white_space="nowrap", class_name="conversation-preview", flex="1", min_width="0"),
                    rx.cond(row.unread > 0, rx.badge(row.unread, variant="solid", radius="full", size="1",
                                                     class_name="unread-badge")),
                    width="100%",
                    align="center",
                ),
                rx.hstack(
                    rx.badge(row.mode_label, size="1", variant="soft",
                             color_scheme=rx.match(row.mode, ("ai", "purple"), ("manual", "blue"), "gray")),
                    rx.cond(row.needs_human, rx.badge("Needs human", size="1", color_scheme="amber")),
                    rx.cond(row.opted_out, rx.badge("Opted out", size="1", color_scheme="red")),
                    rx.cond(row.assigned != "", rx.text("→ ", row.assigned, size="1", color_scheme="gray")),
                    spacing="1",
                    wrap="wrap",
                ),
                spacing="1",
                width="100%",
                min_width="0",
            ),
            spacing="3",
            width="100%",
            align="start",
        ),
        on_click=S.select_conversation(row.id),
        padding="0.65rem 0.75rem",
        border_bottom="1px solid var(--gray-a4)",
        background=rx.cond(selected, "var(--accent-a3)", "transparent"),
        _hover={"background": rx.cond(selected, "var(--accent-a3)", "var(--gray-a2)")},
        cursor="pointer",
        width="100%",
        class_name="conversation-row",
        custom_attrs={"data-conversation-id": row.id, "data-unread": row.unread, "role": "button"},
    )


def conversation_list() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                placeholder="Search name, phone or text",
                value=S.search,
                on_change=S.set_search,
                debounce_timeout=350,
                width="100%",
                id="inbox-search",
                type="search",
            ),
            rx.flex(*[_filter_button(k, label) for k, label in FILTER_LABELS.items()], gap="0.35rem", wrap="wrap"),
            spacing="2",
            padding="0.75rem",
            border_bottom="1px solid var(--gray-a5)",
            width="100%",
        ),
        rx.box(
            rx.cond(
                S.conversations.length() > 0,
                rx.fragment(
                    rx.foreach(S.conversations, _conversation_row),
                    rx.cond(S.has_more, rx.center(rx.button("Load more", size="1", variant="soft",
                                                            on_click=S.load_more), padding="0.75rem")),
                ),
                rx.center(rx.text("No conversations here.", size="2", color_scheme="gray"), padding="2rem"),
            ),
            overflow_y="auto",
            flex="1",
            min_height="0",
            width="100%",
            id="conversation-list",
        ),
        direction="column",
        width=_responsive("100%", "100%", "100%", "300px", "320px"),
        min_width=_responsive("0", "0", "0", "300px", "320px"),
        border_right=_responsive("none", "none", "none", "1px solid var(--gray-a5)"),
        height="100%",
        display=_responsive(rx.cond(HAS_THREAD, "none", "flex"), rx.cond(HAS_THREAD, "none", "flex"),
                            rx.cond(HAS_THREAD, "none", "flex"), "flex"),
        id="inbox-list",
    )


# ---- thread ---------------------------------------------------------------------------------------


def _mode_actions() -> rx.Component:
    return rx.flex(
        rx.cond(S.mode != "manual", rx.button(rx.icon("hand", size=14), "Take over", size="1", on_click=S.take_over,
                                              id="take-over")),
        rx.cond(S.mode != "ai", rx.button(rx.icon("bot", size=14), "Hand back to AI", size="1", variant="soft",
                                          color_scheme="purple", on_click=S.hand_back, id="hand-back")),
        rx.cond(S.mode != "paused", rx.button(rx.icon("pause", size=14), "Pause", size="1", variant="soft",
                                              color_scheme="gray", on_click=S.pause, id="pause-conversation")),
        rx.select.root(
            rx.select.trigger(placeholder="Assign", id="assign-select"),
            rx.select.content(
                rx.select.item("Unassigned", value="none"),
                rx.foreach(S.staff, lambda s: rx.select.item(s["name"], value=s["key"])),
                rx.cond(S.assigned_key == "other", rx.select.item("Someone else", value="other", disabled=True)),
            ),
            value=S.assigned_key,
            on_change=S.assign,
            size="1",
        ),
        rx.button("Assign to me", size="1", variant="ghost", on_click=S.assign_to_me, id="assign-me"),
        gap="0.4rem",
        wrap="wrap",
        align="center",
    )


def _thread_header() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon_button(rx.icon("arrow-left", size=18), variant="ghost", on_click=S.close_thread,
                           aria_label="Back to conversations", id="thread-back",
                           display=_responsive("flex", "flex", "flex", "none")),
            rx.vstack(
                rx.text(S.name, weight="bold", size="3", id="thread-name"),
                rx.text(S.phone, size="1", color_scheme="gray", id="thread-phone"),
                spacing="0",
                min_width="0",
            ),
            rx.spacer(),
            rx.hstack(
                rx.badge(S.mode_label, color_scheme=rx.match(S.mode, ("ai", "purple"), ("manual", "blue"), "gray"),
                         id="thread-mode", custom_attrs={"data-mode": S.mode}),
                rx.cond(S.needs_human, rx.badge("Needs human", color_scheme="amber")),
                rx.cond(S.opted_out, rx.badge("Opted out", color_scheme="red")),
                spacing="1",
                wrap="wrap",
                justify="end",
            ),
            rx.button(rx.icon("user-round", size=14), "Details", size="1", variant="soft", on_click=S.toggle_details,
                      id="toggle-details", display=_responsive("flex", "flex", "flex", "flex", "none")),
            width="100%",
            align="center",
            spacing="2",
        ),
        _mode_actions(),
        spacing="2",
        padding="0.6rem 0.75rem",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
    )


def _quick_replies_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(rx.button(rx.icon("zap", size=14), "Quick replies", size="1", variant="soft", type="button",
                                  id="quick-replies")),
        rx.menu.content(
            rx.cond(
                S.quick_replies.length() > 0,
                rx.foreach(S.quick_replies, lambda r: rx.menu.item(
                    r["title"], on_select=S.use_quick_reply(r["id"]), class_name="quick-reply-item")),
                rx.menu.item("No quick replies yet (Messaging settings)", disabled=True),
            ),
        ),
    )


def composer() -> rx.Component:
    return rx.cond(
        S.opted_out,
        rx.callout("This customer opted out (STOP). Nothing can be sent until they text START.", icon="ban",
                   color_scheme="red", size="1", margin="0.75rem", id="composer-opted-out"),
        rx.form(
            rx.vstack(
                rx.text_area(
                    name="body",
                    value=S.draft,
                    on_change=S.set_draft,
                    debounce_timeout=200,
                    placeholder="Write a reply…",
                    rows="3",
                    width="100%",
                    id="composer-input",
                    resize="vertical",
                ),
                rx.flex(
                    _quick_replies_menu(),
                    segment_counter(S.counter, too_long=S.counter_too_long),
                    rx.spacer(),
                    rx.button(rx.icon("send", size=14), "Send", type="submit", size="2", id="composer-send"),
                    width="100%",
                    align="center",
                    gap="0.5rem",
                    wrap="wrap",
                ),
                rx.cond(S.counter_hint != "", rx.text(S.counter_hint, size="1", color_scheme="amber")),
                spacing="2",
                width="100%",
            ),
            on_submit=S.send_reply,
            padding="0.75rem",
            border_top="1px solid var(--gray-a5)",
            width="100%",
            id="composer",
        ),
    )


def thread_view() -> rx.Component:
    only_thread = rx.cond(HAS_THREAD, rx.cond(S.show_details, "none", "flex"), "none")
    return rx.flex(
        rx.cond(
            HAS_THREAD,
            rx.fragment(
                _thread_header(),
                message_list(
                    S.messages, id="thread-messages", mine="out",
                    header=rx.cond(S.thread_has_more, rx.center(rx.button("Load earlier messages", size="1",
                                                                          variant="ghost", on_click=S.load_earlier))),
                ),
                composer(),
            ),
            rx.center(
                rx.vstack(rx.icon("messages-square", size=32, color="var(--gray-8)"),
                          rx.text("Choose a conversation", color_scheme="gray"), align="center"),
                height="100%", width="100%",
            ),
        ),
        direction="column",
        flex="1",
        min_width="0",
        height="100%",
        display=_responsive(only_thread, only_thread, only_thread,
                            rx.cond(HAS_THREAD & S.show_details, "none", "flex"), "flex"),
        id="inbox-thread",
    )


# ---- customer side panel --------------------------------------------------------------------


def _section(title: str, *children: rx.Component, id: str | None = None) -> rx.Component:
    return rx.vstack(rx.text(title, size="1", weight="bold", color_scheme="gray", text_transform="uppercase"),
                     *children, spacing="1", width="100%", id=id)


def profile_section() -> rx.Component:
    p = S.panel
    return _section(
        "Customer",
        rx.hstack(rx.link(p.name, href="/customers/" + p.customer_id, weight="bold", id="panel-profile-link"),
                  rx.cond(p.vip, rx.badge("VIP", color_scheme="amber")), align="center"),
        rx.text(p.phone, size="2"),
        rx.cond(p.email != "", rx.text(p.email, size="2")),
        rx.cond(p.address != "", rx.text(p.address, size="2", color_scheme="gray")),
        rx.text(p.history, size="1", color_scheme="gray"),
        rx.cond(p.tags.length() > 0, rx.flex(rx.foreach(p.tags, lambda t: rx.badge(t, variant="outline", size="1")),
                                             gap="0.25rem", wrap="wrap")),
        rx.cond(p.assets.length() > 0, rx.vstack(rx.foreach(p.assets, lambda a: rx.text(a, size="1")), spacing="0")),
        rx.cond(p.notes != "", rx.text(p.notes, size="1", color_scheme="gray", white_space="pre-wrap")),
        id="panel-profile",
    )


def consent_section() -> rx.Component:
    p = S.panel
    return _section(
        "Texting consent",
        rx.badge(p.consent_label, color_scheme=rx.match(p.consent_state, ("opted_in", "green"), ("opted_out", "red"),
                                                         "gray"), id="panel-consent"),
        rx.cond(p.consent_detail != "", rx.text(p.consent_detail, size="1", color_scheme="gray")),
    )


def _appointment(a: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(a.title, size="2", weight="medium"),
        rx.text(a.when, size="1"),
        rx.text(a.status, rx.cond(a.technician != "", " · " + a.technician, ""), size="1", color_scheme="gray"),
        padding="0.4rem 0.5rem", border="1px solid var(--gray-a5)", border_radius="6px", width="100%",
    )


def appointments_section() -> rx.Component:
    return _section(
        "Upcoming appointments",
        rx.cond(S.panel.appointments.length() > 0,
                rx.vstack(rx.foreach(S.panel.appointments, _appointment), spacing="1", width="100%"),
                rx.text("None booked.", size="2", color_scheme="gray")),
        id="panel-appointments",
    )


def points_section() -> rx.Component:
    return rx.cond(S.panel.points != "", _section("Loyalty points", rx.text(S.panel.points, size="2")))


# Sections of the side panel, top to bottom. Another area adds one by appending a function.
PANEL_SECTIONS: list[Callable[[], rx.Component]] = [profile_section, consent_section, appointments_section,
                                                    points_section, agent_panel_section]


def panel_sections() -> list[rx.Component]:
    return [section() for section in PANEL_SECTIONS]


def customer_panel() -> rx.Component:
    below = rx.cond(HAS_THREAD & S.show_details, "flex", "none")
    return rx.flex(
        rx.hstack(
            rx.icon_button(rx.icon("arrow-left", size=18), variant="ghost", on_click=S.toggle_details,
                           aria_label="Back to the conversation"),
            rx.text("Details", weight="bold"),
            display=_responsive("flex", "flex", "flex", "flex", "none"),
            align="center",
        ),
        *panel_sections(),
        direction="column",
        gap="1rem",
        padding="0.75rem",
        overflow_y="auto",
        height="100%",
        width=_responsive("100%", "100%", "100%", "300px", "280px"),
        min_width=_responsive("0", "0", "0", "300px", "280px"),
        border_left="1px solid var(--gray-a5)",
        display=_responsive(below, below, below, below, rx.cond(HAS_THREAD, "flex", "none")),
        id="inbox-panel",
    )


# ---- page -------------------------------------------------------------------------------------------


def inbox_page() -> rx.Component:
    return app_shell(
        rx.hstack(
            rx.heading("Inbox", size="5"),
            rx.cond(S.counts["unread"].to(int) > 0,
                    rx.badge(S.counts["unread"], " unread", color_scheme="teal", id="inbox-unread-total")),
            align="center",
            padding_bottom="0.5rem",
            display=_responsive(rx.cond(HAS_THREAD, "none", "flex"), rx.cond(HAS_THREAD, "none", "flex"),
                                rx.cond(HAS_THREAD, "none", "flex"), "flex"),
        ),
        error_callout(S.error, id="inbox-error"),
        info_callout(S.notice, id="inbox-notice"),
        rx.cond(
            S.enabled,
            rx.flex(
                conversation_list(),
                thread_view(),
                customer_panel(),
                height=_responsive("calc(100dvh - 100px)", "calc(100dvh - 110px)", "calc(100dvh - 120px)",
                                   "calc(100dvh - 130px)"),
                min_height="420px",
                border="1px solid var(--gray-a5)",
                border_radius="10px",
                overflow="hidden",
                width="100%",
                margin_top="0.25rem",
                background="var(--color-panel-solid)",
            ),
        ),
    )
