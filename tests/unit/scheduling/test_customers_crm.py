"""CRM: E.164 phones from any format (tenant default region), search by phone in any format,
name, email, address and tag, households, assets, consent, profile, and derived totals
(first/last job, total jobs, lifetime value)."""

from __future__ import annotations

import pytest

from backend.customers import actions as customers_actions
from backend.customers import service as customers_service
from backend.customers.models import AssetIn, CustomerCreate, CustomerUpdate
from backend.customers.profile import get_customer_profile
from backend.errors import Conflict, NotFound, UserError
from backend.invoices import actions as invoices_actions
from backend.scheduling.actions import book_appointment, transition_appointment
from tests.scheduling_helpers import (
    NOW,
    TUESDAY,
    WEDNESDAY,
    add_customer,
    at,
    make_business,
)


def search(biz, query="", **kwargs):
    with biz.session() as s:
        return [c.name for c in customers_service.search_customers(s, tenant_id=biz.tenant_id, query=query, **kwargs)]


def test_create_customer_normalises_phones_and_address(db):
    biz = make_business()
    with biz.session() as s:
        customer = customers_actions.create_customer(s, tenant_id=biz.tenant_id, acting_user=None, customer_in=CustomerCreate(
            name="  Dana   Diaz ", phones=["918.555.0177", "+1 (918) 555-0178"], email="Dana@Example.COM",
            address_line1="12 Oak Street Apt 3", city="Tulsa", postal_code="74105", tags=["VIP", "Fleet"]))
        assert customer.name == "Dana Diaz" and customer.phone == "+19185550177" and customer.email == "dana@example.com"
        assert [p.phone_e164 for p in customers_service.get_phones(s, tenant_id=biz.tenant_id,
                                                                      customer_id=customer.id)] == [
            "+19185550177", "+19185550178"]
        assert customer.address_key == "12 oak st unit 3|74105"
        assert customers_service.get_tags(s, tenant_id=biz.tenant_id, customer_id=customer.id) == ["fleet", "vip"]


def test_create_customer_refuses_bad_or_taken_phones(db):
    biz = make_business()
    with biz.session() as s:
        with pytest.raises(UserError, match="not a valid phone number"):
            customers_actions.create_customer(s, tenant_id=biz.tenant_id, acting_user=None,
                                              customer_in=CustomerCreate(name="X", phones=["555-12"]))
        with pytest.raises(Conflict, match=r"\(918\) 555-0134 already belongs to Casey Customer"):
            customers_actions.create_customer(s, tenant_id=biz.tenant_id, acting_user=None,
                                              customer_in=CustomerCreate(name="X", phones=["9185550134"]))


def test_phone_region_comes_from_the_tenant(db):
    from sqlmodel import select

    from backend.tenancy.models import TenantConfig

    biz = make_business()
    with biz.session() as s:
        config = s.exec(select(TenantConfig)).one()
        config.phone_region = "GB"
        s.add(config)
    with biz.session() as s:
        customer = customers_actions.create_customer(s, tenant_id=biz.tenant_id, acting_user=None,
                                                     customer_in=CustomerCreate(name="Brit", phones=["020 7946 0018"]))
        assert customer.phone == "+442079460018"


@pytest.mark.parametrize("query", ["(918) 555-0134", "918.555.0134", "+1 918 555 0134", "19185550134", "555-0134",
                                   "0134", "9185550134"])
def test_search_customers_by_phone_in_any_format(db, query):
    biz = make_business()
    add_customer(biz, "Other Person", "+19185550999")
    assert search(biz, query) == ["Casey Customer"]


