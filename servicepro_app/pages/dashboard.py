"""Dashboard home."""

from __future__ import annotations

import reflex as rx

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
