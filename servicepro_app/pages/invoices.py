"""Invoice pages: the list with "New invoice" (/invoices) and one invoice (/invoices/<id>):
draft editor, mark sent, manual payments, void (owners and admins)."""

from __future__ import annotations

import reflex as rx

from components.documents import (
    INVOICE_STATUS_COLORS,
    customer_picker,
    header_cell,
    lines_table,
    scroll_table,
    status_badge,
    totals_box,
    wide_only,
)
from components.layout import app_shell, page_header
from components.ui import empty_state, error_callout, field, info_callout, text_input
from state.invoices import LIST_FILTERS, InvoiceEditorState, InvoicesState, InvoiceVoidState
from state.session import SessionState

FILTER_LABELS = {"all": "All invoices", "draft": "Drafts", "sent": "Sent (unpaid)", "paid": "Paid", "void": "Void"}


# ---- list -----------------------------------------------------------------------------------


def _invoice_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.number, href="/invoices/" + row.id, weight="medium", white_space="nowrap",
                              custom_attrs={"data-invoice-link": row.id}),
                      rx.text(row.created, size="1", color_scheme="gray",
                              display=rx.breakpoints(initial="block", md="none"))),
        rx.table.cell(rx.link(row.customer, href="/customers/" + row.customer_id, color_scheme="gray",
                              high_contrast=True)),
        rx.table.cell(status_badge(row.status, row.status_label, INVOICE_STATUS_COLORS)),
        rx.table.cell(row.total, text_align="right", white_space="nowrap", **wide_only("sm")),
        rx.table.cell(row.balance, text_align="right", white_space="nowrap"),
        rx.table.cell(row.created, white_space="nowrap", **wide_only("md")),
        rx.table.cell(row.due, white_space="nowrap", **wide_only("lg")),
        custom_attrs={"data-invoice-row": row.number},
    )


def _new_invoice_dialog() -> rx.Component:
    s = InvoicesState
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus", size=16), "New invoice", id="new-invoice")),
        rx.dialog.content(
            rx.dialog.title("New invoice"),
            rx.vstack(
                error_callout(s.create_error, id="new-invoice-error"),
                rx.segmented_control.root(
                    rx.segmented_control.item("From a job", value="appointment"),
                    rx.segmented_control.item("Custom", value="custom"),
                    value=s.create_mode, on_change=s.set_create_mode, width="100%",
                ),
                rx.cond(
                    s.create_mode == "appointment",
                    rx.cond(
                        s.invoiceable.length() > 0,
                        rx.vstack(
                            field("Completed appointment", rx.select.root(
                                rx.select.trigger(width="100%", id="invoice-appointment"),
                                rx.select.content(rx.foreach(s.invoiceable, lambda a: rx.select.item(
                                    a.label, value=a.id))),
                                value=s.chosen_appointment, on_change=s.choose_appointment,
                            ), "Completed jobs that don't have an invoice yet."),
                            rx.hstack(
                                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                                rx.button("Create invoice", on_click=s.create_from_appointment,
                                          id="create-from-appointment"),
                                justify="end", width="100%",
                            ),
                            spacing="3", width="100%",
                        ),
                        rx.text("Every completed appointment already has an invoice.", size="2",
                                color_scheme="gray"),
                    ),
                    rx.vstack(
                        field("Customer", customer_picker(query=s.customer_query, options=s.customer_options,
                                                          chosen_label=s.customer_label,
                                                          on_search=s.search_customers, on_choose=s.choose_customer,
                                                          id_prefix="invoice-customer")),
                        rx.form(
                            rx.vstack(
                                field("Description", text_input("description", placeholder="Gutter cleaning",
                                                                id="invoice-description")),
                                field("Amount ($)", text_input("amount", placeholder="120.00", input_mode="decimal",
                                                               id="invoice-amount"),
                                      "You can add more lines on the next page."),
                                rx.hstack(
                                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray",
                                                              type="button")),
                                    rx.button("Create invoice", type="submit", id="create-custom-invoice"),
                                    justify="end", width="100%",
                                ),
                                spacing="3", width="100%",
                            ),
                            on_submit=s.create_custom,
                            reset_on_submit=False,
                            width="100%",
                        ),
                        spacing="3", width="100%",
                    ),
                ),
                spacing="3", width="100%",
            ),
            max_width="560px",
        ),
        open=s.create_open,
        on_open_change=s.set_create_open,
    )


def invoices_page() -> rx.Component:
    s = InvoicesState
    return app_shell(
        page_header(
            "Invoices",
            rx.select.root(
                rx.select.trigger(),
                rx.select.content(*[rx.select.item(FILTER_LABELS[f], value=f) for f in LIST_FILTERS]),
                value=s.status_filter, on_change=s.set_status_filter,
            ),
            _new_invoice_dialog(),
            subtitle="Bills for completed work; payments are recorded by hand",
        ),
        error_callout(s.error, id="invoices-error"),
        rx.cond(
            s.rows.length() > 0,
            scroll_table(
                rx.table.header(rx.table.row(
                    header_cell("Invoice"), header_cell("Customer"), header_cell("Status"),
                    header_cell("Total", "sm", "right"), header_cell("Balance", align="right"),
                    header_cell("Created", "md"), header_cell("Due", "lg"),
                )),
                rx.table.body(rx.foreach(s.rows, _invoice_row)),
                id="invoices-table",
            ),
            empty_state("No invoices here yet.", icon="receipt"),
        ),
    )


