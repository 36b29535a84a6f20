"""Per-tenant display numbers for quotes and invoices (Q-1001, INV-1001). They are for people
and paper; URLs never carry them."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

FIRST_NUMBER = 1001


def _next(db: Session, model, tenant_id: str, prefix: str) -> str:
    highest = FIRST_NUMBER - 1
    for number in db.exec(select(model.number).where(model.tenant_id == tenant_id)).all():
        match = re.fullmatch(rf"{re.escape(prefix)}-(\d+)", number or "")
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{prefix}-{highest + 1}"


def insert_numbered(db: Session, row, *, prefix: str, attempts: int = 5) -> None:
    """Adds `row` with the tenant's next free number; a concurrent insert of the same number
    (unique per tenant) is retried inside a savepoint."""
    model = type(row)
    failed_number = None
    last_error: IntegrityError | None = None
    for _ in range(attempts):
        number = _next(db, model, row.tenant_id, prefix)
        if number == failed_number:
            # The number is still free after the failure: the error was not a number collision.
            raise RuntimeError(f"could not insert {model.__tablename__} row") from last_error
        row.number = number
        try:
            with db.begin_nested():
                db.add(row)
                db.flush()
            return
        except IntegrityError as exc:
            failed_number, last_error = number, exc
    raise RuntimeError(f"could not allocate a {prefix} number")
