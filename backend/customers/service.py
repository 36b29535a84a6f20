"""Customer queries and the find-or-create used by every inbound channel."""

from __future__ import annotations

from sqlmodel import Session, select

from backend.customers.models import Customer, CustomerPhone
from backend.errors import NotFound


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
    """Returns (customer, created) for an inbound number; a new number becomes a new customer."""
    existing = get_by_phone(db, tenant_id=tenant_id, phone_e164=phone_e164)
    if existing is not None:
        return existing, False
    customer = Customer(tenant_id=tenant_id, phone=phone_e164, source=source)
    db.add(customer)
    db.flush()
    db.add(CustomerPhone(tenant_id=tenant_id, customer_id=customer.id, phone_e164=phone_e164))
    db.flush()
    return customer, True
