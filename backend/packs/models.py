"""Tenant copies of pack content that is not part of the catalogue: FAQ entries (edited on the
agent's Knowledge page) and one profile row with the agent instructions, vocabulary, IVR script
and jokes. Catalogue, hours and SMS templates live in backend.scheduling.models."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field

from backend.db.base import TenantScoped
from backend.db.ids import new_id
from backend.db.types import UTCDateTime, utcnow


class FaqEntry(TenantScoped, table=True):
    __tablename__ = "faq_entries"
    __table_args__ = (Index("ix_faq_entries_tenant_order", "tenant_id", "active", "sort_order"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    question: str = Field(max_length=300)
    answer: str = Field(sa_type=Text)
    keywords: list = Field(default_factory=list, sa_type=JSON)
    active: bool = Field(default=True)
    sort_order: int = Field(default=0)
    # The pack this entry was copied from ("" for entries the tenant wrote).
    pack_key: str = Field(default="", max_length=40)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TenantPackProfile(TenantScoped, table=True):
    """Which pack a tenant was seeded from, and its editable agent/IVR content."""

    __tablename__ = "tenant_pack_profiles"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_tenant_pack_profiles_tenant"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    pack_key: str = Field(max_length=40)
    applied_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    agent_instructions: str = Field(default="", sa_type=Text)
    # [{"term": ..., "synonyms": [...], "meaning": ...}]
    vocabulary: list = Field(default_factory=list, sa_type=JSON)
    ivr_greeting: str = Field(default="", max_length=500)
    # [{"digit": "1", "label": ..., "action": "book"}, ...]
    ivr_menu: list = Field(default_factory=list, sa_type=JSON)
    ivr_closing: str = Field(default="", max_length=300)
    jokes: list = Field(default_factory=list, sa_type=JSON)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
