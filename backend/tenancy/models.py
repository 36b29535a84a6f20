"""Tenant registry tables: `tenants` (global), `tenant_config` and `tenant_phone_config`."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, field_validator
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db.base import TenantScoped
from backend.db.ids import new_id
from backend.db.types import UTCDateTime, utcnow
from backend.tenancy.enums import IvrMode, PlanTier, TenantStatus


class Tenant(SQLModel, table=True):
    """A business on the platform. Global table: the tenant *is* the scope."""

    __tablename__ = "tenants"

    id: str = Field(primary_key=True, max_length=40)
    slug: str = Field(max_length=63, unique=True, index=True)
    name: str = Field(max_length=200)
    industry: str = Field(max_length=40)
    plan_tier: str = Field(default=PlanTier.STARTER.value, max_length=20)
    status: str = Field(default=TenantStatus.TRIALING.value, max_length=20)
    timezone: str = Field(default="America/Chicago", max_length=64)
    logo_url: str = Field(default="", max_length=500)
    brand_color: str = Field(default="#2563eb", max_length=9)
    agency_id: str | None = Field(default=None, max_length=40)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def is_root(self) -> bool:
        return self.id == "root"


class TenantConfig(TenantScoped, table=True):
    """Business profile and messaging defaults, one row per tenant."""

    __tablename__ = "tenant_config"
    __platform_readable__ = True
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_tenant_config_tenant"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    business_name: str = Field(max_length=200)
    legal_name: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=20)
    contact_email: str = Field(default="", max_length=254)
    website: str = Field(default="", max_length=300)
    address_line1: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=100)
    region: str = Field(default="", max_length=100)
    postal_code: str = Field(default="", max_length=20)
    country: str = Field(default="US", max_length=2)
    # Default region for parsing customer phone numbers typed without a country code.
    phone_region: str = Field(default="US", max_length=2)
    sms_help_text: str = Field(default="", max_length=320)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TenantPhoneConfig(TenantScoped, table=True):
    """A phone number a tenant owns, and how calls and texts to it are handled.

    Platform-readable: inbound routing must find the tenant from the number before any tenant
    is known. The number is unique across the platform.
    """

    __tablename__ = "tenant_phone_config"
    __platform_readable__ = True
    __table_args__ = (
        UniqueConstraint("phone_number", name="uq_phone_config_number"),
        Index("ix_phone_config_msid", "messaging_service_sid"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    phone_number: str = Field(max_length=16)
    label: str = Field(default="Main line", max_length=80)
    messaging_service_sid: str | None = Field(default=None, max_length=64)
    # Bring-your-own Twilio: the tenant's own account; webhooks are validated with its token.
    twilio_account_sid: str | None = Field(default=None, max_length=64)
    twilio_auth_token_encrypted: str | None = Field(default=None, max_length=500)
    sip_domain: str = Field(default="", max_length=200)
    sip_username: str = Field(default="", max_length=100)
    sip_password_encrypted: str | None = Field(default=None, max_length=500)
    ivr_mode: str = Field(default=IvrMode.SIMPLE.value, max_length=20)
    forward_number: str | None = Field(default=None, max_length=16)
    active: bool = Field(default=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---- schemas -------------------------------------------------------------------------------


class TenantCreate(BaseModel):
    """What an operator supplies to create a tenant."""

    name: str
    slug: str
    industry: str
    plan_tier: PlanTier = PlanTier.STARTER
    status: TenantStatus = TenantStatus.TRIALING
    timezone: str = "America/Chicago"
    brand_color: str = "#2563eb"
    logo_url: str = ""
    city: str = ""
    region: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = " ".join(v.split())
        if not 2 <= len(v) <= 200:
            raise ValueError("Business name must be 2–200 characters.")
        return v

    @field_validator("slug")
    @classmethod
    def _slug(cls, v: str) -> str:
        import re

        v = v.strip().lower()
        if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", v):
            raise ValueError("Slug must be lowercase letters, digits and dashes (max 63).")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"Unknown time zone {v!r}.") from None
        return v

    @field_validator("brand_color")
    @classmethod
    def _color(cls, v: str) -> str:
        import re

        v = v.strip()
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", v):
            raise ValueError("Brand colour must look like #1a2b3c.")
        return v.lower()


class PhoneConfigIn(BaseModel):
    """A phone configuration as entered on the Phone & IVR page (validated and normalised)."""

    phone_number: str
    label: str = "Main line"
    messaging_service_sid: str | None = None
    sip_domain: str = ""
    sip_username: str = ""
    sip_password: str | None = None
    ivr_mode: IvrMode = IvrMode.SIMPLE
    forward_number: str | None = None
    active: bool = True

    @field_validator("phone_number")
    @classmethod
    def _number(cls, v: str) -> str:
        from backend.phones import to_e164_strict

        return to_e164_strict(v)

    @field_validator("forward_number")
    @classmethod
    def _forward(cls, v: str | None) -> str | None:
        from backend.phones import to_e164_strict

        v = (v or "").strip()
        return to_e164_strict(v) if v else None

    @field_validator("messaging_service_sid")
    @classmethod
    def _msid(cls, v: str | None) -> str | None:
        import re

        v = (v or "").strip()
        if not v:
            return None
        if not re.fullmatch(r"MG[0-9a-fA-F]{32}", v):
            raise ValueError("Messaging Service SID looks like MG followed by 32 hex characters.")
        return v

    @field_validator("label", "sip_domain", "sip_username")
    @classmethod
    def _trim(cls, v: str) -> str:
        return " ".join((v or "").split())
