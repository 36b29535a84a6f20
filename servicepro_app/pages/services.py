"""Services & pricing page (/services): the catalogue for everyone, editors for owners/admins."""

from __future__ import annotations

import reflex as rx

from components.layout import app_shell, page_header
from components.ui import empty_state, error_callout, field, info_callout
from state.services import ServiceEditorState, ServicesState
from state.session import SessionState

F = ServiceEditorState.service_form
A = ServiceEditorState.addon_form


def _admin(component: rx.Component) -> rx.Component:
    return rx.cond(SessionState.is_tenant_admin, component)


def _modifier_summary(m: rx.Var) -> rx.Component:
    return rx.cond(
        m.summary != "no change",
        rx.badge(m.option_label, ": ", m.summary, variant="outline", color_scheme="gray", white_space="normal",
                 max_width="100%"),
    )


def _service_card(s: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(s.name, size="4"),
                rx.spacer(),
                rx.cond(s.active, rx.badge("Active", color_scheme="green"), rx.badge("Inactive", color_scheme="gray")),
                align="center",
                width="100%",
            ),
            rx.hstack(
                rx.text(rx.text.strong(s.price_label), size="3", class_name="service-price"),
                rx.text("·", color_scheme="gray"),
                rx.text(s.duration_label, size="2"),
                rx.cond(s.deposit_percent > 0, rx.badge(s.deposit_percent.to_string() + "% deposit",
                                                        variant="soft")),
                align="center",
                wrap="wrap",
            ),
            rx.cond(s.description != "", rx.text(s.description, size="2", color_scheme="gray")),
            rx.cond(s.modifiers.length() > 0, rx.flex(rx.foreach(s.modifiers, _modifier_summary), wrap="wrap",
                                                      gap="0.25rem")),
            rx.cond(s.addon_names.length() > 0,
                    rx.text("Add-ons: ", s.addon_names.join(", "), size="1", color_scheme="gray")),
            _admin(rx.hstack(
                rx.button("Edit", size="1", variant="soft", on_click=ServiceEditorState.edit_service(s.id),
                          custom_attrs={"data-edit-service": s.name}),
                rx.button("Size & condition prices", size="1", variant="soft", color_scheme="gray",
                          on_click=ServiceEditorState.edit_modifiers(s.id),
                          custom_attrs={"data-edit-modifiers": s.name}),
                wrap="wrap",
            )),
            spacing="2",
            width="100%",
        ),
        width="100%",
        opacity=rx.cond(s.active, "1", "0.7"),
        custom_attrs={"data-service": s.name},
    )


def _addon_row(a: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(a.name, weight="medium"), rx.text(a.description, size="1", color_scheme="gray")),
        rx.table.cell(a.price_label),
        rx.table.cell(rx.cond(a.duration_minutes > 0, "+" + a.duration_minutes.to_string() + " min", "—")),
        rx.table.cell(rx.text(a.services_label, size="1")),
        rx.table.cell(rx.cond(a.active, rx.badge("Active", color_scheme="green"), rx.badge("Off", color_scheme="gray"))),
        rx.table.cell(_admin(rx.button("Edit", size="1", variant="soft", on_click=ServiceEditorState.edit_addon(a.id)))),
    )


def _service_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(F["id"] != "", "Edit service", "New service")),
            rx.form(
                rx.vstack(
                    error_callout(ServiceEditorState.form_error, id="service-form-error"),
                    field("Name", rx.input(name="name", default_value=F["name"], required=True, id="service-name")),
                    field("Description", rx.text_area(name="description", default_value=F["description"], rows="2")),
                    rx.grid(
                        field("Lowest price ($)", rx.input(name="price_min", default_value=F["price_min"],
                                                           input_mode="decimal", required=True, id="service-price-min")),
                        field("Highest price ($)", rx.input(name="price_max", default_value=F["price_max"],
                                                            input_mode="decimal", id="service-price-max")),
                        field("Duration (minutes)", rx.input(name="duration_minutes", default_value=F["duration_minutes"],
                                                             input_mode="numeric", id="service-duration")),
                        field("Deposit %", rx.input(name="deposit_percent", default_value=F["deposit_percent"],
                                                    input_mode="numeric", id="service-deposit")),
                        columns="2",
                        spacing="2",
                        width="100%",
                    ),
                    field("Other names customers use", rx.input(name="synonyms", default_value=F["synonyms"]),
                          "Comma separated; the AI agent and the booking page match them."),
                    rx.checkbox("Active (offered to customers)", name="active", default_checked=F["active"] == "on"),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Save", type="submit", id="service-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=ServiceEditorState.save_service,
            ),
            max_width="520px",
            width="calc(100vw - 1rem)",
            max_height="calc(100dvh - 1rem)",
            overflow_y="auto",
        ),
        open=ServiceEditorState.service_open,
        on_open_change=ServiceEditorState.set_service_open,
    )


