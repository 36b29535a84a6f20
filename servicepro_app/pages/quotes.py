"""Quote pages: the list (/quotes) and the editor (/quotes/new, /quotes/<id>)."""

from __future__ import annotations

import reflex as rx

from components.documents import (
    QUOTE_STATUS_COLORS,
    customer_picker,
    header_cell,
    lines_table,
    scroll_table,
    status_badge,
    totals_box,
    wide_only,
)
from components.layout import app_shell, page_header
from components.ui import empty_state, error_callout, field, info_callout
from state.quotes import LIST_FILTERS, QuoteEditorState, QuotesState

FILTER_LABELS = {"all": "All quotes", "draft": "Drafts", "sent": "Sent", "approved": "Approved",
                 "declined": "Declined", "expired": "Expired", "cancelled": "Cancelled"}


# ---- list -----------------------------------------------------------------------------------


def _quote_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.number, href="/quotes/" + row.id, weight="medium", white_space="nowrap",
                              custom_attrs={"data-quote-link": row.id}),
                      rx.text(row.title, size="1", color_scheme="gray")),
        rx.table.cell(rx.link(row.customer, href="/customers/" + row.customer_id, color_scheme="gray",
                              high_contrast=True)),
        rx.table.cell(status_badge(row.status, row.status_label, QUOTE_STATUS_COLORS)),
        rx.table.cell(row.total, text_align="right", white_space="nowrap"),
        rx.table.cell(row.expires, white_space="nowrap", **wide_only("md")),
        rx.table.cell(row.created, white_space="nowrap", **wide_only("lg")),
        custom_attrs={"data-quote-row": row.number},
    )


def quotes_page() -> rx.Component:
    return app_shell(
        page_header(
            "Quotes",
            rx.select.root(
                rx.select.trigger(),
                rx.select.content(*[rx.select.item(FILTER_LABELS[f], value=f) for f in LIST_FILTERS]),
                value=QuotesState.status_filter, on_change=QuotesState.set_status_filter,
            ),
            rx.link(rx.button(rx.icon("plus", size=16), "New quote"), href="/quotes/new", id="new-quote"),
            subtitle="Estimates your customers approve online, picking a time",
        ),
        error_callout(QuotesState.error, id="quotes-error"),
        rx.cond(
            QuotesState.rows.length() > 0,
            scroll_table(
                rx.table.header(rx.table.row(
                    header_cell("Quote"), header_cell("Customer"), header_cell("Status"),
                    header_cell("Total", align="right"), header_cell("Expires", "md"), header_cell("Created", "lg"),
                )),
                rx.table.body(rx.foreach(QuotesState.rows, _quote_row)),
                id="quotes-table",
            ),
            empty_state("No quotes here yet.", icon="file-text"),
        ),
    )


# ---- editor ---------------------------------------------------------------------------------

S = QuoteEditorState


def _card(title: str, *children, id: str | None = None) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%"), width="100%", id=id)


def _service_card() -> rx.Component:
    return _card(
        "Service",
        rx.select.root(
            rx.select.trigger(placeholder="No service (custom lines only)", width="100%", id="quote-service"),
            rx.select.content(
                rx.select.item("No service", value="none"),
                rx.foreach(S.services, lambda s: rx.select.item(s.name + " · " + s.price, value=s.id,
                                                                custom_attrs={"data-service": s.name})),
            ),
            value=S.service_id, on_change=S.set_service,
        ),
        rx.cond(
            S.service_id != "",
            rx.vstack(
                rx.grid(
                    rx.foreach(S.service_attributes, lambda a: field(
                        a.label,
                        rx.select.root(
                            rx.select.trigger(width="100%"),
                            rx.select.content(rx.foreach(a.options, lambda o: rx.select.item(o.label,
                                                                                              value=o.value))),
                            value=S.attributes[a.key].to(str),
                            on_change=lambda v: S.set_attribute(a.key, v),
                        ),
                    )),
                    columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                ),
                rx.cond(
                    S.service_addons.length() > 0,
                    rx.vstack(
                        rx.text("Add-ons", size="2", weight="medium"),
                        rx.foreach(S.service_addons, lambda a: rx.el.label(rx.hstack(
                            rx.checkbox(checked=S.addon_ids.contains(a.id),
                                        on_change=lambda checked: S.toggle_addon(a.id, checked),
                                        custom_attrs={"data-addon": a.name}),
                            rx.text(a.name, size="2"), rx.text(a.price, size="1", color_scheme="gray"),
                            align="center", spacing="2",
                        ))),
                        spacing="2",
                    ),
                ),
                field("Service price ($)",
                      rx.input(value=S.service_price, on_change=lambda v: S.set_field("service_price", v),
                               placeholder="Catalogue price", input_mode="decimal", width="100%",
                               id="quote-service-price"),
                      "Leave blank to use the catalogue price for these options."),
                spacing="3", width="100%",
            ),
        ),
        id="quote-service-card",
    )


