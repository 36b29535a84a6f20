"""Isolation factories: for every tenant-owned table, how to build one valid row in a tenant.

A builder receives a tenant-bound session and the tenant id and returns the flushed row. It
creates any parent rows it needs *in the same tenant* and sets foreign-key columns (not
relationship attributes), so the suite can re-point them at another tenant's parents.
Adding a tenant table without a builder here fails `test_every_tenant_table_has_a_builder`.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlmodel import Session, select

from backend.audit.models import AuditLog
from backend.auth.models import Membership, User
from backend.tenancy.models import TenantConfig, TenantPhoneConfig

Builder = Callable[[Session, str], object]
BUILDERS: dict[str, Builder] = {}


def builder(table: str):
    def register(fn: Builder) -> Builder:
        BUILDERS[table] = fn
        return fn

    return register


def random_phone() -> str:
    return "+1918%d%04d" % (random.randint(200, 999), random.randint(0, 9999))


def flush(db: Session, row):
    """Adds and flushes a row, returning it (builders' one-liner)."""
    db.add(row)
    db.flush()
    return row


@builder("audit_log")
def _audit(db: Session, tenant_id: str):
    return flush(db, AuditLog(tenant_id=tenant_id, action="test.event", summary="isolation"))


@builder("tenant_config")
def _config(db: Session, tenant_id: str):
    return db.exec(select(TenantConfig).where(TenantConfig.tenant_id == tenant_id)).one()


@builder("tenant_phone_config")
def _phone(db: Session, tenant_id: str):
    return flush(db, TenantPhoneConfig(tenant_id=tenant_id, phone_number=random_phone()))


@builder("memberships")
def _membership(db: Session, tenant_id: str):
    user = flush(db, User(email=f"iso-{random.randint(0, 10**9)}@example.com", name="Iso", password_hash="x"))
    return flush(db, Membership(tenant_id=tenant_id, user_id=user.id, role="staff"))


def load_domain_builders() -> None:
    """Imports the builder modules other domains add (tests/isolation/builders_*.py)."""
    import importlib
    import pkgutil

    import tests.isolation as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("builders_"):
            importlib.import_module(f"tests.isolation.{info.name}")
