"""CRM pages: the customer list (/customers) and the customer profile (/customers/<id>)."""

from __future__ import annotations

import reflex as rx

from components.documents import (
    APPOINTMENT_STATUS_COLORS,
    INVOICE_STATUS_COLORS,
    QUOTE_STATUS_COLORS,
    header_cell,
    scroll_table,
    status_badge,
    wide_only,
)
from components.layout import app_shell, page_header
from components.ui import empty_state, error_callout, field, info_callout, stat_card, text_input
from state.customers import NOT_SET, CustomerProfileState, CustomersState

ASSET_ICONS = {"vehicle": "car", "pet": "paw-print", "property": "house", "other": "package"}
ASSET_KIND_OPTIONS = [("vehicle", "Vehicle"), ("pet", "Pet"), ("property", "Property"), ("other", "Other")]


# ---- list -----------------------------------------------------------------------------------


def _new_customer_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("user-plus", size=16), "New customer", id="new-customer")),
        rx.dialog.content(
            rx.dialog.title("New customer"),
            rx.form(
                rx.vstack(
                    error_callout(CustomersState.create_error, id="new-customer-error"),
                    field("Name", text_input("name", placeholder="Jordan Hayes", id="new-customer-name")),
                    rx.flex(
                        field("Mobile phone", text_input("phone", placeholder="(918) 555-0111", type="tel",
                                                         id="new-customer-phone")),
                        field("Email", text_input("email", placeholder="jordan@example.com", type="email",
                                                  id="new-customer-email")),
                        direction=rx.breakpoints(initial="column", sm="row"), spacing="3", width="100%",
                    ),
                    field("Street address", text_input("address_line1", placeholder="2417 E 21st St")),
                    field("Apartment, suite", text_input("address_line2")),
                    rx.flex(
                        field("City", text_input("city")),
                        field("State", text_input("region")),
                        field("ZIP", text_input("postal_code")),
                        direction=rx.breakpoints(initial="column", sm="row"), spacing="3", width="100%",
                    ),
                    field("Tags", text_input("tags", placeholder="vip, fleet"), "Separate tags with commas."),
                    field("Notes", rx.text_area(name="notes", width="100%", rows="2")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Add customer", type="submit", id="new-customer-submit"),
                        justify="end", width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=CustomersState.create_customer,
                reset_on_submit=False,
            ),
            max_width="560px",
        ),
        open=CustomersState.create_open,
        on_open_change=CustomersState.set_create_open,
    )


def _tag_badges(tags: rx.Var) -> rx.Component:
    return rx.hstack(rx.foreach(tags, lambda t: rx.badge(t, variant="outline", size="1")), wrap="wrap", spacing="1")


def _customer_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.hstack(
                    rx.link(row.name, href="/customers/" + row.id, weight="medium",
                            custom_attrs={"data-customer-link": row.id}),
                    rx.cond(row.is_vip, rx.badge("VIP", color_scheme="amber", variant="solid", size="1")),
                    align="center", spacing="2",
                ),
                # Phones see the number under the name (the phone column is hidden there).
                rx.text(row.phone, size="1", color_scheme="gray", display=rx.breakpoints(initial="block", md="none")),
                spacing="0",
            ),
        ),
        rx.table.cell(rx.text(row.phone, white_space="nowrap"), **wide_only("md")),
        rx.table.cell(row.last_job, white_space="nowrap", **wide_only("lg")),
        rx.table.cell(row.total_jobs, text_align="right", **wide_only("sm")),
        rx.table.cell(row.lifetime_value, text_align="right", white_space="nowrap"),
        rx.table.cell(_tag_badges(row.tags), **wide_only("lg")),
        custom_attrs={"data-customer-row": row.id},
    )


