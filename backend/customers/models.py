"""Customer tables. `customers.phone` is the primary number (E.164) for display; every number a
customer uses, the primary included, is a `customer_phones` row, unique per tenant, which is
what inbound messages and calls are matched against."""

from __future__ import annotations

import datetime as dt
import re as _re

from pydantic import BaseModel, ConfigDict, field_validator
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


# ---- schemas -------------------------------------------------------------------------------

_EMAIL = _re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TAG = _re.compile(r"[a-z0-9][a-z0-9 _-]{0,49}")


def normalise_tag(raw: str) -> str:
    """Returns a tag in its stored form (lower case, single spaces) or raises ValueError."""
    tag = " ".join(str(raw or "").lower().split())
    if not _TAG.fullmatch(tag):
        raise ValueError(f"{raw!r} is not a tag: use up to 50 letters, digits, spaces, - or _.")
    return tag


def normalise_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if email and not _EMAIL.fullmatch(email):
        raise ValueError(f"{raw!r} is not an email address.")
    return email


class _CustomerFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("name", check_fields=False)
    @classmethod
    def _name(cls, v):
        if v is None:
            return v
        v = " ".join(v.split())
        if len(v) > 200:
            raise ValueError("Names can be at most 200 characters.")
        return v

    @field_validator("email", check_fields=False)
    @classmethod
    def _email(cls, v):
        return v if v is None else normalise_email(v)

    @field_validator("tags", check_fields=False)
    @classmethod
    def _tags(cls, v):
        if v is None:
            return v
        return list(dict.fromkeys(normalise_tag(t) for t in v))

    @field_validator("address_line1", "address_line2", "city", "region", "postal_code", check_fields=False)
    @classmethod
    def _trim(cls, v):
        return v if v is None else " ".join(v.split())

    @field_validator("country", check_fields=False)
    @classmethod
    def _country(cls, v):
        if v is None:
            return v
        v = v.strip().upper()
        if not _re.fullmatch(r"[A-Z]{2}", v):
            raise ValueError("Country must be a two-letter code such as US.")
        return v

    @field_validator("latitude", check_fields=False)
    @classmethod
    def _lat(cls, v):
        if v is not None and not -90 <= v <= 90:
            raise ValueError("Latitude must be between -90 and 90.")
        return v

    @field_validator("longitude", check_fields=False)
    @classmethod
    def _lon(cls, v):
        if v is not None and not -180 <= v <= 180:
            raise ValueError("Longitude must be between -180 and 180.")
        return v


class CustomerCreate(_CustomerFields):
    """A new customer as entered by staff or an import. Phones are normalised to E.164 with the
    tenant's default region by the action; the first phone is the primary one."""

    name: str = ""
    phones: list[str] = []
    email: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = "US"
    latitude: float | None = None
    longitude: float | None = None
    source: CustomerSource = CustomerSource.MANUAL
    notes: str = ""
    tags: list[str] = []
    is_vip: bool = False


class CustomerUpdate(_CustomerFields):
    """Fields to change; omitted (None) fields stay as they are. Phones, tags, VIP and consent
    change through their own actions."""

    name: str | None = None
    email: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    source: CustomerSource | None = None
    notes: str | None = None


class AssetIn(BaseModel):
    """A vehicle, pet or property with the attributes that change price or duration."""

    model_config = ConfigDict(extra="forbid")

    kind: AssetKind = AssetKind.OTHER
    label: str = ""
    attributes: dict[str, str] = {}
    notes: str = ""

    @field_validator("label")
    @classmethod
    def _label(cls, v: str) -> str:
        v = " ".join(v.split())
        if len(v) > 200:
            raise ValueError("Asset names can be at most 200 characters.")
        return v

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, v: dict[str, str]) -> dict[str, str]:
        if len(v) > 30:
            raise ValueError("An asset can have at most 30 attributes.")
        cleaned = {}
        for key, value in v.items():
            key = str(key).strip().lower()
            if not _re.fullmatch(r"[a-z][a-z0-9_]{0,59}", key):
                raise ValueError(f"{key!r} is not an attribute name (use lower_snake_case).")
            cleaned[key] = str(value).strip()[:200]
        return cleaned
