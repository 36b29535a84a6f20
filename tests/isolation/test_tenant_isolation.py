"""Table-driven isolation suite: for every tenant-owned table, tenant B cannot read, update,
delete, insert into, move rows into, or reference tenant A's rows.

On SQLite the ORM layer alone must hold; on PostgreSQL the ORM layer is switched off
(`orm_layer=False`) so row-level security alone must hold.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, and_, delete, func, update
from sqlalchemy.types import TypeDecorator
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import select

from backend.db.base import tenant_models
from backend.db.ids import new_id
from backend.db.session import TenancyError, tenant_session
from backend.models import import_all_models
from tests.conftest import TEST_DB
from tests.factories import make_tenant
from tests.isolation.registry import BUILDERS, load_domain_builders

import_all_models()
load_domain_builders()
MODELS = tenant_models()
ORM_LAYER = TEST_DB != "postgres"
LAYER = "orm" if ORM_LAYER else "rls"


def _pk_values(model, row) -> tuple:
    return tuple(getattr(row, col.key) for col in model.__table__.primary_key.columns)


def _pk_clause(model, values: tuple):
    cols = list(model.__table__.primary_key.columns)
    return and_(*[getattr(model, col.key) == value for col, value in zip(cols, values)])


def _mutable_column(model):
    """A data column to overwrite: not key, not foreign key; non-unique columns preferred."""
    unique_cols = {
        col.name
        for constraint in model.__table__.constraints
        if constraint.__class__.__name__ == "UniqueConstraint"
        for col in constraint.columns
    }
    candidates = [c for c in model.__table__.columns if not (c.primary_key or c.foreign_keys)]
    plain = [c for c in candidates if not c.unique and c.name not in unique_cols]
    return (plain or candidates or [None])[0]


def _new_value(col, current):
    kind = col.type.impl if isinstance(col.type, TypeDecorator) else col.type
    if isinstance(kind, Boolean):
        return not current
    if isinstance(kind, Integer):
        return (current or 0) + 7
    if isinstance(kind, JSON):
        return {"tampered": True}
    if isinstance(kind, DateTime):
        return dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc)
    if isinstance(kind, Date):
        return dt.date(2001, 1, 1)
    return "tampered"


@pytest.fixture()
def tenants(db):
    return make_tenant("iso-a"), make_tenant("iso-b")


def _build(model, tenant_id):
    with tenant_session(tenant_id) as s:
        row = BUILDERS[model.__tablename__](s, tenant_id)
        return _pk_values(model, row), {c.key: getattr(row, c.key) for c in model.__table__.columns}


def _refused(exc: BaseException) -> bool:
    if isinstance(exc, TenancyError):
        return ORM_LAYER
    return "row-level security" in str(exc)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.__tablename__}-{LAYER}")
def test_cannot_read_other_tenant_rows(tenants, model):
    a, b = tenants
    a_key, _ = _build(model, a.id)
    b_key, _ = _build(model, b.id)
    with tenant_session(b.id, orm_layer=ORM_LAYER) as s:
        rows = s.exec(select(model)).all()
        assert rows, "tenant B must see its own row"
        assert {r.tenant_id for r in rows} == {b.id}
        assert s.get(model, a_key) is None
        assert s.exec(select(model).where(_pk_clause(model, a_key))).first() is None
        assert s.exec(select(func.count()).select_from(model).where(model.tenant_id == a.id)).one() == 0


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.__tablename__}-{LAYER}")
def test_cannot_update_other_tenant_rows(tenants, model):
    a, b = tenants
    a_key, a_data = _build(model, a.id)
    col = _mutable_column(model)
    if col is None:
        pytest.skip("no plain data column to overwrite")
    with tenant_session(b.id, orm_layer=ORM_LAYER) as s:
        result = s.execute(
            update(model).where(_pk_clause(model, a_key)).values({col.name: _new_value(col, a_data[col.key])})
        )
        assert result.rowcount == 0
    with tenant_session(a.id) as s:
        assert getattr(s.get(model, a_key), col.key) == a_data[col.key]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.__tablename__}-{LAYER}")
def test_cannot_delete_other_tenant_rows(tenants, model):
    a, b = tenants
    a_key, _ = _build(model, a.id)
    with tenant_session(b.id, orm_layer=ORM_LAYER) as s:
        assert s.execute(delete(model).where(_pk_clause(model, a_key))).rowcount == 0
    with tenant_session(a.id) as s:
        assert s.get(model, a_key) is not None


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.__tablename__}-{LAYER}")
def test_cannot_insert_rows_for_other_tenant(tenants, model):
    a, b = tenants
    _, b_data = _build(model, b.id)
    forged = dict(b_data, tenant_id=a.id)
    if "id" in forged:
        forged["id"] = new_id()
    with pytest.raises((TenancyError, DBAPIError)) as caught:
        with tenant_session(b.id, orm_layer=ORM_LAYER) as s:
            s.add(model(**forged))
            s.flush()
    assert _refused(caught.value), caught.value


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.__tablename__}-{LAYER}")
def test_cannot_move_rows_to_other_tenant(tenants, model):
    a, b = tenants
    b_key, _ = _build(model, b.id)
    with pytest.raises((TenancyError, DBAPIError)) as caught:
        with tenant_session(b.id, orm_layer=ORM_LAYER) as s:
            s.execute(update(model).where(_pk_clause(model, b_key)).values(tenant_id=a.id))
    assert _refused(caught.value), caught.value


def _composite_references():
    for model in MODELS:
        for fk in model.__table__.foreign_key_constraints:
            local = [c.name for c in fk.columns]
            if "tenant_id" in local and len(local) > 1:
                yield pytest.param(model, fk, id=f"{model.__tablename__}->{fk.referred_table.name}-{LAYER}")


REFERENCES = list(_composite_references())


@pytest.mark.skipif(not REFERENCES, reason="no composite references yet")
@pytest.mark.parametrize(("model", "fk"), REFERENCES or [(None, None)])
def test_cannot_reference_other_tenant_rows(tenants, model, fk):
    a, b = tenants
    parent_model = next(m for m in MODELS if m.__tablename__ == fk.referred_table.name)
    _, a_parent = _build(parent_model, a.id)
    b_key, _ = _build(model, b.id)
    with pytest.raises(IntegrityError):
        with tenant_session(b.id, orm_layer=ORM_LAYER) as s:
            row = s.get(model, b_key)
            for element in fk.elements:
                if element.parent.name != "tenant_id":
                    setattr(row, element.parent.key, a_parent[element.column.key])
            s.add(row)
            s.flush()
