"""Industry packs: every data file validates and is realistic; apply_pack seeds a tenant once
(idempotent, keeps the tenant's edits); SMS templates render from the tenant's own copy."""

from __future__ import annotations

import pytest
from sqlmodel import select

from backend.errors import NotFound, UserError
from backend.packs import service as packs_service
from backend.packs.actions import FaqEntryIn, apply_pack, update_faq_entry
from backend.packs.loader import get_pack, list_packs
from backend.packs.schema import INDUSTRY_KEYS, SMS_TEMPLATE_KEYS, check_template_body
from backend.scheduling import pricing, templates
from backend.scheduling import service as scheduling_service
from backend.scheduling.actions import book_appointment
from backend.scheduling.models import ServiceModifier
from tests import factories
from tests.scheduling_helpers import NOW, TUESDAY, at, make_business


def test_list_packs_has_every_industry():
    assert [p.key for p in list_packs()] == list(INDUSTRY_KEYS)
    with pytest.raises(NotFound, match="choose one of"):
        get_pack("plumbing")


@pytest.mark.parametrize("pack", list_packs(), ids=lambda p: p.key)
def test_pack_content_is_complete_and_realistic(pack):
    assert len(pack.services) >= 3 and pack.addons
    assert len(pack.jokes) >= 3 and len(pack.faq) >= 3
    assert set(pack.sms_templates) == set(SMS_TEMPLATE_KEYS)
    assert any(o.digit == "7" and o.action == "joke" for o in pack.ivr.menu)
    assert pack.agent_instructions.strip() and pack.weather.policy
    for service in pack.services:
        assert 0 <= service.price_min_cents <= service.price_max_cents <= 200_000, service.key
        assert service.price_max_cents % 100 == 0, "US small-business prices are whole dollars"
        if service.key not in ("consultation",):
            assert service.price_min_cents >= 2000, service.key
    assert pack.attributes, "every pack prices by an asset attribute"


def test_pack_asset_attributes_per_industry():
    expected = {"auto_detailing": "vehicle_size", "lawn_care": "lot_size", "house_cleaning": "home_size",
                "pet_grooming": "breed_size", "photography": "session_length", "other_services": "job_size"}
    for key, attribute in expected.items():
        assert attribute in {a.key for a in get_pack(key).attributes}
    assert {"coat_type"} <= {a.key for a in get_pack("pet_grooming").attributes}
    assert get_pack("lawn_care").weather.sensitive and "rain" in get_pack("lawn_care").weather.cancels_on


def test_pack_vocabulary_has_synonyms():
    detailing = get_pack("auto_detailing")
    full = next(s for s in detailing.services if s.key == "full_detail")
    assert "complete detail" in full.synonyms
    suv = next(o for o in detailing.attribute("vehicle_size").options if o.value == "small_suv")
    assert "crossover" in suv.synonyms


def test_apply_pack_is_idempotent(db):
    tenant = factories.make_tenant(industry="lawn_care")
    with factories.tenant_session(tenant.id) as db_:
        first = apply_pack(db_, tenant_id=tenant.id, pack="lawn_care")
        second = apply_pack(db_, tenant_id=tenant.id, pack="lawn_care")
        assert first.services == 6 and first.faq_entries == 7 and first.sms_templates == 5 and first.profile
        assert not second.changed
        services = scheduling_service.list_services(db_, tenant_id=tenant.id)
        assert len(services) == 6
        assert len(db_.exec(select(ServiceModifier)).all()) == first.modifiers
        settings = scheduling_service.get_booking_settings(db_, tenant_id=tenant.id)
        assert settings.weather_sensitive and settings.min_notice_minutes == 1440
        assert len(scheduling_service.get_business_hours(db_, tenant_id=tenant.id)) == 6
        profile = packs_service.get_pack_profile(db_, tenant_id=tenant.id)
        assert profile.ivr_greeting.startswith("Thanks for calling ") and "{" not in profile.ivr_greeting
        assert len(profile.jokes) >= 3


