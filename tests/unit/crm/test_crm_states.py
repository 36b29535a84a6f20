"""The CRM, quote, invoice and public quote states driven like the browser would: handlers
validate their arguments, show clear messages, change nothing on bad input, and the public
page books the appointment from a listed time."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import func, select

from backend.customers.models import Customer
from backend.db.session import tenant_session
from backend.invoices import service as invoices_service
from backend.quotes import actions as quotes_actions
from backend.quotes import service as quotes_service
from backend.quotes.enums import LineKind
from backend.scheduling import service as scheduling_service
from backend.scheduling.actions import book_appointment, transition_appointment
from servicepro_app.auth_middleware import access_for
from state.customers import CustomerProfileState, CustomersState
from state.invoices import InvoiceEditorState, InvoicesState, InvoiceVoidState
from state.public_quote import PublicQuoteState
from state.quotes import QuoteEditorState, QuotesState
from state.session import Access, allows
from tests import factories
from tests.scheduling_helpers import add_customer, make_business
from tests.unit.crm.state_helpers import call, on_page, page_state


@pytest.fixture()
def shop(db):
    """A business (service "Wash" with a size attribute, technician, customer Casey) and an
    admin and a staff member's contexts."""
    biz = make_business(slug="shop")
    admin = factories.make_member(biz.tenant_id, role="admin", name="Ada Admin")
    staff = factories.make_member(biz.tenant_id, role="staff", name="Sam Staff")
    biz.admin = factories.context_for(admin, biz.tenant_id, role="admin")
    biz.staff = factories.context_for(staff, biz.tenant_id, role="staff")
    return biz


def _count_customers(biz) -> int:
    with tenant_session(biz.tenant_id) as s:
        return s.exec(select(func.count()).select_from(Customer)).one()


# ---- customers ------------------------------------------------------------------------------


async def test_customer_list_searches_phone_in_any_format_and_filters(shop):
    add_customer(shop, "Vera Vip", "+19185550150", tags=["fleet"])
    state = page_state(CustomersState, shop.staff, "/customers")
    await call(state, CustomersState.load)
    assert sorted(r.name for r in state.rows) == ["Casey Customer", "Vera Vip"] and state.tag_options == ["fleet"]
    await call(state, CustomersState.set_query, "918.555.0150")
    assert [r.phone for r in state.rows] == ["(918) 555-0150"]
    await call(state, CustomersState.set_query, "")
    await call(state, CustomersState.set_tag_filter, "not-a-tag")  # not offered: ignored
    assert state.tag_filter == "all"
    await call(state, CustomersState.set_tag_filter, "fleet")
    assert [r.name for r in state.rows] == ["Vera Vip"]
    await call(state, CustomersState.set_vip_only, True)
    assert state.rows == []
    await call(state, CustomersState.set_query, {"$ne": 1})  # not a string: treated as empty
    assert state.query == ""


async def test_new_customer_with_a_bad_phone_says_why_and_saves_nothing(shop):
    state = page_state(CustomersState, shop.staff, "/customers")
    before = _count_customers(shop)
    await call(state, CustomersState.create_customer, {"name": "Nia New", "phone": "555-12"})
    assert "'555-12' is not a valid phone number" in state.create_error
    await call(state, CustomersState.create_customer, {"name": "Nia New", "phone": "918 555 0134"})
    assert "already belongs to Casey Customer" in state.create_error
    await call(state, CustomersState.create_customer, {"name": "Nia", "email": "not-an-email"})
    assert "not an email address" in state.create_error
    await call(state, CustomersState.create_customer, ["not", "a", "form"])
    assert _count_customers(shop) == before
    result = await call(state, CustomersState.create_customer,
                        {"name": "Nia New", "phone": "(918) 555-0190", "tags": "vip, New Lead", "city": "Tulsa"})
    assert state.create_error == "" and _count_customers(shop) == before + 1
    with tenant_session(shop.tenant_id) as s:
        nia = s.exec(select(Customer).where(Customer.name == "Nia New")).one()
        assert nia.phone == "+19185550190"
    assert f"/customers/{nia.id}" in str(result)


