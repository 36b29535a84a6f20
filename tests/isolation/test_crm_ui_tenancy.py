"""Tenant isolation through the CRM, quote, invoice and public quote states: an admin of
business B, driving every handler with business A's ids (in the page URL or as arguments),
sees "not found" or nothing, and A's customers, quotes and invoices stay exactly as they were.
The public quote page finds a quote only through its own token, never across tenants."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.customers import service as customers_service
from backend.db.session import tenant_session
from backend.invoices import actions as invoices_actions
from backend.invoices import service as invoices_service
from backend.quotes import actions as quotes_actions
from backend.quotes import service as quotes_service
from backend.quotes.enums import LineKind
from backend.scheduling.actions import book_appointment, transition_appointment
from state.customers import CustomerProfileState, CustomersState
from state.invoices import InvoiceEditorState, InvoicesState, InvoiceVoidState
from state.public_quote import PublicQuoteState
from state.quotes import QuoteEditorState, QuotesState
from tests import factories
from tests.scheduling_helpers import make_business
from tests.unit.crm.state_helpers import call, page_state


@pytest.fixture()
def pair(db):
    """Businesses A and B (each with a service, a technician and customer Casey), an admin of
    B, and in A: a tagged asset-owning customer, a sent quote and a sent invoice."""
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    bob = factories.make_member(b.tenant_id, role="admin", name="Bob Admin")
    b.ctx = factories.context_for(bob, b.tenant_id, role="admin")
    with tenant_session(a.tenant_id) as s:
        from backend.customers import actions as customers_actions
        from backend.customers.models import AssetIn

        customers_actions.add_customer_tag(s, tenant_id=a.tenant_id, customer_id=a.customer_id, tag="gold",
                                           acting_user=None)
        a.asset_id = customers_actions.add_customer_asset(
            s, tenant_id=a.tenant_id, customer_id=a.customer_id, acting_user=None,
            asset_in=AssetIn(kind="vehicle", label="A's car")).id
        quote = quotes_actions.create_quote(s, tenant_id=a.tenant_id, acting_user=None, quote_in=quotes_actions.QuoteCreate(
            customer_id=a.customer_id, lines=[quotes_actions.QuoteLineIn(kind=LineKind.SERVICE,
                                                                         service_id=a.service_id)]))
        a.quote_id = quote.id
        a.draft_id = quotes_actions.create_quote(s, tenant_id=a.tenant_id, acting_user=None, quote_in=quotes_actions.QuoteCreate(
            customer_id=a.customer_id, lines=[quotes_actions.QuoteLineIn(kind=LineKind.CUSTOM, description="Fee",
                                                                         unit_price_cents=100)])).id
        _, a.token = quotes_actions.send_quote(s, tenant_id=a.tenant_id, quote_id=quote.id, acting_user=None)
        start = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
        appointment = book_appointment(s, tenant_id=a.tenant_id, customer_id=a.customer_id, service_id=a.service_id,
                                       start=start, now=start - dt.timedelta(days=1))
        transition_appointment(s, tenant_id=a.tenant_id, appointment_id=appointment.id, to_status="completed",
                               price_charged_cents=5000, now=start + dt.timedelta(hours=1))
        a.appointment_id = appointment.id
        a.invoice_id = invoices_actions.create_invoice(s, tenant_id=a.tenant_id, acting_user=None,
                                                       invoice_in=invoices_actions.InvoiceCreate(
                                                           customer_id=a.customer_id,
                                                           lines=[invoices_actions.InvoiceLineIn(
                                                               description="Work", unit_price_cents=5000)])).id
    a.snapshot = _snapshot(a)
    return a, b


def _snapshot(a) -> dict:
    """Everything of A's that B might try to change."""
    with tenant_session(a.tenant_id) as s:
        customer = customers_service.access_customer_by_id(s, tenant_id=a.tenant_id, customer_id=a.customer_id)
        quote = quotes_service.access_quote_by_id(s, tenant_id=a.tenant_id, quote_id=a.quote_id)
        draft = quotes_service.access_quote_by_id(s, tenant_id=a.tenant_id, quote_id=a.draft_id)
        invoice = invoices_service.access_invoice_by_id(s, tenant_id=a.tenant_id, invoice_id=a.invoice_id)
        return {
            "customer": (customer.name, customer.email, customer.is_vip, customer.notes, customer.phone),
            "tags": customers_service.get_tags(s, tenant_id=a.tenant_id, customer_id=a.customer_id),
            "phones": [p.phone_e164 for p in customers_service.get_phones(s, tenant_id=a.tenant_id,
                                                                           customer_id=a.customer_id)],
            "assets": [(x.id, x.label, x.attributes) for x in customers_service.get_assets(
                s, tenant_id=a.tenant_id, customer_id=a.customer_id)],
            "quote": (quote.status, quote.token_hash, quote.total_cents),
            "draft": (draft.status, draft.total_cents, draft.customer_id),
            "invoice": (invoice.status, invoice.total_cents, invoice.amount_paid_cents, invoice.void_reason),
            "invoices": len(invoices_service.list_invoices(s, tenant_id=a.tenant_id)),
        }


