"""Quote tables. A quote's public approval link carries "<tenant_id>.<secret>"; only the SHA-256
of the whole token is stored (`token_hash`), unique within the tenant."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field

from backend.db.base import TenantScoped
from backend.db.ids import new_id
from backend.db.types import UTCDateTime, utcnow
from backend.quotes.enums import LineKind, QuoteStatus


class Quote(TenantScoped, table=True):
    __tablename__ = "quotes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        ForeignKeyConstraint(["tenant_id", "appointment_id"], ["appointments.tenant_id", "appointments.id"]),
        UniqueConstraint("tenant_id", "number", name="uq_quotes_number"),
        UniqueConstraint("tenant_id", "token_hash", name="uq_quotes_token"),
        Index("ix_quotes_customer", "tenant_id", "customer_id", "created_at"),
        Index("ix_quotes_status", "tenant_id", "status", "created_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    # Display number per tenant (Q-1001); never used in URLs.
    number: str = Field(max_length=20)
    customer_id: str = Field(max_length=40)
    status: str = Field(default=QuoteStatus.DRAFT.value, max_length=20)
    title: str = Field(default="", max_length=200)
    notes: str = Field(default="", sa_type=Text)
    tax_rate_bps: int = Field(default=0)
    discount_cents: int = Field(default=0)
    subtotal_cents: int = Field(default=0)
    tax_cents: int = Field(default=0)
    total_cents: int = Field(default=0)
    expires_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    token_hash: str | None = Field(default=None, max_length=64)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    declined_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    appointment_id: str | None = Field(default=None, max_length=40)
    created_by_user_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QuoteLine(TenantScoped, table=True):
    __tablename__ = "quote_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "quote_id"], ["quotes.tenant_id", "quotes.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "service_id"], ["services.tenant_id", "services.id"]),
        ForeignKeyConstraint(["tenant_id", "addon_id"], ["service_addons.tenant_id", "service_addons.id"]),
        Index("ix_quote_lines_quote", "tenant_id", "quote_id", "sort_order"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    quote_id: str = Field(max_length=40)
    kind: str = Field(default=LineKind.CUSTOM.value, max_length=20)
    service_id: str | None = Field(default=None, max_length=40)
    addon_id: str | None = Field(default=None, max_length=40)
    description: str = Field(max_length=300)
    quantity: int = Field(default=1)
    unit_price_cents: int
    total_cents: int
    taxable: bool = Field(default=True)
    # Asset attributes for a service line (e.g. {"vehicle_size": "suv"}), used when booking.
    attributes: dict = Field(default_factory=dict, sa_type=JSON)
    sort_order: int = Field(default=0)