async def test_profile_tags_vip_notes_and_assets(shop):
    state = page_state(CustomerProfileState, shop.staff, f"/customers/{shop.customer_id}")
    await call(state, CustomerProfileState.load)
    assert state.found and state.p.name == "Casey Customer" and state.p.primary_phone == "(918) 555-0134"

    await call(state, CustomerProfileState.set_tag_input, "Spring Promo")
    await call(state, CustomerProfileState.add_tag)
    await call(state, CustomerProfileState.set_tag_input, "no/slashes!")
    await call(state, CustomerProfileState.add_tag)
    assert state.p.tags == ["spring promo"] and "is not a tag" in state.tag_error
    await call(state, CustomerProfileState.remove_tag, "not-there")
    await call(state, CustomerProfileState.remove_tag, "spring promo")
    assert state.p.tags == []

    await call(state, CustomerProfileState.set_vip, True)
    assert state.p.is_vip
    await call(state, CustomerProfileState.set_vip, "yes")  # only a real True turns it on
    assert not state.p.is_vip

    await call(state, CustomerProfileState.set_notes_draft, "Gate code 4455")
    await call(state, CustomerProfileState.save_notes)
    assert state.p.notes == "Gate code 4455"

    await call(state, CustomerProfileState.start_asset, "")
    await call(state, CustomerProfileState.set_asset_kind, "vehicle")
    await call(state, CustomerProfileState.set_asset_label, "2019 Jeep Wrangler")
    await call(state, CustomerProfileState.set_asset_attr, "size", "bogus")
    await call(state, CustomerProfileState.set_asset_attr, "not_an_attribute", "x")
    assert state.asset_attrs == {}
    await call(state, CustomerProfileState.set_asset_attr, "size", "large")
    await call(state, CustomerProfileState.save_asset)
    [asset] = state.p.assets
    assert (asset.label, asset.summary, state.asset_open) == ("2019 Jeep Wrangler", "Vehicle size: Large SUV", False)

    await call(state, CustomerProfileState.start_asset, asset.id)
    await call(state, CustomerProfileState.set_asset_attr, "size", "small")
    await call(state, CustomerProfileState.save_asset)
    assert state.p.assets[0].summary == "Vehicle size: Small car"
    await call(state, CustomerProfileState.start_asset, "")
    await call(state, CustomerProfileState.save_asset)
    assert "Give it a name" in state.asset_error and len(state.p.assets) == 1
    await call(state, CustomerProfileState.remove_asset, asset.id)
    assert state.p.assets == []


async def test_profile_contact_and_phones(shop):
    state = page_state(CustomerProfileState, shop.staff, f"/customers/{shop.customer_id}")
    await call(state, CustomerProfileState.load)
    await call(state, CustomerProfileState.save_contact, {"name": "Casey C.", "email": "bad", "city": "Tulsa"})
    assert "not an email address" in state.contact_error and state.p.name == "Casey Customer"
    await call(state, CustomerProfileState.save_contact, {"name": "Casey C.", "email": "casey@example.com",
                                                          "address_line1": "12 Oak Street", "city": "Tulsa",
                                                          "postal_code": "74105"})
    assert state.p.name == "Casey C." and state.p.email == "casey@example.com"
    await call(state, CustomerProfileState.set_phone_input, "12")
    await call(state, CustomerProfileState.add_phone)
    assert "not a valid phone number" in state.phone_error and len(state.p.phones) == 1
    await call(state, CustomerProfileState.set_phone_input, "918-555-0177")
    await call(state, CustomerProfileState.add_phone)
    assert [p.number for p in state.p.phones] == ["(918) 555-0134", "(918) 555-0177"]
    await call(state, CustomerProfileState.make_primary, "+19185550177")
    assert state.p.primary_phone == "(918) 555-0177"
    await call(state, CustomerProfileState.remove_phone, "+19185550134")
    assert [p.e164 for p in state.p.phones] == ["+19185550177"]


