"""Knowledge layering (tenant beats pack beats global base), FAQ matching, attribute words from
all three layers, hours text, and the Knowledge page's CRUD actions (admins only, audited)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from backend.agent import actions as agent_actions
from backend.agent.knowledge import build_knowledge
from backend.agent.models import AgentPolicy
from backend.agent.nlu import extract_attributes
from backend.audit.models import AuditLog
from backend.errors import NotFound, PermissionDenied, UserError
from backend.packs.models import FaqEntry, TenantPackProfile
from backend.scheduling.hours import BookingSettingsUpdate, update_booking_settings
from tests import factories
from tests.unit.agent.helpers import make_shop


def knowledge(shop):
    with shop.session() as db:
        return build_knowledge(db, tenant_id=shop.tenant_id)


def admin_of(shop, role: str = "admin"):
    user = factories.make_member(shop.tenant_id, role=role)
    return factories.context_for(user, shop.tenant_id, role=role)


def test_rain_policy_tenant_override_beats_pack_beats_base(shop):
    kn = knowledge(shop)
    assert kn.policy("rain").source == "tenant"  # the pack's text was copied into booking settings
    with shop.session() as db:
        update_booking_settings(db, tenant_id=shop.tenant_id, acting_user=None,
                                settings_in=BookingSettingsUpdate(weather_policy_text=""))
    kn = knowledge(shop)
    assert (kn.policy("rain").source, kn.policy("rain").text[:40]) == (
        "pack", "Exterior services are moved at no charge")
    with shop.session() as db:
        agent_actions.do_set_policy(db, tenant_id=shop.tenant_id, acting_user=admin_of(shop),
                                    policy_in={"key": "rain", "text": "We detail in our covered garage when it rains."})
    assert knowledge(shop).policy("rain").text == "We detail in our covered garage when it rains."


def test_cancellation_policy_base_text_uses_the_tenants_notice_and_an_override_replaces_it(shop):
    kn = knowledge(shop)
    assert (kn.policy("cancellation").source, "24 hours' notice" in kn.policy("cancellation").text) == ("base", True)
    with shop.session() as db:
        agent_actions.do_set_policy(db, tenant_id=shop.tenant_id, acting_user=admin_of(shop),
                                    policy_in={"key": "cancellation", "text": "Cancel free up to 6 hours before."})
    kn = knowledge(shop)
    assert (kn.policy("cancellation").source, kn.policy("cancellation").text) == (
        "tenant", "Cancel free up to 6 hours before.")
    assert kn.fill(kn.match_faq("what is your cancellation policy?").item.answer) == "Cancel free up to 6 hours before."


def test_faq_the_tenants_own_entry_answers_and_the_base_layer_covers_generic_questions(shop):
    with shop.session() as db:
        agent_actions.do_create_faq_entry(db, tenant_id=shop.tenant_id, acting_user=admin_of(shop), entry_in={
            "question": "Do you detail boats?", "answer": "Yes — boats up to 24 ft at the marina.",
            "keywords": ["boat", "boats", "marina"]})
    kn = knowledge(shop)
    assert kn.match_faq("can you guys do my boat?").item.answer == "Yes — boats up to 24 ft at the marina."
    real = kn.match_faq("am I texting a real person or a bot?")
    assert real.item.source == "base" and "Shine Mobile Detailing" in kn.fill(real.item.answer)
    assert kn.match_faq("what's the meaning of life") is None


@pytest.mark.parametrize("text", ["do you guys take cards?", "do you take credit card", "can I pay with apple pay"])
def test_payment_questions_in_everyday_words_find_the_packs_payment_answer(shop, text):
    assert knowledge(shop).match_faq(text).item.question == "How do I pay?"


def test_without_a_tenant_copy_the_pack_faq_is_used(shop):
    with shop.session() as db:
        for row in db.exec(select(FaqEntry)).all():
            db.delete(row)
        db.delete(db.exec(select(TenantPackProfile)).one())
    kn = knowledge(shop)
    match = kn.match_faq("do you need water or power?")
    assert match.item.source == "pack" and "generator" in match.item.answer


def test_deleted_pack_entry_stays_deleted_when_the_tenant_has_its_copy(shop):
    with shop.session() as db:
        for row in db.exec(select(FaqEntry)).all():
            if "water" in row.question.lower():
                db.delete(row)
    match = knowledge(shop).match_faq("do you need water or power at my house?")
    assert match is None or "generator" not in match.item.answer


@pytest.mark.parametrize("text, expected", [
    ("it's a 2021 camry", {"vehicle_size": "sedan"}),
    ("my RAV4", {"vehicle_size": "small_suv"}),
    ("3 row suv", {"vehicle_size": "large"}),
    ("a Ford F-150 that's pretty dirty", {"vehicle_size": "suv", "condition": "heavy"}),
    ("my wife's car, its a 2022 rav4", {"vehicle_size": "small_suv"}),
    ("my suv, a rav4", {"vehicle_size": "small_suv"}),
    ("crew cab truck", {"vehicle_size": "large"}),
])
def test_attribute_words_from_labels_synonyms_and_the_base_layer(shop, text, expected):
    assert extract_attributes(text, knowledge(shop).attribute_specs()) == expected


@pytest.mark.parametrize("text, expected", [
    ("about half an acre", "medium"), ("1 acre", "large"), ("2 acres", "xl"), ("quarter acre lot", "small"),
    ("its like 8000 sq ft", "small"), ("15,000 square feet", "medium"), ("about 30000 sqft", "large"),
    ("60,000 sq ft", "xl"),
])
def test_lot_size_measurements_use_the_base_ranges(db, text, expected):
    lawn = make_shop("lawn", industry="lawn_care", number="+15125550142", zips=("787*",))
    assert extract_attributes(text, knowledge(lawn).attribute_specs())["lot_size"] == expected


def test_hours_text_groups_days(shop):
    kn = knowledge(shop)
    assert kn.hours_text() == "Mon-Fri 8 AM-6 PM, Sat 8 AM-4 PM; closed Sun"
    assert kn.day_hours_text(6) == "We're closed on Sundays."


def test_knowledge_edits_are_for_admins_only_and_audited(shop):
    staff_user = factories.make_member(shop.tenant_id, role="staff")
    staff = factories.context_for(staff_user, shop.tenant_id, role="staff")
    with shop.session() as db, pytest.raises(PermissionDenied):
        agent_actions.do_set_policy(db, tenant_id=shop.tenant_id, acting_user=staff,
                                    policy_in={"key": "parking", "text": "Park on the street."})
    with shop.session() as db, pytest.raises(PermissionDenied):
        agent_actions.do_create_faq_entry(db, tenant_id=shop.tenant_id, acting_user=None,
                                          entry_in={"question": "Parking?", "answer": "Street.", "keywords": ["park"]})
    with shop.session() as db:
        agent_actions.do_set_policy(db, tenant_id=shop.tenant_id, acting_user=admin_of(shop),
                                    policy_in={"key": "parking", "text": "Park on the street, please."})
        assert db.exec(select(AuditLog).where(AuditLog.action == "agent_policy.set")).first() is not None
    with shop.session() as db, pytest.raises(UserError):
        agent_actions.do_set_policy(db, tenant_id=shop.tenant_id, acting_user=admin_of(shop),
                                    policy_in={"key": "Bad Key!", "text": "x" * 10})


def test_policy_delete_restores_the_lower_layer_and_list_reports_sources(shop):
    admin = admin_of(shop)
    with shop.session() as db:
        agent_actions.do_set_policy(db, tenant_id=shop.tenant_id, acting_user=admin,
                                    policy_in={"key": "cancellation", "text": "Same-day cancels cost $25."})
    with shop.session() as db:
        sources = {p.key: p.source for p in agent_actions.list_policies(db, tenant_id=shop.tenant_id)}
        assert sources["cancellation"] == "tenant" and sources["booking"] == "base"
        agent_actions.do_delete_policy(db, tenant_id=shop.tenant_id, key="cancellation", acting_user=admin)
    with shop.session() as db:
        assert db.exec(select(AgentPolicy)).all() == []
        with pytest.raises(NotFound):
            agent_actions.do_delete_policy(db, tenant_id=shop.tenant_id, key="cancellation", acting_user=admin)
    assert knowledge(shop).policy("cancellation").source == "base"


def test_faq_entries_of_another_tenant_are_not_found(shop):
    other = make_shop("other", number="+19185550155")
    with other.session() as db:
        foreign = db.exec(select(FaqEntry)).first().id
    with shop.session() as db, pytest.raises(NotFound):
        agent_actions.do_update_faq_entry(db, tenant_id=shop.tenant_id, faq_entry_id=foreign,
                                          acting_user=admin_of(shop),
                                          entry_in={"question": "Hijack?", "answer": "No.", "keywords": ["x"]})


def test_preview_answer_and_overview(shop):
    with shop.session() as db:
        preview = agent_actions.preview_answer(db, tenant_id=shop.tenant_id, question="what if it rains?")
        overview = agent_actions.knowledge_overview(db, tenant_id=shop.tenant_id)
    assert preview["source"] == "tenant" and "rain" in preview["answer"].lower()
    full = next(s for s in overview["services"] if s["name"] == "Full Detail")
    assert full == {"id": full["id"], "name": "Full Detail", "price": "$229–$299",
                    "price_depends_on": ["Vehicle size", "Vehicle condition"]}
    assert overview["agent_enabled"] is True and overview["mobile"] is True