def _custom_line(line: rx.Var, index: rx.Var) -> rx.Component:
    return rx.flex(
        rx.input(value=line["description"], on_change=lambda v: S.set_line(index, "description", v),
                 placeholder="Description", width="100%", flex="3", min_width="0",
                 custom_attrs={"data-line-description": index}),
        rx.hstack(
            rx.input(value=line["quantity"], on_change=lambda v: S.set_line(index, "quantity", v), width="4.5rem",
                     input_mode="numeric", aria_label="Quantity"),
            rx.input(value=line["unit_price"], on_change=lambda v: S.set_line(index, "unit_price", v),
                     placeholder="0.00", width="7rem", input_mode="decimal", aria_label="Price ($)",
                     custom_attrs={"data-line-price": index}),
            rx.el.label(rx.hstack(
                rx.checkbox(checked=line["taxable"] == "yes", on_change=lambda c: S.set_line(index, "taxable", c)),
                rx.text("Tax", size="1"), spacing="1", align="center")),
            rx.icon_button(rx.icon("x", size=14), variant="ghost", color_scheme="red", type="button",
                           on_click=S.remove_line(index), aria_label="Remove line"),
            align="center", spacing="2",
        ),
        direction=rx.breakpoints(initial="column", sm="row"), spacing="2", width="100%",
        padding_bottom="0.5rem", border_bottom="1px dashed var(--gray-a5)",
    )


def _details_card() -> rx.Component:
    return _card(
        "Details",
        field("Title", rx.input(value=S.title, on_change=lambda v: S.set_field("title", v), width="100%",
                                placeholder="e.g. Ceramic coating estimate", id="quote-title")),
        rx.grid(
            field("Tax rate (%)", rx.input(value=S.tax_rate, on_change=lambda v: S.set_field("tax_rate", v),
                                           input_mode="decimal", width="100%", id="quote-tax")),
            field("Discount ($)", rx.input(value=S.discount, on_change=lambda v: S.set_field("discount", v),
                                           input_mode="decimal", placeholder="0.00", width="100%",
                                           id="quote-discount")),
            field("Expires on", rx.input(type="date", value=S.expires_on,
                                         on_change=lambda v: S.set_field("expires_on", v), width="100%",
                                         id="quote-expires")),
            columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%",
        ),
        field("Notes for the customer", rx.text_area(value=S.notes, on_change=lambda v: S.set_field("notes", v),
                                                     width="100%", rows="3")),
    )


def _link_panel() -> rx.Component:
    return rx.cond(
        S.public_link != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("link")),
            rx.vstack(
                rx.text("Approval link — the customer approves and picks a time here:", size="2", weight="medium"),
                rx.input(value=S.public_link, read_only=True, width="100%", id="quote-public-link",
                         font_family="monospace"),
                rx.hstack(
                    rx.button(rx.icon("copy", size=14), "Copy", size="2", variant="soft",
                              on_click=[rx.set_clipboard(S.public_link), rx.toast("Link copied")], id="copy-link"),
                    rx.link(rx.button(rx.icon("external-link", size=14), "Open", size="2", variant="soft"),
                            href=S.public_link, is_external=True),
                    rx.cond(S.customer_phone != "",
                            rx.button(rx.icon("message-square", size=14), "Text to ", S.customer_phone, size="2",
                                      variant="soft", on_click=S.text_link, id="text-link")),
                    wrap="wrap", spacing="2",
                ),
                rx.cond(S.link_message != "", rx.text(S.link_message, size="2", id="link-message")),
                spacing="2", width="100%",
            ),
            color_scheme="green", width="100%", id="quote-link-panel",
        ),
    )


def _preview_card() -> rx.Component:
    return _card(
        "Summary",
        rx.cond(S.preview_error != "",
                rx.callout(S.preview_error, icon="info", color_scheme="amber", size="1", id="quote-preview-error")),
        rx.cond(S.preview_lines.length() > 0, lines_table(S.preview_lines, id="quote-lines")),
        totals_box(S.subtotal, S.discount_total, S.tax_label, S.tax, S.total, total_id="quote-total"),
        id="quote-summary",
    )