async def test_profile_with_a_malformed_or_unknown_id_shows_not_found(shop):
    for url in ("/customers/../../etc", "/customers/01UNKNOWNID", "/customers"):
        state = page_state(CustomerProfileState, shop.staff, url)
        await call(state, CustomerProfileState.load)
        assert state.not_found and not state.found


# ---- quotes ---------------------------------------------------------------------------------


async def _new_quote(biz, ctx) -> QuoteEditorState:
    state = page_state(QuoteEditorState, ctx, f"/quotes/new?customer={biz.customer_id}")
    await call(state, QuoteEditorState.load)
    assert state.customer_label == "Casey Customer · (918) 555-0134" and state.editable
    await call(state, QuoteEditorState.set_service, biz.service_id)
    await call(state, QuoteEditorState.set_attribute, "size", "large")
    await call(state, QuoteEditorState.add_line)
    await call(state, QuoteEditorState.set_line, 0, "description", "Pet hair removal")
    await call(state, QuoteEditorState.set_line, 0, "unit_price", "19.99")
    await call(state, QuoteEditorState.set_field, "tax_rate", "8.25")
    return state


async def test_quote_editor_prices_saves_sends_and_shows_the_link(shop):
    state = await _new_quote(shop, shop.staff)
    # Wash 70 + large 15 = $85.00; + $19.99; 8.25% of 104.99 = 8.6617 → 8.66.
    assert state.preview_error == "" and state.subtotal == "$104.99" and state.tax == "$8.66"
    assert state.total == "$113.65"
    result = await call(state, QuoteEditorState.save)
    [quote] = _quotes(shop)
    assert f"/quotes/{quote.id}" in str(result) and quote.total_cents == 11365 and quote.status == "draft"

    state = on_page(state, f"/quotes/{quote.id}")
    await call(state, QuoteEditorState.load)
    assert state.number == "Q-1001" and state.service_price == "" and state.custom_lines[0]["unit_price"] == "19.99"
    await call(state, QuoteEditorState.send)
    assert state.public_link.startswith("https://servicepro.test/q/") and state.status == "sent"
    assert not state.editable and _quotes(shop)[0].status == "sent"
    token = state.public_link.rsplit("/", 1)[1]
    assert quotes_actions.get_public_quote(token).total_cents == 11365
    await call(state, QuoteEditorState.text_link)  # the test business has no phone number
    assert "phone number" in state.link_message
    # Another page of the editor never carries the link along.
    state = on_page(state, "/quotes/new")
    await call(state, QuoteEditorState.load)
    assert state.public_link == "" and state._token == ""


def _quotes(biz):
    with tenant_session(biz.tenant_id) as s:
        return quotes_service.list_quotes(s, tenant_id=biz.tenant_id)


async def test_quote_editor_ignores_unoffered_ids_and_bad_arguments(shop):
    other = make_business(slug="other-shop")
    state = await _new_quote(shop, shop.staff)
    before = (state.customer_id, state.service_id, dict(state.attributes), list(state.addon_ids))
    await call(state, QuoteEditorState.choose_customer, other.customer_id)
    await call(state, QuoteEditorState.set_service, other.service_id)
    await call(state, QuoteEditorState.set_attribute, "size", "gigantic")
    await call(state, QuoteEditorState.toggle_addon, "01NOTANADDON", True)
    await call(state, QuoteEditorState.set_line, 5, "description", "x")
    await call(state, QuoteEditorState.set_line, 0, "taxable_cents", "x")
    await call(state, QuoteEditorState.set_field, "_quote_id", "01HACK")
    await call(state, QuoteEditorState.set_field, "customer_id", other.customer_id)
    assert (state.customer_id, state.service_id, dict(state.attributes), list(state.addon_ids)) == before
    assert state._quote_id == ""


