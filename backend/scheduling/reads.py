"""Lean read helpers for the hot paths (availability engine, pricing).

Each ORM statement in a tenant session carries one loader criterion per tenant model (~2 ms per
statement with today's table count), which alone would exceed the availability budget
(find_slots over 30 days < 20 ms). These helpers run SQLAlchemy Core selects on the session's own
connection instead, and add the tenant filter *here*, unconditionally, so a caller cannot forget
it. On PostgreSQL the transaction is the tenant session's, so row-level security applies as well.
Pending ORM changes are flushed first, so the reads see them.

Rows come back as read-only SQLAlchemy Row objects with the model's column names as attributes
(building model instances costs ~0.2 ms each); they are not ORM objects and never join a session.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, cast, func, select
from sqlmodel import Session

from backend.tenancy.models import Tenant


def _execute(db: Session, statement):
    if db.new or db.dirty or db.deleted:
        db.flush()
    # tenant-safe: every statement built in this module filters on tenant_id (or reads the
    # caller's own tenants row by primary key); RLS applies on PostgreSQL.
    return db.connection().execute(statement)


def fetch_all(db: Session, model, tenant_id: str, *criteria, order_by: Sequence = ()) -> list:
    """Returns the tenant's rows of `model` matching Core `criteria` (on model.__table__.c), as
    read-only rows whose attributes are the model's columns."""
    table = model.__table__
    statement = select(table).where(table.c.tenant_id == tenant_id, *criteria)
    if order_by:
        statement = statement.order_by(*order_by)
    return list(_execute(db, statement).all())


def fetch_columns(db: Session, model, tenant_id: str, columns: Sequence[str], *criteria) -> list:
    """Returns tuples of the named columns of the tenant's matching rows."""
    table = model.__table__
    statement = select(*[table.c[name] for name in columns]).where(table.c.tenant_id == tenant_id, *criteria)
    return list(_execute(db, statement).all())


def tenant_timezone_name(db: Session, tenant_id: str) -> str:
    """Returns the tenant's IANA zone name (America/Chicago when the row is missing)."""
    table = Tenant.__table__
    row = _execute(db, select(table.c.timezone).where(table.c.id == tenant_id)).first()
    return row[0] if row else "America/Chicago"


def epoch_seconds(db: Session, column):
    """Returns a SQL expression for a UTCDateTime column as integer Unix seconds, so hot paths
    skip building a Python datetime per row."""
    if db.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", column), BigInteger)
    # SQLite stores UTCDateTime as naive UTC text; strftime('%s') reads it as UTC.
    return cast(func.strftime("%s", column), BigInteger)


def fetch_expressions(db: Session, model, tenant_id: str, expressions: Sequence, *criteria) -> list:
    """Returns tuples of arbitrary column expressions over the tenant's matching rows."""
    table = model.__table__
    statement = select(*expressions).where(table.c.tenant_id == tenant_id, *criteria)
    return list(_execute(db, statement).all())