def customers_page() -> rx.Component:
    return app_shell(
        page_header("Customers", _new_customer_dialog(), subtitle="Everyone you work for, with their history"),
        error_callout(CustomersState.error, id="customers-error"),
        rx.flex(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                value=CustomersState.query, on_change=CustomersState.set_query,
                placeholder="Name, phone (any format), email, address or tag:name",
                id="customer-search", width="100%", size="3", type="search",
            ),
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(placeholder="All tags", id="customer-tag-filter"),
                    rx.select.content(
                        rx.select.item("All tags", value="all"),
                        rx.foreach(CustomersState.tag_options, lambda t: rx.select.item(t, value=t)),
                    ),
                    value=CustomersState.tag_filter, on_change=CustomersState.set_tag_filter, size="3",
                ),
                rx.el.label(
                    rx.hstack(rx.switch(checked=CustomersState.vip_only, on_change=CustomersState.set_vip_only,
                                        id="customer-vip-filter"),
                              rx.text("VIP only", size="2"), align="center", spacing="2"),
                ),
                align="center", spacing="3",
            ),
            direction=rx.breakpoints(initial="column", md="row"), spacing="3", width="100%", margin_bottom="1rem",
            align=rx.breakpoints(initial="stretch", md="center"),
        ),
        rx.cond(
            CustomersState.rows.length() > 0,
            scroll_table(
                rx.table.header(rx.table.row(
                    header_cell("Name"), header_cell("Phone", "md"), header_cell("Last job", "lg"),
                    header_cell("Jobs", "sm", "right"), header_cell("Lifetime value", align="right"),
                    header_cell("Tags", "lg"),
                )),
                rx.table.body(rx.foreach(CustomersState.rows, _customer_row)),
                id="customers-table",
            ),
            rx.cond(CustomersState.loaded, empty_state("No customers match.", icon="users")),
        ),
        rx.cond(CustomersState.truncated,
                rx.text("Showing the first 100 matches — type more of a name, number or address to narrow it down.",
                        size="2", color_scheme="gray", margin_top="0.75rem")),
    )


# ---- profile --------------------------------------------------------------------------------


P = CustomerProfileState.p


def _contact_dialog() -> rx.Component:
    s = CustomerProfileState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Contact details"),
            rx.form(
                rx.vstack(
                    error_callout(s.contact_error, id="contact-error"),
                    field("Name", text_input("name", default_value=P.name)),
                    field("Email", text_input("email", default_value=P.email, type="email")),
                    field("Street address", text_input("address_line1", default_value=P.address_line1)),
                    field("Apartment, suite", text_input("address_line2", default_value=P.address_line2)),
                    rx.flex(
                        field("City", text_input("city", default_value=P.city)),
                        field("State", text_input("region", default_value=P.region)),
                        field("ZIP", text_input("postal_code", default_value=P.postal_code)),
                        direction=rx.breakpoints(initial="column", sm="row"), spacing="3", width="100%",
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Save", type="submit", id="contact-save"),
                        justify="end", width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=s.save_contact,
                reset_on_submit=False,
            ),
            rx.divider(margin_y="1rem"),
            rx.heading("Phone numbers", size="3"),
            rx.vstack(
                rx.foreach(P.phones, lambda ph: rx.hstack(
                    rx.text(ph.number, font_family="monospace"),
                    rx.cond(ph.primary, rx.badge("primary", size="1"),
                            rx.button("Make primary", size="1", variant="ghost", type="button",
                                      on_click=s.make_primary(ph.e164))),
                    rx.spacer(),
                    rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", color_scheme="red", type="button",
                                   on_click=s.remove_phone(ph.e164), aria_label="Remove number"),
                    width="100%", align="center",
                )),
                rx.hstack(
                    rx.input(value=s.phone_input, on_change=s.set_phone_input, placeholder="Add a number, any format",
                             type="tel", width="100%", id="add-phone-input"),
                    rx.button("Add", on_click=s.add_phone, type="button", id="add-phone"),
                    width="100%",
                ),
                error_callout(s.phone_error, id="phone-error"),
                spacing="2", width="100%", margin_top="0.5rem",
            ),
            max_width="560px",
        ),
        open=s.contact_open,
        on_open_change=s.set_contact_open,
    )


def _attribute_select(choice: rx.Var) -> rx.Component:
    s = CustomerProfileState
    return field(
        choice.label,
        rx.select.root(
            rx.select.trigger(placeholder="Not set", width="100%"),
            rx.select.content(
                rx.select.item("Not set", value=NOT_SET),
                rx.foreach(choice.options, lambda o: rx.select.item(o.label, value=o.value)),
            ),
            value=s.asset_attrs[choice.key].to(str),
            on_change=lambda v: s.set_asset_attr(choice.key, v),
        ),
    )


def _asset_dialog() -> rx.Component:
    s = CustomerProfileState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(s.asset_id != "", "Edit ", "Add "), "vehicle, pet or property"),
            rx.vstack(
                error_callout(s.asset_error, id="asset-error"),
                field("Kind", rx.select.root(
                    rx.select.trigger(width="100%", id="asset-kind"),
                    rx.select.content(*[rx.select.item(label, value=value) for value, label in ASSET_KIND_OPTIONS]),
                    value=s.asset_kind, on_change=s.set_asset_kind,
                )),
                field("Name", rx.input(value=s.asset_label, on_change=s.set_asset_label, width="100%", size="3",
                                       placeholder="2021 Toyota RAV4 · Bella (golden retriever) · Front lawn",
                                       id="asset-label")),
                rx.foreach(s.kind_choices, _attribute_select),
                field("Notes", rx.text_area(value=s.asset_notes, on_change=s.set_asset_notes, width="100%", rows="2")),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save", on_click=s.save_asset, id="asset-save"),
                    justify="end", width="100%",
                ),
                spacing="3",
            ),
            max_width="480px",
        ),
        open=s.asset_open,
        on_open_change=s.set_asset_open,
    )