async def test_quote_editor_refuses_inexact_money_and_saves_nothing(shop):
    state = await _new_quote(shop, shop.staff)
    await call(state, QuoteEditorState.set_line, 0, "unit_price", "19.999")
    assert "two decimals" in state.preview_error
    await call(state, QuoteEditorState.save)
    assert "two decimals" in state.error and _quotes(shop) == []
    await call(state, QuoteEditorState.set_line, 0, "unit_price", "19.99")
    await call(state, QuoteEditorState.set_field, "tax_rate", "82.5")
    await call(state, QuoteEditorState.save)
    assert "at most 25%" in state.error and _quotes(shop) == []
    await call(state, QuoteEditorState.set_field, "tax_rate", "8.25")
    await call(state, QuoteEditorState.set_field, "expires_on", "2020-01-01")
    await call(state, QuoteEditorState.save)
    assert "in the past" in state.error and _quotes(shop) == []


async def test_quote_list_filters_by_status(shop):
    state = await _new_quote(shop, shop.staff)
    await call(state, QuoteEditorState.save)
    listing = page_state(QuotesState, shop.staff, "/quotes")
    await call(listing, QuotesState.load)
    assert [(r.number, r.status, r.customer) for r in listing.rows] == [("Q-1001", "draft", "Casey Customer")]
    await call(listing, QuotesState.set_status_filter, "sent")
    assert listing.rows == []
    await call(listing, QuotesState.set_status_filter, "drop table")
    assert listing.status_filter == "sent"


# ---- public quote page ----------------------------------------------------------------------


def _sent_quote(biz) -> str:
    with tenant_session(biz.tenant_id) as s:
        quote = quotes_actions.create_quote(s, tenant_id=biz.tenant_id, acting_user=None, quote_in=quotes_actions.QuoteCreate(
            customer_id=biz.customer_id, title="Spring wash", tax_rate_bps=825,
            lines=[quotes_actions.QuoteLineIn(kind=LineKind.SERVICE, service_id=biz.service_id)]))
        return quotes_actions.send_quote(s, tenant_id=biz.tenant_id, quote_id=quote.id, acting_user=None)[1]


async def test_public_quote_page_approves_with_a_listed_time(shop):
    token = _sent_quote(shop)
    state = page_state(PublicQuoteState, None, f"/q/{token}")
    await call(state, PublicQuoteState.load)
    assert state.can_approve and state.first_name == "Casey" and state.total == "$75.78"
    assert state.days and state.day_slots and state.problem == ""
    await call(state, PublicQuoteState.approve)
    assert state.slot_error == "Choose a time first."
    await call(state, PublicQuoteState.choose_slot, "2030-01-01T09:00:00-06:00")  # not offered
    assert state.selected_slot == ""
    slot = state.day_slots[0]["key"]
    await call(state, PublicQuoteState.choose_slot, slot)
    await call(state, PublicQuoteState.approve)
    assert state.approved and not state.can_approve and state.booked_label
    with tenant_session(shop.tenant_id) as s:
        [appointment] = scheduling_service.list_appointments(s, tenant_id=shop.tenant_id)
        assert appointment.source == "quote" and appointment.start_at == dt.datetime.fromisoformat(slot)
    # Reloading the link now says it is approved.
    again = page_state(PublicQuoteState, None, f"/q/{token}")
    await call(again, PublicQuoteState.load)
    assert again.approved and not again.can_approve


async def test_public_quote_page_says_when_the_time_was_just_taken(shop):
    token = _sent_quote(shop)
    state = page_state(PublicQuoteState, None, f"/q/{token}")
    await call(state, PublicQuoteState.load)
    slot = state.day_slots[0]["key"]
    await call(state, PublicQuoteState.choose_slot, slot)
    other = add_customer(shop, "Other Customer", "(918) 555-0177")
    with tenant_session(shop.tenant_id) as s:  # someone else books it meanwhile
        book_appointment(s, tenant_id=shop.tenant_id, customer_id=other, service_id=shop.service_id,
                         start=dt.datetime.fromisoformat(slot))
    await call(state, PublicQuoteState.approve)
    assert state.slot_error == "Sorry — that time was just taken. Please choose another time."
    assert slot not in [s["key"] for s in state.day_slots] and not state.approved
    assert _quotes(shop)[0].status == "sent"


