"""Quotes and invoices in integer cents: totals with tax and discounts, the public approval link
(approve with a slot books the appointment), expiry and forged links; invoices from completed
appointments, manual payments, void rules."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.errors import Conflict, NotFound, UserError
from backend.invoices import actions as invoices_actions
from backend.invoices import service as invoices_service
from backend.invoices.totals import LineAmount, compute_totals, round_half_up_div
from backend.quotes import actions as quotes_actions
from backend.quotes import views as quotes_views
from backend.quotes.enums import LineKind
from backend.scheduling import catalogue
from backend.scheduling.actions import (
    SlotTaken,
    book_appointment,
    transition_appointment,
)
from tests.scheduling_helpers import CHICAGO, NOW, TUESDAY, add_customer, at, make_business, manual_invoice


def test_round_half_up_div():
    assert round_half_up_div(5, 10) == 1 and round_half_up_div(4, 10) == 0 and round_half_up_div(15, 10) == 2


def test_compute_totals_tax_rounding():
    """8.25% of $19.99 is 164.9175 cents → 165."""
    totals = compute_totals([LineAmount(1, 1999)], tax_rate_bps=825)
    assert (totals.subtotal_cents, totals.tax_cents, totals.total_cents) == (1999, 165, 2164)


def test_compute_totals_quantities_and_untaxed_lines():
    totals = compute_totals([LineAmount(3, 1000), LineAmount(1, 500, taxable=False)], tax_rate_bps=1000)
    assert (totals.subtotal_cents, totals.taxable_cents, totals.tax_cents, totals.total_cents) == (3500, 3000, 300, 3800)


def test_compute_totals_discount_reduces_taxable_share():
    """A $10 discount on $80 taxable + $20 untaxed: $8 comes off the taxable part."""
    totals = compute_totals([LineAmount(1, 8000), LineAmount(1, 2000, taxable=False)], tax_rate_bps=500,
                            discount_cents=1000)
    assert (totals.discount_cents, totals.taxable_cents, totals.tax_cents, totals.total_cents) == (1000, 7200, 360, 9360)


def test_compute_totals_percent_discount_and_cap():
    totals = compute_totals([LineAmount(1, 12345)], tax_rate_bps=0, discount_percent_bps=1000)
    assert (totals.discount_cents, totals.total_cents) == (1235, 11110)
    capped = compute_totals([LineAmount(1, 1000)], tax_rate_bps=825, discount_cents=5000)
    assert (capped.discount_cents, capped.tax_cents, capped.total_cents) == (1000, 0, 0)
    with pytest.raises(ValueError, match="tax rate"):
        compute_totals([LineAmount(1, 1000)], tax_rate_bps=8250)
    with pytest.raises(ValueError):
        compute_totals([LineAmount(0, 1000)], tax_rate_bps=0)


def _quote(biz, **kwargs):
    with biz.session() as s:
        wax = catalogue.create_addon(s, tenant_id=biz.tenant_id, acting_user=None, addon_in=catalogue.AddonIn(
            name="Wax", price_min_cents=2000, price_max_cents=2500, duration_minutes=30))
        values = dict(customer_id=biz.customer_id, title="Spring special", tax_rate_bps=825, discount_cents=1000,
                      lines=[
                          quotes_actions.QuoteLineIn(kind=LineKind.SERVICE, service_id=biz.service_id,
                                                     attributes={"size": "suv"}),
                          quotes_actions.QuoteLineIn(kind=LineKind.ADDON, addon_id=wax.id),
                          quotes_actions.QuoteLineIn(kind=LineKind.CUSTOM, description="Trip fee", unit_price_cents=1500,
                                                     taxable=False),
                      ])
        values.update(kwargs)
        quote = quotes_actions.create_quote(s, tenant_id=biz.tenant_id, acting_user=None, now=NOW,
                                            quote_in=quotes_actions.QuoteCreate(**values))
        quote, token = quotes_actions.send_quote(s, tenant_id=biz.tenant_id, quote_id=quote.id, acting_user=None,
                                                 now=NOW)
        return quote, token


def test_create_quote_prices_lines_and_totals(db):
    biz = make_business()
    quote, token = _quote(biz)
    # Service at the top of its range with size=large: 7000 + 1500; add-on 2500; trip fee 1500 untaxed.
    assert quote.number == "Q-1001" and quote.subtotal_cents == 8500 + 2500 + 1500
    # Discount 1000 split: taxable share 11000/12500 → 880 off → taxable 10120 → tax 834.9 → 835.
    assert (quote.discount_cents, quote.tax_cents, quote.total_cents) == (1000, 835, 12335)
    assert token.startswith(f"{biz.tenant_id}.") and len(token.split(".", 1)[1]) >= 43
    assert quote.token_hash and token not in quote.token_hash
    public = quotes_actions.get_public_quote(token, now=NOW)
    assert public.can_approve and public.total_cents == 12335 and public.service_name == "Wash"
    assert [line.description for line in public.lines] == ["Wash (Large SUV)", "Wax", "Trip fee"]
    assert public.duration_minutes == 120 and public.customer_first_name == "Casey"


def test_quote_allows_one_service_line(db):
    biz = make_business()
    with pytest.raises(Exception, match="one service"):
        quotes_actions.QuoteCreate(customer_id=biz.customer_id, lines=[
            quotes_actions.QuoteLineIn(kind=LineKind.SERVICE, service_id=biz.service_id),
            quotes_actions.QuoteLineIn(kind=LineKind.SERVICE, service_id=biz.service_id)])


def test_approve_quote_with_slot_books_the_appointment(db):
    biz = make_business()
    quote, token = _quote(biz)
    slots = quotes_actions.public_quote_slots(token, start_date=TUESDAY, end_date=TUESDAY, now=NOW)
    assert slots and slots[0].end - slots[0].start == dt.timedelta(minutes=120)
    appointment = quotes_actions.approve_quote_with_slot(token, start=slots[0].start, now=NOW)
    assert appointment.source == "quote" and appointment.start_at == slots[0].start
    assert (appointment.price_quoted_min_cents, appointment.price_quoted_max_cents) == (11500, 11500)
    public = quotes_actions.get_public_quote(token, now=NOW)
    assert public.status == "approved" and not public.can_approve
    with pytest.raises(Conflict, match="already been approved"):
        quotes_actions.approve_quote_with_slot(token, start=slots[1].start, now=NOW)


def test_public_quote_does_not_promise_a_cancelled_visit(db):
    """After the business cancels the visit booked from a quote, the link no longer says when
    the customer is booked."""
    biz = make_business()
    _, token = _quote(biz)
    appointment = quotes_actions.approve_quote_with_slot(token, start=at(TUESDAY, "10:00"), now=NOW)
    assert quotes_actions.get_public_quote(token, now=NOW).booked_start == at(TUESDAY, "10:00")
    with biz.session() as s:
        transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id, to_status="cancelled",
                               now=NOW)
    public = quotes_actions.get_public_quote(token, now=NOW)
    assert public.status == "approved" and public.booked_start is None


def test_approve_quote_with_taken_slot_changes_nothing(db):
    biz = make_business()
    _, token = _quote(biz)
    other = add_customer(biz, "Other Customer", "(918) 555-0177")
    with biz.session() as s:
        book_appointment(s, tenant_id=biz.tenant_id, customer_id=other, service_id=biz.service_id,
                         start=at(TUESDAY, "10:00"), now=NOW)
    with pytest.raises(SlotTaken):
        quotes_actions.approve_quote_with_slot(token, start=at(TUESDAY, "10:00"), now=NOW)
    assert quotes_actions.get_public_quote(token, now=NOW).status == "sent"


def test_quote_links_expire_and_resend_rotates_the_token(db):
    biz = make_business()
    quote, token = _quote(biz, valid_days=3)
    later = NOW + dt.timedelta(days=4)
    with pytest.raises(Conflict, match="expired on"):
        quotes_actions.approve_quote_with_slot(token, start=at(TUESDAY, "10:00"), now=later)
    assert quotes_actions.get_public_quote(token, now=later).status == "expired"
    biz2 = make_business(slug="second")
    quote2, token2 = _quote(biz2)
    with biz2.session() as s:
        _, token3 = quotes_actions.send_quote(s, tenant_id=biz2.tenant_id, quote_id=quote2.id, acting_user=None,
                                              now=NOW)
    with pytest.raises(NotFound, match="not valid"):
        quotes_actions.get_public_quote(token2)
    assert quotes_actions.get_public_quote(token3, now=NOW).number == quote2.number


def test_quote_valid_days_last_the_whole_last_day(db):
    """A quote "valid 3 days" sent Monday 06:00 is open all Thursday and expired Friday 00:00."""
    biz = make_business()
    quote, token = _quote(biz, valid_days=3)
    assert quote.expires_at == at(NOW.date() + dt.timedelta(days=4), "00:00")
    thursday_evening = at(NOW.date() + dt.timedelta(days=3), "18:00")
    assert quotes_actions.get_public_quote(token, now=thursday_evening).status == "sent"
    friday = at(NOW.date() + dt.timedelta(days=4), "00:00")
    assert quotes_actions.get_public_quote(token, now=friday).status == "expired"
    with pytest.raises(Conflict, match="expired on Mar 5, 2026"):  # the last valid day, not Friday
        quotes_actions.approve_quote_with_slot(token, start=at(TUESDAY, "10:00"), now=friday)
    with biz.session() as s:
        assert [row.expires for row in quotes_views.quote_rows(s, tenant_id=biz.tenant_id)] == ["Mar 5, 2026"]


def test_quote_tokens_cannot_cross_tenants(db):
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    _, token = _quote(a)
    secret = token.split(".", 1)[1]
    for forged in (f"{b.tenant_id}.{secret}", f"{a.tenant_id}.{secret[:-1]}x", "garbage", "", None, "a.b"):
        with pytest.raises(NotFound, match="not valid"):
            quotes_actions.get_public_quote(forged)


def test_decline_quote(db):
    biz = make_business()
    _, token = _quote(biz)
    quotes_actions.decline_quote(token, reason="Too pricey", now=NOW)
    with pytest.raises(Conflict, match="declined"):
        quotes_actions.approve_quote_with_slot(token, start=at(TUESDAY, "10:00"), now=NOW)


def _completed(biz, charged=None, addon=True):
    with biz.session() as s:
        addon_ids = []
        if addon:
            wax = catalogue.create_addon(s, tenant_id=biz.tenant_id, acting_user=None, addon_in=catalogue.AddonIn(
                name="Wax", price_min_cents=2000, price_max_cents=2500, duration_minutes=30))
            addon_ids = [wax.id]
        appointment = book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                       service_id=biz.service_id, start=at(TUESDAY, "10:00"), addon_ids=addon_ids,
                                       now=NOW)
        transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id, to_status="completed",
                               price_charged_cents=charged, now=at(TUESDAY, "12:00"))
        return appointment


def test_invoice_from_completed_appointment(db):
    biz = make_business()
    appointment = _completed(biz, charged=9000)
    with biz.session() as s:
        invoice = invoices_actions.create_invoice_from_appointment(
            s, tenant_id=biz.tenant_id, appointment_id=appointment.id, tax_rate_bps=825, discount_cents=500,
            acting_user=None, now=NOW)
        lines = invoices_service.get_lines(s, tenant_id=biz.tenant_id, invoice_id=invoice.id)
        assert [(line.description, line.total_cents) for line in lines] == [("Wash — Mar 3, 2026", 7000), ("Wax", 2000)]
        assert (invoice.number, invoice.status, invoice.subtotal_cents, invoice.discount_cents) == ("INV-1001", "draft",
                                                                                                    9000, 500)
        assert (invoice.tax_cents, invoice.total_cents) == (701, 9201)  # 8.25% of 8500 = 701.25
        assert invoice.created_at == NOW  # dated when it was raised (imports and the demo raise past ones)
        with pytest.raises(Conflict, match="already has invoice INV-1001"):
            invoices_actions.create_invoice_from_appointment(s, tenant_id=biz.tenant_id,
                                                             appointment_id=appointment.id, acting_user=None)


def test_invoice_requires_completed_appointment(db):
    biz = make_business()
    with biz.session() as s:
        appointment = book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                       service_id=biz.service_id, start=at(TUESDAY, "10:00"), now=NOW)
        with pytest.raises(Conflict, match="Only completed"):
            invoices_actions.create_invoice_from_appointment(s, tenant_id=biz.tenant_id,
                                                             appointment_id=appointment.id, acting_user=None)


def test_invoice_payments_and_status(db):
    biz = make_business()
    appointment = _completed(biz, charged=5000, addon=False)
    with biz.session() as s:
        invoice = invoices_actions.create_invoice_from_appointment(s, tenant_id=biz.tenant_id,
                                                                   appointment_id=appointment.id, tax_rate_bps=0,
                                                                   acting_user=None)
        invoices_actions.send_invoice(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, acting_user=None)
        invoices_actions.record_payment(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, amount_cents=2000,
                                        method="cash", acting_user=None)
        assert (invoice.status, invoice.balance_cents) == ("sent", 3000)
        with pytest.raises(UserError, match=r"\$40 is more than the balance of \$30"):
            invoices_actions.record_payment(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, amount_cents=4000,
                                            acting_user=None)
        with pytest.raises(UserError, match="Payment method"):
            invoices_actions.record_payment(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, amount_cents=100,
                                            method="bitcoin", acting_user=None)
        with pytest.raises(Conflict, match="payments recorded"):
            invoices_actions.void_invoice(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, reason="x",
                                          acting_user=None)
        invoices_actions.record_payment(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, amount_cents=3000,
                                        method="card", acting_user=None)
        assert invoice.status == "paid" and invoice.paid_at is not None
        assert len(invoices_service.get_payments(s, tenant_id=biz.tenant_id, invoice_id=invoice.id)) == 2
        with pytest.raises(Conflict, match="already paid"):
            invoices_actions.record_payment(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, amount_cents=1,
                                            acting_user=None)


def test_manual_invoice_draft_edit_and_void(db):
    biz = make_business()
    with biz.session() as s:
        invoice = invoices_actions.create_invoice(s, tenant_id=biz.tenant_id, acting_user=None,
                                                  invoice_in=invoices_actions.InvoiceCreate(
                                                      customer_id=biz.customer_id, tax_rate_bps=500,
                                                      discount_percent_bps=1000,
                                                      lines=[invoices_actions.InvoiceLineIn(description="Gift card",
                                                                                            unit_price_cents=10000,
                                                                                            taxable=False)]))
        assert (invoice.discount_cents, invoice.tax_cents, invoice.total_cents) == (1000, 0, 9000)
        invoices_actions.update_draft_invoice(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, acting_user=None,
                                              lines=[invoices_actions.InvoiceLineIn(description="Labor", quantity=2,
                                                                                    unit_price_cents=4500)],
                                              discount_cents=0)
        assert (invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents) == (9000, 450, 9450)
        with pytest.raises(UserError, match="Say why"):
            invoices_actions.void_invoice(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, reason=" ",
                                          acting_user=None)
        invoices_actions.void_invoice(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, reason="Duplicate",
                                      acting_user=None)
        assert invoice.status == "void"
        with pytest.raises(Conflict, match="only drafts"):
            invoices_actions.update_draft_invoice(s, tenant_id=biz.tenant_id, invoice_id=invoice.id,
                                                  acting_user=None, notes="x")


def test_create_invoice_from_appointment_never_exceeds_the_charged_price(db):
    """A job charged $15 with a $20 add-on is invoiced for $15, not the add-on's list price."""
    biz = make_business()
    appointment = _completed(biz, charged=1500)
    with biz.session() as s:
        invoice = invoices_actions.create_invoice_from_appointment(
            s, tenant_id=biz.tenant_id, appointment_id=appointment.id, tax_rate_bps=0, acting_user=None, now=NOW)
        lines = invoices_service.get_lines(s, tenant_id=biz.tenant_id, invoice_id=invoice.id)
        assert [line.total_cents for line in lines] == [0, 1500]
        assert invoice.total_cents == 1500


