"""Team & hours (/team) and scheduling settings (/settings/scheduling), owners and admins."""

from __future__ import annotations

import reflex as rx

from components.calendar import color_dot
from components.layout import app_shell, page_header
from components.ui import empty_state, error_callout, field, info_callout
from state.team import SchedulingSettingsState, TeamState

T = TeamState.tech_form
S = SchedulingSettingsState.settings
HOURS_HINT = "e.g. 08:00-17:00, or 08:00-12:00, 13:00-17:00; empty = off"


# ---- team -----------------------------------------------------------------------------------


def _time_off_item(o: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon("plane", size=14),
        rx.text(o.label, size="1"),
        rx.cond(o.reason != "", rx.text("· ", o.reason, size="1", color_scheme="gray")),
        rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", color_scheme="red",
                       on_click=TeamState.remove_time_off(o.id), aria_label="Remove time off"),
        align="center",
        wrap="wrap",
        spacing="1",
    )


def _tech_card(t: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                color_dot(t.color, "16px"),
                rx.heading(t.name, size="4"),
                rx.spacer(),
                rx.cond(t.active, rx.badge("Active", color_scheme="green"), rx.badge("Inactive", color_scheme="gray")),
                align="center",
                width="100%",
            ),
            rx.cond(t.login_label != "", rx.text("Login: ", t.login_label, size="1", color_scheme="gray")),
            rx.cond((t.phone != "") | (t.email != ""), rx.text(t.phone, " ", t.email, size="1", color_scheme="gray")),
            rx.text(rx.text.strong("Does: "), t.skills_label, size="2"),
            rx.text(rx.text.strong("Hours: "), t.hours_label, size="2"),
            rx.cond(t.time_off.length() > 0, rx.vstack(rx.foreach(t.time_off, _time_off_item), spacing="1")),
            rx.hstack(
                rx.button("Edit", size="1", variant="soft", on_click=TeamState.edit_technician(t.id),
                          custom_attrs={"data-edit-technician": t.name}),
                rx.button("Add time off", size="1", variant="soft", color_scheme="gray",
                          on_click=TeamState.open_time_off(t.id)),
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-technician-card": t.name},
    )


def _hours_inputs(rows: rx.Var, prefix: str) -> rx.Component:
    return rx.vstack(
        rx.foreach(rows, lambda d: rx.hstack(
            rx.text(d.name, size="2", min_width="6.5rem"),
            rx.input(name=prefix + d.weekday.to_string(), default_value=d.text, placeholder="off", width="100%",
                     custom_attrs={"data-hours-day": d.weekday.to_string()}),
            align="center",
            width="100%",
        )),
        rx.text(HOURS_HINT, size="1", color_scheme="gray"),
        spacing="1",
        width="100%",
    )


def _tech_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(T["id"] != "", "Edit technician", "New technician")),
            rx.form(
                rx.vstack(
                    error_callout(TeamState.form_error, id="tech-form-error"),
                    rx.grid(
                        field("Name", rx.input(name="name", default_value=T["name"], required=True, id="tech-name")),
                        field("Calendar colour", rx.input(name="color", type="color",
                                                          default_value=rx.cond(T["color"] != "", T["color"], "#2563eb"),
                                                          width="100%")),
                        field("Phone", rx.input(name="phone", type="tel", default_value=T["phone"])),
                        field("Email", rx.input(name="email", type="email", default_value=T["email"])),
                        columns=rx.breakpoints(initial="1", sm="2"),
                        spacing="2",
                        width="100%",
                    ),
                    field("Staff login (optional)", rx.select.root(
                        rx.select.trigger(width="100%"),
                        rx.select.content(
                            rx.select.item("No login", value="none"),
                            rx.foreach(TeamState.members, lambda m: rx.select.item(m["label"], value=m["value"])),
                        ),
                        name="login",
                        default_value=T["login"],
                    ), "Their own calendar feed and jobs follow this login."),
                    rx.text("Services they do", size="2", weight="medium"),
                    rx.grid(
                        rx.foreach(TeamState.service_options, lambda o: rx.checkbox(
                            o["label"], checked=TeamState.tech_skills.contains(o["value"]),
                            on_change=lambda v: TeamState.toggle_skill(o["value"], v))),
                        columns=rx.breakpoints(initial="1", sm="2"),
                        spacing="1",
                        width="100%",
                    ),
                    rx.text("Weekly working hours", size="2", weight="medium"),
                    _hours_inputs(TeamState.tech_hours, "hours_"),
                    rx.checkbox("Active (takes bookings)", name="active", default_checked=T["active"] == "on"),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Save", type="submit", id="tech-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=TeamState.save_technician,
            ),
            max_width="600px",
            width="calc(100vw - 1rem)",
            max_height="calc(100dvh - 1rem)",
            overflow_y="auto",
        ),
        open=TeamState.tech_open,
        on_open_change=TeamState.set_tech_open,
    )


def _time_off_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Time off: " + TeamState.time_off_tech_name),
            rx.form(
                rx.vstack(
                    error_callout(TeamState.form_error, id="time-off-error"),
                    rx.grid(
                        field("From", rx.input(name="start_date", type="date", required=True)),
                        field("at", rx.input(name="start_time", type="time", default_value="00:00")),
                        field("Until", rx.input(name="end_date", type="date")),
                        field("at", rx.input(name="end_time", type="time", default_value="23:59")),
                        columns="2",
                        spacing="2",
                        width="100%",
                    ),
                    field("Reason", rx.input(name="reason", placeholder="Vacation, dentist, ...")),
                    rx.text("Times are in ", TeamState.zone_name, ".", size="1", color_scheme="gray"),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Add time off", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=TeamState.add_time_off,
            ),
            max_width="460px",
            width="calc(100vw - 1rem)",
        ),
        open=TeamState.time_off_open,
        on_open_change=TeamState.set_time_off_open,
    )


