"""Platform owner pages: tenants, phone & IVR configuration, audit log (tenant and platform),
email outbox."""

from __future__ import annotations

import reflex as rx

from components.layout import app_shell, page_header
from components.ui import (
    STATUS_COLORS,
    TIER_COLORS,
    color_badge,
    empty_state,
    error_callout,
    field,
    info_callout,
    text_input,
)
from state.admin import (
    INDUSTRIES,
    EmailOutboxState,
    PhoneConfigAdminState,
    PlatformAuditState,
    TenantsAdminState,
)
from state.audit import AuditState
from state.session import api_url

PLANS = ["starter", "pro", "elite", "internal"]
STATUSES = ["trialing", "active", "past_due", "suspended", "cancelled"]
IVR_MODES = ["simple", "ivr", "ai-voice"]


# ---- tenants --------------------------------------------------------------------------------


def _tenant_card(t: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.box(width="12px", height="40px", border_radius="4px", background=t["color"]),
                rx.vstack(
                    rx.hstack(
                        rx.heading(t["name"], size="4"),
                        rx.cond(t["is_root"], rx.badge("Root", color_scheme="teal", variant="solid")),
                        align="center",
                    ),
                    rx.text(t["industry"], " · ", t["city"], size="2", color_scheme="gray"),
                    spacing="0",
                ),
                align="center",
                spacing="3",
            ),
            rx.hstack(color_badge(t["plan_tier"], TIER_COLORS), color_badge(t["status"], STATUS_COLORS),
                      rx.badge(t["members"], " team", variant="outline"), wrap="wrap"),
            rx.text(t["numbers"], size="2", font_family="monospace"),
            rx.hstack(
                rx.select(PLANS, value=t["plan_tier"], size="1",
                          on_change=lambda v: TenantsAdminState.change_plan(t["slug"], v)),
                rx.select(STATUSES, value=t["status"], size="1",
                          on_change=lambda v: TenantsAdminState.change_status(t["slug"], v)),
                rx.spacer(),
                rx.button(rx.icon("log-in", size=14), "Login as", size="1", variant="soft",
                          on_click=TenantsAdminState.open_impersonate(t["slug"], t["name"]),
                          class_name="login-as", custom_attrs={"data-tenant": t["slug"]}),
                width="100%",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        border=rx.cond(t["is_root"], "2px solid var(--teal-8)", "1px solid var(--gray-a5)"),
        width="100%",
        custom_attrs={"data-tenant-card": t["slug"]},
    )


def _create_tenant_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus", size=16), "New tenant", id="new-tenant")),
        rx.dialog.content(
            rx.dialog.title("New tenant"),
            rx.form(
                rx.vstack(
                    error_callout(TenantsAdminState.create_error, id="create-tenant-error"),
                    field("Business name", text_input("name", required=True)),
                    field("Address name (slug)", text_input("slug", placeholder="green-acres", required=True),
                          "Lowercase letters, digits and dashes."),
                    field("Industry", rx.select.root(
                        rx.select.trigger(width="100%"),
                        rx.select.content(*[rx.select.item(label, value=key) for key, label in INDUSTRIES.items()]),
                        name="industry", default_value="other_services")),
                    rx.hstack(
                        field("Plan", rx.select(PLANS, name="plan_tier", default_value="starter")),
                        field("Status", rx.select(STATUSES, name="status", default_value="trialing")),
                        width="100%",
                    ),
                    rx.hstack(field("City", text_input("city")), field("State", text_input("region")), width="100%"),
                    rx.hstack(
                        field("Time zone", text_input("timezone", default_value="America/Chicago")),
                        field("Brand colour", text_input("brand_color", default_value="#2563eb")),
                        width="100%",
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Create", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=TenantsAdminState.create_tenant,
            ),
            max_width="520px",
        ),
        open=TenantsAdminState.create_open,
        on_open_change=TenantsAdminState.set_create_open,
    )


def _impersonate_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("View as " + TenantsAdminState.impersonate_name),
            rx.dialog.description(
                "You will see and act as this business for up to 60 minutes. The visit, and every change "
                "you make, is recorded in the business's audit log. Passwords and credentials can't be changed.",
                size="2",
            ),
            rx.el.form(
                rx.vstack(
                    rx.el.input(type="hidden", name="tenant", value=TenantsAdminState.impersonate_slug),
                    field("Reason", text_input("reason", placeholder="e.g. helping set up their services",
                                               required=True, min_length=5, id="impersonate-reason")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Start viewing", type="submit", color_scheme="amber", id="impersonate-submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    margin_top="1rem",
                ),
                action=api_url("/auth/impersonate"),
                method="post",
                on_submit=None,
            ),
            max_width="480px",
        ),
        open=TenantsAdminState.impersonate_open,
        on_open_change=TenantsAdminState.set_impersonate_open,
    )