def test_apply_pack_keeps_tenant_edits(db):
    tenant = factories.make_tenant(industry="house_cleaning")
    with factories.tenant_session(tenant.id) as db_:
        apply_pack(db_, tenant_id=tenant.id, pack="house_cleaning")
        entry = packs_service.list_faq_entries(db_, tenant_id=tenant.id)[0]
        update_faq_entry(db_, tenant_id=tenant.id, faq_entry_id=entry.id, acting_user=None,
                         entry_in=FaqEntryIn(question=entry.question, answer="Our own answer.", keywords=["x"]))
        templates.update_sms_template(db_, tenant_id=tenant.id, key="reminder", acting_user=None,
                                      body="See you {date} at {time}, {customer_first_name}!")
        apply_pack(db_, tenant_id=tenant.id, pack="house_cleaning")
        assert packs_service.access_faq_entry_by_id(db_, tenant_id=tenant.id, faq_entry_id=entry.id).answer == \
            "Our own answer."
        assert templates.get_template_body(db_, tenant_id=tenant.id, key="reminder").startswith("See you")


def test_apply_pack_prices_match_pack_modifiers(db):
    """Full Detail on a 3-row SUV, heavily soiled: base + large + heavy."""
    tenant = factories.make_tenant()
    with factories.tenant_session(tenant.id) as db_:
        apply_pack(db_, tenant_id=tenant.id, pack="auto_detailing")
        service = scheduling_service.get_service_by_name(db_, tenant_id=tenant.id, name="the works")
        quote = pricing.quote_price(db_, tenant_id=tenant.id, service_id=service.id,
                                    attributes={"vehicle_size": "minivan", "condition": "filthy"})
    assert (quote.min_cents, quote.max_cents) == (22900 + 6000 + 5000, 29900 + 6000 + 5000)
    assert quote.duration_minutes == 240 + 45 + 45
    assert quote.deposit_cents == round((22900 + 11000) * 0.2)


def test_check_template_body():
    assert check_template_body(" Hi {customer_first_name} ") == "Hi {customer_first_name}"
    with pytest.raises(ValueError, match=r"Unknown placeholder\(s\) \{first\}"):
        check_template_body("Hi {first}")
    with pytest.raises(ValueError, match="Unbalanced"):
        check_template_body("Hi {customer_first_name")


def test_render_sms_template_for_an_appointment(db):
    biz = make_business()
    with biz.session() as s:
        appointment = book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                       service_id=biz.service_id, start=at(TUESDAY, "09:00"), now=NOW)
        text = templates.render_sms_template(s, tenant_id=biz.tenant_id, key="booking_confirmation",
                                             appointment=appointment)
        assert "Hi Casey!" in text and "Wash" in text and "Tue, Mar 3 at 9:00 AM" in text
        assert "{" not in text
        on_way = templates.render_sms_template(s, tenant_id=biz.tenant_id, key="on_my_way", appointment=appointment,
                                               extra={"eta_minutes": 20})
        assert on_way.startswith("Alex from") and "about 20 minutes" in on_way
        with pytest.raises(UserError, match="Unknown placeholder"):
            templates.update_sms_template(s, tenant_id=biz.tenant_id, key="reminder", body="{oops}", acting_user=None)
        with pytest.raises(NotFound):
            templates.render_sms_template(s, tenant_id=biz.tenant_id, key="nope")


def test_render_sms_template_refuses_another_tenants_appointment(db):
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    with a.session() as s:
        appointment = book_appointment(s, tenant_id=a.tenant_id, customer_id=a.customer_id, service_id=a.service_id,
                                       start=at(TUESDAY, "09:00"), now=NOW)
    with b.session() as s:
        with pytest.raises(NotFound):
            templates.render_sms_template(s, tenant_id=b.tenant_id, key="reminder", appointment=appointment)
