"""Appointment detail page (/appointments/[appointment_id])."""

from __future__ import annotations

import reflex as rx

from backend.config import get_settings
from components.calendar import color_dot, status_badge
from components.layout import app_shell, page_header
from components.ui import empty_state, error_callout, field, info_callout
from state.appointments import AppointmentState

UPLOAD_ID = "appointment-photos"
D = AppointmentState.detail


def _api_base() -> str:
    return get_settings().servicepro_api_url.rstrip("/")


def _row(label: str, *value: rx.Component | rx.Var | str) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color_scheme="gray", min_width="7rem"),
        rx.box(*value, flex="1", min_width="0"),
        align="start",
        width="100%",
    )


def _card(title: str, *children: rx.Component, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%"), width="100%", **props)


def _transition_button(choice: rx.Var) -> rx.Component:
    return rx.match(
        choice.value,
        ("completed", rx.button(rx.icon("circle-check", size=16), choice.label, color_scheme="green",
                                on_click=AppointmentState.set_complete_open(True), id="action-completed")),
        ("cancelled", rx.button(rx.icon("circle-x", size=16), choice.label, color_scheme="red", variant="soft",
                                on_click=AppointmentState.set_cancel_open(True), id="action-cancelled")),
        ("no_show", rx.button(choice.label, color_scheme="orange", variant="soft",
                              on_click=AppointmentState.transition("no_show"), id="action-no_show")),
        ("in_progress", rx.button(rx.icon("play", size=16), choice.label, color_scheme="violet",
                                  on_click=AppointmentState.transition("in_progress"), id="action-in_progress")),
        rx.button(choice.label, on_click=AppointmentState.transition(choice.value), id="action-" + choice.value),
    )


def _complete_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Complete the job"),
            rx.form(
                rx.vstack(
                    rx.text("Quoted ", D.price_quoted, ". What did you charge?", size="2"),
                    field("Charged price ($)", rx.input(name="price_charged", default_value=D.price_charged_input,
                                                        input_mode="decimal", id="complete-price")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Complete", type="submit", color_scheme="green", id="complete-submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=AppointmentState.complete,
            ),
            max_width="420px",
            width="calc(100vw - 1rem)",
        ),
        open=AppointmentState.complete_open,
        on_open_change=AppointmentState.set_complete_open,
    )


def _cancel_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Cancel this appointment?"),
            rx.form(
                rx.vstack(
                    field("Reason (optional)", rx.input(name="reason", id="cancel-reason")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Keep it", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Cancel appointment", type="submit", color_scheme="red", id="cancel-submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=AppointmentState.cancel,
            ),
            max_width="420px",
            width="calc(100vw - 1rem)",
        ),
        open=AppointmentState.cancel_open,
        on_open_change=AppointmentState.set_cancel_open,
    )


def _reschedule_slot(slot: rx.Var) -> rx.Component:
    return rx.button(
        rx.vstack(rx.text(slot["label"], size="2", weight="bold"), rx.text(slot["tech"], size="1"), spacing="0"),
        variant=rx.cond(AppointmentState.reschedule_slot == slot["key"], "solid", "outline"),
        height="auto",
        padding="0.4rem 0.5rem",
        type="button",
        on_click=AppointmentState.pick_reschedule_slot(slot["key"]),
        custom_attrs={"data-reschedule-slot": slot["label"]},
    )


def _reschedule_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Reschedule"),
            rx.vstack(
                rx.text("Now: ", D.day_label, ", ", D.time_label, " with ", D.technician_name, size="2",
                        color_scheme="gray"),
                rx.grid(
                    field("Date", rx.input(type="date", value=AppointmentState.reschedule_date,
                                           on_change=AppointmentState.set_reschedule_date, id="reschedule-date",
                                           width="100%")),
                    field("Technician", rx.select.root(
                        rx.select.trigger(width="100%", id="reschedule-technician"),
                        rx.select.content(
                            rx.cond(D.technician_id != "",
                                    rx.select.item("Keep " + D.technician_name, value="keep")),
                            rx.select.item("Any available", value="any"),
                            rx.foreach(AppointmentState.reschedule_technicians,
                                       lambda t: rx.select.item(t["label"], value=t["value"])),
                        ),
                        value=AppointmentState.reschedule_technician,
                        on_change=AppointmentState.set_reschedule_technician,
                    )),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="2",
                    width="100%",
                ),
                rx.cond(
                    AppointmentState.reschedule_slots.length() > 0,
                    rx.grid(rx.foreach(AppointmentState.reschedule_slots, _reschedule_slot),
                            columns=rx.breakpoints(initial="3", sm="4"), spacing="2", width="100%",
                            id="reschedule-slots",
                            custom_attrs={"data-slots-for": AppointmentState.slots_for}),
                    rx.cond(AppointmentState.slots_loaded,
                            rx.text("No open times that day. Try another day or technician, or type a time.",
                                    size="2", color_scheme="gray")),
                ),
                rx.hstack(
                    rx.text("Or at", size="2"),
                    rx.input(type="time", value=AppointmentState.reschedule_time,
                             on_change=AppointmentState.set_reschedule_time.debounce(300), width="8rem",
                             id="reschedule-time"),
                    align="center",
                ),
                error_callout(AppointmentState.reschedule_error, id="reschedule-error"),
                rx.hstack(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray", type="button")),
                    rx.button("Move appointment", on_click=AppointmentState.reschedule, id="reschedule-submit"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="560px",
            width="calc(100vw - 1rem)",
            max_height="calc(100dvh - 1rem)",
            overflow_y="auto",
        ),
        open=AppointmentState.reschedule_open,
        on_open_change=AppointmentState.set_reschedule_open,
    )


def _photos() -> rx.Component:
    base = _api_base()
    return _card(
        "Photos",
        rx.cond(
            D.photos.length() > 0,
            rx.grid(
                rx.foreach(D.photos, lambda p: rx.vstack(
                    rx.link(rx.image(src=base + p.url, width="100%", height="120px", object_fit="cover",
                                     border_radius="6px", alt="Job photo"),
                            href=base + p.url, is_external=True),
                    rx.hstack(rx.text(p.at, size="1", color_scheme="gray"), rx.spacer(),
                              rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost", color_scheme="red",
                                             on_click=AppointmentState.delete_photo(p.id), aria_label="Remove photo"),
                              width="100%", align="center"),
                    spacing="1",
                )),
                columns=rx.breakpoints(initial="2", sm="3"),
                spacing="2",
                width="100%",
                id="appointment-photo-grid",
            ),
            rx.text("No photos yet.", size="2", color_scheme="gray"),
        ),
        rx.upload.root(
            rx.vstack(
                rx.icon("camera", size=20),
                rx.text("Tap to take or choose photos (JPEG, PNG, WebP, HEIC; up to 15 MB)", size="1",
                        text_align="center"),
                align="center",
                spacing="1",
            ),
            id=UPLOAD_ID,
            accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"],
                    "image/heic": [".heic"]},
            max_files=6,
            multiple=True,
            border="1px dashed var(--gray-a7)",
            border_radius="8px",
            padding="1rem",
            width="100%",
            cursor="pointer",
        ),
        rx.hstack(
            rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.badge(name, variant="outline")),
            wrap="wrap",
        ),
        rx.button(
            rx.icon("upload", size=16), "Upload photos",
            on_click=AppointmentState.upload_photos(rx.upload_files(upload_id=UPLOAD_ID)),
            variant="soft",
            id="upload-photos",
        ),
    )


