"""Isolation builders for the customers tables."""

from __future__ import annotations

from sqlmodel import Session

from backend.customers.models import Customer, CustomerAsset, CustomerPhone, CustomerTag
from tests.isolation.registry import builder, flush, random_phone


@builder("customers")
def customer(db: Session, tenant_id: str):
    return flush(db, Customer(tenant_id=tenant_id, name="Iso Customer", phone=random_phone()))


@builder("customer_phones")
def customer_phone(db: Session, tenant_id: str):
    parent = customer(db, tenant_id)
    return flush(db, CustomerPhone(tenant_id=tenant_id, customer_id=parent.id, phone_e164=random_phone()))


@builder("customer_tags")
def customer_tag(db: Session, tenant_id: str):
    parent = customer(db, tenant_id)
    return flush(db, CustomerTag(tenant_id=tenant_id, customer_id=parent.id, tag="vip"))


@builder("customer_assets")
def customer_asset(db: Session, tenant_id: str):
    parent = customer(db, tenant_id)
    return flush(db, CustomerAsset(tenant_id=tenant_id, customer_id=parent.id, kind="vehicle", label="Truck"))