async def test_public_quote_page_unknown_expired_and_declined_links(shop):
    state = page_state(PublicQuoteState, None, "/q/not-a-token")
    await call(state, PublicQuoteState.load)
    assert state.problem.startswith("This quote link is not valid") and state.number == ""
    token = _sent_quote(shop)
    forged = page_state(PublicQuoteState, None, f"/q/{token[:-2]}xx")
    await call(forged, PublicQuoteState.load)
    assert forged.problem.startswith("This quote link is not valid")

    with tenant_session(shop.tenant_id) as s:
        quote = _quotes(shop)[0]
        row = quotes_service.access_quote_by_id(s, tenant_id=shop.tenant_id, quote_id=quote.id)
        row.expires_at = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
        s.add(row)
    expired = page_state(PublicQuoteState, None, f"/q/{token}")
    await call(expired, PublicQuoteState.load)
    assert expired.problem.startswith("This quote expired on") and not expired.can_approve

    declined_token = _sent_quote(shop)
    state = page_state(PublicQuoteState, None, f"/q/{declined_token}")
    await call(state, PublicQuoteState.load)
    await call(state, PublicQuoteState.decline)
    assert state.declined and not state.can_approve


async def test_public_quote_state_sends_no_ids_or_tokens_to_the_browser(shop):
    token = _sent_quote(shop)
    state = page_state(PublicQuoteState, None, f"/q/{token}")
    await call(state, PublicQuoteState.load)
    public = {k: v for k, v in state.dict()[state.get_full_name()].items()}
    text = json.dumps(public, default=str)
    secret = token.split(".", 1)[1]
    assert shop.tenant_id not in text and secret not in text and shop.customer_id not in text
    assert shop.tech_id not in text and shop.service_id not in text


async def test_public_quote_of_a_suspended_business_is_not_available(shop):
    from backend.tenancy import actions as tenancy_actions

    token = _sent_quote(shop)
    with tenant_session(shop.tenant_id) as s:
        tenancy_actions.do_change_status(s, tenant_id=shop.tenant_id, status="suspended", acting_user=None)
    state = page_state(PublicQuoteState, None, f"/q/{token}")
    await call(state, PublicQuoteState.load)
    assert state.problem.startswith("This quote link is not valid") and not state.can_approve


# ---- invoices -------------------------------------------------------------------------------


def _completed_job(biz, charged=9000) -> str:
    with tenant_session(biz.tenant_id) as s:
        start = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
        appointment = book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                       service_id=biz.service_id, start=start, now=start - dt.timedelta(days=1))
        transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id, to_status="completed",
                               price_charged_cents=charged, now=start + dt.timedelta(hours=2))
        return appointment.id