def tenants_page() -> rx.Component:
    return app_shell(
        page_header("Tenants", _create_tenant_dialog(), subtitle="Every business on the platform"),
        error_callout(TenantsAdminState.error, id="tenants-error"),
        info_callout(TenantsAdminState.message, id="tenants-message"),
        rx.grid(
            rx.foreach(TenantsAdminState.tenants, _tenant_card),
            columns=rx.breakpoints(initial="1", md="2", xl="3"),
            spacing="4",
            width="100%",
            margin_top="1rem",
        ),
        _impersonate_dialog(),
    )


# ---- phone & IVR ----------------------------------------------------------------------------


def _ivr_badge(mode: rx.Var) -> rx.Component:
    return rx.match(
        mode,
        ("ai-voice", rx.badge("AI Voice (Beta)", color_scheme="purple", variant="solid")),
        ("ivr", rx.badge("IVR menu", color_scheme="blue", variant="soft")),
        rx.badge("Simple forward", color_scheme="gray", variant="soft"),
    )


def _phone_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["phone_number"], font_family="monospace"), rx.text(row["label"], size="1",
                                                                                    color_scheme="gray")),
        rx.table.cell(row["tenant_name"]),
        rx.table.cell(_ivr_badge(row["ivr_mode"])),
        rx.table.cell(rx.text(row["forward_number"], font_family="monospace")),
        rx.table.cell(rx.cond(row["active"], rx.badge("Active", color_scheme="green"),
                              rx.badge("Off", color_scheme="gray"))),
        rx.table.cell(
            rx.hstack(
                rx.button("Edit", size="1", variant="soft", on_click=PhoneConfigAdminState.start_edit(row["id"])),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(rx.button("Delete", size="1", variant="soft", color_scheme="red")),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title("Remove ", row["phone_number"], "?"),
                        rx.alert_dialog.description("Texts and calls to it will no longer reach ",
                                                    row["tenant_name"], "."),
                        rx.hstack(
                            rx.alert_dialog.cancel(rx.button("Keep", variant="soft", color_scheme="gray")),
                            rx.alert_dialog.action(rx.button("Remove", color_scheme="red",
                                                             on_click=PhoneConfigAdminState.delete(row["id"]))),
                            justify="end",
                            spacing="2",
                        ),
                    ),
                ),
            )
        ),
    )


def _phone_dialog() -> rx.Component:
    e = PhoneConfigAdminState.editing
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(e["id"] != "", "Edit phone number", "Add phone number")),
            rx.form(
                rx.vstack(
                    error_callout(PhoneConfigAdminState.form_error, id="phone-form-error"),
                    rx.cond(
                        e["id"] == "",
                        field("Business", rx.select.root(
                            rx.select.trigger(width="100%", placeholder="Choose a business"),
                            rx.select.content(rx.foreach(
                                PhoneConfigAdminState.tenant_options,
                                lambda o: rx.select.item(o["name"], value=o["slug"]))),
                            name="tenant_slug", required=True)),
                    ),
                    field("Phone number", text_input("phone_number", default_value=e["phone_number"], required=True,
                                                     placeholder="+19185550100", id="phone-number-input"),
                          "E.164, e.g. +19185550100. Spaces and dashes are fine."),
                    field("Label", text_input("label", default_value=e["label"])),
                    field("Mode", rx.select(IVR_MODES, name="ivr_mode", default_value=e["ivr_mode"])),
                    field("Forward calls to", text_input("forward_number", default_value=e["forward_number"],
                                                         placeholder="+19185550199")),
                    field("Twilio Messaging Service SID", text_input("messaging_service_sid",
                                                                     default_value=e["messaging_service_sid"],
                                                                     placeholder="MG…")),
                    rx.hstack(
                        field("SIP domain", text_input("sip_domain", default_value=e["sip_domain"])),
                        field("SIP username", text_input("sip_username", default_value=e["sip_username"])),
                        width="100%",
                    ),
                    field("SIP password", text_input("sip_password", type="password",
                                                     placeholder="leave blank to keep"),
                          "Stored encrypted."),
                    rx.checkbox("Active", name="active", default_checked=e["active"].to(bool)),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Save", type="submit", id="phone-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=PhoneConfigAdminState.save,
            ),
            max_width="520px",
        ),
        open=PhoneConfigAdminState.dialog_open,
        on_open_change=PhoneConfigAdminState.set_dialog_open,
    )


