"""The inbox side panel's AI sections ("Smart schedule", "Hand back to AI"), shown for a
conversation a person has (manual or paused) when the plan includes the AI agent. Registered in
servicepro_app/pages/inbox.py's PANEL_SECTIONS."""

from __future__ import annotations

import reflex as rx

from state.agent_panel import AgentPanelState
from state.inbox import InboxState
from state.session import SessionState

A = AgentPanelState
I = InboxState  # noqa: E741

HAS_PERSON = (I.selected_id != "") & (I.mode != "ai") & (I.mode != "")


def _title(text: str) -> rx.Component:
    return rx.text(text, size="1", weight="bold", color_scheme="gray", text_transform="uppercase")


def _slot_button(s: rx.Var) -> rx.Component:
    chosen = A.slot_key == s["key"]
    return rx.button(
        s["label"],
        rx.cond(s["suggested"] == "1", rx.icon("star", size=11)),
        size="1",
        type="button",
        variant=rx.cond(chosen, "solid", rx.cond(s["suggested"] == "1", "soft", "outline")),
        color_scheme=rx.cond(chosen, "teal", "gray"),
        on_click=A.pick_slot(s["key"]),
        class_name="smart-slot",
        custom_attrs={"data-slot": s["label"], "data-suggested": s["suggested"], "data-chosen": chosen.to_string()},
    )


def _attribute(a: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(a.label, size="1", weight="medium"),
        rx.select.root(
            rx.select.trigger(width="100%"),
            rx.select.content(rx.foreach(a.options, lambda o: rx.select.item(o.label, value=o.value))),
            value=A.attribute_values[a.key],
            on_change=lambda value: A.set_attribute(a.key, value),
            size="1",
        ),
        spacing="1",
        width="100%",
        custom_attrs={"data-attribute": a.key},
    )


def _addon(a: rx.Var) -> rx.Component:
    return rx.checkbox(
        rx.text(a["label"], " ", rx.text.span(a["hint"], color="var(--gray-10)"), size="1"),
        checked=A.addon_ids.contains(a["value"]),
        on_change=lambda value: A.toggle_addon(a["value"], value),
        size="1",
        custom_attrs={"data-addon": a["label"]},
    )


def _booking_form() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(A.customer_name, weight="bold", size="2"),
            rx.text(A.phone, size="1", color_scheme="gray"),
            spacing="2",
            align="baseline",
            wrap="wrap",
        ),
        rx.cond(A.missing.length() > 0,
                rx.text("Still needed: ", A.missing.join(", "), size="1", color="var(--amber-11)",
                        id="smart-missing")),
        rx.text("Service", size="1", weight="medium"),
        rx.select.root(
            rx.select.trigger(placeholder="Choose a service", width="100%", id="smart-service"),
            rx.select.content(rx.foreach(A.services, lambda s: rx.select.item(s["label"], value=s["value"]))),
            value=A.service_id,
            on_change=A.set_service,
            size="1",
        ),
        rx.cond(A.addons.length() > 0,
                rx.vstack(rx.foreach(A.addons, _addon), spacing="1", width="100%")),
        rx.foreach(A.attributes, _attribute),
        rx.cond(A.price_label != "",
                rx.text(rx.text.strong(A.price_label, id="smart-price"), " · ", A.duration_label, size="2")),
        rx.text("Day", size="1", weight="medium"),
        rx.input(type="date", value=A.date, on_change=A.set_date, size="1", width="100%", id="smart-date"),
        rx.cond(
            A.date != "",
            rx.cond(
                A.slots.length() > 0,
                rx.flex(rx.foreach(A.slots, _slot_button), wrap="wrap", gap="0.3rem", width="100%",
                        id="smart-slots", custom_attrs={"data-slots-for": A.slots_for}),
                rx.text("No open times that day.", size="1", color_scheme="gray", id="smart-slots",
                        custom_attrs={"data-slots-for": A.slots_for}),
            ),
        ),
        rx.text("Address", size="1", weight="medium"),
        rx.input(value=A.address, on_change=A.set_address, debounce_timeout=300, size="1", width="100%",
                 id="smart-address", placeholder="Street, city, ZIP"),
        rx.cond(A.in_area == "no", rx.text("This address looks outside your service area.", size="1",
                                           color="var(--amber-11)")),
        rx.cond(A.evidence.length() > 0,
                rx.el.details(
                    rx.el.summary(rx.text("What was read from the thread", size="1", as_="span")),
                    rx.vstack(rx.foreach(A.evidence, lambda e: rx.text("• ", e, size="1", color_scheme="gray")),
                              spacing="0", padding_top="0.25rem"),
                )),
        rx.hstack(
            rx.button("Book", size="2", on_click=A.book, loading=A.booking, id="smart-book"),
            rx.button("Close", size="2", variant="ghost", color_scheme="gray", on_click=A.close_form),
            spacing="2",
        ),
        spacing="2",
        width="100%",
        id="smart-form",
    )