def _section(title: str, *children, action: rx.Component | None = None, id: str | None = None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading(title, size="3"), rx.spacer(), action or rx.fragment(), width="100%",
                      align="center"),
            *children,
            spacing="3",
            width="100%",
        ),
        width="100%",
        id=id,
    )


def _contact_card() -> rx.Component:
    s = CustomerProfileState
    return _section(
        "Contact",
        rx.vstack(
            rx.foreach(P.phones, lambda ph: rx.hstack(
                rx.icon("phone", size=14), rx.link(ph.number, href="tel:" + ph.e164),
                rx.cond(ph.primary, rx.fragment(), rx.text(ph.label, size="1", color_scheme="gray")),
                align="center", spacing="2",
            )),
            rx.cond(P.email != "", rx.hstack(rx.icon("mail", size=14), rx.link(P.email, href="mailto:" + P.email),
                                             align="center", spacing="2")),
            rx.cond(P.address != "", rx.hstack(rx.icon("map-pin", size=14), rx.text(P.address, size="2"),
                                               align="center", spacing="2")),
            rx.hstack(rx.icon("message-square", size=14), rx.text("Texts: ", size="2"),
                      status_badge(P.sms_consent, P.sms_consent_label,
                                   {"opted_in": "green", "opted_out": "red", "unknown": "gray"}),
                      align="center", spacing="2", id="profile-consent"),
            rx.text("Source: ", P.source, " · customer since ", P.customer_since, size="1", color_scheme="gray"),
            spacing="2",
        ),
        rx.cond(
            P.household.length() > 0,
            rx.vstack(
                rx.text("Household (same address)", size="2", weight="medium"),
                rx.foreach(P.household, lambda m: rx.hstack(
                    rx.icon("users", size=14),
                    rx.link(m.name, href="/customers/" + m.id, custom_attrs={"data-household-member": m.id}),
                    rx.text(m.phone, size="1", color_scheme="gray"),
                    align="center", spacing="2",
                )),
                spacing="1", width="100%", id="profile-household",
            ),
        ),
        action=rx.button(rx.icon("pencil", size=14), "Edit", size="1", variant="soft",
                         on_click=s.set_contact_open(True), id="edit-contact"),
    )


def _asset_card(asset: rx.Var) -> rx.Component:
    s = CustomerProfileState
    return rx.hstack(
        rx.center(rx.match(asset.kind, *[(k, rx.icon(icon, size=18)) for k, icon in ASSET_ICONS.items()],
                           rx.icon("package", size=18)),
                  width="36px", height="36px", border_radius="8px", background="var(--accent-a3)",
                  color="var(--accent-11)", flex_shrink="0"),
        rx.vstack(
            rx.text(asset.label, weight="medium", size="2"),
            rx.text(asset.kind_label, rx.cond(asset.summary != "", " · " + asset.summary, ""), size="1",
                    color_scheme="gray"),
            rx.cond(asset.notes != "", rx.text(asset.notes, size="1", color_scheme="gray")),
            spacing="0", min_width="0",
        ),
        rx.spacer(),
        rx.icon_button(rx.icon("pencil", size=14), size="1", variant="ghost", on_click=s.start_asset(asset.id),
                       aria_label="Edit", custom_attrs={"data-edit-asset": asset.id}),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost",
                                                   color_scheme="red", aria_label="Remove")),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Remove ", asset.label, "?"),
                rx.alert_dialog.description("Past appointments keep their details."),
                rx.hstack(
                    rx.alert_dialog.cancel(rx.button("Keep", variant="soft", color_scheme="gray")),
                    rx.alert_dialog.action(rx.button("Remove", color_scheme="red",
                                                     on_click=s.remove_asset(asset.id))),
                    justify="end", spacing="2",
                ),
            ),
        ),
        width="100%", align="center", spacing="3",
        custom_attrs={"data-asset": asset.id},
    )


