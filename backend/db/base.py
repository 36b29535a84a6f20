"""Model bases: the `TenantScoped` mixin every tenant-owned table inherits, and the registry of
tenant tables that the scoping listeners, RLS migrations and isolation tests all read."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class TenantScoped(SQLModel):
    """Mixin for tenant-owned tables: `tenant_id` is the first primary-key column.

    Tables add `id` as the second primary-key column, lead every index with `tenant_id` and
    reference other tenant rows only through composite foreign keys `(tenant_id, x_id)`.
    Set `__platform_readable__ = True` on a table that a platform session may read across
    tenants (routing and admin registries); its RLS policy then allows that read.
    """

    __platform_readable__ = False

    tenant_id: str = Field(primary_key=True, foreign_key="tenants.id", max_length=40)


def tenant_models() -> list[type[TenantScoped]]:
    """Returns every concrete tenant-owned table model that has been imported."""
    found: list[type[TenantScoped]] = []
    stack = list(TenantScoped.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if getattr(cls, "__table__", None) is not None and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda c: c.__tablename__)


def tenant_table_names() -> set[str]:
    """Returns the names of all tables that carry a `tenant_id` column in the metadata."""
    return {t.name for t in SQLModel.metadata.sorted_tables if "tenant_id" in t.c}
