"""Calendar page (/calendar): day view per technician, week view per day, navigation and filters,
and the "New appointment" dialog."""

from __future__ import annotations

import reflex as rx

from components.calendar import calendar_grid
from components.layout import app_shell, page_header
from components.ui import empty_state, error_callout, field, info_callout
from state.calendar import BookingState, CalendarState


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.segmented_control.root(
            rx.segmented_control.item("Day", value="day"),
            rx.segmented_control.item("Week", value="week"),
            value=CalendarState.mode,
            on_change=CalendarState.set_mode,
            id="calendar-mode",
        ),
        rx.hstack(
            rx.icon_button(rx.icon("chevron-left"), variant="soft", on_click=CalendarState.go_prev,
                           aria_label="Previous", id="calendar-prev"),
            rx.button("Today", variant="soft", on_click=CalendarState.go_today, id="calendar-today"),
            rx.icon_button(rx.icon("chevron-right"), variant="soft", on_click=CalendarState.go_next,
                           aria_label="Next", id="calendar-next"),
            spacing="2",
        ),
        rx.input(type="date", value=CalendarState.day, on_change=CalendarState.set_day, id="calendar-date",
                 width="auto"),
        rx.select.root(
            rx.select.trigger(placeholder="All technicians", id="calendar-technician"),
            rx.select.content(
                rx.select.item("All technicians", value="all"),
                rx.foreach(CalendarState.technician_options, lambda t: rx.select.item(t["name"], value=t["id"])),
            ),
            value=CalendarState.technician,
            on_change=CalendarState.set_technician,
        ),
        rx.checkbox("Show cancelled", checked=CalendarState.show_cancelled, on_change=CalendarState.set_show_cancelled),
        wrap="wrap",
        gap="0.75rem",
        align="center",
        width="100%",
        padding_bottom="0.75rem",
    )


# ---- booking dialog -------------------------------------------------------------------------


def _customer_result(row: rx.Var) -> rx.Component:
    return rx.button(
        rx.vstack(
            rx.text(row["name"], weight="bold", size="2"),
            rx.text(row["phone"], " ", row["address"], size="1", color_scheme="gray"),
            spacing="0",
            align="start",
        ),
        variant="soft",
        color_scheme="gray",
        width="100%",
        height="auto",
        padding="0.5rem 0.75rem",
        justify="start",
        type="button",
        on_click=BookingState.pick_customer(row["id"]),
        custom_attrs={"data-customer-result": row["name"]},
    )


def _new_customer_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.grid(
                field("Name", rx.input(name="name", required=True, id="new-customer-name")),
                field("Mobile", rx.input(name="phone", type="tel", required=True, id="new-customer-phone")),
                field("Street address", rx.input(name="address_line1")),
                field("City", rx.input(name="city")),
                field("State", rx.input(name="region")),
                field("ZIP", rx.input(name="postal_code")),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                rx.button("Cancel", variant="soft", color_scheme="gray", type="button",
                          on_click=BookingState.set_new_customer(False)),
                rx.button("Add customer", type="submit", id="new-customer-save"),
                justify="end",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=BookingState.create_customer,
        reset_on_submit=False,
        width="100%",
    )


