"""Quote queries."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from backend.errors import NotFound
from backend.quotes.models import Quote, QuoteLine


def last_valid_day(expires_at: dt.datetime | None, zone) -> dt.date | None:
    """Returns the last day (tenant's calendar) a quote can be approved: expiry is stored as the
    end of that day (the next midnight), which must not be shown as the day after."""
    if expires_at is None:
        return None
    local = expires_at.astimezone(zone)
    if local.time() == dt.time(0, 0):
        local -= dt.timedelta(minutes=1)
    return local.date()


def access_quote_by_id(db: Session, *, tenant_id: str, quote_id: str) -> Quote:
    """Returns the tenant's quote or raises NotFound (also for another tenant's id)."""
    quote = db.get(Quote, (tenant_id, quote_id)) if isinstance(quote_id, str) else None
    if quote is None:
        raise NotFound("No such quote.")
    return quote


def get_approved_for_appointment(db: Session, *, tenant_id: str, appointment_id: str) -> Quote | None:
    """Returns the approved quote that booked this appointment, if any."""
    return db.exec(
        select(Quote).where(
            Quote.tenant_id == tenant_id, Quote.appointment_id == appointment_id, Quote.status == "approved"
        )
    ).first()


def get_lines(db: Session, *, tenant_id: str, quote_id: str) -> list[QuoteLine]:
    return list(
        db.exec(
            select(QuoteLine)
            .where(QuoteLine.tenant_id == tenant_id, QuoteLine.quote_id == quote_id)
            .order_by(QuoteLine.sort_order)
        ).all()
    )


def list_quotes(
    db: Session, *, tenant_id: str, customer_id: str | None = None, status: str | None = None, limit: int = 200
) -> list[Quote]:
    """Returns quotes, newest first."""
    query = select(Quote).where(Quote.tenant_id == tenant_id)
    if customer_id is not None:
        query = query.where(Quote.customer_id == customer_id)
    if status is not None:
        query = query.where(Quote.status == status)
    return list(db.exec(query.order_by(Quote.created_at.desc()).limit(limit)).all())


def get_by_token_hash(db: Session, *, tenant_id: str, token_hash: str) -> Quote | None:
    return db.exec(select(Quote).where(Quote.tenant_id == tenant_id, Quote.token_hash == token_hash)).first()
