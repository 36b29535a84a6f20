"""The app shell: sidebar with the tenant's name, logo and brand colour, the impersonation
banner, and a page header. Works on phone screens (the sidebar becomes a top menu)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from state.session import SessionState, api_url


@dataclasses.dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    icon: str
    # Who sees the link: "tenant", "tenant_admin", "platform_admin". Hiding is cosmetic; the
    # auth middleware enforces access on the server.
    audience: str = "tenant"
    feature: str | None = None


NAV_ITEMS: list[NavItem] = [
    NavItem("Dashboard", "/", "layout-dashboard"),
    NavItem("Inbox", "/inbox", "messages-square", feature="sms_inbox"),
    NavItem("Phone simulator", "/simulator", "smartphone", audience="tenant_admin", feature="sms_inbox"),
    NavItem("Messaging settings", "/settings/messaging", "settings-2", audience="tenant_admin", feature="sms_inbox"),
    NavItem("Web chats", "/webchats", "message-circle", feature="ai_agent"),
    NavItem("Calendar", "/calendar", "calendar-days", feature="scheduling"),
    NavItem("Customers", "/customers", "users", feature="crm"),
    NavItem("Quotes", "/quotes", "file-text", feature="quotes_invoices"),
    NavItem("Invoices", "/invoices", "receipt", feature="quotes_invoices"),
    NavItem("Services", "/services", "sparkles", feature="scheduling"),
    NavItem("Knowledge", "/knowledge", "book-open", feature="ai_agent"),
    NavItem("Team & hours", "/team", "users-round", audience="tenant_admin", feature="scheduling"),
    NavItem("Audit log", "/audit", "scroll-text", audience="tenant_admin"),
]

ADMIN_NAV_ITEMS: list[NavItem] = [
    NavItem("Tenants", "/admin/tenants", "building-2", audience="platform_admin"),
    NavItem("Phone & IVR", "/admin/phones", "phone", audience="platform_admin"),
    NavItem("Platform audit", "/admin/audit", "shield-check", audience="platform_admin"),
    NavItem("Email outbox", "/admin/emails", "mail", audience="platform_admin"),
]


def _visible(item: NavItem) -> rx.Var[bool]:
    if item.audience == "platform_admin":
        condition = SessionState.is_platform_admin
    elif item.audience == "tenant_admin":
        condition = SessionState.is_tenant_admin
    else:
        condition = SessionState.signed_in & (SessionState.role != "")
    if item.feature:
        condition = condition & SessionState.features.contains(item.feature)
    return condition


def nav_link(item: NavItem) -> rx.Component:
    active = rx.State.router.url.path == item.path
    return rx.cond(
        _visible(item),
        rx.link(
            rx.hstack(
                rx.icon(item.icon, size=18),
                rx.text(item.label, size="2", weight="medium"),
                align="center",
                spacing="3",
                padding_x="0.75rem",
                padding_y="0.5rem",
                border_radius="8px",
                width="100%",
                background=rx.cond(active, "var(--gray-a4)", "transparent"),
                _hover={"background": "var(--gray-a3)"},
            ),
            href=item.path,
            underline="none",
            color_scheme="gray",
            high_contrast=True,
            width="100%",
        ),
    )


def tenant_badge(name_id: str | None = None) -> rx.Component:
    return rx.hstack(
        rx.cond(
            SessionState.tenant_logo != "",
            rx.image(src=SessionState.tenant_logo, width="36px", height="36px", border_radius="8px"),
            rx.center(
                rx.text(SessionState.tenant_name[:1], weight="bold", color="white"),
                width="36px",
                height="36px",
                border_radius="8px",
                background=SessionState.brand_color,
            ),
        ),
        rx.vstack(
            rx.text(SessionState.tenant_name, weight="bold", size="2", id=name_id),
            rx.text(SessionState.plan_tier, size="1", color_scheme="gray"),
            spacing="0",
        ),
        align="center",
        spacing="3",
    )


def sign_out_form() -> rx.Component:
    return rx.el.form(
        rx.button("Sign out", type="submit", variant="soft", color_scheme="gray", size="2", width="100%"),
        action=api_url("/auth/logout"),
        method="post",
        on_submit=None,
        width="100%",
    )


def nav_list() -> rx.Component:
    return rx.vstack(
        *[nav_link(item) for item in NAV_ITEMS],
        rx.cond(
            SessionState.is_platform_admin,
            rx.vstack(
                rx.text("Platform", size="1", weight="bold", color_scheme="gray", padding_x="0.75rem",
                        padding_top="1rem"),
                *[nav_link(item) for item in ADMIN_NAV_ITEMS],
                spacing="1",
                width="100%",
            ),
        ),
        spacing="1",
        width="100%",
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        tenant_badge("shell-tenant-name"),
        rx.divider(),
        nav_list(),
        rx.spacer(),
        rx.divider(),
        rx.link(rx.text(SessionState.user_name, size="2", weight="medium"), href="/account", underline="none",
                color_scheme="gray", high_contrast=True),
        rx.text(SessionState.role, size="1", color_scheme="gray"),
        rx.cond(
            (SessionState.business_count > 1) & ~SessionState.impersonating,
            rx.link("Switch business", href="/select-tenant", size="2", id="switch-business"),
        ),
        sign_out_form(),
        width="240px",
        min_width="240px",
        height="100vh",
        overflow_y="auto",
        position="sticky",
        top="0",
        padding="1rem",
        border_right="1px solid var(--gray-a5)",
        border_top=f"4px solid {SessionState.brand_color}",
        background="var(--gray-1)",
        spacing="3",
        display=["none", "none", "flex"],
    )


def mobile_topbar() -> rx.Component:
    return rx.hstack(
        tenant_badge(),
        rx.spacer(),
        rx.drawer.root(
            rx.drawer.trigger(rx.icon_button(rx.icon("menu"), variant="ghost", aria_label="Menu")),
            rx.drawer.overlay(),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(nav_list(), rx.divider(), sign_out_form(), padding="1rem", width="100%"),
                    background="var(--gray-1)",
                    width="80vw",
                    height="100%",
                )
            ),
            direction="left",
        ),
        display=["flex", "flex", "none"],
        padding="0.75rem 1rem",
        border_bottom="1px solid var(--gray-a5)",
        border_top=f"4px solid {SessionState.brand_color}",
        width="100%",
        align="center",
    )


def impersonation_banner() -> rx.Component:
    return rx.cond(
        SessionState.impersonating,
        rx.hstack(
            rx.icon("eye", size=18),
            rx.text("Viewing as ", rx.text.strong(SessionState.tenant_name), " — ", id="impersonation-banner-text"),
            rx.el.form(
                rx.button("Exit", type="submit", size="1", color_scheme="amber", variant="solid",
                          id="impersonation-exit"),
                action=api_url("/auth/impersonate/exit"),
                method="post",
                on_submit=None,
            ),
            id="impersonation-banner",
            spacing="2",
            width="100%",
            padding="0.5rem 1rem",
            background="var(--amber-4)",
            border_bottom="1px solid var(--amber-7)",
            align="center",
            position="sticky",
            top="0",
            z_index="10",
        ),
    )


def page_header(title: str, *actions: rx.Component, subtitle: str | rx.Var = "") -> rx.Component:
    if isinstance(subtitle, rx.Var):
        sub = rx.cond(subtitle != "", rx.text(subtitle, color_scheme="gray", size="2"))
    else:
        sub = rx.text(subtitle, color_scheme="gray", size="2") if subtitle else rx.fragment()
    return rx.flex(
        rx.vstack(rx.heading(title, size="6"), sub, spacing="1"),
        rx.spacer(),
        rx.hstack(*actions, spacing="2", wrap="wrap"),
        width="100%",
        align="center",
        wrap="wrap",
        gap="0.75rem",
        padding_bottom="1rem",
    )


def app_shell(*children: rx.Component) -> rx.Component:
    return rx.box(
        impersonation_banner(),
        rx.flex(
            sidebar(),
            rx.box(
                mobile_topbar(),
                rx.box(*children, padding=["1rem", "1.25rem", "2rem"], max_width="1200px", width="100%"),
                width="100%",
                min_width="0",
            ),
            width="100%",
        ),
        min_height="100vh",
    )


def public_shell(*children: rx.Component) -> rx.Component:
    """A centred card layout for sign-in and public pages."""
    return rx.center(
        rx.card(rx.vstack(*children, spacing="4", width="100%"), width="100%", max_width="420px", size="3"),
        min_height="100vh",
        padding="1rem",
        background="var(--gray-2)",
    )
