"""`email_outbox`: every email the platform sends, written in the transaction that causes it.

Global table: account emails (password resets) belong to users, who are not tenant-owned.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from backend.db.ids import new_id
from backend.db.types import UTCDateTime, utcnow


class OutboundEmail(SQLModel, table=True):
    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_status", "status", "created_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=Text)
    kind: str = Field(default="account", max_length=40)
    # pending -> sent | stored (outbox provider keeps it for viewing) | failed
    status: str = Field(default="pending", max_length=20)
    attempts: int = Field(default=0)
    last_error: str = Field(default="", max_length=500)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
