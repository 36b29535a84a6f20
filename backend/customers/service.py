"""Customer queries and the find-or-create used by every inbound channel."""

from __future__ import annotations

import re

from sqlalchemy import and_, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from backend.customers.models import (
    Customer,
    CustomerAsset,
    CustomerPhone,
    CustomerTag,
    normalise_tag,
)
from backend.errors import NotFound
from backend.phones import to_e164
from backend.tenancy import service as tenancy_service


def access_customer_by_id(db: Session, *, tenant_id: str, customer_id: str) -> Customer:
    """Returns the tenant's customer or raises NotFound (also for another tenant's id)."""
    customer = db.get(Customer, (tenant_id, customer_id)) if isinstance(customer_id, str) else None
    if customer is None:
        raise NotFound("No such customer.")
    return customer


def get_by_phone(db: Session, *, tenant_id: str, phone_e164: str) -> Customer | None:
    """Returns the customer who uses this E.164 number, if any."""
    return db.exec(
        select(Customer)
        .join(CustomerPhone, (CustomerPhone.tenant_id == Customer.tenant_id) & (CustomerPhone.customer_id == Customer.id))
        .where(CustomerPhone.tenant_id == tenant_id, CustomerPhone.phone_e164 == phone_e164)
    ).first()


def get_or_create_by_phone(
    db: Session, *, tenant_id: str, phone_e164: str, source: str
) -> tuple[Customer, bool]:
    """Returns (customer, created) for an inbound number; a new number becomes a new customer.

    Two texts from a new number often arrive together: the one that loses the race to create the
    customer (the phone is unique per tenant) rolls back its savepoint and uses the winner's."""
    existing = get_by_phone(db, tenant_id=tenant_id, phone_e164=phone_e164)
    if existing is not None:
        return existing, False
    customer = Customer(tenant_id=tenant_id, phone=phone_e164, source=source)
    try:
        with db.begin_nested():
            db.add(customer)
            db.flush()
            db.add(CustomerPhone(tenant_id=tenant_id, customer_id=customer.id, phone_e164=phone_e164))
            db.flush()
    except IntegrityError:
        existing = get_by_phone(db, tenant_id=tenant_id, phone_e164=phone_e164)
        if existing is None:
            raise
        return existing, False
    return customer, True


# ---- lookups used by the CRM pages ---------------------------------------------------------


def phone_region(db: Session, *, tenant_id: str) -> str:
    """Returns the tenant's default region for numbers typed without a country code."""
    config = tenancy_service.get_config(db, tenant_id=tenant_id)
    return (config.phone_region if config and config.phone_region else "US").upper()


def get_phones(db: Session, *, tenant_id: str, customer_id: str) -> list[CustomerPhone]:
    return list(
        db.exec(
            select(CustomerPhone)
            .where(CustomerPhone.tenant_id == tenant_id, CustomerPhone.customer_id == customer_id)
            .order_by(CustomerPhone.created_at)
        ).all()
    )


def get_tags(db: Session, *, tenant_id: str, customer_id: str) -> list[str]:
    return list(
        db.exec(
            select(CustomerTag.tag)
            .where(CustomerTag.tenant_id == tenant_id, CustomerTag.customer_id == customer_id)
            .order_by(CustomerTag.tag)
        ).all()
    )


def get_all_tags(db: Session, *, tenant_id: str) -> list[tuple[str, int]]:
    """Returns every tag in use with how many customers carry it."""
    return [
        (tag, count)
        for tag, count in db.exec(
            select(CustomerTag.tag, func.count())
            .where(CustomerTag.tenant_id == tenant_id)
            .group_by(CustomerTag.tag)
            .order_by(CustomerTag.tag)
        ).all()
    ]


def get_assets(db: Session, *, tenant_id: str, customer_id: str) -> list[CustomerAsset]:
    return list(
        db.exec(
            select(CustomerAsset)
            .where(CustomerAsset.tenant_id == tenant_id, CustomerAsset.customer_id == customer_id)
            .order_by(CustomerAsset.created_at)
        ).all()
    )


def access_asset_by_id(db: Session, *, tenant_id: str, asset_id: str) -> CustomerAsset:
    """Returns the tenant's asset or raises NotFound (also for another tenant's id)."""
    asset = db.get(CustomerAsset, (tenant_id, asset_id)) if isinstance(asset_id, str) else None
    if asset is None:
        raise NotFound("No such vehicle, pet or property.")
    return asset


