"""Pricing (ranges, attribute synonyms, add-ons, deposits) and service-area checks (ZIP list,
prefixes, haversine radius, customer-facing messages)."""

from __future__ import annotations

import pytest

from backend.errors import NotFound, UserError
from backend.scheduling import catalogue, pricing
from backend.scheduling.area import (
    check_service_area,
    haversine_miles,
    set_service_area,
)
from tests.scheduling_helpers import make_business

TULSA = (36.1540, -95.9928)
BROKEN_ARROW = (36.0526, -95.7908)
OKLAHOMA_CITY = (35.4676, -97.5164)


def quote(biz, **kwargs):
    with biz.session() as db:
        return pricing.quote_price(db, tenant_id=biz.tenant_id, service_id=biz.service_id, **kwargs)


def test_quote_price_default_attribute(db):
    biz = make_business()
    q = quote(biz)
    assert (q.min_cents, q.max_cents, q.duration_minutes) == (5000, 7000, 60)
    assert q.attributes == {"size": "small"}
    assert [line.kind for line in q.lines] == ["service"]
    assert q.deposit_cents == 1000


@pytest.mark.parametrize("given", ["large", "Large SUV", "suv", "CROSSOVER", "  truck "])
def test_quote_price_attribute_by_value_label_or_synonym(db, given):
    biz = make_business()
    q = quote(biz, attributes={"size": given})
    assert (q.min_cents, q.max_cents, q.duration_minutes) == (6500, 8500, 90)
    assert q.attributes == {"size": "large"}
    assert q.lines[1].label == "Vehicle size: Large SUV"


def test_quote_price_unknown_option_lists_choices(db):
    biz = make_business()
    with pytest.raises(UserError, match="'boat' is not a vehicle size we price; choose one of: Small car, Large SUV"):
        quote(biz, attributes={"size": "boat"})


def test_quote_price_ignores_attributes_the_service_does_not_use(db):
    biz = make_business()
    assert quote(biz, attributes={"lot_size": "xl"}).min_cents == 5000


def test_quote_price_addons(db):
    biz = make_business()
    with biz.session() as s:
        wax = catalogue.create_addon(s, tenant_id=biz.tenant_id, acting_user=None, addon_in=catalogue.AddonIn(
            name="Wax", price_min_cents=2000, price_max_cents=3000, duration_minutes=30))
        other = catalogue.create_service(s, tenant_id=biz.tenant_id, acting_user=None, service_in=catalogue.ServiceIn(
            name="Other", duration_minutes=30, price_min_cents=1000, price_max_cents=1000))
        limited = catalogue.create_addon(s, tenant_id=biz.tenant_id, acting_user=None, service_ids=[other.id],
                                         addon_in=catalogue.AddonIn(name="Tire shine", price_min_cents=500,
                                                                    price_max_cents=500))
    q = quote(biz, addon_ids=[wax.id], attributes={"size": "large"})
    assert (q.min_cents, q.max_cents, q.duration_minutes) == (8500, 11500, 120)
    assert q.addon_ids == [wax.id]
    with pytest.raises(UserError, match="Tire shine is not available with Wash"):
        quote(biz, addon_ids=[limited.id])
    with pytest.raises(NotFound):
        quote(biz, addon_ids=["missing"])


def test_quote_price_inactive_service_and_foreign_ids(db):
    biz = make_business()
    other = make_business(slug="other-co")
    with biz.session() as s:
        with pytest.raises(NotFound):
            pricing.quote_price(s, tenant_id=biz.tenant_id, service_id=other.service_id)
        catalogue.update_service(s, tenant_id=biz.tenant_id, service_id=biz.service_id, acting_user=None,
                                 service_in=catalogue.ServiceIn(name="Wash", duration_minutes=60, price_min_cents=5000,
                                                                price_max_cents=7000, active=False))
    with pytest.raises(UserError, match="not currently offered"):
        quote(biz)


