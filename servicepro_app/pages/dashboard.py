"""Dashboard home."""

from __future__ import annotations

import reflex as rx

from components.calendar import color_dot
from components.layout import app_shell, page_header
from components.ui import empty_state, stat_card
from state.dashboard import DashboardState
from state.session import SessionState


def _activity_row(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(row["at"], size="1", color_scheme="gray", min_width="110px"),
        rx.text(row["who"], size="2", weight="medium"),
        rx.text(row["summary"], size="2"),
        spacing="3",
        wrap="wrap",
    )


def _upcoming_row(row: rx.Var) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.box(color_dot(row["color"]), padding_top="6px"),
            rx.vstack(
                rx.text(rx.text.strong(row["when"]), " · ", row["service"], size="2"),
                rx.text(row["customer"], " · ", row["technician"], " · ", row["status"], size="1",
                        color_scheme="gray"),
                spacing="0",
            ),
            align="start",
            spacing="3",
        ),
        href=row["href"],
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        class_name="upcoming-appointment",
    )


def dashboard_page() -> rx.Component:
    n = DashboardState.numbers
    return app_shell(
        page_header("Dashboard", subtitle=SessionState.tenant_name),
        rx.cond(
            (SessionState.tenant_status == "suspended") | (SessionState.tenant_status == "cancelled"),
            rx.callout("This account is " + SessionState.tenant_status + ". Your data is safe; features are "
                       "paused until the account is active again.", icon="pause", color_scheme="red",
                       margin_bottom="1rem"),
        ),
        rx.grid(
            stat_card("Customers", n["customers"].to_string(), icon="users", id="stat-customers",
                      hint=n["new_customers_30d"].to_string() + " new in 30 days"),
            stat_card("VIP customers", n["vip_customers"].to_string(), icon="star"),
            stat_card("Team members", n["team_members"].to_string(), icon="user-cog", id="stat-team"),
            stat_card("Phone numbers", n["phone_numbers"].to_string(), icon="phone"),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="4",
            width="100%",
        ),
        rx.cond(
            SessionState.features.contains("scheduling"),
            rx.vstack(
                rx.grid(
                    stat_card("Appointments today", n["appointments_today"].to_string(), icon="calendar-check",
                              id="stat-today", hint="in your business's time zone"),
                    stat_card("This week", n["appointments_week"].to_string(), icon="calendar-range", id="stat-week",
                              hint="Monday to Sunday, cancellations excluded"),
                    stat_card("Revenue, 30 days", DashboardState.revenue_30d, icon="banknote", id="stat-revenue",
                              hint="payments received"),
                    stat_card("Average ticket", DashboardState.average_ticket, icon="receipt", id="stat-ticket",
                              hint=n["completed_30d"].to_string() + " jobs completed in 30 days"),
                    columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                    spacing="4",
                    width="100%",
                ),
                rx.card(
                    rx.hstack(rx.heading("Next appointments", size="3"), rx.spacer(),
                              rx.link("Open calendar", href="/calendar", size="2"), width="100%", align="center"),
                    rx.cond(
                        DashboardState.upcoming.length() > 0,
                        rx.vstack(rx.foreach(DashboardState.upcoming, _upcoming_row), spacing="2",
                                  margin_top="0.5rem", id="upcoming-appointments"),
                        empty_state("Nothing booked yet.", icon="calendar"),
                    ),
                    width="100%",
                ),
                spacing="4",
                width="100%",
                margin_top="1rem",
            ),
        ),
        rx.cond(
            SessionState.is_tenant_admin,
            rx.card(
                rx.heading("Recent activity", size="3", margin_bottom="0.5rem"),
                rx.cond(
                    DashboardState.recent.length() > 0,
                    rx.vstack(rx.foreach(DashboardState.recent, _activity_row), spacing="2"),
                    empty_state("Nothing has happened yet."),
                ),
                margin_top="1.5rem",
                width="100%",
            ),
        ),
    )