def _editor() -> rx.Component:
    return rx.flex(
        rx.vstack(
            _card("Customer", customer_picker(query=S.customer_query, options=S.customer_options,
                                              chosen_label=S.customer_label, on_search=S.search_customers,
                                              on_choose=S.choose_customer, id_prefix="quote-customer")),
            _service_card(),
            _card(
                "Other lines",
                rx.vstack(rx.foreach(S.custom_lines, _custom_line), spacing="2", width="100%"),
                rx.button(rx.icon("plus", size=14), "Add line", size="1", variant="soft", on_click=S.add_line,
                          type="button", id="quote-add-line"),
            ),
            _details_card(),
            spacing="3", width="100%", flex="2", min_width="0",
        ),
        rx.vstack(
            _preview_card(),
            rx.flex(
                rx.button("Save draft", variant="soft", on_click=S.save, id="quote-save", flex="1"),
                rx.button(rx.icon("send", size=14), "Save & send", on_click=S.send, id="quote-send", flex="1"),
                spacing="2", width="100%",
            ),
            spacing="3", width="100%", flex="1", min_width="0",
            position=rx.breakpoints(initial="static", md="sticky"), top="1rem",
        ),
        direction=rx.breakpoints(initial="column", md="row"),
        spacing="4",
        width="100%",
        align="start",
    )


def _read_only() -> rx.Component:
    return rx.grid(
        rx.vstack(
            _card(
                "Quote",
                rx.hstack(rx.icon("user", size=14),
                          rx.link(S.customer_label, href="/customers/" + S.customer_id), align="center"),
                rx.cond(S.title != "", rx.text(S.title, weight="medium")),
                rx.cond(S.preview_lines.length() > 0, lines_table(S.preview_lines, id="quote-lines")),
                totals_box(S.subtotal, S.discount_total, S.tax_label, S.tax, S.total, total_id="quote-total"),
                rx.cond(S.notes != "", rx.text(S.notes, size="2", white_space="pre-wrap")),
            ),
            spacing="3", width="100%",
        ),
        _card(
            "Status",
            rx.text("Expires ", S.expires_label, size="2"),
            rx.cond(S.sent_on != "", rx.text("Sent ", S.sent_on, size="2")),
            rx.cond(S.approved_on != "", rx.text("Approved ", S.approved_on, size="2")),
            rx.cond(S.appointment_id != "",
                    rx.link(rx.button(rx.icon("calendar-check", size=14), "View the booked appointment", size="2",
                                      variant="soft"), href="/appointments/" + S.appointment_id,
                            id="quote-appointment-link")),
            rx.cond(
                S.status == "sent",
                rx.vstack(
                    rx.button(rx.icon("refresh-cw", size=14), "Get a new link", size="2", variant="soft",
                              on_click=S.send, id="quote-resend"),
                    rx.text("The previous link stops working.", size="1", color_scheme="gray"),
                    spacing="1",
                ),
            ),
            rx.cond(
                (S.status == "sent") | (S.status == "draft"),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(rx.button("Cancel quote", size="2", variant="soft", color_scheme="red")),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title("Cancel this quote?"),
                        rx.alert_dialog.description("The customer's link will stop working."),
                        rx.hstack(
                            rx.alert_dialog.cancel(rx.button("Keep", variant="soft", color_scheme="gray")),
                            rx.alert_dialog.action(rx.button("Cancel quote", color_scheme="red",
                                                             on_click=S.cancel_quote)),
                            justify="end", spacing="2",
                        ),
                    ),
                ),
            ),
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
    )


def quote_editor_page() -> rx.Component:
    return app_shell(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("Quotes", size="2"), align="center", spacing="1"),
                href="/quotes", color_scheme="gray", margin_bottom="0.75rem"),
        rx.cond(
            S.not_found,
            rx.callout("Quote not found. It may have been removed, or the link is wrong.", icon="search-x",
                       color_scheme="amber", id="quote-not-found"),
            rx.cond(
                S.loaded,
                rx.vstack(
                    rx.hstack(
                        rx.heading(rx.cond(S.is_new, "New quote", "Quote " + S.number), size="6",
                                   id="quote-heading"),
                        rx.cond(~S.is_new, status_badge(S.status, S.status_label, QUOTE_STATUS_COLORS)),
                        align="center", spacing="3", wrap="wrap",
                    ),
                    error_callout(S.error, id="quote-error"),
                    info_callout(S.message, id="quote-message"),
                    _link_panel(),
                    rx.cond(S.editable, _editor(), _read_only()),
                    spacing="4", width="100%",
                ),
                rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
            ),
        ),
    )