def _addon_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(A["id"] != "", "Edit add-on", "New add-on")),
            rx.form(
                rx.vstack(
                    error_callout(ServiceEditorState.form_error, id="addon-form-error"),
                    field("Name", rx.input(name="name", default_value=A["name"], required=True, id="addon-name")),
                    field("Description", rx.input(name="description", default_value=A["description"])),
                    rx.grid(
                        field("Lowest price ($)", rx.input(name="price_min", default_value=A["price_min"],
                                                           input_mode="decimal", required=True, id="addon-price-min")),
                        field("Highest price ($)", rx.input(name="price_max", default_value=A["price_max"],
                                                            input_mode="decimal")),
                        field("Extra minutes", rx.input(name="duration_minutes", default_value=A["duration_minutes"],
                                                        input_mode="numeric")),
                        columns="3",
                        spacing="2",
                        width="100%",
                    ),
                    rx.text("Offered with (none ticked = every service)", size="2", weight="medium"),
                    rx.grid(
                        rx.foreach(ServiceEditorState.service_options, lambda o: rx.checkbox(
                            o["label"], checked=ServiceEditorState.addon_services.contains(o["value"]),
                            on_change=lambda v: ServiceEditorState.toggle_addon_service(o["value"], v))),
                        columns=rx.breakpoints(initial="1", sm="2"),
                        spacing="1",
                        width="100%",
                    ),
                    rx.checkbox("Active", name="active", default_checked=A["active"] == "on"),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Save", type="submit", id="addon-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=ServiceEditorState.save_addon,
            ),
            max_width="560px",
            width="calc(100vw - 1rem)",
            max_height="calc(100dvh - 1rem)",
            overflow_y="auto",
        ),
        open=ServiceEditorState.addon_open,
        on_open_change=ServiceEditorState.set_addon_open,
    )


def _modifier_input_row(m: rx.Var) -> rx.Component:
    suffix = m.attribute_key + "__" + m.option_value
    return rx.table.row(
        rx.table.cell(rx.text(m.attribute_label, size="1", color_scheme="gray"), rx.text(m.option_label, size="2")),
        rx.table.cell(rx.input(name="price__" + suffix, default_value=m.price_delta, input_mode="decimal",
                               width="6rem", custom_attrs={"data-modifier-price": m.option_value})),
        rx.table.cell(rx.input(name="minutes__" + suffix, default_value=m.duration_delta.to_string(),
                               input_mode="numeric", width="5rem",
                               custom_attrs={"data-modifier-minutes": m.option_value})),
    )


def _modifiers_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Prices by size & condition: " + ServiceEditorState.modifiers_service_name),
            rx.dialog.description("How each option changes this service's price (dollars, may be negative) and "
                                  "duration (minutes).", size="2"),
            rx.form(
                rx.vstack(
                    error_callout(ServiceEditorState.form_error, id="modifiers-form-error"),
                    rx.cond(
                        ServiceEditorState.modifier_rows.length() > 0,
                        rx.box(
                            rx.table.root(
                                rx.table.header(rx.table.row(
                                    rx.table.column_header_cell("Option"),
                                    rx.table.column_header_cell("+ $"),
                                    rx.table.column_header_cell("+ min"),
                                )),
                                rx.table.body(rx.foreach(ServiceEditorState.modifier_rows, _modifier_input_row)),
                                size="1",
                                width="100%",
                            ),
                            overflow_x="auto",
                            width="100%",
                        ),
                        rx.text("No attribute changes this service's price yet.", size="2", color_scheme="gray"),
                    ),
                    rx.cond(
                        ServiceEditorState.unused_attributes.length() > 0,
                        rx.hstack(
                            rx.text("Priced by another attribute:", size="2"),
                            rx.foreach(ServiceEditorState.unused_attributes, lambda a: rx.button(
                                "+ " + a["label"], size="1", variant="soft", type="button",
                                on_click=ServiceEditorState.add_attribute(a["value"]))),
                            wrap="wrap",
                            align="center",
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Save prices", type="submit", id="modifiers-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=ServiceEditorState.save_modifiers,
            ),
            max_width="560px",
            width="calc(100vw - 1rem)",
            max_height="calc(100dvh - 1rem)",
            overflow_y="auto",
        ),
        open=ServiceEditorState.modifiers_open,
        on_open_change=ServiceEditorState.set_modifiers_open,
    )


def services_page() -> rx.Component:
    return app_shell(
        page_header(
            "Services & pricing",
            _admin(rx.button(rx.icon("plus", size=16), "New service", on_click=ServiceEditorState.edit_service(""),
                             id="new-service")),
            _admin(rx.button(rx.icon("plus", size=16), "New add-on", variant="soft",
                             on_click=ServiceEditorState.edit_addon(""), id="new-addon")),
            subtitle=rx.cond(SessionState.is_tenant_admin, "What you offer, for how much and how long",
                             "What we offer (only owners and admins can change it)"),
        ),
        error_callout(ServicesState.error, id="services-error"),
        info_callout(ServiceEditorState.message, id="services-message"),
        rx.cond(
            ServicesState.services.length() > 0,
            rx.grid(rx.foreach(ServicesState.services, _service_card), columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3", width="100%", id="services-list"),
            empty_state("No services yet.", icon="sparkles"),
        ),
        rx.heading("Add-ons", size="4", margin_top="1.5rem", margin_bottom="0.5rem"),
        rx.cond(
            ServicesState.addons.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                                   ("Add-on", "Price", "Time", "With", "", "")])),
                    rx.table.body(rx.foreach(ServicesState.addons, _addon_row)),
                    width="100%",
                    id="addons-table",
                ),
                overflow_x="auto",
                width="100%",
            ),
            empty_state("No add-ons yet.", icon="package-plus"),
        ),
        _service_dialog(),
        _addon_dialog(),
        _modifiers_dialog(),
    )
