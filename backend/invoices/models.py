"""Invoice tables: invoices (usually from a completed appointment), their lines and the
payments recorded against them. Money is integer cents everywhere."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKeyConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field

from backend.db.base import TenantScoped
from backend.db.ids import new_id
from backend.db.types import UTCDateTime, utcnow
from backend.invoices.enums import InvoiceStatus, PaymentMethod
from backend.quotes.enums import LineKind


class Invoice(TenantScoped, table=True):
    __tablename__ = "invoices"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        ForeignKeyConstraint(["tenant_id", "appointment_id"], ["appointments.tenant_id", "appointments.id"]),
        ForeignKeyConstraint(["tenant_id", "quote_id"], ["quotes.tenant_id", "quotes.id"]),
        UniqueConstraint("tenant_id", "number", name="uq_invoices_number"),
        Index("ix_invoices_customer", "tenant_id", "customer_id", "created_at"),
        Index("ix_invoices_appointment", "tenant_id", "appointment_id"),
        Index("ix_invoices_status", "tenant_id", "status", "created_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    number: str = Field(max_length=20)
    customer_id: str = Field(max_length=40)
    appointment_id: str | None = Field(default=None, max_length=40)
    quote_id: str | None = Field(default=None, max_length=40)
    status: str = Field(default=InvoiceStatus.DRAFT.value, max_length=20)
    notes: str = Field(default="", sa_type=Text)
    tax_rate_bps: int = Field(default=0)
    discount_cents: int = Field(default=0)
    discount_percent_bps: int = Field(default=0)
    subtotal_cents: int = Field(default=0)
    tax_cents: int = Field(default=0)
    total_cents: int = Field(default=0)
    amount_paid_cents: int = Field(default=0)
    due_date: dt.date | None = Field(default=None, sa_type=Date)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    paid_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    void_reason: str = Field(default="", max_length=300)
    created_by_user_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def balance_cents(self) -> int:
        return max(self.total_cents - self.amount_paid_cents, 0)


class InvoiceLine(TenantScoped, table=True):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "invoice_id"], ["invoices.tenant_id", "invoices.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "service_id"], ["services.tenant_id", "services.id"]),
        ForeignKeyConstraint(["tenant_id", "addon_id"], ["service_addons.tenant_id", "service_addons.id"]),
        Index("ix_invoice_lines_invoice", "tenant_id", "invoice_id", "sort_order"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    invoice_id: str = Field(max_length=40)
    kind: str = Field(default=LineKind.CUSTOM.value, max_length=20)
    service_id: str | None = Field(default=None, max_length=40)
    addon_id: str | None = Field(default=None, max_length=40)
    description: str = Field(max_length=300)
    quantity: int = Field(default=1)
    unit_price_cents: int
    total_cents: int
    taxable: bool = Field(default=True)
    sort_order: int = Field(default=0)


class InvoicePayment(TenantScoped, table=True):
    """A payment recorded by staff (cash, check, card terminal, ...)."""

    __tablename__ = "invoice_payments"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "invoice_id"], ["invoices.tenant_id", "invoices.id"], ondelete="CASCADE"),
        Index("ix_invoice_payments_invoice", "tenant_id", "invoice_id", "received_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    invoice_id: str = Field(max_length=40)
    amount_cents: int
    method: str = Field(default=PaymentMethod.CASH.value, max_length=20)
    reference: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=300)
    received_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by_user_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