async def test_customer_states_do_not_reach_another_tenant(pair):
    a, b = pair
    listing = page_state(CustomersState, b.ctx, "/customers?q=gold")
    await call(listing, CustomersState.load)
    for query in ("", "918-555-0134", "tag:gold", "Casey"):
        await call(listing, CustomersState.set_query, query)
        assert a.customer_id not in [r.id for r in listing.rows]
    assert "gold" not in listing.tag_options

    profile = page_state(CustomerProfileState, b.ctx, f"/customers/{a.customer_id}")
    await call(profile, CustomerProfileState.load)
    assert profile.not_found and not profile.found and profile.p.name == "" and profile._customer_id == ""
    await call(profile, CustomerProfileState.set_vip, True)
    await call(profile, CustomerProfileState.set_notes_draft, "hijacked")
    await call(profile, CustomerProfileState.save_notes)
    await call(profile, CustomerProfileState.set_tag_input, "owned")
    await call(profile, CustomerProfileState.add_tag)
    await call(profile, CustomerProfileState.remove_tag, "gold")
    await call(profile, CustomerProfileState.save_contact, {"name": "Hijacked", "email": "x@evil.example"})
    await call(profile, CustomerProfileState.set_phone_input, "918-555-0666")
    await call(profile, CustomerProfileState.add_phone)
    await call(profile, CustomerProfileState.remove_phone, "+19185550134")
    await call(profile, CustomerProfileState.start_asset, a.asset_id)
    await call(profile, CustomerProfileState.remove_asset, a.asset_id)
    # Forcing the server-side id (as if the check were bypassed) still stays inside B's tenant.
    profile._customer_id, profile.found = a.customer_id, True
    await call(profile, CustomerProfileState.set_vip, True)
    assert "No such customer" in profile.error
    assert _snapshot(a) == a.snapshot


async def test_quote_states_do_not_reach_another_tenant(pair):
    a, b = pair
    listing = page_state(QuotesState, b.ctx, "/quotes")
    await call(listing, QuotesState.load)
    assert listing.rows == []

    for quote_id in (a.quote_id, a.draft_id):
        editor = page_state(QuoteEditorState, b.ctx, f"/quotes/{quote_id}")
        await call(editor, QuoteEditorState.load)
        assert editor.not_found and editor._quote_id == "" and editor.number == ""
        await call(editor, QuoteEditorState.send)
        await call(editor, QuoteEditorState.cancel_quote)
        await call(editor, QuoteEditorState.text_link)
        assert editor.public_link == ""

    # A's customer in the URL of a new quote is not offered to B.
    editor = page_state(QuoteEditorState, b.ctx, f"/quotes/new?customer={a.customer_id}")
    await call(editor, QuoteEditorState.load)
    assert not editor.not_found and editor.customer_id == "" and editor.customer_label == ""
    editor = page_state(QuoteEditorState, b.ctx, "/quotes/new")
    await call(editor, QuoteEditorState.load)
    await call(editor, QuoteEditorState.choose_customer, a.customer_id)
    await call(editor, QuoteEditorState.set_service, a.service_id)
    assert editor.customer_id == "" and editor.service_id == ""
    # Forcing A's ids into the server-side fields: the backend refuses them inside B's tenant.
    editor.customer_id, editor._quote_id = a.customer_id, a.draft_id
    await call(editor, QuoteEditorState.add_line)
    await call(editor, QuoteEditorState.set_line, 0, "description", "x")
    await call(editor, QuoteEditorState.set_line, 0, "unit_price", "1")
    await call(editor, QuoteEditorState.save)
    assert "No such" in editor.error
    assert _snapshot(a) == a.snapshot


async def test_invoice_states_do_not_reach_another_tenant(pair):
    a, b = pair
    listing = page_state(InvoicesState, b.ctx, "/invoices")
    await call(listing, InvoicesState.load)
    assert listing.rows == [] and listing.invoiceable == []
    await call(listing, InvoicesState.choose_appointment, a.appointment_id)
    await call(listing, InvoicesState.create_from_appointment)
    assert listing.create_error == "Choose a completed appointment."
    listing.invoiceable = []  # even a forged choice list cannot help: the backend looks in B only
    listing.chosen_appointment = a.appointment_id

    editor = page_state(InvoiceEditorState, b.ctx, f"/invoices/{a.invoice_id}")
    await call(editor, InvoiceEditorState.load)
    assert editor.not_found and editor._invoice_id == "" and editor.d.number == ""
    await call(editor, InvoiceEditorState.mark_sent)
    await call(editor, InvoiceEditorState.record_payment, {"amount": "10", "date": "2026-03-05"})
    await call(editor, InvoiceEditorState.save)
    void = await editor.get_state(InvoiceVoidState)
    await call(void, InvoiceVoidState.void, {"reason": "hijack"})
    assert void.error == "Open an invoice first."
    # Forcing A's invoice id server-side still finds nothing in B's tenant.
    editor._invoice_id, editor.found = a.invoice_id, True
    await call(void, InvoiceVoidState.void, {"reason": "hijack"})
    assert "No such invoice" in void.error
    await call(editor, InvoiceEditorState.record_payment, {"amount": "10", "date": "2026-03-05"})
    assert "No such invoice" in editor.pay_error
    assert _snapshot(a) == a.snapshot


async def test_public_quote_page_only_opens_its_own_quote(pair):
    a, b = pair
    secret = a.token.split(".", 1)[1]
    for url in (f"/q/{b.tenant_id}.{secret}", f"/q/{a.tenant_id}.{secret[::-1]}", f"/q/{a.quote_id}",
                f"/q/{a.tenant_id}"):
        state = page_state(PublicQuoteState, None, url)
        await call(state, PublicQuoteState.load)
        assert state.problem.startswith("This quote link is not valid") and state.number == ""
        await call(state, PublicQuoteState.approve)
        await call(state, PublicQuoteState.decline)
    state = page_state(PublicQuoteState, None, f"/q/{a.token}")
    await call(state, PublicQuoteState.load)
    assert state.number == "Q-1001" and state.can_approve
    assert _snapshot(a) == a.snapshot