# ---- one invoice ----------------------------------------------------------------------------

E = InvoiceEditorState
D = InvoiceEditorState.d


def _card(title, *children, id: str | None = None) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%"), width="100%", id=id)


def _edit_line(line: rx.Var, index: rx.Var) -> rx.Component:
    return rx.flex(
        rx.input(value=line["description"], on_change=lambda v: E.set_line(index, "description", v),
                 placeholder="Description", width="100%", flex="3", min_width="0"),
        rx.hstack(
            rx.input(value=line["quantity"], on_change=lambda v: E.set_line(index, "quantity", v), width="4.5rem",
                     input_mode="numeric", aria_label="Quantity"),
            rx.input(value=line["unit_price"], on_change=lambda v: E.set_line(index, "unit_price", v),
                     placeholder="0.00", width="7rem", input_mode="decimal", aria_label="Price ($)",
                     custom_attrs={"data-invoice-line-price": index}),
            rx.el.label(rx.hstack(
                rx.checkbox(checked=line["taxable"] == "yes", on_change=lambda c: E.set_line(index, "taxable", c)),
                rx.text("Tax", size="1"), spacing="1", align="center")),
            rx.icon_button(rx.icon("x", size=14), variant="ghost", color_scheme="red", type="button",
                           on_click=E.remove_line(index), aria_label="Remove line"),
            align="center", spacing="2",
        ),
        direction=rx.breakpoints(initial="column", sm="row"), spacing="2", width="100%",
        padding_bottom="0.5rem", border_bottom="1px dashed var(--gray-a5)",
    )


def _draft_editor() -> rx.Component:
    return _card(
        "Edit draft",
        rx.vstack(rx.foreach(E.lines, _edit_line), spacing="2", width="100%", id="invoice-edit-lines"),
        rx.button(rx.icon("plus", size=14), "Add line", size="1", variant="soft", on_click=E.add_line,
                  id="invoice-add-line"),
        rx.grid(
            field("Tax rate (%)", rx.input(value=E.tax_rate, on_change=lambda v: E.set_field("tax_rate", v),
                                           input_mode="decimal", width="100%", id="invoice-tax")),
            field("Discount ($)", rx.input(value=E.discount, on_change=lambda v: E.set_field("discount", v),
                                           input_mode="decimal", placeholder="0.00", width="100%",
                                           id="invoice-discount")),
            field("or Discount (%)", rx.input(value=E.discount_percent,
                                              on_change=lambda v: E.set_field("discount_percent", v),
                                              input_mode="decimal", placeholder="0", width="100%",
                                              id="invoice-discount-percent")),
            columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%",
        ),
        field("Notes", rx.text_area(value=E.notes, on_change=lambda v: E.set_field("notes", v), width="100%",
                                    rows="2")),
        rx.cond(E.preview_error != "",
                rx.callout(E.preview_error, icon="info", color_scheme="amber", size="1", id="invoice-preview-error")),
        totals_box(E.preview_subtotal, E.preview_discount, E.preview_tax_label, E.preview_tax, E.preview_total,
                   total_id="invoice-preview-total"),
        rx.hstack(rx.spacer(), rx.button("Save changes", on_click=E.save, id="invoice-save"), width="100%"),
    )


def _payment_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Record a payment"),
            rx.form(
                rx.vstack(
                    error_callout(E.pay_error, id="payment-error"),
                    field("Amount ($)", text_input("amount", default_value=D.balance_input, input_mode="decimal",
                                                   id="payment-amount", required=True)),
                    field("Method", rx.select.root(
                        rx.select.trigger(width="100%", id="payment-method"),
                        rx.select.content(rx.foreach(E.methods, lambda m: rx.select.item(m["label"],
                                                                                          value=m["value"]))),
                        value=E.pay_method, on_change=E.set_pay_method,
                    )),
                    field("Received on", text_input("date", type="date", default_value=D.today, max=D.today,
                                                    id="payment-date", required=True)),
                    field("Reference", text_input("reference", placeholder="Check number, last 4 digits …")),
                    field("Note", text_input("note")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Record payment", type="submit", id="payment-submit"),
                        justify="end", width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=E.record_payment,
                reset_on_submit=False,
            ),
            max_width="440px",
        ),
        open=E.pay_open,
        on_open_change=E.set_pay_open,
    )