def phones_page() -> rx.Component:
    return app_shell(
        page_header("Phone & IVR", rx.button(rx.icon("plus", size=16), "Add number",
                                              on_click=PhoneConfigAdminState.start_create, id="add-number"),
                    subtitle="Which business each number belongs to, and how calls are answered"),
        error_callout(PhoneConfigAdminState.error, id="phones-error"),
        info_callout(PhoneConfigAdminState.message, id="phones-message"),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               ("Number", "Business", "Mode", "Forward to", "Status", "")])),
                rx.table.body(rx.foreach(PhoneConfigAdminState.rows, _phone_row)),
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        _phone_dialog(),
    )


# ---- audit ----------------------------------------------------------------------------------


def _audit_table(rows: rx.Var, *, with_tenant: bool) -> rx.Component:
    headers = ["When", "Who"] + (["Business"] if with_tenant else []) + ["What", "Details"]

    def row(r: rx.Var) -> rx.Component:
        cells = [
            rx.table.cell(rx.text(r["at"], size="1")),
            rx.table.cell(r["who"], rx.cond(r["impersonating"] != "",
                                            rx.badge("viewing as", color_scheme="amber", margin_left="0.25rem"))),
        ]
        if with_tenant:
            cells.append(rx.table.cell(r["tenant"]))
        cells += [rx.table.cell(rx.code(r["action"])), rx.table.cell(rx.text(r["summary"], size="2"))]
        return rx.table.row(*cells)

    return rx.cond(
        rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(rx.foreach(rows, row)),
                width="100%",
                id="audit-table",
            ),
            overflow_x="auto",
            width="100%",
        ),
        empty_state("No audit entries yet.", icon="scroll-text"),
    )


def audit_page() -> rx.Component:
    return app_shell(
        page_header("Audit log", rx.checkbox("Only platform owner visits", checked=AuditState.impersonation_only,
                                             on_change=AuditState.set_impersonation_only),
                    subtitle="Who changed what in this business, including support visits"),
        _audit_table(AuditState.rows, with_tenant=False),
    )


def platform_audit_page() -> rx.Component:
    return app_shell(
        page_header(
            "Platform audit",
            rx.select.root(
                rx.select.trigger(placeholder="All businesses"),
                rx.select.content(
                    rx.select.item("All businesses", value="all"),
                    rx.foreach(PlatformAuditState.tenant_options, lambda o: rx.select.item(o["name"], value=o["slug"])),
                ),
                value=PlatformAuditState.tenant_filter,
                on_change=PlatformAuditState.set_tenant_filter,
            ),
            rx.checkbox("Only impersonation", checked=PlatformAuditState.impersonation_only,
                        on_change=PlatformAuditState.set_impersonation_only),
            subtitle="Audit entries across every business",
        ),
        _audit_table(PlatformAuditState.rows, with_tenant=True),
    )


# ---- email outbox ---------------------------------------------------------------------------


def _email_card(e: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(e["subject"], weight="bold"), rx.spacer(), rx.badge(e["status"])),
            rx.text("To ", e["to"], " · ", e["at"], size="1", color_scheme="gray"),
            rx.text(e["body"], size="2", white_space="pre-wrap", class_name="email-body"),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def emails_page() -> rx.Component:
    return app_shell(
        page_header("Email outbox", subtitle="Emails the platform produced (the offline provider keeps them here)"),
        rx.cond(
            EmailOutboxState.emails.length() > 0,
            rx.vstack(rx.foreach(EmailOutboxState.emails, _email_card), spacing="3", width="100%"),
            empty_state("No emails yet.", icon="mail"),
        ),
    )
