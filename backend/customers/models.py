"""Customer tables. `customers.phone` is the primary number (E.164) for display; every number a
customer uses, the primary included, is a `customer_phones` row, unique per tenant, which is
what inbound messages and calls are matched against."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field

from backend.customers.enums import AssetKind, CustomerSource, SmsConsent
from backend.db.base import TenantScoped
from backend.db.ids import new_id
from backend.db.types import UTCDateTime, utcnow


class Customer(TenantScoped, table=True):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_tenant_name", "tenant_id", "name"),
        Index("ix_customers_tenant_email", "tenant_id", "email"),
        Index("ix_customers_tenant_address_key", "tenant_id", "address_key"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=16)
    email: str = Field(default="", max_length=254)
    address_line1: str = Field(default="", max_length=200)
    address_line2: str = Field(default="", max_length=100)
    city: str = Field(default="", max_length=100)
    region: str = Field(default="", max_length=100)
    postal_code: str = Field(default="", max_length=20)
    country: str = Field(default="US", max_length=2)
    # Normalised address; customers sharing it form a household.
    address_key: str = Field(default="", max_length=300)
    latitude: float | None = Field(default=None)
    longitude: float | None = Field(default=None)
    source: str = Field(default=CustomerSource.MANUAL.value, max_length=20)
    notes: str = Field(default="", sa_type=Text)
    is_vip: bool = Field(default=False)
    sms_consent: str = Field(default=SmsConsent.UNKNOWN.value, max_length=20)
    first_job_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_job_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    total_jobs: int = Field(default=0)
    lifetime_value_cents: int = Field(default=0)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CustomerPhone(TenantScoped, table=True):
    __tablename__ = "customer_phones"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "phone_e164", name="uq_customer_phones_number"),
        Index("ix_customer_phones_customer", "tenant_id", "customer_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    customer_id: str = Field(max_length=40)
    phone_e164: str = Field(max_length=16)
    label: str = Field(default="mobile", max_length=40)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CustomerTag(TenantScoped, table=True):
    __tablename__ = "customer_tags"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "customer_id", "tag", name="uq_customer_tags"),
        Index("ix_customer_tags_tag", "tenant_id", "tag"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    customer_id: str = Field(max_length=40)
    tag: str = Field(max_length=50)


class CustomerAsset(TenantScoped, table=True):
    """A vehicle, pet or property the business works on, with the attributes that change price
    or duration (e.g. {"vehicle_size": "suv"})."""

    __tablename__ = "customer_assets"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"],
                             ondelete="CASCADE"),
        Index("ix_customer_assets_customer", "tenant_id", "customer_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    customer_id: str = Field(max_length=40)
    kind: str = Field(default=AssetKind.OTHER.value, max_length=20)
    label: str = Field(default="", max_length=200)
    attributes: dict = Field(default_factory=dict, sa_type=JSON)
    notes: str = Field(default="", sa_type=Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