def smart_schedule_section() -> rx.Component:
    return rx.vstack(
        _title("Smart schedule"),
        rx.cond(
            A.booked_message != "",
            rx.vstack(
                rx.callout(A.booked_message, icon="calendar-check", color_scheme="green", size="1",
                           id="smart-booked"),
                rx.link("Open the appointment", href="/appointments/" + A.booked_id, size="2"),
                spacing="1",
                width="100%",
            ),
            rx.cond(
                A.draft_for == I.selected_id,
                _booking_form(),
                rx.vstack(
                    rx.text("Read this conversation into a booking form.", size="1", color_scheme="gray"),
                    rx.button(rx.icon("wand-sparkles", size=14), "Smart schedule", size="2", variant="soft",
                              on_click=A.run_smart_schedule, loading=A.running, id="smart-schedule"),
                    spacing="1",
                    width="100%",
                ),
            ),
        ),
        spacing="2",
        width="100%",
        id="panel-smart-schedule",
    )


def handback_section() -> rx.Component:
    analysed = A.handback_for == I.selected_id
    return rx.vstack(
        _title("Hand back to AI"),
        rx.cond(
            analysed,
            rx.vstack(
                rx.hstack(
                    rx.icon(rx.cond(A.handback_safe, "shield-check", "shield-alert"), size=16,
                            color=rx.cond(A.handback_safe, "var(--green-11)", "var(--amber-11)")),
                    rx.text(A.handback_summary, size="2", weight="medium"),
                    align="center",
                    spacing="2",
                    id="handback-summary",
                    custom_attrs={"data-safe": A.handback_safe.to_string()},
                ),
                rx.vstack(rx.foreach(A.handback_reasons, lambda r: rx.text("• ", r, size="1", color_scheme="gray")),
                          spacing="1", width="100%"),
                rx.button(rx.icon("bot", size=14), rx.cond(A.handback_safe, "Hand back to AI", "Hand back anyway"),
                          size="2", variant=rx.cond(A.handback_safe, "solid", "soft"),
                          color_scheme=rx.cond(A.handback_safe, "purple", "amber"), on_click=A.hand_back,
                          loading=A.handing_back, id="handback-confirm"),
                spacing="2",
                width="100%",
            ),
            rx.button(rx.icon("bot", size=14), "Check hand-back", size="2", variant="soft", color_scheme="purple",
                      on_click=A.check_handback, id="handback-check"),
        ),
        spacing="2",
        width="100%",
        id="panel-handback",
    )


def agent_panel_section() -> rx.Component:
    """Both sections, for conversations a person has, when the plan has the AI agent."""
    return rx.cond(
        HAS_PERSON & SessionState.features.contains("ai_agent"),
        rx.vstack(
            rx.divider(),
            rx.cond(A.error != "", rx.text(A.error, size="1", color="var(--red-11)", id="agent-panel-error")),
            rx.cond(A.notice != "", rx.text(A.notice, size="1", color="var(--green-11)", id="agent-panel-notice")),
            handback_section(),
            rx.cond(SessionState.features.contains("scheduling"), smart_schedule_section()),
            spacing="3",
            width="100%",
            id="agent-panel",
        ),
        rx.cond(A.notice != "", rx.text(A.notice, size="1", color="var(--green-11)", id="agent-panel-notice")),
    )
