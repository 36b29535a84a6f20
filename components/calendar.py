"""Calendar grid pieces: a time gutter, column headers (technicians or days), hour lines and
appointment blocks placed by the CSS positions the calendar state computed. The whole grid
scrolls horizontally inside its card, so many columns still work on a 375 px phone."""

from __future__ import annotations

import reflex as rx

from state.calendar import GUTTER_PX, HOUR_PX

STATUS_BADGE_COLORS = {
    "requested": "amber",
    "confirmed": "blue",
    "in_progress": "violet",
    "completed": "green",
    "cancelled": "gray",
    "no_show": "red",
}


def status_badge(status: rx.Var, label: rx.Var, **props) -> rx.Component:
    return rx.match(
        status,
        *[(key, rx.badge(label, color_scheme=color, variant="soft", **props)) for key, color in
          STATUS_BADGE_COLORS.items()],
        rx.badge(label, variant="soft", **props),
    )


def color_dot(color: rx.Var | str, size: str = "10px") -> rx.Component:
    return rx.box(width=size, height=size, min_width=size, border_radius="50%", background=color)


def _column_header(column: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.cond(column["color"] != "", color_dot(column["color"])),
            rx.text(column["label"], size="2", weight="bold", white_space="nowrap", overflow="hidden",
                    text_overflow="ellipsis"),
            align="center",
            spacing="2",
            max_width="100%",
        ),
        rx.cond(column["sub"] != "", rx.text(column["sub"], size="1", color_scheme="gray")),
        spacing="0",
        align="center",
        justify="center",
        flex="1 1 0",
        min_width="0",
        padding="0.5rem 0.25rem",
        background=rx.cond(column["today"] != "", "var(--accent-a3)", "transparent"),
        border_left="1px solid var(--gray-a5)",
        class_name="calendar-column-header",
        custom_attrs={"data-column": column["index"], "data-column-label": column["label"]},
    )


def _column_background(column: rx.Var) -> rx.Component:
    return rx.box(
        position="absolute",
        top="0",
        bottom="0",
        left=column["left"],
        width=column["width"],
        border_left="1px solid var(--gray-a5)",
        background=rx.cond(
            column["sub"] != "",
            "repeating-linear-gradient(135deg, var(--gray-a2) 0px, var(--gray-a2) 6px, transparent 6px, transparent 12px)",
            rx.cond(column["today"] != "", "var(--accent-a2)", "transparent"),
        ),
        custom_attrs={"data-column-body": column["index"]},
    )


def _block(block: rx.Var) -> rx.Component:
    line = {"size": "1", "line_height": "1.3", "white_space": "nowrap", "overflow": "hidden",
            "text_overflow": "ellipsis", "max_width": "100%"}
    return rx.link(
        rx.vstack(
            rx.text(block["time"], weight="medium", **line),
            rx.text(block["service"], weight="bold", **line),
            rx.text(block["customer"], **line),
            rx.hstack(status_badge(block["status"], block["status_label"], size="1"),
                      rx.text(block["price"], size="1", color_scheme="gray"), spacing="1", wrap="wrap",
                      margin_top="2px"),
            spacing="0",
            align="start",
            width="100%",
        ),
        href=block["href"],
        underline="none",
        high_contrast=True,
        color_scheme="gray",
        position="absolute",
        top=block["top"],
        height=block["height"],
        left=block["left"],
        width=block["width"],
        overflow="hidden",
        padding="4px 6px",
        border_radius="6px",
        border_left="4px solid " + block["color"],
        background="color-mix(in srgb, " + block["color"] + " 16%, var(--color-panel-solid))",
        box_shadow="0 1px 2px var(--gray-a5)",
        opacity=rx.cond(block["faded"] != "", "0.55", "1"),
        z_index="1",
        _hover={"box_shadow": "0 2px 8px var(--gray-a7)", "z_index": "2"},
        class_name="calendar-block",
        custom_attrs={
            "data-appointment": block["id"],
            "data-technician": block["technician"],
            "data-start": block["start"],
            "data-day": block["day"],
            "data-column": block["column"],
            "data-status": block["status"],
            "data-customer": block["customer"],
        },
    )


def _hour_label(hour: rx.Var) -> rx.Component:
    return rx.text(hour["label"], size="1", color_scheme="gray", position="absolute", top=hour["top"], right="6px",
                   transform="translateY(-50%)", white_space="nowrap")


def calendar_grid(state) -> rx.Component:
    """The grid for a state exposing columns, blocks, hours, grid_height and grid_min_width."""
    gutter = f"{GUTTER_PX}px"
    lines = (f"repeating-linear-gradient(to bottom, var(--gray-a5) 0px, var(--gray-a5) 1px, transparent 1px, "
             f"transparent {HOUR_PX}px)")
    return rx.box(
        rx.box(
            rx.flex(
                rx.box(width=gutter, min_width=gutter),
                rx.flex(rx.foreach(state.columns, _column_header), flex="1", min_width=state.grid_min_width),
                position="sticky",
                top="0",
                z_index="3",
                background="var(--color-panel-solid)",
                border_bottom="1px solid var(--gray-a6)",
            ),
            rx.flex(
                rx.box(rx.foreach(state.hours, _hour_label), position="relative", width=gutter, min_width=gutter,
                       height=state.grid_height),
                rx.box(
                    rx.foreach(state.columns, _column_background),
                    rx.foreach(state.blocks, _block),
                    position="relative",
                    flex="1",
                    min_width=state.grid_min_width,
                    height=state.grid_height,
                    background_image=lines,
                    id="calendar-grid",
                ),
                padding_top="8px",
                padding_bottom="8px",
            ),
            min_width="fit-content",
            width="100%",
        ),
        overflow_x="auto",
        overflow_y="auto",
        max_height="calc(100vh - 220px)",
        min_height="320px",
        width="100%",
        border="1px solid var(--gray-a5)",
        border_radius="var(--radius-3)",
        background="var(--color-panel-solid)",
        id="calendar-scroll",
    )
