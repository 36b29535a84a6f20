"""Pieces shared by the CRM, quote and invoice pages: status badges, document line tables,
totals, responsive table cells and a customer picker. No database access."""

from __future__ import annotations

import reflex as rx

from components.ui import color_badge

QUOTE_STATUS_COLORS = {"draft": "gray", "sent": "blue", "approved": "green", "declined": "red",
                       "expired": "amber", "cancelled": "gray"}
INVOICE_STATUS_COLORS = {"draft": "gray", "sent": "blue", "paid": "green", "void": "red"}
APPOINTMENT_STATUS_COLORS = {"pending": "amber", "confirmed": "blue", "en_route": "cyan", "in_progress": "purple",
                             "completed": "green", "cancelled": "gray", "no_show": "red"}


def status_badge(status: rx.Var, label: rx.Var, colors: dict[str, str]) -> rx.Component:
    """A soft badge whose colour follows `status` and whose text is `label`."""
    return rx.match(
        status,
        *[(key, rx.badge(label, color_scheme=color, variant="soft")) for key, color in colors.items()],
        rx.badge(label, color_scheme="gray", variant="soft"),
    )


def wide_only(breakpoint: str = "md") -> dict:
    """Props that hide a table cell below `breakpoint` (phones see the essential columns)."""
    return {"display": rx.breakpoints(initial="none", **{breakpoint: "table-cell"})}


def header_cell(text: str, breakpoint: str | None = None, align: str = "left") -> rx.Component:
    props = wide_only(breakpoint) if breakpoint else {}
    return rx.table.column_header_cell(text, text_align=align, white_space="nowrap", **props)


def scroll_table(*children, **props) -> rx.Component:
    return rx.box(rx.table.root(*children, width="100%", **props), overflow_x="auto", width="100%")


def lines_table(lines: rx.Var, *, id: str = "document-lines") -> rx.Component:
    """Read-only document lines: description, quantity, unit price, line total."""
    return scroll_table(
        rx.table.header(rx.table.row(
            header_cell("Description"), header_cell("Qty", "sm", "right"), header_cell("Unit", "sm", "right"),
            header_cell("Total", align="right"),
        )),
        rx.table.body(rx.foreach(lines, lambda line: rx.table.row(
            rx.table.cell(line["description"]),
            rx.table.cell(line["quantity"], text_align="right", **wide_only("sm")),
            rx.table.cell(line["unit"], text_align="right", **wide_only("sm")),
            rx.table.cell(line["total"], text_align="right", white_space="nowrap"),
        ))),
        id=id,
        size="1",
    )


def _total_row(label, value, *, strong: bool = False, id: str | None = None) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color_scheme=None if strong else "gray", weight="bold" if strong else "regular"),
        rx.spacer(),
        rx.text(value, size="3" if strong else "2", weight="bold" if strong else "medium", id=id),
        width="100%",
    )


def totals_box(subtotal, discount, tax_label, tax, total, *, show_discount=None, total_id: str = "document-total",
               extra: list[rx.Component] | None = None) -> rx.Component:
    """Subtotal, discount (shown when there is one), tax and total, right-aligned under the lines."""
    rows = [_total_row("Subtotal", subtotal)]
    if show_discount is None:
        rows.append(rx.cond(discount != "$0.00", _total_row("Discount", rx.text("−", discount))))
    elif show_discount is True:
        rows.append(_total_row("Discount", rx.text("−", discount)))
    elif show_discount is not False:
        rows.append(rx.cond(show_discount, _total_row("Discount", rx.text("−", discount))))
    rows += [_total_row(tax_label, tax), rx.divider(), _total_row("Total", total, strong=True, id=total_id)]
    rows += extra or []
    return rx.vstack(*rows, spacing="1", width="100%", max_width="320px", margin_left="auto")


def customer_picker(*, query: rx.Var, options: rx.Var, chosen_label: rx.Var, on_search, on_choose,
                    id_prefix: str) -> rx.Component:
    """A debounced customer search with a short result list; shows the chosen customer."""
    return rx.vstack(
        rx.cond(
            chosen_label != "",
            rx.hstack(rx.icon("user", size=16), rx.text(chosen_label, weight="medium", id=f"{id_prefix}-chosen"),
                      align="center", spacing="2"),
        ),
        rx.input(value=query, on_change=on_search, placeholder="Search by name, phone or email", width="100%",
                 id=f"{id_prefix}-search"),
        rx.cond(
            options.length() > 0,
            rx.vstack(
                rx.foreach(options, lambda o: rx.button(
                    o["label"], variant="ghost", size="2", width="100%", justify="start", type="button",
                    on_click=on_choose(o["id"]), custom_attrs={"data-customer-option": o["id"]},
                )),
                spacing="1", width="100%", border="1px solid var(--gray-a5)", border_radius="8px", padding="0.25rem",
            ),
        ),
        spacing="2",
        width="100%",
    )
