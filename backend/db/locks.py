"""Row locks for check-then-change actions (pay an invoice, approve a quote, complete a job).

Two requests that read a row, check its state and change it must run one after the other, or
both pass the check (a double-clicked payment recorded twice). `lock_rows` holds the lock until
the transaction ends, so the second request waits and then sees the first one's result.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, select


def lock_rows(db: Session, model, *where) -> None:
    """Locks the `model` rows matching `where` until the transaction ends.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite has no row locks: a no-op UPDATE takes the database
    write lock (busy_timeout waits for it). Call it before reading the rows in the transaction,
    so no stale snapshot survives it; `model` needs an `updated_at` column.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.exec(select(model.id).where(*where).with_for_update()).all()
    else:
        db.execute(update(model).where(*where).values(updated_at=model.updated_at)
                   .execution_options(synchronize_session=False))
