"""Row-level security DDL for tenant tables, called from migrations (PostgreSQL only).

Policy (ARCHITECTURE.md): `tenant_id = NULLIF(current_setting('app.tenant_id', true), '')` for
USING and WITH CHECK, with ENABLE + FORCE so even the table owner is filtered. Platform-readable
tables add a SELECT-only policy for sessions that set `app.platform_read = 'on'`.
"""

from __future__ import annotations

from alembic import op

TENANT_PREDICATE = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')"
PLATFORM_READ_PREDICATE = "current_setting('app.platform_read', true) = 'on'"


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def enable_tenant_rls(table: str, *, platform_readable: bool = False) -> None:
    """Enables and forces RLS on a tenant table with the tenant isolation policy."""
    if not _is_postgres():
        return
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(
        f'CREATE POLICY tenant_isolation ON "{table}" '
        f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
    )
    if platform_readable:
        op.execute(
            f'CREATE POLICY platform_read ON "{table}" FOR SELECT USING ({PLATFORM_READ_PREDICATE})'
        )


def disable_tenant_rls(table: str) -> None:
    """Reverses enable_tenant_rls (for downgrades)."""
    if not _is_postgres():
        return
    op.execute(f'DROP POLICY IF EXISTS platform_read ON "{table}"')
    op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
