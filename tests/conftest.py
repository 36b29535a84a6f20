"""Test harness: every pytest run gets its own fresh database (SQLite by default,
PostgreSQL with TEST_DB=postgres), migrated with the committed Alembic migrations, and every
test starts from empty tables."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="servicepro-test-"))
os.environ.update(
    SERVICEPRO_ENV="test",
    DATA_DIR=str(_TMP),
    JOBS_IMMEDIATE="1",
    SECRET_KEY="test-secret-key-that-is-long-enough-for-tests-0123456789",
    SERVICEPRO_PUBLIC_URL="https://servicepro.test",
    SERVICEPRO_API_URL="https://servicepro.test",
    SMS_PROVIDER="simulator",
    LLM_PROVIDER="rules",
    PAYMENTS_PROVIDER="manual",
    EMAIL_PROVIDER="outbox",
)
for _var in ("DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL", "TWILIO_AUTH_TOKEN", "OPENAI_API_KEY"):
    os.environ.pop(_var, None)

import pytest  # noqa: E402

TEST_DB = os.environ.get("TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1:5432")


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="PostgreSQL-only (run with TEST_DB=postgres)")
    skip_sqlite = pytest.mark.skip(reason="SQLite-only")
    for item in items:
        if TEST_DB != "postgres" and "postgres" in item.keywords:
            item.add_marker(skip_pg)
        if TEST_DB == "postgres" and "sqlite" in item.keywords:
            item.add_marker(skip_sqlite)


def _configure_database() -> tuple[str, str | None]:
    """Points the app at a new database and returns (app url, postgres db name or None)."""
    if TEST_DB == "postgres":
        from backend.db.postgres import bootstrap

        name = f"sp_test_{os.getpid()}_{secrets.token_hex(3)}"
        bootstrap(PG_ADMIN_URL, name, "servicepro_owner", "servicepro_app")
        os.environ["DATABASE_URL"] = f"postgresql+psycopg://servicepro_app@{PG_HOST}/{name}"
        os.environ["DATABASE_OWNER_URL"] = f"postgresql+psycopg://servicepro_owner@{PG_HOST}/{name}"
        return os.environ["DATABASE_URL"], name
    os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'test.db'}"
    return os.environ["DATABASE_URL"], None


@pytest.fixture(scope="session")
def database():
    """A migrated, empty database for this test run."""
    from backend.config import reset_settings
    from backend.db.engine import dispose_engines
    from backend.db.migrate import upgrade

    url, pg_name = _configure_database()
    reset_settings()
    dispose_engines()
    upgrade()
    yield url
    dispose_engines()
    if pg_name:
        from backend.db.postgres import drop_database

        drop_database(PG_ADMIN_URL, pg_name)


def _truncate_all() -> None:
    from sqlmodel import SQLModel
    from sqlalchemy import text

    from backend.db.engine import get_owner_engine

    engine = get_owner_engine()
    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # tenant-safe: test clean-up as the owner, outside the application roles.
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(text(f'DELETE FROM "{table}"'))  # tenant-safe: test clean-up


@pytest.fixture()
def db(database):
    """Empty tables (and no cached routing) before the test; yields the database URL."""
    from backend.tenancy.resolution import invalidate_routing_cache

    _truncate_all()
    invalidate_routing_cache()
    yield database


@pytest.fixture()
def two_tenants(db):
    """Two tenants with an admin each (personas: Alice at Acme, Bob at Bravo)."""
    from tests import factories

    return factories.two_tenants()