async def test_invoice_from_a_job_edit_send_and_pay(shop):
    job = _completed_job(shop)
    listing = page_state(InvoicesState, shop.staff, "/invoices")
    await call(listing, InvoicesState.load)
    assert [a.id for a in listing.invoiceable] == [job]
    await call(listing, InvoicesState.set_create_open, True)
    await call(listing, InvoicesState.choose_appointment, "01NOTAJOB")
    assert listing.chosen_appointment == job
    result = await call(listing, InvoicesState.create_from_appointment)
    with tenant_session(shop.tenant_id) as s:
        [invoice] = invoices_service.list_invoices(s, tenant_id=shop.tenant_id)
    assert f"/invoices/{invoice.id}" in str(result)

    state = page_state(InvoiceEditorState, shop.staff, f"/invoices/{invoice.id}")
    await call(state, InvoiceEditorState.load)
    assert state.found and state.d.editable and state.d.total == "$90.00" and state.d.appointment_id == job
    await call(state, InvoiceEditorState.add_line)
    await call(state, InvoiceEditorState.set_line, 1, "description", "Tip")
    await call(state, InvoiceEditorState.set_line, 1, "unit_price", "10")
    await call(state, InvoiceEditorState.set_line, 1, "taxable", False)
    await call(state, InvoiceEditorState.set_field, "tax_rate", "10")
    await call(state, InvoiceEditorState.set_field, "discount_percent", "10")
    assert state.preview_total == "$98.10"  # 100 − 10% = 90; taxable share 81 → tax 8.10
    await call(state, InvoiceEditorState.save)
    assert state.error == "" and state.d.total == "$98.10" and state.d.lines[0].description.startswith("Wash")
    with tenant_session(shop.tenant_id) as s:
        lines = invoices_service.get_lines(s, tenant_id=shop.tenant_id, invoice_id=invoice.id)
        assert [line.kind for line in lines] == ["service", "custom"]  # the job's line keeps its service link

    await call(state, InvoiceEditorState.mark_sent)
    assert state.d.status == "sent" and not state.d.editable
    await call(state, InvoiceEditorState.set_pay_open, True)
    await call(state, InvoiceEditorState.record_payment, {"amount": "50.005", "date": state.d.today})
    assert "two decimals" in state.pay_error
    await call(state, InvoiceEditorState.record_payment, {"amount": "20", "date": "2999-01-01"})
    assert "future" in state.pay_error
    await call(state, InvoiceEditorState.record_payment, {"amount": "200", "date": state.d.today})
    assert "more than the balance" in state.pay_error
    await call(state, InvoiceEditorState.set_pay_method, "bitcoin")
    assert state.pay_method == "cash"
    await call(state, InvoiceEditorState.set_pay_method, "check")
    await call(state, InvoiceEditorState.record_payment, {"amount": "98.10", "date": state.d.today,
                                                          "reference": "#1042"})
    assert state.pay_error == "" and state.d.status == "paid" and state.d.balance == "$0.00"
    assert [(p.method, p.amount, p.reference) for p in state.d.payments] == [("Check", "$98.10", "#1042")]


async def test_custom_invoice_needs_an_offered_customer(shop):
    other = make_business(slug="elsewhere")
    listing = page_state(InvoicesState, shop.staff, "/invoices")
    await call(listing, InvoicesState.load)
    await call(listing, InvoicesState.set_create_open, True)
    await call(listing, InvoicesState.choose_customer, other.customer_id)
    await call(listing, InvoicesState.create_custom, {"description": "Gutters", "amount": "120"})
    assert listing.create_error == "Choose a customer."
    await call(listing, InvoicesState.search_customers, "Casey")
    await call(listing, InvoicesState.choose_customer, shop.customer_id)
    await call(listing, InvoicesState.create_custom, {"description": "Gutters", "amount": "-5"})
    assert "negative" in listing.create_error
    result = await call(listing, InvoicesState.create_custom, {"description": "Gutters", "amount": "120"})
    assert "/invoices/" in str(result) and listing.create_error == ""


async def test_voiding_needs_an_admin_and_a_reason(shop):
    job = _completed_job(shop)
    listing = page_state(InvoicesState, shop.admin, "/invoices")
    await call(listing, InvoicesState.load)
    await call(listing, InvoicesState.set_create_open, True)
    await call(listing, InvoicesState.create_from_appointment)
    with tenant_session(shop.tenant_id) as s:
        [invoice] = invoices_service.list_invoices(s, tenant_id=shop.tenant_id)
    assert access_for(InvoiceVoidState) is Access.TENANT_ADMIN
    assert not allows(Access.TENANT_ADMIN, shop.staff) and allows(Access.TENANT_ADMIN, shop.admin)

    editor = page_state(InvoiceEditorState, shop.admin, f"/invoices/{invoice.id}")
    await call(editor, InvoiceEditorState.load)
    void = await editor.get_state(InvoiceVoidState)
    await call(void, InvoiceVoidState.void, {"reason": "  "})
    assert void.error == "Say why the invoice is voided."
    await call(void, InvoiceVoidState.void, {"reason": "Billed twice"})
    with tenant_session(shop.tenant_id) as s:
        row = invoices_service.access_invoice_by_id(s, tenant_id=shop.tenant_id, invoice_id=invoice.id)
        assert row.status == "void" and row.void_reason == "Billed twice"