def _history_item(item: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(item.at, size="1", color_scheme="gray", min_width="7.5rem"),
        rx.vstack(rx.text(item.what, size="2"), rx.text(item.who, size="1", color_scheme="gray"), spacing="0"),
        align="start",
        width="100%",
    )


def _detail() -> rx.Component:
    return rx.grid(
        rx.vstack(
            _card(
                "When & who",
                _row("Date", rx.text(D.day_label, weight="medium", id="appointment-day")),
                _row("Time", rx.text(D.time_label, id="appointment-time"), rx.text(D.duration_label, size="1",
                                                                                   color_scheme="gray")),
                _row("Technician", rx.hstack(color_dot(D.technician_color), rx.text(D.technician_name,
                                                                                    id="appointment-technician"),
                                             align="center")),
                rx.cond(D.can_reschedule, rx.button(rx.icon("calendar-clock", size=16), "Reschedule", variant="soft",
                                                    on_click=AppointmentState.set_reschedule_open(True),
                                                    id="reschedule-open")),
            ),
            _card(
                "Status",
                rx.hstack(status_badge(D.status, D.status_label, size="2", id="appointment-status"),
                          rx.cond(D.cancel_reason != "", rx.text(D.cancel_reason, size="2", color_scheme="gray")),
                          align="center"),
                rx.cond(D.transitions.length() > 0,
                        rx.flex(rx.foreach(D.transitions, _transition_button), wrap="wrap", gap="0.5rem"),
                        rx.text("No further changes — this appointment is closed.", size="2", color_scheme="gray")),
            ),
            _card(
                "Customer",
                _row("Name", rx.link(D.customer_name, href="/customers/" + D.customer_id, id="appointment-customer")),
                rx.cond(D.customer_phone != "", _row("Phone", rx.link(D.customer_phone, href="tel:" + D.customer_phone))),
                rx.cond(D.address != "", _row("Address", rx.text(D.address, size="2"))),
                rx.cond(D.asset_label != "", _row("For", rx.text(D.asset_label, size="2"))),
            ),
            _card(
                "Work & price",
                _row("Service", rx.text(D.service_name, weight="medium")),
                rx.foreach(D.attributes, lambda a: _row(a.label, rx.text(a.hint, size="2"))),
                rx.cond(D.addons.length() > 0, _row("Add-ons", rx.vstack(
                    rx.foreach(D.addons, lambda a: rx.text(a.label, " (", a.hint, ")", size="2")), spacing="0"))),
                _row("Quoted", rx.text(D.price_quoted, id="appointment-quoted")),
                rx.cond(D.deposit != "", _row("Deposit", rx.text(D.deposit))),
                _row("Charged", rx.text(rx.cond(D.price_charged != "", D.price_charged, "—"), id="appointment-charged")),
                rx.cond(
                    D.status == "completed",
                    rx.form(
                        rx.hstack(
                            rx.input(name="price_charged", default_value=D.price_charged_input, input_mode="decimal",
                                     width="8rem", key=D.price_charged_input),
                            rx.button("Correct charged price", type="submit", variant="soft", size="2"),
                            align="center",
                            wrap="wrap",
                        ),
                        on_submit=AppointmentState.set_price_charged,
                    ),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        rx.vstack(
            _card(
                "Notes",
                rx.form(
                    rx.vstack(
                        rx.text_area(name="notes", default_value=D.notes, key=D.notes, rows="4", width="100%",
                                     id="appointment-notes"),
                        rx.button("Save notes", type="submit", variant="soft", id="save-notes"),
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=AppointmentState.save_notes,
                    width="100%",
                ),
            ),
            _photos(),
            _card("History", rx.vstack(rx.foreach(D.history, _history_item), spacing="2", width="100%",
                                       id="appointment-history")),
            spacing="4",
            width="100%",
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
    )


def appointment_page() -> rx.Component:
    return app_shell(
        page_header(
            "Appointment",
            rx.link(rx.button(rx.icon("calendar", size=16), "Calendar", variant="soft"),
                    href="/calendar?date=" + D.local_date),
            subtitle=rx.cond(D.id != "", D.service_name + " · " + D.customer_name, ""),
        ),
        error_callout(AppointmentState.error, id="appointment-error"),
        info_callout(AppointmentState.message, id="appointment-message"),
        rx.cond(
            AppointmentState.not_found,
            empty_state("This appointment doesn't exist (or belongs to another business).", icon="calendar-x"),
            rx.cond(D.id != "", _detail()),
        ),
        _reschedule_dialog(),
        _complete_dialog(),
        _cancel_dialog(),
    )