def test_manual_invoice_is_dated_when_it_was_raised(db):
    biz = make_business()
    with biz.session() as s:
        invoice = invoices_actions.create_invoice(
            s, tenant_id=biz.tenant_id, acting_user=None, now=NOW,
            invoice_in=invoices_actions.InvoiceCreate(customer_id=biz.customer_id, lines=[
                invoices_actions.InvoiceLineIn(description="Wash", unit_price_cents=5000)]))
        assert (invoice.created_at, invoice.due_date) == (NOW, NOW.astimezone(CHICAGO).date() + dt.timedelta(days=14))


def test_send_invoice_settles_a_zero_total_invoice(db):
    """A fully discounted invoice owes nothing: sending it marks it paid (no payment could close it)."""
    biz = make_business()
    with biz.session() as s:
        invoice = manual_invoice(s, biz, "Comp wash", discount_percent_bps=10000)
        invoices_actions.send_invoice(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, acting_user=None, now=NOW)
        assert (invoice.status, invoice.balance_cents, invoice.paid_at) == ("paid", 0, NOW)


def test_record_payment_refuses_a_future_date(db):
    """A payment dated next year is a typo; it is refused and nothing changes."""
    biz = make_business()
    with biz.session() as s:
        invoice = manual_invoice(s, biz)
        with pytest.raises(UserError, match="future"):
            invoices_actions.record_payment(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, amount_cents=5000,
                                            received_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30),
                                            acting_user=None)
        assert (invoice.status, invoice.amount_paid_cents) == ("draft", 0)
        assert invoices_service.get_payments(s, tenant_id=biz.tenant_id, invoice_id=invoice.id) == []