def test_search_customers_by_name_email_address_and_tag(db):
    biz = make_business()
    add_customer(biz, "Jordan Hayes", "+19185550111", email="jordan@hayes.example", address_line1="2417 E 21st St",
                 city="Tulsa", postal_code="74114", tags=["vip"])
    add_customer(biz, "Ashley Nguyen", "+19185550112", city="Broken Arrow", postal_code="74012")
    assert search(biz, "jordan") == ["Jordan Hayes"]
    assert search(biz, "hayes jordan") == ["Jordan Hayes"]
    assert search(biz, "HAYES.EXAMPLE") == ["Jordan Hayes"]
    assert search(biz, "21st") == ["Jordan Hayes"]
    assert search(biz, "broken arrow") == ["Ashley Nguyen"]
    assert search(biz, "74012") == ["Ashley Nguyen"]
    assert search(biz, tag="VIP") == ["Jordan Hayes"]
    assert search(biz, "tag:vip jordan") == ["Jordan Hayes"]
    assert search(biz, "tag:vip ashley") == []
    assert search(biz, "Jordon Hayse") == ["Jordan Hayes"]  # typo → fuzzy match
    assert search(biz, "100%_") == []


def test_search_customers_stays_in_tenant(db):
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    add_customer(a, "Only In A", "+19185550155")
    assert search(b, "Only In A") == [] and search(b, "0155") == []


def test_household_members_share_a_normalised_address(db):
    biz = make_business()
    first = add_customer(biz, "Megan Foster", "+15125550121", address_line1="4609 Avenue G", postal_code="78751")
    add_customer(biz, "Hannah Foster", "+15125550126", address_line1="4609 Ave. G", postal_code="78751-2233")
    add_customer(biz, "Neighbour", "+15125550127", address_line1="4611 Avenue G", postal_code="78751")
    with biz.session() as s:
        assert [c.name for c in customers_service.get_household(s, tenant_id=biz.tenant_id, customer_id=first)] == [
            "Hannah Foster"]


def test_get_household_needs_a_street_line(db):
    """Two customers with only "Apt 3" in the same ZIP are not a household."""
    biz = make_business()
    first = add_customer(biz, "Ann Apt", "(918) 555-0191", address_line2="Apt 3", postal_code="74105")
    add_customer(biz, "Ben Apt", "(918) 555-0192", address_line2="Apt 3", postal_code="74105")
    with biz.session() as s:
        assert customers_service.get_household(s, tenant_id=biz.tenant_id, customer_id=first) == []


def test_update_customer_refuses_to_leave_no_name_phone_or_email(db):
    """Clearing a customer's last identifying detail is refused and changes nothing."""
    biz = make_business()
    with biz.session() as s:
        customer = customers_actions.create_customer(s, tenant_id=biz.tenant_id, acting_user=None,
                                                     customer_in=CustomerCreate(name="Only Name"))
        with pytest.raises(UserError, match="at least a name, a phone number or an email"):
            customers_actions.update_customer(s, tenant_id=biz.tenant_id, customer_id=customer.id, acting_user=None,
                                              customer_in=CustomerUpdate(name=""))
        assert customer.name == "Only Name"
        phone_only = customers_actions.create_customer(s, tenant_id=biz.tenant_id, acting_user=None,
                                                       customer_in=CustomerCreate(phones=["918 555 0161"]))
        with pytest.raises(UserError, match="only contact detail"):
            customers_actions.remove_customer_phone(s, tenant_id=biz.tenant_id, customer_id=phone_only.id,
                                                    phone="9185550161", acting_user=None)
        assert phone_only.phone == "+19185550161"
        customers_actions.update_customer(s, tenant_id=biz.tenant_id, customer_id=phone_only.id, acting_user=None,
                                          customer_in=CustomerUpdate(name="Pat"))
        customers_actions.remove_customer_phone(s, tenant_id=biz.tenant_id, customer_id=phone_only.id,
                                                phone="9185550161", acting_user=None)
        assert phone_only.phone == ""


