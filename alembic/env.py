"""Alembic environment: migrates with the owner connection from backend.config."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from backend.db.engine import get_owner_engine
from backend.models import import_all_models

import_all_models()
target_metadata = SQLModel.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run against a database.")
with get_owner_engine().connect() as _connection:
    _run(_connection)
    _connection.commit()