def _tags_card() -> rx.Component:
    s = CustomerProfileState
    return _section(
        "Tags",
        rx.hstack(
            rx.foreach(P.tags, lambda t: rx.badge(
                t, rx.icon("x", size=12, cursor="pointer", on_click=s.remove_tag(t), aria_label="Remove tag"),
                variant="soft", size="2", custom_attrs={"data-tag": t},
            )),
            rx.cond(P.tags.length() == 0, rx.text("No tags yet.", size="2", color_scheme="gray")),
            wrap="wrap", spacing="2", id="profile-tags",
        ),
        rx.form(
            rx.hstack(
                rx.input(value=s.tag_input, on_change=s.set_tag_input, placeholder="Add a tag", width="100%",
                         id="tag-input"),
                rx.button("Add", type="submit", id="tag-add"),
                width="100%",
            ),
            on_submit=lambda _: s.add_tag(),
            width="100%",
        ),
        error_callout(s.tag_error, id="tag-error"),
    )


def _notes_card() -> rx.Component:
    s = CustomerProfileState
    return _section(
        "Notes",
        rx.text_area(value=s.notes_draft, on_change=s.set_notes_draft, width="100%", rows="4",
                     placeholder="Gate code, preferences, anything the team should know", id="profile-notes"),
        rx.hstack(rx.spacer(), rx.button("Save notes", size="2", variant="soft", on_click=s.save_notes,
                                         id="save-notes"), width="100%"),
    )


def _appointments_tab() -> rx.Component:
    return rx.cond(
        P.appointments.length() > 0,
        scroll_table(
            rx.table.header(rx.table.row(
                header_cell("When"), header_cell("Service", "sm"), header_cell("Technician", "md"),
                header_cell("Status"), header_cell("Price", "sm", "right"),
            )),
            rx.table.body(rx.foreach(P.appointments, lambda a: rx.table.row(
                rx.table.cell(rx.link(a.when, href="/appointments/" + a.id),
                              rx.cond(a.upcoming, rx.badge("upcoming", size="1", margin_left="0.25rem")),
                              rx.text(a.service, size="1", color_scheme="gray",
                                      display=rx.breakpoints(initial="block", sm="none"))),
                rx.table.cell(a.service, **wide_only("sm")),
                rx.table.cell(a.technician, **wide_only("md")),
                rx.table.cell(status_badge(a.status, a.status_label, APPOINTMENT_STATUS_COLORS)),
                rx.table.cell(a.price, text_align="right", white_space="nowrap", **wide_only("sm")),
                custom_attrs={"data-appointment": a.id},
            ))),
            id="profile-appointments",
        ),
        empty_state("No appointments yet.", icon="calendar"),
    )


def _invoices_tab() -> rx.Component:
    return rx.cond(
        P.invoices.length() > 0,
        scroll_table(
            rx.table.header(rx.table.row(
                header_cell("Invoice"), header_cell("Date", "sm"), header_cell("Status"),
                header_cell("Total", align="right"), header_cell("Balance", "sm", "right"),
            )),
            rx.table.body(rx.foreach(P.invoices, lambda i: rx.table.row(
                rx.table.cell(rx.link(i.number, href="/invoices/" + i.id)),
                rx.table.cell(i.date, white_space="nowrap", **wide_only("sm")),
                rx.table.cell(status_badge(i.status, i.status, INVOICE_STATUS_COLORS)),
                rx.table.cell(i.total, text_align="right"),
                rx.table.cell(i.balance, text_align="right", **wide_only("sm")),
            ))),
            id="profile-invoices",
        ),
        empty_state("No invoices yet.", icon="receipt"),
    )


def _quotes_tab() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.spacer(), rx.link(rx.button(rx.icon("plus", size=14), "New quote", size="1", variant="soft"),
                                       href="/quotes/new?customer=" + P.id, id="profile-new-quote"), width="100%"),
        rx.cond(
            P.quotes.length() > 0,
            scroll_table(
                rx.table.header(rx.table.row(
                    header_cell("Quote"), header_cell("Date", "sm"), header_cell("Status"),
                    header_cell("Total", align="right"), header_cell("Expires", "md"),
                )),
                rx.table.body(rx.foreach(P.quotes, lambda q: rx.table.row(
                    rx.table.cell(rx.link(q.number, href="/quotes/" + q.id),
                                  rx.text(q.title, size="1", color_scheme="gray")),
                    rx.table.cell(q.date, white_space="nowrap", **wide_only("sm")),
                    rx.table.cell(status_badge(q.status, q.status, QUOTE_STATUS_COLORS)),
                    rx.table.cell(q.total, text_align="right"),
                    rx.table.cell(q.expires, white_space="nowrap", **wide_only("md")),
                ))),
                id="profile-quotes",
            ),
            empty_state("No quotes yet.", icon="file-text"),
        ),
        width="100%",
    )


