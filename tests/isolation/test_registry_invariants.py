"""Meta-tests: a table with tenant_id must be a TenantScoped model with an isolation builder,
RLS policies (PostgreSQL), tenant-led indexes and composite references."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from backend.db.base import tenant_models, tenant_table_names
from backend.db.engine import get_owner_engine
from backend.models import import_all_models
from tests.isolation.registry import BUILDERS, load_domain_builders

import_all_models()
load_domain_builders()
MODELS = tenant_models()
MODEL_TABLES = {m.__tablename__ for m in MODELS}


def test_every_table_with_tenant_id_is_tenant_scoped():
    """A table that stores tenant_id without the mixin would escape the ORM criteria."""
    assert tenant_table_names() == MODEL_TABLES


def test_every_tenant_table_has_a_builder():
    """The isolation suite must cover every tenant table."""
    missing = MODEL_TABLES - set(BUILDERS)
    assert not missing, f"add isolation builders for: {sorted(missing)}"


def test_primary_keys_lead_with_tenant_id():
    for model in MODELS:
        cols = [c.name for c in model.__table__.primary_key.columns]
        assert cols[0] == "tenant_id" and len(cols) >= 2, model.__tablename__


def test_references_between_tenant_tables_are_composite():
    """A single-column FK to a tenant table could point at another tenant's row."""
    for model in MODELS:
        for fk in model.__table__.foreign_key_constraints:
            if fk.referred_table.name in MODEL_TABLES:
                cols = [c.name for c in fk.columns]
                assert "tenant_id" in cols, f"{model.__tablename__}.{cols} -> {fk.referred_table.name}"


def test_indexes_and_unique_constraints_lead_with_tenant_id():
    """Platform-readable registries are exempt: they exist for cross-tenant lookups."""
    for model in MODELS:
        if model.__platform_readable__:
            continue
        table = model.__table__
        for index in table.indexes:
            assert index.columns[0].name == "tenant_id", f"{table.name}: index {index.name}"
        for constraint in table.constraints:
            if constraint.__class__.__name__ == "UniqueConstraint":
                assert "tenant_id" in [c.name for c in constraint.columns], f"{table.name}: {constraint.name}"
        for col in table.columns:
            assert not col.unique, f"{table.name}.{col.name} is unique without tenant_id"


def test_sqlite_connections_enforce_foreign_keys(db):
    from backend.db.engine import get_engine

    engine = get_engine()
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


@pytest.mark.postgres
def test_every_tenant_table_has_forced_rls_and_policies(db):
    with get_owner_engine().connect() as conn:
        flags = {
            name: (enabled, forced)
            for name, enabled, forced in conn.execute(
                text("SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                     "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")
            )
        }
        policies = {}
        for table, policy, cmd, qual, check in conn.execute(
            text("SELECT tablename, policyname, cmd, qual, with_check FROM pg_policies WHERE schemaname='public'")
        ):
            policies.setdefault(table, {})[policy] = (cmd, qual, check)
    for model in MODELS:
        name = model.__tablename__
        assert flags.get(name) == (True, True), f"{name}: RLS must be ENABLEd and FORCEd"
        tenant_policy = policies.get(name, {}).get("tenant_isolation")
        assert tenant_policy is not None, f"{name}: missing tenant_isolation policy"
        cmd, qual, check = tenant_policy
        assert cmd == "ALL" and "app.tenant_id" in qual and "app.tenant_id" in check, name
        if model.__platform_readable__:
            assert policies[name].get("platform_read", (None,))[0] == "SELECT", name
            assert "app.platform_read" in policies[name]["platform_read"][1]
        else:
            assert set(policies[name]) == {"tenant_isolation"}, f"{name}: unexpected policies"
    global_tables = {t.name for t in SQLModel.metadata.sorted_tables} - MODEL_TABLES
    for name in global_tables:
        assert "tenant_id" not in SQLModel.metadata.tables[name].c, name


@pytest.mark.postgres
def test_app_role_is_safe_and_owner_is_refused(db):
    from backend.db.engine import get_engine
    from backend.db.postgres import role_problems

    assert role_problems(get_engine()) == []
    assert any("owns" in p for p in role_problems(get_owner_engine()))
