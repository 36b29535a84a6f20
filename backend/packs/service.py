"""Queries over the tenant's pack copies: FAQ entries and the agent/IVR profile."""

from __future__ import annotations

from sqlmodel import Session, select

from backend.errors import NotFound
from backend.packs.models import FaqEntry, TenantPackProfile


def list_faq_entries(db: Session, *, tenant_id: str, active_only: bool = True) -> list[FaqEntry]:
    """Returns the tenant's FAQ entries in display order."""
    query = select(FaqEntry).where(FaqEntry.tenant_id == tenant_id)
    if active_only:
        query = query.where(FaqEntry.active)
    return list(db.exec(query.order_by(FaqEntry.sort_order, FaqEntry.created_at)).all())


def access_faq_entry_by_id(db: Session, *, tenant_id: str, faq_entry_id: str) -> FaqEntry:
    """Returns the tenant's FAQ entry or raises NotFound (also for another tenant's id)."""
    row = db.get(FaqEntry, (tenant_id, faq_entry_id)) if isinstance(faq_entry_id, str) else None
    if row is None:
        raise NotFound("No such FAQ entry.")
    return row


def get_pack_profile(db: Session, *, tenant_id: str) -> TenantPackProfile | None:
    """Returns the tenant's agent/IVR profile (None before a pack was applied)."""
    return db.exec(select(TenantPackProfile).where(TenantPackProfile.tenant_id == tenant_id)).first()
