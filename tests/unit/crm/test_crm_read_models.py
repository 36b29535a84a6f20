"""Read models and actions behind the CRM, quote and invoice pages: list rows, the profile
(household, assets, history, messages), the quote editor's catalogue, draft edits, previews,
expiry days, texting the link, invoice rows/detail, invoiceable jobs and dated payments."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.customers import actions as customers_actions
from backend.customers import views as customers_views
from backend.customers.models import AssetIn
from backend.errors import Conflict, NotFound, UserError
from backend.invoices import actions as invoices_actions
from backend.invoices import views as invoices_views
from backend.quotes import actions as quotes_actions
from backend.quotes import views as quotes_views
from backend.quotes.enums import LineKind
from backend.scheduling import catalogue
from backend.scheduling.actions import book_appointment, transition_appointment
from tests.scheduling_helpers import CHICAGO, NOW, TUESDAY, add_customer, at, make_business


def _rows(biz, query="", **kwargs):
    with biz.session() as s:
        return customers_views.customer_rows(s, tenant_id=biz.tenant_id, query=query, **kwargs)


def test_customer_rows_show_national_phone_tags_and_money(db):
    biz = make_business()
    vip = add_customer(biz, "Vera Vip", "+19185550150", tags=["vip", "fleet"])
    with biz.session() as s:
        customers_actions.set_customer_vip(s, tenant_id=biz.tenant_id, customer_id=vip, is_vip=True, acting_user=None)
    rows = {r.name: r for r in _rows(biz)}
    assert rows["Vera Vip"].phone == "(918) 555-0150" and rows["Vera Vip"].tags == ["fleet", "vip"]
    assert rows["Casey Customer"].lifetime_value == "$0.00" and rows["Casey Customer"].last_job == ""
    assert [r.name for r in _rows(biz, "918.555.0150")] == ["Vera Vip"]
    assert [r.name for r in _rows(biz, vip_only=True)] == ["Vera Vip"]
    assert [r.name for r in _rows(biz, tag="fleet")] == ["Vera Vip"]
    assert [r.name for r in _rows(biz, "Casey", vip_only=True)] == []
    assert [r.name for r in _rows(biz, "Casy Custmer", vip_only=True)] == []  # fuzzy path honours VIP too


def test_customer_profile_has_household_assets_history_and_no_fake_messages(db):
    biz = make_business()  # Casey at 12 Oak Street, 74105
    partner = add_customer(biz, "Pat Customer", "+19185550160", address_line1="12 oak st.", city="Tulsa",
                           postal_code="74105")
    with biz.session() as s:
        customers_actions.add_customer_asset(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id, acting_user=None,
                                             asset_in=AssetIn(kind="vehicle", label="Jeep",
                                                              attributes={"size": "large"}))
        appointment = book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                       service_id=biz.service_id, start=at(TUESDAY, "10:00"), now=NOW)
        transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id, to_status="completed",
                               price_charged_cents=6500, now=at(TUESDAY, "12:00"))
    with biz.session() as s:
        profile = customers_views.customer_profile(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id)
    assert profile.name == "Casey Customer" and profile.primary_phone == "(918) 555-0134"
    assert [(m.id, m.name) for m in profile.household] == [(partner, "Pat Customer")]
    [asset] = profile.assets
    assert asset.kind_label == "Vehicle" and asset.summary == "Vehicle size: Large SUV"
    [job] = profile.appointments
    assert (job.service, job.status, job.price, job.upcoming) == ("Wash", "completed", "$65.00", False)
    assert job.when == "Tue, Mar 3, 2026 · 10:00 AM"
    assert profile.total_jobs == 1 and profile.lifetime_value == "$65.00" and profile.last_job == "Mar 3, 2026"
    assert profile.customer_since == "Mar 3, 2026"  # the first job predates the record
    assert profile.messages == [] and profile.sms_consent_label == "Not asked yet"


def test_customer_profile_lists_real_messages(db):
    from backend.messaging import actions as messaging_actions
    from backend.tenancy.models import TenantPhoneConfig

    biz = make_business()
    with biz.session() as s:
        s.add(TenantPhoneConfig(tenant_id=biz.tenant_id, phone_number="+19185550100"))
        s.flush()
        messaging_actions.send_sms(s, tenant_id=biz.tenant_id, to="+19185550134", body="Your car is ready!",
                                   kind="transactional")
    with biz.session() as s:
        profile = customers_views.customer_profile(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id)
    assert [(m.direction, m.body) for m in profile.messages] == [("out", "Your car is ready!")]


def test_customer_profile_of_another_tenant_is_not_found(db):
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    with b.session() as s:
        with pytest.raises(NotFound):
            customers_views.customer_profile(s, tenant_id=b.tenant_id, customer_id=a.customer_id)
        assert [c["id"] for c in customers_views.customer_choices(s, tenant_id=b.tenant_id, query="Casey")] == [
            b.customer_id]


def _wax(biz):
    with biz.session() as s:
        return catalogue.create_addon(s, tenant_id=biz.tenant_id, acting_user=None, addon_in=catalogue.AddonIn(
            name="Wax", price_min_cents=2000, price_max_cents=2500, duration_minutes=30)).id


def test_quote_catalogue_lists_pricing_attributes_and_addons(db):
    biz = make_business()
    wax = _wax(biz)
    with biz.session() as s:
        cat = quotes_views.quote_catalogue(s, tenant_id=biz.tenant_id)
    [service] = cat.services
    assert service.name == "Wash" and service.price == "$50–$70" and service.addon_ids == [wax]
    [attribute] = service.attributes
    assert attribute.key == "size" and [o.label for o in attribute.options] == ["Small car", "Large SUV"]
    assert cat.addons[0].price == "$20–$25"


def _quote_in(biz, **kwargs):
    values = dict(customer_id=biz.customer_id, tax_rate_bps=825, lines=[
        quotes_actions.QuoteLineIn(kind=LineKind.SERVICE, service_id=biz.service_id, attributes={"size": "large"}),
        quotes_actions.QuoteLineIn(kind=LineKind.CUSTOM, description="Trip fee", unit_price_cents=1500,
                                   taxable=False),
    ])
    values.update(kwargs)
    return quotes_actions.QuoteCreate(**values)


def test_preview_quote_prices_like_create_and_writes_nothing(db):
    from backend.quotes import service as quotes_service

    biz = make_business()
    with biz.session() as s:
        preview = quotes_actions.preview_quote(s, tenant_id=biz.tenant_id, quote_in=_quote_in(biz, customer_id=""))
        assert quotes_service.list_quotes(s, tenant_id=biz.tenant_id) == []
        quote = quotes_actions.create_quote(s, tenant_id=biz.tenant_id, quote_in=_quote_in(biz), acting_user=None,
                                            now=NOW)
    assert [line.description for line in preview.lines] == ["Wash (Large SUV)", "Trip fee"]
    assert (preview.subtotal_cents, preview.tax_cents, preview.total_cents) == (
        quote.subtotal_cents, quote.tax_cents, quote.total_cents) == (10000, 701, 10701)


def test_update_draft_quote_replaces_lines_and_refuses_sent_quotes(db):
    biz = make_business()
    other = add_customer(biz, "Other Person", "+19185550999")
    with biz.session() as s:
        quote = quotes_actions.create_quote(s, tenant_id=biz.tenant_id, quote_in=_quote_in(biz), acting_user=None,
                                            now=NOW)
        quotes_actions.update_draft_quote(
            s, tenant_id=biz.tenant_id, quote_id=quote.id, acting_user=None, now=NOW,
            quote_in=_quote_in(biz, customer_id=other, discount_cents=1000, expires_on=dt.date(2026, 3, 10), lines=[
                quotes_actions.QuoteLineIn(kind=LineKind.SERVICE, service_id=biz.service_id, unit_price_cents=6000)]),
        )
        detail = quotes_views.quote_detail(s, tenant_id=biz.tenant_id, quote_id=quote.id)
        assert (detail.customer, detail.service_price, detail.discount, detail.expires_on) == (
            "Other Person", "60.00", "10.00", "2026-03-10")
        assert detail.total == "$54.13"  # (6000 − 1000) + 8.25% = 5000 + 412.5 → 413
        assert quote.expires_at == dt.datetime(2026, 3, 11, tzinfo=CHICAGO)  # the end of Mar 10, Chicago time
        quotes_actions.send_quote(s, tenant_id=biz.tenant_id, quote_id=quote.id, acting_user=None, now=NOW)
        with pytest.raises(Conflict, match="only drafts"):
            quotes_actions.update_draft_quote(s, tenant_id=biz.tenant_id, quote_id=quote.id, acting_user=None,
                                              quote_in=_quote_in(biz), now=NOW)
        with pytest.raises(UserError, match="in the past"):
            quotes_actions.create_quote(s, tenant_id=biz.tenant_id, acting_user=None, now=NOW,
                                        quote_in=_quote_in(biz, expires_on=dt.date(2026, 3, 1)))


def test_quote_detail_leaves_catalogue_prices_blank_and_rows_show_expiry(db):
    biz = make_business()
    with biz.session() as s:
        quote = quotes_actions.create_quote(s, tenant_id=biz.tenant_id, quote_in=_quote_in(biz), acting_user=None,
                                            now=NOW)
        detail = quotes_views.quote_detail(s, tenant_id=biz.tenant_id, quote_id=quote.id)
        assert detail.service_price == "" and detail.attributes == {"size": "large"}
        assert [c.description for c in detail.custom_lines] == ["Trip fee"] and detail.tax_rate == "8.25"
        quotes_actions.send_quote(s, tenant_id=biz.tenant_id, quote_id=quote.id, acting_user=None, now=NOW)
        # Real time is past the 30-day expiry of a quote sent on NOW: it shows as expired.
        [row] = quotes_views.quote_rows(s, tenant_id=biz.tenant_id)
        assert (row.number, row.customer, row.status, row.total) == ("Q-1001", "Casey Customer", "expired", "$107.01")
        assert quotes_views.quote_rows(s, tenant_id=biz.tenant_id, status="sent") == []


def test_text_quote_link_goes_through_the_outbox_only_for_the_current_link(db):
    from sqlmodel import select

    from backend.messaging.models import OutboundMessage
    from backend.tenancy.models import TenantPhoneConfig

    biz = make_business()
    with biz.session() as s:
        s.add(TenantPhoneConfig(tenant_id=biz.tenant_id, phone_number="+19185550100"))
        quote = quotes_actions.create_quote(s, tenant_id=biz.tenant_id, quote_in=_quote_in(biz), acting_user=None)
        with pytest.raises(Conflict, match="Send the quote first"):
            quotes_actions.text_quote_link(s, tenant_id=biz.tenant_id, quote_id=quote.id, token="x", acting_user=None)
        _, old_token = quotes_actions.send_quote(s, tenant_id=biz.tenant_id, quote_id=quote.id, acting_user=None)
        _, token = quotes_actions.send_quote(s, tenant_id=biz.tenant_id, quote_id=quote.id, acting_user=None)
        with pytest.raises(Conflict):
            quotes_actions.text_quote_link(s, tenant_id=biz.tenant_id, quote_id=quote.id, token=old_token,
                                           acting_user=None)
        quotes_actions.text_quote_link(s, tenant_id=biz.tenant_id, quote_id=quote.id, token=token, acting_user=None)
        [sms] = s.exec(select(OutboundMessage)).all()
    assert sms.to_number == "+19185550134" and sms.body.startswith("Hi Casey, here's your quote Q-1001 from ")
    assert sms.body.endswith(f"/q/{token}")


def test_public_quote_carries_branding_and_the_booked_time(db):
    biz = make_business()
    with biz.session() as s:
        quote = quotes_actions.create_quote(s, tenant_id=biz.tenant_id, quote_in=_quote_in(biz), acting_user=None,
                                            now=NOW)
        _, token = quotes_actions.send_quote(s, tenant_id=biz.tenant_id, quote_id=quote.id, acting_user=None, now=NOW)
    public = quotes_actions.get_public_quote(token, now=NOW)
    assert public.brand_color.startswith("#") and public.business_name and public.booked_start is None
    quotes_actions.approve_quote_with_slot(token, start=at(TUESDAY, "10:00"), now=NOW)
    public = quotes_actions.get_public_quote(token, now=NOW)
    assert public.status == "approved" and public.booked_start == at(TUESDAY, "10:00")


def _completed(biz, charged=9000):
    with biz.session() as s:
        appointment = book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                       service_id=biz.service_id, start=at(TUESDAY, "10:00"), now=NOW)
        transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id, to_status="completed",
                               price_charged_cents=charged, now=at(TUESDAY, "12:00"))
        return appointment.id


def test_invoiceable_appointments_and_invoice_views(db):
    biz = make_business()
    appointment_id = _completed(biz)
    with biz.session() as s:
        [job] = invoices_views.invoiceable_appointments(s, tenant_id=biz.tenant_id)
        assert job.id == appointment_id and job.label == "Mar 3, 2026 · Wash · Casey Customer · $90.00"
        invoice = invoices_actions.create_invoice_from_appointment(s, tenant_id=biz.tenant_id,
                                                                   appointment_id=appointment_id, tax_rate_bps=825,
                                                                   acting_user=None, now=NOW)
        assert invoices_views.invoiceable_appointments(s, tenant_id=biz.tenant_id) == []
        detail = invoices_views.invoice_detail(s, tenant_id=biz.tenant_id, invoice_id=invoice.id)
        assert (detail.number, detail.status, detail.total, detail.balance, detail.balance_input) == (
            "INV-1001", "draft", "$97.43", "$97.43", "97.43")
        assert detail.appointment == "Wash on Mar 3, 2026" and detail.editable and detail.can_pay
        [row] = invoices_views.invoice_rows(s, tenant_id=biz.tenant_id)
        assert (row.customer, row.status_label, row.balance) == ("Casey Customer", "Draft", "$97.43")
        invoices_actions.void_invoice(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, reason="dup",
                                      acting_user=None)
        [row] = invoices_views.invoice_rows(s, tenant_id=biz.tenant_id, status="void")
        assert row.balance == "$0.00"
        # A void invoice frees the job to be invoiced again.
        assert [j.id for j in invoices_views.invoiceable_appointments(s, tenant_id=biz.tenant_id)] == [appointment_id]


def test_record_payment_on_day(db):
    biz = make_business()
    appointment_id = _completed(biz, charged=5000)
    now = dt.datetime(2026, 3, 10, 15, 0, tzinfo=CHICAGO)
    with biz.session() as s:
        invoice = invoices_actions.create_invoice_from_appointment(s, tenant_id=biz.tenant_id, tax_rate_bps=0,
                                                                   appointment_id=appointment_id, acting_user=None)
        with pytest.raises(UserError, match="future"):
            invoices_actions.record_payment_on_day(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, amount_cents=100,
                                                   method="cash", day=dt.date(2026, 3, 11), acting_user=None, now=now)
        earlier = invoices_actions.record_payment_on_day(s, tenant_id=biz.tenant_id, invoice_id=invoice.id,
                                                         amount_cents=2000, method="check", day=dt.date(2026, 3, 5),
                                                         acting_user=None, now=now)
        assert earlier.received_at == dt.datetime(2026, 3, 5, 12, 0, tzinfo=CHICAGO)
        today = invoices_actions.record_payment_on_day(s, tenant_id=biz.tenant_id, invoice_id=invoice.id,
                                                       amount_cents=3000, method="card", day=dt.date(2026, 3, 10),
                                                       acting_user=None, now=now)
        assert today.received_at == now and invoice.status == "paid"
        detail = invoices_views.invoice_detail(s, tenant_id=biz.tenant_id, invoice_id=invoice.id)
        assert [(p.date, p.amount, p.method) for p in detail.payments] == [
            ("Mar 5, 2026", "$20.00", "Check"), ("Mar 10, 2026", "$30.00", "Card")]
        assert not detail.can_pay and not detail.can_void and detail.balance == "$0.00"


def test_invoice_views_refuse_another_tenants_ids(db):
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    appointment_id = _completed(a)
    with a.session() as s:
        invoice = invoices_actions.create_invoice_from_appointment(s, tenant_id=a.tenant_id,
                                                                   appointment_id=appointment_id, acting_user=None)
        quote = quotes_actions.create_quote(s, tenant_id=a.tenant_id, quote_in=_quote_in(a), acting_user=None)
    with b.session() as s:
        with pytest.raises(NotFound):
            invoices_views.invoice_detail(s, tenant_id=b.tenant_id, invoice_id=invoice.id)
        with pytest.raises(NotFound):
            quotes_views.quote_detail(s, tenant_id=b.tenant_id, quote_id=quote.id)
        assert invoices_views.invoice_rows(s, tenant_id=b.tenant_id) == []
        assert quotes_views.quote_rows(s, tenant_id=b.tenant_id) == []
        assert invoices_views.invoiceable_appointments(s, tenant_id=b.tenant_id) == []
        with pytest.raises(NotFound):
            quotes_actions.update_draft_quote(s, tenant_id=b.tenant_id, quote_id=quote.id, acting_user=None,
                                              quote_in=_quote_in(b))
        with pytest.raises(NotFound):
            invoices_actions.record_payment_on_day(s, tenant_id=b.tenant_id, invoice_id=invoice.id, amount_cents=100,
                                                   method="cash", day=dt.date(2026, 3, 5), acting_user=None)
