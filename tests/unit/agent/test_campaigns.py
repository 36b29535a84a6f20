"""The campaign and loyalty seams: None until something real exists, campaign texts actually
sent are understood ("got your text", "the deal", "welcome back"), a registered provider wins,
and points are stated only when a loyalty provider gives them."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from backend.agent import campaigns
from backend.messaging import actions as messaging_actions
from tests.unit.agent.helpers import CUSTOMER, NOW


@pytest.fixture(autouse=True)
def _no_providers():
    campaigns.register_campaign_provider(None)
    campaigns.register_loyalty_provider(None)
    yield
    campaigns.register_campaign_provider(None)
    campaigns.register_loyalty_provider(None)


def send_campaign(shop, body: str, *, days_ago: int = 2) -> None:
    with shop.session() as db:
        messaging_actions.send_sms(db, tenant_id=shop.tenant_id, to=CUSTOMER, body=body, kind="campaign",
                                   now=NOW - dt.timedelta(days=days_ago), sender_name="campaign")


def context_for(shop):
    from backend.customers import service as customers_service

    with shop.session() as db:
        customer = customers_service.get_by_phone(db, tenant_id=shop.tenant_id, phone_e164=CUSTOMER)
        return campaigns.campaign_context(db, tenant_id=shop.tenant_id, customer_id=customer.id, now=NOW)


def test_no_campaign_means_none(shop):
    shop.add_customer("Pat")
    assert context_for(shop) is None
    with shop.session() as db:
        assert campaigns.campaign_context(db, tenant_id=shop.tenant_id, customer_id=None) is None
        assert campaigns.loyalty_balance(db, tenant_id=shop.tenant_id, customer_id="x") is None


def test_a_recent_campaign_text_becomes_the_context_an_old_one_does_not(shop):
    shop.add_customer("Pat")
    send_campaign(shop, "Old promo", days_ago=30)
    assert context_for(shop) is None
    send_campaign(shop, "Welcome back! 15% off a Maintenance Detail this month.")
    context = context_for(shop)
    assert (context.body, context.source) == ("Welcome back! 15% off a Maintenance Detail this month.", "outbox")


def test_campaign_reference_is_answered_with_the_campaign_and_leads_into_booking(shop):
    shop.add_customer("Pat")
    send_campaign(shop, "Shine: Welcome back! Book a Maintenance Detail this month and get 15% off.")
    reply = shop.text("Got your text, what's the deal?")[0]
    assert reply.startswith("Yes - that was our text from Sun Jun 2")
    assert "15% off" in reply and "didn't catch" not in reply
    assert "What are you driving" in reply  # the promoted service is being booked


def test_a_registered_provider_wins_and_its_points_are_stated(shop):
    shop.add_customer("Pat")

    def provider(db, *, tenant_id, customer_id, now):
        return campaigns.CampaignContext(name="Welcome back", body="Welcome back, Pat! You have 120 points.",
                                         sent_at=now - dt.timedelta(days=1), points=120)

    campaigns.register_campaign_provider(provider)
    assert shop.text("how many points do I have?") == ["You have 120 points with us."]


def test_points_come_from_the_loyalty_provider_or_a_person_is_offered(shop):
    shop.add_customer("Pat")
    assert shop.text("how many reward points do I have?")[0] == (
        "I can't see rewards points from here. Want me to have someone from the team check and text you back?")

    @dataclasses.dataclass
    class Balance:
        points: int = 340
        tier: str = "gold"
        reward_hint: str = "160 more points gets you a free wash."

    campaigns.register_loyalty_provider(lambda db, *, tenant_id, customer_id: Balance())
    assert shop.text("what's my points balance?", phone="+19185551234")[0].startswith("You have 340 points.")


def test_refers_to_campaign():
    for text in ("got your text", "what's the deal?", "welcome back!", "is the 20% off still good", "my points"):
        assert campaigns.refers_to_campaign(text), text
    assert not campaigns.refers_to_campaign("can I book a wash saturday")