def _customer_section() -> rx.Component:
    return rx.vstack(
        rx.text("1. Customer", weight="bold", size="3"),
        error_callout(BookingState.customer_error, id="booking-customer-error"),
        rx.cond(
            BookingState.customer_id != "",
            rx.card(
                rx.hstack(
                    rx.vstack(
                        rx.text(BookingState.customer_name, weight="bold", id="booking-customer-name"),
                        rx.text(BookingState.customer_detail, size="1", color_scheme="gray"),
                        spacing="0",
                    ),
                    rx.spacer(),
                    rx.button("Change", size="1", variant="soft", type="button", on_click=BookingState.clear_customer),
                    align="center",
                    width="100%",
                ),
                rx.cond(
                    BookingState.assets.length() > 0,
                    rx.box(
                        field("Vehicle / pet / property", rx.select.root(
                            rx.select.trigger(width="100%", id="booking-asset"),
                            rx.select.content(
                                rx.select.item("None", value="none"),
                                rx.foreach(BookingState.assets, lambda a: rx.select.item(a["label"], value=a["id"])),
                            ),
                            value=rx.cond(BookingState.asset_id != "", BookingState.asset_id, "none"),
                            on_change=BookingState.pick_asset,
                        )),
                        margin_top="0.5rem",
                    ),
                ),
                width="100%",
            ),
            rx.cond(
                BookingState.new_customer,
                _new_customer_form(),
                rx.vstack(
                    rx.hstack(
                        rx.input(placeholder="Search by name or phone", value=BookingState.customer_query,
                                 on_change=BookingState.search_customers.debounce(250), width="100%",
                                 id="booking-customer-search"),
                        rx.button(rx.icon("user-plus", size=16), "New", variant="soft", type="button",
                                  on_click=BookingState.set_new_customer(True), id="booking-new-customer"),
                        width="100%",
                    ),
                    rx.vstack(rx.foreach(BookingState.customer_results, _customer_result), spacing="1", width="100%"),
                    rx.cond(
                        (BookingState.customer_query.length() >= 2) & (BookingState.customer_results.length() == 0),
                        rx.text("No customer matches. Use New to add one.", size="1", color_scheme="gray"),
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
        ),
        spacing="2",
        width="100%",
    )


def _attribute_select(attribute: rx.Var) -> rx.Component:
    return field(
        attribute.label,
        rx.select.root(
            rx.select.trigger(width="100%"),
            rx.select.content(rx.foreach(attribute.options, lambda o: rx.select.item(o.label, value=o.value))),
            value=BookingState.attribute_values[attribute.key].to(str),
            on_change=lambda value: BookingState.set_attribute(attribute.key, value),
        ),
    )


def _service_section() -> rx.Component:
    return rx.vstack(
        rx.text("2. Service", weight="bold", size="3"),
        rx.select.root(
            rx.select.trigger(placeholder="Choose a service", width="100%", id="booking-service"),
            rx.select.content(rx.foreach(
                BookingState.services,
                lambda s: rx.select.item(s["label"], value=s["value"]),
            )),
            value=BookingState.service_id,
            on_change=BookingState.pick_service,
        ),
        rx.cond(
            BookingState.service_id != "",
            rx.vstack(
                rx.cond(
                    BookingState.attributes.length() > 0,
                    rx.grid(rx.foreach(BookingState.attributes, _attribute_select),
                            columns=rx.breakpoints(initial="1", sm="2"), spacing="2", width="100%"),
                ),
                rx.cond(
                    BookingState.addons.length() > 0,
                    rx.vstack(
                        rx.text("Add-ons", size="2", weight="medium"),
                        rx.foreach(
                            BookingState.addons,
                            lambda a: rx.checkbox(
                                rx.text(a["label"], " ", rx.text.span(a["hint"], color_scheme="gray")),
                                checked=BookingState.addon_ids.contains(a["value"]),
                                on_change=lambda v: BookingState.toggle_addon(a["value"], v),
                                custom_attrs={"data-addon": a["label"]},
                            ),
                        ),
                        spacing="1",
                    ),
                ),
                rx.cond(
                    BookingState.price_label != "",
                    rx.callout(
                        rx.vstack(
                            rx.text(rx.text.strong(BookingState.price_label, id="booking-price"), " · ",
                                    BookingState.duration_label,
                                    rx.cond(BookingState.deposit_label != "", " · deposit " + BookingState.deposit_label, "")),
                            rx.foreach(BookingState.quote_lines,
                                       lambda line: rx.text(line["label"], ": ", line["amount"], size="1")),
                            spacing="1",
                        ),
                        icon="receipt",
                        color_scheme="teal",
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _slot_button(slot: rx.Var) -> rx.Component:
    return rx.button(
        rx.vstack(rx.text(slot["label"], size="2", weight="bold"), rx.text(slot["tech"], size="1"), spacing="0"),
        variant=rx.cond(BookingState.slot_key == slot["key"], "solid", "outline"),
        height="auto",
        padding="0.4rem 0.5rem",
        type="button",
        on_click=BookingState.pick_slot(slot["key"]),
        custom_attrs={"data-slot": slot["label"]},
    )


def _time_section() -> rx.Component:
    return rx.vstack(
        rx.text("3. Time", weight="bold", size="3"),
        rx.grid(
            field("Technician", rx.select.root(
                rx.select.trigger(width="100%", id="booking-technician"),
                rx.select.content(
                    rx.select.item("Any available", value="any"),
                    rx.foreach(BookingState.technicians, lambda t: rx.select.item(t["label"], value=t["value"])),
                ),
                value=BookingState.technician,
                on_change=BookingState.set_technician,
            )),
            field("Date", rx.input(type="date", value=BookingState.date, on_change=BookingState.set_date,
                                   id="booking-date", width="100%")),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="2",
            width="100%",
        ),
        rx.cond(
            BookingState.slots.length() > 0,
            rx.grid(rx.foreach(BookingState.slots, _slot_button), columns=rx.breakpoints(initial="3", sm="4"),
                    spacing="2", width="100%", id="booking-slots",
                    custom_attrs={"data-slots-for": BookingState.slots_for}),
            rx.cond(
                BookingState.slots_loaded,
                rx.text("No open times that day (working hours, lunch and other jobs are taken into account). "
                        "Try another day or technician, or type a time.", size="2", color_scheme="gray"),
                rx.text("Choose a service and a date to see open times.", size="2", color_scheme="gray"),
            ),
        ),
        rx.hstack(
            rx.text("Or at", size="2", white_space="nowrap"),
            rx.input(type="time", value=BookingState.custom_time, on_change=BookingState.set_custom_time.debounce(300),
                     id="booking-custom-time", width="8rem"),
            rx.text("(staff booking; rules still checked)", size="1", color_scheme="gray"),
            align="center",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


def booking_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New appointment"),
            rx.vstack(
                _customer_section(),
                rx.divider(),
                _service_section(),
                rx.divider(),
                _time_section(),
                rx.text_area(placeholder="Notes for the technician (gate code, parking...)", value=BookingState.notes,
                             on_change=BookingState.set_notes.debounce(400), width="100%", id="booking-notes"),
                error_callout(BookingState.error, id="booking-error"),
                rx.hstack(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray", type="button")),
                    rx.button("Book appointment", on_click=BookingState.book, loading=BookingState.booking,
                              id="booking-submit"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="640px",
            width="calc(100vw - 1rem)",
            max_height="calc(100dvh - 1rem)",
            overflow_y="auto",
            padding=["1rem", "1.5rem"],
            id="booking-dialog",
        ),
        open=BookingState.open,
        on_open_change=BookingState.set_open,
    )


def calendar_page() -> rx.Component:
    return app_shell(
        page_header(
            "Calendar",
            rx.button(rx.icon("plus", size=16), "New appointment", on_click=BookingState.start(CalendarState.day),
                      id="new-appointment"),
            subtitle=CalendarState.title + rx.cond(CalendarState.zone_name != "", " · times in " + CalendarState.zone_name, ""),
        ),
        _toolbar(),
        error_callout(CalendarState.error, id="calendar-error"),
        info_callout(CalendarState.message, id="calendar-message"),
        rx.cond(
            CalendarState.columns.length() > 0,
            calendar_grid(CalendarState),
            rx.cond(CalendarState.loaded, empty_state("No technicians yet — add one under Team.", icon="users")),
        ),
        booking_dialog(),
    )
