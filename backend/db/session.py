"""Tenant-bound sessions: the ORM half of the two-layer isolation.

Every session that touches data is opened through `tenant_session(tenant_id)` or
`platform_session(purpose)`. Guarantees:

- In a tenant session every SELECT, UPDATE and DELETE gets `tenant_id = <tenant>` criteria for
  every tenant-owned model (including joins, relationship loads and bulk statements); new rows
  are stamped with the tenant and a row of another tenant can never be flushed.
- On PostgreSQL every transaction starts with `set_config('app.tenant_id', <tenant>, true)`
  (the SET LOCAL that RLS policies read), so the database enforces the same boundary.
- A session with neither a tenant nor an explicit platform purpose refuses every statement
  (fail closed). A platform session may read global tables and the tenant tables marked
  `__platform_readable__`; it refuses to read or write any other tenant table.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator

from sqlalchemy import event, false, inspect, text
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from sqlalchemy.sql import util as sql_util
from sqlmodel import Session

from backend.db.base import TenantScoped, tenant_models
from backend.db.engine import get_engine

log = logging.getLogger(__name__)

TENANT_KEY = "tenant_id"
PLATFORM_KEY = "platform_purpose"
ORM_LAYER_KEY = "orm_layer_enabled"
# The StaffContext acting through this session (None for system jobs); impersonated writes are
# audited from it by backend.audit.actions.
ACTOR_KEY = "acting_user"


class TenancyError(RuntimeError):
    """Raised when a statement would run without a tenant or across tenants."""


class ScopedSession(Session):
    """The only session class the application uses; the tenancy listeners hang off it."""


@functools.lru_cache(maxsize=1)
def _scoped_models() -> tuple[tuple[type[TenantScoped], ...], frozenset]:
    from backend.models import import_all_models

    import_all_models()
    models = tuple(tenant_models())
    readable = frozenset(m for m in models if m.__platform_readable__)
    return models, readable


@functools.lru_cache(maxsize=1)
def _models_reachable_by_table() -> dict[str, frozenset]:
    """Table name -> the tenant models a statement on it can load: the table's model plus every model
    reachable through relationships (eager joins are added at compile time, not visible yet)."""
    models, _ = _scoped_models()
    by_table = {}
    for model in models:
        seen, stack = set(), [model]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            for rel in inspect(current).relationships:
                target = rel.mapper.class_
                if issubclass(target, TenantScoped):
                    stack.append(target)
        by_table[model.__tablename__] = frozenset(seen)
    return by_table


def _criteria_for(statement, tenant_id: str) -> list:
    """Tenant criteria for every tenant model the statement touches (joins, subqueries, CTEs,
    UPDATE/DELETE targets and relationship loads included)."""
    reachable = _models_reachable_by_table()
    involved: set = set()
    for table in sql_util.find_tables(statement, include_aliases=True, include_joins=True,
                                      include_selects=True, include_crud=True):
        # Look up by name: SQL expression objects overload ==, which makes dict lookups costly.
        name = getattr(getattr(table, "element", table), "name", None)
        involved |= reachable.get(name, frozenset())
    return [_criteria_option(model, tenant_id) for model in sorted(involved, key=lambda m: m.__tablename__)]


@functools.lru_cache(maxsize=16384)
def _criteria_option(model: type[TenantScoped], tenant_id: str):
    # Immutable option objects, reused across statements: building them is most of the cost.
    return with_loader_criteria(model, model.tenant_id == tenant_id, include_aliases=True)


def _sets_tenant_id(statement) -> bool:
    values = dict(getattr(statement, "_values", None) or {})
    values.update(dict(getattr(statement, "_ordered_values", None) or ()))
    return any(getattr(key, "key", key) == "tenant_id" for key in values)


@event.listens_for(ScopedSession, "do_orm_execute")
def _apply_tenant_criteria(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    info = state.session.info
    tenant_id = info.get(TENANT_KEY)
    if tenant_id:
        if info.get(ORM_LAYER_KEY, True):
            if state.is_update and _sets_tenant_id(state.statement):
                raise TenancyError("refusing a bulk UPDATE that changes tenant_id")
            state.statement = state.statement.options(*_criteria_for(state.statement, tenant_id))
        return
    if info.get(PLATFORM_KEY):
        models, readable = _scoped_models()
        for mapper in state.all_mappers:
            cls = mapper.class_
            if issubclass(cls, TenantScoped) and cls not in readable:
                raise TenancyError(
                    f"{cls.__tablename__} is tenant-owned; open a tenant_session to read it"
                )
        # Joins and relationship loads of non-readable tenant tables return nothing.
        state.statement = state.statement.options(
            *[
                with_loader_criteria(m, false(), include_aliases=True)
                for m in models
                if m not in readable
            ]
        )
        return
    raise TenancyError("no tenant bound to this session; use tenant_session() or platform_session()")


@event.listens_for(ScopedSession, "before_flush")
def _stamp_and_check_tenant(session: Session, flush_context, instances) -> None:
    tenant_id = session.info.get(TENANT_KEY)
    enforce = session.info.get(ORM_LAYER_KEY, True)
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if not tenant_id:
            raise TenancyError(f"cannot insert {type(obj).__name__} without a tenant session")
        if obj.tenant_id is None:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id and enforce:
            raise TenancyError(f"refusing to insert a {type(obj).__name__} for another tenant")
    if not enforce:
        return
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        history = inspect(obj).attrs.tenant_id.history
        if history.deleted or obj.tenant_id != tenant_id:
            raise TenancyError(f"refusing to change a {type(obj).__name__} across tenants")


@event.listens_for(ScopedSession, "after_begin")
def _set_rls_tenant(session: Session, transaction, connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    tenant_id = session.info.get(TENANT_KEY) or ""
    platform = "on" if session.info.get(PLATFORM_KEY) else ""
    connection.execute(
        text("SELECT set_config('app.tenant_id', :t, true), set_config('app.platform_read', :p, true)"),  # tenant-safe: the RLS binding itself
        {"t": tenant_id, "p": platform},
    )


@contextlib.contextmanager
def tenant_session(
    tenant_id: str, *, acting_user=None, orm_layer: bool = True
) -> Iterator[ScopedSession]:
    """Opens a session bound to one tenant; commits on success, rolls back on error.

    `acting_user` (a StaffContext) is who acts; while impersonating, every write is audited.
    `orm_layer=False` switches the ORM criteria off so tests can prove RLS holds on its own.
    """
    if not tenant_id or not isinstance(tenant_id, str):
        raise TenancyError("tenant_session needs a tenant id")
    session = ScopedSession(
        bind=get_engine(),
        expire_on_commit=False,
        info={TENANT_KEY: tenant_id, ORM_LAYER_KEY: orm_layer, ACTOR_KEY: acting_user},
    )
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextlib.contextmanager
def platform_session(purpose: str) -> Iterator[ScopedSession]:
    """Opens a session for global tables and platform-readable registries.

    `purpose` names why cross-tenant access is needed (e.g. "inbound-routing",
    "admin:tenants"); it is logged so platform reads stay explicit and reviewable.
    """
    if not purpose:
        raise TenancyError("platform_session needs a purpose")
    log.debug("platform session opened: %s", purpose)
    session = ScopedSession(bind=get_engine(), expire_on_commit=False, info={PLATFORM_KEY: purpose})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