def test_update_customer_phones_tags_assets_vip_consent(db):
    biz = make_business()
    with biz.session() as s:
        kwargs = dict(tenant_id=biz.tenant_id, customer_id=biz.customer_id, acting_user=None)
        customers_actions.update_customer(s, customer_in=CustomerUpdate(address_line1="99 Elm Rd", city="Tulsa"),
                                          **kwargs)
        customers_actions.add_customer_phone(s, phone="918 555 0140", make_primary=True, **kwargs)
        customers_actions.remove_customer_phone(s, phone="(918) 555-0134", **kwargs)
        customers_actions.add_customer_tag(s, tag="Repeat", **kwargs)
        asset = customers_actions.add_customer_asset(s, asset_in=AssetIn(kind="vehicle", label="2020 Civic",
                                                                          attributes={"vehicle_size": "sedan"}), **kwargs)
        customers_actions.set_customer_vip(s, is_vip=True, **kwargs)
        customers_actions.set_sms_consent(s, consent="opted_in", **kwargs)
        with pytest.raises(UserError):
            customers_actions.set_sms_consent(s, consent="maybe", **kwargs)
        customer = customers_service.access_customer_by_id(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id)
        assert customer.phone == "+19185550140" and customer.address_key == "99 elm rd|74105"
        assert customer.is_vip and customer.sms_consent == "opted_in"
        assert customers_service.get_tags(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id) == ["repeat"]
        assert customers_service.get_by_phone(s, tenant_id=biz.tenant_id, phone_e164="+19185550134") is None
        assert customers_service.get_assets(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id)[0].id == asset.id


def test_get_or_create_by_phone_unchanged(db):
    biz = make_business()
    with biz.session() as s:
        existing, created = customers_service.get_or_create_by_phone(s, tenant_id=biz.tenant_id,
                                                                     phone_e164="+19185550134", source="sms")
        assert existing.id == biz.customer_id and not created
        fresh, created = customers_service.get_or_create_by_phone(s, tenant_id=biz.tenant_id,
                                                                  phone_e164="+19185550199", source="sms")
        assert created and fresh.source == "sms" and fresh.phone == "+19185550199"


def _complete(biz, day, time, charged):
    with biz.session() as s:
        appointment = book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                       service_id=biz.service_id, start=at(day, time), now=NOW)
        transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id, to_status="completed",
                               price_charged_cents=charged, now=at(day, "18:00"))
        return appointment


def _customer(biz):
    with biz.session() as s:
        return customers_service.access_customer_by_id(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id)


def test_lifetime_value_from_completed_jobs_and_paid_invoices(db):
    """Uninvoiced completed jobs count at their charged price; invoiced ones count what was paid."""
    biz = make_business()
    first = _complete(biz, TUESDAY, "09:00", 6000)
    customer = _customer(biz)
    assert (customer.total_jobs, customer.lifetime_value_cents) == (1, 6000)
    assert customer.first_job_at == customer.last_job_at == at(TUESDAY, "09:00")

    second = _complete(biz, WEDNESDAY, "09:00", 7000)
    customer = _customer(biz)
    assert (customer.total_jobs, customer.lifetime_value_cents) == (2, 13000)
    assert customer.last_job_at == at(WEDNESDAY, "09:00")

    with biz.session() as s:
        invoice = invoices_actions.create_invoice_from_appointment(s, tenant_id=biz.tenant_id,
                                                                   appointment_id=second.id, tax_rate_bps=1000,
                                                                   acting_user=None)
    assert _customer(biz).lifetime_value_cents == 6000  # invoiced, nothing paid yet
    with biz.session() as s:
        invoices_actions.record_payment(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, amount_cents=5000,
                                        acting_user=None)
    assert _customer(biz).lifetime_value_cents == 11000
    with biz.session() as s:
        invoices_actions.record_payment(s, tenant_id=biz.tenant_id, invoice_id=invoice.id, amount_cents=2700,
                                        acting_user=None)
    assert _customer(biz).lifetime_value_cents == 6000 + 7700  # paid in full, tax included
    assert first.id != second.id


def test_customer_profile(db):
    biz = make_business()
    _complete(biz, TUESDAY, "09:00", 6000)
    with biz.session() as s:
        book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id, service_id=biz.service_id,
                         start=at(WEDNESDAY, "10:00"), now=NOW)
        profile = get_customer_profile(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                       now=at(TUESDAY, "20:00"))
    assert [a.service_name for a in profile.upcoming] == ["Wash"]
    assert [a.appointment.status for a in profile.history] == ["completed"]
    assert profile.history[0].technician_name == "Alex Tech"
    assert [p.phone_e164 for p in profile.phones] == ["+19185550134"]
    other = make_business(slug="someone-else")
    with other.session() as s:
        with pytest.raises(NotFound):
            get_customer_profile(s, tenant_id=other.tenant_id, customer_id=biz.customer_id)