def team_page() -> rx.Component:
    return app_shell(
        page_header(
            "Team & hours",
            rx.link(rx.button(rx.icon("settings", size=16), "Business hours & rules", variant="soft"),
                    href="/settings/scheduling"),
            rx.button(rx.icon("user-plus", size=16), "New technician", on_click=TeamState.edit_technician(""),
                      id="new-technician"),
            subtitle="Who does the work, what they do and when they work",
        ),
        error_callout(TeamState.error, id="team-error"),
        info_callout(TeamState.message, id="team-message"),
        rx.cond(
            TeamState.technicians.length() > 0,
            rx.grid(rx.foreach(TeamState.technicians, _tech_card), columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3", width="100%"),
            empty_state("No technicians yet.", icon="users"),
        ),
        _tech_dialog(),
        _time_off_dialog(),
    )


# ---- scheduling settings --------------------------------------------------------------------


def _card(title: str, *children, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%"), width="100%", **props)


def _number(label: str, name: str, hint: str = "") -> rx.Component:
    return field(label, rx.input(name=name, default_value=S[name], input_mode="numeric", width="100%",
                                 id=f"setting-{name}"), hint)


def _save_row(label: str, id: str) -> rx.Component:
    return rx.hstack(rx.button(label, type="submit", id=id), justify="end", width="100%")


def _closure_item(c: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(c.label, size="2", weight="medium"),
        rx.text(c.name, size="2", color_scheme="gray"),
        rx.spacer(),
        rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", color_scheme="red",
                       on_click=SchedulingSettingsState.remove_closure(c.date), aria_label="Open again"),
        align="center",
        width="100%",
    )


def scheduling_settings_page() -> rx.Component:
    v = SchedulingSettingsState.version.to_string()
    return app_shell(
        page_header("Business hours & booking rules",
                    rx.link(rx.button(rx.icon("users", size=16), "Team", variant="soft"), href="/team"),
                    subtitle="Times are in " + SchedulingSettingsState.zone_name),
        error_callout(SchedulingSettingsState.error, id="settings-error"),
        info_callout(SchedulingSettingsState.message, id="settings-message"),
        rx.grid(
            _card(
                "Business hours",
                rx.form(
                    rx.vstack(
                        _hours_inputs(SchedulingSettingsState.business_hours, "day_"),
                        field("Lunch break", rx.input(name="lunch", default_value=S["lunch"], placeholder="none",
                                                      width="100%"),
                              "e.g. 12:00-13:00 — jobs are not booked across it; empty = no lunch break"),
                        _save_row("Save hours", "save-hours"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=SchedulingSettingsState.save_hours,
                    key="hours-" + v,
                ),
            ),
            _card(
                "Booking rules",
                rx.form(
                    rx.vstack(
                        rx.grid(
                            _number("Slots every (min)", "slot_increment_minutes"),
                            _number("Buffer between jobs (min)", "buffer_minutes"),
                            _number("Travel padding (min)", "travel_padding_minutes"),
                            _number("Minimum notice (hours)", "min_notice_hours"),
                            _number("Book up to (days ahead)", "horizon_days"),
                            _number("Cancellation notice (hours)", "cancellation_notice_hours",
                                    "Customers can't cancel or move online within this window."),
                            _number("Reminder (hours before)", "reminder_hours_before"),
                            columns=rx.breakpoints(initial="1", sm="2"),
                            spacing="2",
                            width="100%",
                        ),
                        rx.checkbox("Confirm online bookings automatically", name="auto_confirm",
                                    default_checked=SchedulingSettingsState.auto_confirm),
                        _save_row("Save rules", "save-rules"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=SchedulingSettingsState.save_rules,
                    key="rules-" + v,
                ),
            ),
            _card(
                "Closed days & holidays",
                rx.cond(SchedulingSettingsState.closures.length() > 0,
                        rx.vstack(rx.foreach(SchedulingSettingsState.closures, _closure_item), spacing="1",
                                  width="100%"),
                        rx.text("No closed days coming up.", size="2", color_scheme="gray")),
                rx.form(
                    rx.hstack(
                        rx.input(name="day", type="date", required=True, width="10rem"),
                        rx.input(name="name", placeholder="Holiday name", width="100%"),
                        rx.button("Add", type="submit", variant="soft"),
                        align="end",
                        wrap="wrap",
                        width="100%",
                    ),
                    on_submit=SchedulingSettingsState.add_closure,
                    reset_on_submit=True,
                ),
            ),
            _card(
                "Service area",
                rx.form(
                    rx.vstack(
                        field("ZIP codes", rx.text_area(name="zips", default_value=S["zips"], rows="2", width="100%"),
                              "Exact (74105) or prefixes (741*), separated by commas or spaces."),
                        rx.grid(
                            field("Base latitude", rx.input(name="base_latitude", default_value=S["base_latitude"],
                                                            input_mode="decimal")),
                            field("Base longitude", rx.input(name="base_longitude", default_value=S["base_longitude"],
                                                             input_mode="decimal")),
                            field("Radius (miles)", rx.input(name="radius_miles", default_value=S["radius_miles"],
                                                             input_mode="decimal"), "empty = no radius"),
                            columns=rx.breakpoints(initial="1", sm="3"),
                            spacing="2",
                            width="100%",
                        ),
                        field("How customers hear it", rx.input(name="area_description",
                                                                default_value=S["area_description"],
                                                                placeholder="the Tulsa metro")),
                        _save_row("Save area", "save-area"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=SchedulingSettingsState.save_area,
                    key="area-" + v,
                ),
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
    )
