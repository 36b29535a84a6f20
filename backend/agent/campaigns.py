"""Seams the loyalty and campaign work fills: what campaign a customer recently received, and
their points balance.

`campaign_context(db, tenant_id=..., customer_id=...)` asks the registered campaign provider
(the loyalty area registers one with `register_campaign_provider`). Until one is registered it
falls back to what the messaging outbox proves: a campaign or marketing text actually sent to
the customer's number in the last 14 days (its wording, nothing more). Otherwise None.

`loyalty_balance(...)` asks the registered loyalty provider and returns None when there is none,
so the agent says plainly that it cannot see points instead of inventing a number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import threading
from collections.abc import Callable

from sqlmodel import Session, col, select

from backend.customers import service as customers_service
from backend.messaging.enums import MessageKind, OutboundStatus
from backend.messaging.models import OutboundMessage

log = logging.getLogger(__name__)

CAMPAIGN_LOOKBACK = dt.timedelta(days=14)
_CAMPAIGN_KINDS = (MessageKind.CAMPAIGN.value, MessageKind.MARKETING.value)

# Words that refer back to a campaign text ("got your text", "what's the deal?", "welcome back").
CAMPAIGN_REFERENCE = re.compile(
    r"\b(?:your (?:text|message|msg|offer|promo|deal|coupon)|the (?:text|message|offer|promo|deal|coupon|special|"
    r"discount)|that (?:text|message|offer|deal|promo)|this (?:offer|deal|promo)|welcome back|points?|rewards?|"
    r"what(?:'s| is) (?:the|this|that) (?:deal|offer|about)|you (?:texted|sent|messaged) me|got (?:a|your) text|"
    r"promo(?:tion)?|coupon|discount|special offer|\d+ ?% off)\b",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True)
class CampaignContext:
    """A campaign the customer received recently."""

    name: str
    body: str  # what the customer was sent
    sent_at: dt.datetime
    offer: str = ""  # e.g. "20% off a Maintenance Detail"; "" when only the text is known
    service_id: str | None = None  # the service the campaign promotes, when known
    points: int | None = None
    source: str = "provider"  # "provider" | "outbox"


@dataclasses.dataclass(frozen=True)
class LoyaltyBalance:
    points: int
    tier: str = ""
    reward_hint: str = ""  # e.g. "100 more points gets you a free wash"


CampaignProvider = Callable[..., "CampaignContext | None"]
LoyaltyProvider = Callable[..., "LoyaltyBalance | None"]

_lock = threading.Lock()
_campaign_provider: CampaignProvider | None = None
_loyalty_provider: LoyaltyProvider | None = None


def register_campaign_provider(fn: CampaignProvider | None) -> CampaignProvider | None:
    """Installs the campaign provider `fn(db, *, tenant_id, customer_id, now)`; None removes it."""
    global _campaign_provider
    with _lock:
        _campaign_provider = fn
    return fn


def register_loyalty_provider(fn: LoyaltyProvider | None) -> LoyaltyProvider | None:
    """Installs the loyalty provider `fn(db, *, tenant_id, customer_id)`; None removes it."""
    global _loyalty_provider
    with _lock:
        _loyalty_provider = fn
    return fn


def campaign_context(
    db: Session, *, tenant_id: str, customer_id: str | None, now: dt.datetime | None = None,
) -> CampaignContext | None:
    """Returns the campaign this customer most recently received, or None."""
    if not customer_id:
        return None
    now = now or dt.datetime.now(dt.timezone.utc)
    provider = _campaign_provider
    if provider is not None:
        try:
            return provider(db, tenant_id=tenant_id, customer_id=customer_id, now=now)
        except Exception:  # a broken provider must not break the conversation
            log.exception("campaign provider failed")
            return None
    try:
        customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    except Exception:
        return None
    phones = [p.phone_e164 for p in customers_service.get_phones(db, tenant_id=tenant_id, customer_id=customer.id)]
    if not phones:
        return None
    row = db.exec(
        select(OutboundMessage)
        .where(OutboundMessage.tenant_id == tenant_id, col(OutboundMessage.to_number).in_(phones),
               col(OutboundMessage.kind).in_(_CAMPAIGN_KINDS),
               OutboundMessage.status != OutboundStatus.SUPPRESSED.value,
               OutboundMessage.created_at >= now - CAMPAIGN_LOOKBACK)
        .order_by(OutboundMessage.created_at.desc())
    ).first()
    if row is None:
        return None
    return CampaignContext(name="our recent text", body=row.body, sent_at=row.created_at, source="outbox")


def loyalty_balance(db: Session, *, tenant_id: str, customer_id: str | None) -> LoyaltyBalance | None:
    """Returns the customer's points from the loyalty provider, or None when unknown."""
    provider = _loyalty_provider
    if provider is None or not customer_id:
        return None
    try:
        return provider(db, tenant_id=tenant_id, customer_id=customer_id)
    except Exception:
        log.exception("loyalty provider failed")
        return None


def refers_to_campaign(text: str) -> bool:
    """Returns whether a message refers back to a text we sent ("your text", "points", "the deal")."""
    return bool(CAMPAIGN_REFERENCE.search(text or ""))
