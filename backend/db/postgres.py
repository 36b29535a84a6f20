"""PostgreSQL roles: bootstrap of the owner/app role split and the start-up safety check."""

from __future__ import annotations

import re

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

_IDENT = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _ident(name: str) -> str:
    if not _IDENT.fullmatch(name):
        raise ValueError(f"unsafe SQL identifier: {name!r}")
    return name


def bootstrap(admin_url: str, database: str, owner_role: str, app_role: str) -> None:
    """Creates the owner and application roles and the database if missing (idempotent).

    The owner runs migrations and owns every table; the app role only gets DML through default
    privileges, is not superuser and has no BYPASSRLS, so RLS always applies to it.
    """
    database, owner_role, app_role = _ident(database), _ident(owner_role), _ident(app_role)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for role in (owner_role, app_role):
                exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()  # tenant-safe: catalog
                if not exists:
                    conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE")  # tenant-safe: DDL
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database})  # tenant-safe: catalog
            if not exists.first():
                conn.exec_driver_sql(f"CREATE DATABASE {database} OWNER {owner_role}")  # tenant-safe: DDL
        db_admin = create_engine(make_url(admin_url).set(database=database), isolation_level="AUTOCOMMIT")
        try:
            with db_admin.connect() as conn:
                conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {database} TO {app_role}")  # tenant-safe: DDL
                conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {app_role}")  # tenant-safe: DDL
                conn.exec_driver_sql(f"GRANT CREATE ON SCHEMA public TO {owner_role}")  # tenant-safe: DDL
                conn.exec_driver_sql(  # tenant-safe: DDL
                    f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_role} IN SCHEMA public "
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app_role}"
                )
                conn.exec_driver_sql(  # tenant-safe: DDL
                    f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_role} IN SCHEMA public "
                    f"GRANT USAGE, SELECT ON SEQUENCES TO {app_role}"
                )
        finally:
            db_admin.dispose()
    finally:
        admin.dispose()


def drop_database(admin_url: str, database: str) -> None:
    """Drops a database (test clean-up), disconnecting its sessions first."""
    database = _ident(database)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")  # tenant-safe: DDL
    finally:
        admin.dispose()


def role_problems(engine: Engine) -> list[str]:
    """Returns why this connection's role must not serve the app (empty list when it is safe)."""
    if engine.dialect.name != "postgresql":
        return []
    problems = []
    with engine.connect() as conn:
        row = conn.execute(  # tenant-safe: reads role attributes only
            text("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")  # tenant-safe
        ).one()
        user, superuser, bypass = row
        if superuser:
            problems.append(f"database role {user!r} is a superuser; RLS would not apply")
        if bypass:
            problems.append(f"database role {user!r} has BYPASSRLS; RLS would not apply")
        owned = conn.execute(  # tenant-safe: catalog query
            text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")  # tenant-safe
        ).scalar_one()
        if owned:
            problems.append(
                f"database role {user!r} owns {owned} tables; connect the app as a non-owner role "
                "(DATABASE_URL) and migrate as the owner (DATABASE_OWNER_URL)"
            )
    return problems