def _void_dialog() -> rx.Component:
    v = InvoiceVoidState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Void invoice ", D.number, "?"),
            rx.dialog.description("A void invoice stays on record but is no longer owed.", size="2"),
            rx.form(
                rx.vstack(
                    error_callout(v.error, id="void-error"),
                    field("Reason", text_input("reason", placeholder="e.g. billed twice", id="void-reason",
                                               required=True)),
                    rx.hstack(
                        rx.dialog.close(rx.button("Keep", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Void invoice", type="submit", color_scheme="red", id="void-submit"),
                        justify="end", width="100%",
                    ),
                    spacing="3", margin_top="1rem",
                ),
                on_submit=v.void,
                reset_on_submit=False,
            ),
            max_width="440px",
        ),
        open=v.dialog_open,
        on_open_change=v.set_dialog_open,
    )


def _summary() -> rx.Component:
    return _card(
        "Invoice",
        rx.hstack(rx.icon("user", size=14), rx.link(D.customer, href="/customers/" + D.customer_id),
                  rx.text(D.customer_phone, size="1", color_scheme="gray"), align="center", wrap="wrap"),
        rx.cond(D.appointment_id != "",
                rx.hstack(rx.icon("calendar", size=14),
                          rx.link(D.appointment, href="/appointments/" + D.appointment_id), align="center")),
        lines_table(D.lines, id="invoice-lines"),
        totals_box(D.subtotal, D.discount_total, D.tax_label, D.tax, D.total, total_id="invoice-total",
                   extra=[
                       rx.hstack(rx.text("Paid", size="2", color_scheme="gray"), rx.spacer(),
                                 rx.text(D.paid, size="2"), width="100%"),
                       rx.hstack(rx.text("Balance due", size="2", weight="bold"), rx.spacer(),
                                 rx.text(D.balance, size="3", weight="bold", id="invoice-balance"), width="100%"),
                   ]),
        rx.cond(D.notes != "", rx.text(D.notes, size="2", white_space="pre-wrap")),
    )


def _status_card() -> rx.Component:
    return _card(
        "Status",
        rx.text("Created ", D.created, " · due ", D.due, size="2"),
        rx.cond(D.sent != "", rx.text("Sent ", D.sent, size="2")),
        rx.cond(D.paid_on != "", rx.text("Paid in full ", D.paid_on, size="2")),
        rx.cond(D.voided != "", rx.text("Voided ", D.voided, ": ", D.void_reason, size="2", color_scheme="red")),
        rx.flex(
            rx.cond(D.status == "draft",
                    rx.button(rx.icon("send", size=14), "Mark as sent", variant="soft", on_click=E.mark_sent,
                              id="invoice-mark-sent")),
            rx.cond(D.can_pay,
                    rx.button(rx.icon("banknote", size=14), "Record payment", on_click=E.set_pay_open(True),
                              id="invoice-record-payment")),
            rx.cond(D.can_void & SessionState.is_tenant_admin,
                    rx.button("Void", variant="soft", color_scheme="red", on_click=InvoiceVoidState.set_dialog_open(True),
                              id="invoice-void")),
            spacing="2", wrap="wrap",
        ),
        rx.cond(
            D.payments.length() > 0,
            rx.vstack(
                rx.text("Payments", size="2", weight="medium"),
                rx.foreach(D.payments, lambda p: rx.hstack(
                    rx.text(p.date, size="2", white_space="nowrap"), rx.text(p.method, size="2"),
                    rx.cond(p.reference != "", rx.text("#", p.reference, size="1", color_scheme="gray")),
                    rx.spacer(), rx.text(p.amount, size="2", weight="medium"),
                    width="100%", align="center",
                )),
                spacing="1", width="100%", id="invoice-payments",
            ),
        ),
    )


def invoice_page() -> rx.Component:
    return app_shell(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("Invoices", size="2"), align="center", spacing="1"),
                href="/invoices", color_scheme="gray", margin_bottom="0.75rem"),
        rx.cond(
            E.found,
            rx.vstack(
                rx.hstack(rx.heading("Invoice ", D.number, size="6", id="invoice-heading"),
                          status_badge(D.status, D.status_label, INVOICE_STATUS_COLORS),
                          align="center", spacing="3", wrap="wrap"),
                error_callout(E.error, id="invoice-error"),
                info_callout(E.message, id="invoice-message"),
                rx.flex(
                    rx.vstack(_summary(), rx.cond(D.editable, _draft_editor()), spacing="3", width="100%", flex="2",
                              min_width="0"),
                    rx.box(_status_card(), width="100%", flex="1", min_width="0"),
                    direction=rx.breakpoints(initial="column", md="row"), spacing="4", width="100%", align="start",
                ),
                _payment_dialog(),
                _void_dialog(),
                spacing="4", width="100%",
            ),
            rx.cond(
                E.not_found,
                rx.callout("Invoice not found. It may have been removed, or the link is wrong.", icon="search-x",
                           color_scheme="amber", id="invoice-not-found"),
                rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
            ),
        ),
    )