def test_create_invoice_from_appointment_booked_by_quote_matches_the_quote(db):
    """The customer approved $123.35 (untaxed trip fee, $10 off, 8.25% tax); the invoice for that
    job, charged the quoted price, is for the same $123.35 with the same lines."""
    biz = make_business()
    quote, token = _quote(biz)
    appointment = quotes_actions.approve_quote_with_slot(token, start=at(TUESDAY, "10:00"), now=NOW)
    with biz.session() as s:
        transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id, to_status="completed",
                               now=at(TUESDAY, "12:00"))
        invoice = invoices_actions.create_invoice_from_appointment(
            s, tenant_id=biz.tenant_id, appointment_id=appointment.id, acting_user=None, now=at(TUESDAY, "12:00"))
        lines = invoices_service.get_lines(s, tenant_id=biz.tenant_id, invoice_id=invoice.id)
        assert [(line.description, line.total_cents, line.taxable) for line in lines] == [
            ("Wash (Large SUV) — Mar 3, 2026", 8500, True), ("Wax", 2500, True), ("Trip fee", 1500, False)]
        assert (invoice.discount_cents, invoice.tax_rate_bps, invoice.tax_cents, invoice.total_cents) == (
            quote.discount_cents, 825, quote.tax_cents, quote.total_cents) == (1000, 825, 835, 12335)