def test_quote_services_adds_durations(db):
    biz = make_business()
    with biz.session() as s:
        other = catalogue.create_service(s, tenant_id=biz.tenant_id, acting_user=None, service_in=catalogue.ServiceIn(
            name="Vacuum", duration_minutes=30, price_min_cents=2500, price_max_cents=3500))
        q = pricing.quote_services(s, tenant_id=biz.tenant_id, service_ids=[biz.service_id, other.id])
    assert (q.min_cents, q.max_cents, q.duration_minutes) == (7500, 10500, 90)


def test_haversine_miles_known_distances():
    assert haversine_miles(*TULSA, *TULSA) == 0
    assert 95 < haversine_miles(*TULSA, *OKLAHOMA_CITY) < 100
    assert 10 < haversine_miles(*TULSA, *BROKEN_ARROW) < 15


def area(biz, **kwargs):
    with biz.session() as s:
        return check_service_area(s, tenant_id=biz.tenant_id, **kwargs)


def configure(biz, **kwargs):
    with biz.session() as s:
        set_service_area(s, tenant_id=biz.tenant_id, acting_user=None, **kwargs)


def test_check_service_area_unrestricted(db):
    biz = make_business()
    assert area(biz, postal_code="10001").in_area


def test_check_service_area_zip_list_and_prefix(db):
    biz = make_business()
    configure(biz, zips=["741*", "74012"])
    assert area(biz, postal_code="74105").in_area
    assert area(biz, postal_code="74012").in_area
    result = area(biz, postal_code="74013")
    assert not result.in_area and result.reason == "outside"
    assert result.message == "Sorry — ZIP 74013 is outside our service area. We serve ZIP codes 74012, 741xx."


def test_check_service_area_zip_from_address_text(db):
    biz = make_business()
    configure(biz, zips=["741*"], description="the Tulsa metro")
    assert area(biz, address_text="12 Oak St, Tulsa, OK 74105-1234").in_area
    outside = area(biz, address_text="1 Main St, Dallas TX 75201")
    assert not outside.in_area and "75201" in outside.message and "the Tulsa metro" in outside.message


def test_check_service_area_radius(db):
    biz = make_business()
    configure(biz, base_latitude=TULSA[0], base_longitude=TULSA[1], radius_miles=25)
    near = area(biz, latitude=BROKEN_ARROW[0], longitude=BROKEN_ARROW[1])
    assert near.in_area and near.reason == "radius" and 10 < near.distance_miles < 15
    far = area(biz, latitude=OKLAHOMA_CITY[0], longitude=OKLAHOMA_CITY[1])
    assert not far.in_area
    assert far.message.startswith("Sorry — that address is 9") and "within 25 miles of our base" in far.message


def test_check_service_area_zip_or_radius(db):
    """Either rule admits an address: a listed ZIP far away, or a nearby point off the list."""
    biz = make_business()
    configure(biz, zips=["73102"], base_latitude=TULSA[0], base_longitude=TULSA[1], radius_miles=25)
    assert area(biz, postal_code="73102", latitude=OKLAHOMA_CITY[0], longitude=OKLAHOMA_CITY[1]).in_area
    assert area(biz, postal_code="74012", latitude=BROKEN_ARROW[0], longitude=BROKEN_ARROW[1]).in_area
    outside = area(biz, postal_code="73401", latitude=34.17, longitude=-97.14)
    assert not outside.in_area and "ZIP 73401 (" in outside.message


def test_check_service_area_unknown_address_asks_for_zip(db):
    biz = make_business()
    configure(biz, zips=["741*"])
    result = area(biz, address_text="somewhere nice")
    assert not result.in_area and result.reason == "unknown"
    assert result.message.startswith("Please tell us the ZIP code")


def test_set_service_area_validates(db):
    biz = make_business()
    with pytest.raises(UserError, match="not a ZIP code"):
        configure(biz, zips=["tulsa"])
    with pytest.raises(UserError, match="latitude and longitude"):
        configure(biz, radius_miles=10)
    configure(biz, zips=["741xx"])
    assert area(biz, postal_code="74133").in_area