def _messages_tab() -> rx.Component:
    return rx.vstack(
        rx.foreach(P.messages, lambda m: rx.box(
            rx.text(m.body, size="2", white_space="pre-wrap"),
            rx.text(m.at, rx.cond(m.who != "", " · " + m.who, ""),
                    rx.cond(m.direction == "out", " · " + m.status_label, ""), size="1", color_scheme="gray"),
            align_self=rx.cond(m.direction == "out", "flex-end", "flex-start"),
            background=rx.cond(m.direction == "out", "var(--accent-a3)", "var(--gray-a3)"),
            padding="0.5rem 0.75rem", border_radius="10px", max_width="85%",
        )),
        spacing="2", width="100%", id="profile-messages",
    )


def _history() -> rx.Component:
    return rx.card(
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Appointments", value="appointments"),
                rx.tabs.trigger("Invoices", value="invoices"),
                rx.tabs.trigger("Quotes", value="quotes"),
                # Messages only when the messaging area has any for this customer (no fake data).
                rx.cond(P.messages.length() > 0, rx.tabs.trigger("Messages", value="messages")),
                overflow_x="auto",
            ),
            rx.tabs.content(_appointments_tab(), value="appointments", padding_top="0.75rem"),
            rx.tabs.content(_invoices_tab(), value="invoices", padding_top="0.75rem"),
            rx.tabs.content(_quotes_tab(), value="quotes", padding_top="0.75rem"),
            rx.tabs.content(_messages_tab(), value="messages", padding_top="0.75rem"),
            default_value="appointments",
            width="100%",
        ),
        width="100%",
    )


def _profile() -> rx.Component:
    s = CustomerProfileState
    return rx.vstack(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.heading(P.name, size="6", id="profile-name"),
                    rx.cond(P.is_vip, rx.badge("VIP", color_scheme="amber", variant="solid")),
                    align="center", spacing="2", wrap="wrap",
                ),
                rx.text(P.primary_phone, color_scheme="gray", size="2"),
                spacing="1",
            ),
            rx.spacer(),
            rx.hstack(
                rx.el.label(rx.hstack(rx.switch(checked=P.is_vip, on_change=s.set_vip, id="vip-toggle"),
                                        rx.text("VIP", size="2"), align="center", spacing="2")),
                rx.link(rx.button(rx.icon("file-plus", size=14), "Quote", size="2", variant="soft"),
                        href="/quotes/new?customer=" + P.id),
                align="center", spacing="3",
            ),
            width="100%", wrap="wrap", gap="0.75rem", align="center",
        ),
        error_callout(s.error, id="profile-error"),
        info_callout(s.message, id="profile-message"),
        rx.grid(
            stat_card("Lifetime value", P.lifetime_value, icon="wallet", id="profile-ltv"),
            stat_card("Total jobs", P.total_jobs.to_string(), icon="briefcase", id="profile-jobs"),
            stat_card("Last job", rx.cond(P.last_job != "", P.last_job, "—"), icon="calendar-check",
                      hint=rx.cond(P.first_job != "", "First: " + P.first_job, "")),
            stat_card("Open balance", P.open_balance, icon="receipt"),
            columns=rx.breakpoints(initial="2", lg="4"), spacing="3", width="100%",
        ),
        rx.grid(
            rx.vstack(
                _contact_card(),
                _section(
                    "Vehicles, pets & property",
                    rx.vstack(rx.foreach(P.assets, _asset_card), spacing="3", width="100%", id="profile-assets"),
                    rx.cond(P.assets.length() == 0, rx.text("Nothing added yet.", size="2", color_scheme="gray")),
                    action=rx.button(rx.icon("plus", size=14), "Add", size="1", variant="soft",
                                     on_click=s.start_asset(""), id="add-asset"),
                ),
                spacing="3", width="100%",
            ),
            rx.vstack(_tags_card(), _notes_card(), spacing="3", width="100%"),
            columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%",
        ),
        _history(),
        _contact_dialog(),
        _asset_dialog(),
        spacing="4",
        width="100%",
    )


def customer_profile_page() -> rx.Component:
    s = CustomerProfileState
    return app_shell(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("Customers", size="2"), align="center",
                          spacing="1"), href="/customers", color_scheme="gray", margin_bottom="0.75rem"),
        rx.cond(
            s.found,
            _profile(),
            rx.cond(
                s.not_found,
                rx.callout("Customer not found. It may have been removed, or the link is wrong.",
                           icon="search-x", color_scheme="amber", id="customer-not-found"),
                rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
            ),
        ),
    )
