"""Engines for the configured database, created once per URL per process."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from backend.config import ConfigurationError, get_settings


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Composite foreign keys are the first line of tenant isolation; SQLite ignores them without this.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


_engines: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """Returns the process-wide engine for a database URL."""
    if url not in _engines:
        _engines[url] = _create(url)
    return _engines[url]


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # No pre-ping (it costs a round trip per checkout); connections are recycled hourly and a
        # dead one fails its first statement, which invalidates the pool for the next checkout.
        return create_engine(url, pool_size=10, max_overflow=20, pool_recycle=3600, pool_use_lifo=True)
    raise ConfigurationError(f"unsupported database URL: {url}")


def get_engine() -> Engine:
    """Returns the application engine (the non-owner role on PostgreSQL)."""
    return engine_for(get_settings().effective_database_url)


def get_owner_engine() -> Engine:
    """Returns the owner engine, used for migrations and operator tasks only."""
    return engine_for(get_settings().effective_owner_url)


def dispose_engines() -> None:
    """Closes every pooled connection and forgets the engines (tests switch databases)."""
    while _engines:
        _engines.popitem()[1].dispose()