def get_household(db: Session, *, tenant_id: str, customer_id: str) -> list[Customer]:
    """Returns the other customers at the same normalised address (empty without an address)."""
    customer = access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    if not customer.address_key:
        return []
    return list(
        db.exec(
            select(Customer)
            .where(
                Customer.tenant_id == tenant_id,
                Customer.address_key == customer.address_key,
                Customer.id != customer.id,
            )
            .order_by(Customer.name)
        ).all()
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_customers(
    db: Session, *, tenant_id: str, query: str = "", tag: str | None = None, limit: int = 25,
    vip_only: bool = False,
) -> list[Customer]:
    """Returns customers matching a free-text query and/or a tag (and VIPs only, if asked), by name.

    The query matches a phone in any format ("(918) 555-0100", "918.555.0100", "+1 918…", or the
    last digits), an email, words of the name, the street/city/ZIP, or "tag:<name>". Falls back
    to fuzzy name matching (typos) when nothing matches exactly.
    """
    limit = max(1, min(int(limit), 200))
    text = " ".join(str(query or "").split())[:200]
    tags = [tag] if tag else []
    words = []
    for word in text.split(" "):
        if word.lower().startswith("tag:") and len(word) > 4:
            tags.append(word[4:])
        elif word:
            words.append(word)
    text = " ".join(words)
    try:
        tags = [normalise_tag(t) for t in tags]
    except ValueError:
        return []

    statement = select(Customer).where(Customer.tenant_id == tenant_id)
    if vip_only:
        statement = statement.where(Customer.is_vip)
    for wanted in tags:
        statement = statement.where(
            Customer.id.in_(
                select(CustomerTag.customer_id).where(CustomerTag.tenant_id == tenant_id, CustomerTag.tag == wanted)
            )
        )
    if text:
        conditions = []
        digits = re.sub(r"\D", "", text)
        has_letters = bool(re.search(r"[A-Za-z@]", text))
        if len(digits) >= 4 and not has_letters:
            e164 = to_e164(text, phone_region(db, tenant_id=tenant_id))
            phone_match = [CustomerPhone.phone_e164.like(_like(digits), escape="\\")]
            if e164:
                phone_match.append(CustomerPhone.phone_e164 == e164)
            conditions.append(
                Customer.id.in_(
                    select(CustomerPhone.customer_id).where(CustomerPhone.tenant_id == tenant_id, or_(*phone_match))
                )
            )
        if len(digits) == 5 and not has_letters:
            conditions.append(Customer.postal_code.startswith(digits))
        if has_letters or not conditions:
            name_words = text.split(" ")
            conditions.append(and_(*[Customer.name.ilike(_like(w), escape="\\") for w in name_words]))
            conditions.append(Customer.email.ilike(_like(text), escape="\\"))
            conditions.append(Customer.address_line1.ilike(_like(text), escape="\\"))
            conditions.append(Customer.city.ilike(_like(text), escape="\\"))
        statement = statement.where(or_(*conditions))
    found = list(db.exec(statement.order_by(Customer.name, Customer.id).limit(limit)).all())
    if found or not text or not re.search(r"[A-Za-z]", text):
        return found
    return _fuzzy_name_search(db, tenant_id=tenant_id, text=text, tags=tags, limit=limit, vip_only=vip_only)


def _fuzzy_name_search(
    db: Session, *, tenant_id: str, text: str, tags: list[str], limit: int, vip_only: bool = False
) -> list[Customer]:
    from rapidfuzz import fuzz, process

    statement = select(Customer.id, Customer.name).where(Customer.tenant_id == tenant_id, Customer.name != "")
    if vip_only:
        statement = statement.where(Customer.is_vip)
    for wanted in tags:
        statement = statement.where(
            Customer.id.in_(
                select(CustomerTag.customer_id).where(CustomerTag.tenant_id == tenant_id, CustomerTag.tag == wanted)
            )
        )
    candidates = dict(db.exec(statement.limit(5000)).all())
    matches = process.extract(text.lower(), {k: v.lower() for k, v in candidates.items()},
                              scorer=fuzz.WRatio, score_cutoff=80, limit=limit)
    ids = [key for _, _, key in matches]
    if not ids:
        return []
    rows = {c.id: c for c in db.exec(select(Customer).where(Customer.tenant_id == tenant_id, Customer.id.in_(ids))).all()}
    return [rows[i] for i in ids if i in rows]
