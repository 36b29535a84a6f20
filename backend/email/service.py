"""Queueing and delivering email through the configured provider."""

from __future__ import annotations

from sqlmodel import Session, select

from backend.email.models import OutboundEmail


def queue_email(db: Session, *, to_address: str, subject: str, body: str, kind: str) -> OutboundEmail:
    """Adds an email to the outbox in the caller's transaction; a worker delivers it."""
    row = OutboundEmail(to_address=to_address, subject=subject, body=body, kind=kind)
    db.add(row)
    return row


def get_recent(db: Session, *, limit: int = 50) -> list[OutboundEmail]:
    return list(db.exec(select(OutboundEmail).order_by(OutboundEmail.created_at.desc()).limit(limit)).all())


def get_pending(db: Session, *, limit: int = 100) -> list[OutboundEmail]:
    return list(
        db.exec(
            select(OutboundEmail)
            .where(OutboundEmail.status == "pending")
            .order_by(OutboundEmail.created_at)
            .limit(limit)
        ).all()
    )
