"""Every page in one place: path, title, component, on-load events. Pages register through
one loop in servicepro_app.py; a test asserts paths are unique."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import reflex as rx

from servicepro_app.pages import admin, auth, dashboard
from servicepro_app.pages import inbox, messaging_settings, simulator
from servicepro_app.pages import customers as customer_pages
from servicepro_app.pages import invoices as invoice_pages
from servicepro_app.pages import public_quote as public_quote_pages
from servicepro_app.pages import quotes as quote_pages
from state.customers import CustomerProfileState, CustomersState
from state.invoices import InvoiceEditorState, InvoicesState
from state.public_quote import PublicQuoteState
from state.quotes import QuoteEditorState, QuotesState
from servicepro_app.pages import appointments as appointment_pages
from servicepro_app.pages import calendar as calendar_pages
from servicepro_app.pages import services as service_pages
from servicepro_app.pages import team as team_pages
from state.appointments import AppointmentState
from state.calendar import CalendarState
from state.services import ServicesState
from state.team import SchedulingSettingsState, TeamState
from state.admin import EmailOutboxState, PhoneConfigAdminState, PlatformAuditState, TenantsAdminState
from state.audit import AuditState
from state.auth import ForgotPasswordState, LoginState, ResetPasswordState, SelectTenantState
from state.dashboard import DashboardState
from state.inbox import InboxState
from state.messaging_settings import MessagingSettingsState
from state.session import SessionState
from state.simulator import SimulatorState
from servicepro_app.pages import knowledge as knowledge_pages, web_chat as web_chat_pages, webchats as webchats_pages
from state.knowledge import KnowledgeState
from state.web_chat import WebChatState
from state.webchats import StaffWebChatsState


@dataclasses.dataclass(frozen=True)
class Route:
    path: str
    title: str
    component: Callable[[], rx.Component]
    on_load: tuple = ()


def shell(*events) -> tuple:
    """On-load events for pages inside the app shell: fill the shell first."""
    return (SessionState.load_shell, *events)


ROUTES: list[Route] = [
    Route("/login", "Sign in", auth.login_page, (LoginState.load,)),
    Route("/forgot-password", "Reset password", auth.forgot_password_page, (ForgotPasswordState.load,)),
    Route("/reset-password", "Choose a new password", auth.reset_password_page, (ResetPasswordState.load,)),
    Route("/select-tenant", "Choose a business", auth.select_tenant_page, (SelectTenantState.load,)),
    Route("/account", "Your account", auth.account_page, shell()),
    Route("/", "Dashboard", dashboard.dashboard_page, shell(DashboardState.load)),
    Route("/audit", "Audit log", admin.audit_page, shell(AuditState.load)),
    Route("/customers", "Customers", customer_pages.customers_page, shell(CustomersState.load)),
    Route("/customers/[crm_customer]", "Customer", customer_pages.customer_profile_page, shell(CustomerProfileState.load)),
    Route("/quotes", "Quotes", quote_pages.quotes_page, shell(QuotesState.load)),
    Route("/quotes/new", "New quote", quote_pages.quote_editor_page, shell(QuoteEditorState.load)),
    Route("/quotes/[crm_quote]", "Quote", quote_pages.quote_editor_page, shell(QuoteEditorState.load)),
    Route("/invoices", "Invoices", invoice_pages.invoices_page, shell(InvoicesState.load)),
    Route("/invoices/[crm_invoice]", "Invoice", invoice_pages.invoice_page, shell(InvoiceEditorState.load)),
    Route("/q/[public_quote_token]", "Your quote", public_quote_pages.public_quote_page, (PublicQuoteState.load,)),
    Route("/calendar", "Calendar", calendar_pages.calendar_page, shell(CalendarState.load)),
    Route("/appointments/[appointment_id]", "Appointment", appointment_pages.appointment_page, shell(AppointmentState.load)),
    Route("/services", "Services & pricing", service_pages.services_page, shell(ServicesState.load)),
    Route("/team", "Team & hours", team_pages.team_page, shell(TeamState.load)),
    Route("/settings/scheduling", "Business hours & rules", team_pages.scheduling_settings_page, shell(SchedulingSettingsState.load)),
    Route("/admin/tenants", "Tenants", admin.tenants_page, shell(TenantsAdminState.load)),
    Route("/admin/phones", "Phone & IVR", admin.phones_page, shell(PhoneConfigAdminState.load)),
    Route("/admin/audit", "Platform audit", admin.platform_audit_page, shell(PlatformAuditState.load)),
    Route("/admin/emails", "Email outbox", admin.emails_page, shell(EmailOutboxState.load)),
    Route("/inbox", "Inbox", inbox.inbox_page, shell(InboxState.load)),
    Route("/simulator", "Phone simulator", simulator.simulator_page, shell(SimulatorState.load)),
    Route("/settings/messaging", "Messaging settings", messaging_settings.messaging_settings_page,
          shell(MessagingSettingsState.load)),
    Route("/knowledge", "Knowledge", knowledge_pages.knowledge_page, shell(KnowledgeState.load)),
    Route("/webchats", "Web chats", webchats_pages.webchats_page, shell(StaffWebChatsState.load)),
    Route("/chat/[chat_widget]", "Chat", web_chat_pages.web_chat_page, (WebChatState.load,)),
]
