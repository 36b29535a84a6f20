"""Cost of the two-layer tenant isolation on PostgreSQL.

200 tenants × 2,000 customers. The same tenant-scoped work — a list query (first page by name)
and get-by-id lookups — runs through

  scoped:   tenant_session (ORM criteria on every statement + RLS with SET LOCAL, app role)
  baseline: a plain SQLModel session on the database owner's superuser connection (RLS does not
            apply to it) with an explicit `WHERE tenant_id = ...` on every statement
  rls-only: tenant_session with the ORM criteria switched off and an explicit WHERE, so the
            difference to `scoped` is the ORM layer and the difference to `baseline` is RLS
            plus its per-transaction set_config round trip

interleaved in one process, and reports the medians and the ratios (target for scoped ≤ 1.10).

Run:  .venv/bin/python benchmarks/isolation_overhead.py [--tenants 200] [--rows 2000] [--rounds 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DB_NAME = "sp_bench_isolation"


def configure() -> None:
    from backend.db.postgres import bootstrap

    bootstrap(ADMIN_URL, DB_NAME, "servicepro_owner", "servicepro_app")
    os.environ["DATABASE_URL"] = f"postgresql+psycopg://servicepro_app@127.0.0.1:5432/{DB_NAME}"
    os.environ["DATABASE_OWNER_URL"] = f"postgresql+psycopg://servicepro_owner@127.0.0.1:5432/{DB_NAME}"
    os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-benchmark-secret-key")


def load(tenants: int, rows: int) -> list[tuple[str, list[str]]]:
    """Creates the data once (idempotent); returns (tenant_id, customer ids) pairs."""
    from sqlalchemy import text

    from sqlalchemy import insert

    from backend.customers.models import Customer
    from backend.db.engine import get_owner_engine
    from backend.db.migrate import upgrade

    table = Customer.__table__

    def _row(tenant_id: str, i: int) -> dict:
        customer = Customer(tenant_id=tenant_id, id=f"{tenant_id}-{i}", name=f"Customer {i:05d}",
                            phone=f"+1918555{i:04d}", source="import")
        return {c.name: getattr(customer, c.key) for c in table.columns}

    upgrade()
    engine = get_owner_engine()
    with engine.begin() as conn:
        have = conn.execute(text("SELECT count(*) FROM tenants WHERE id LIKE 'bench_%'")).scalar_one()  # tenant-safe: benchmark setup
    if have != tenants:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL app.platform_read = 'on'"))  # tenant-safe: benchmark setup
            conn.execute(text("DELETE FROM tenants WHERE id LIKE 'bench_%'"))  # tenant-safe: benchmark setup
        for t in range(tenants):
            tenant_id = f"bench_{t:04d}"
            with engine.begin() as conn:
                conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": tenant_id})  # tenant-safe: setup
                conn.execute(  # tenant-safe: benchmark setup
                    text("INSERT INTO tenants (id, slug, name, industry, plan_tier, status, timezone, logo_url, "
                         "brand_color, created_at, updated_at) VALUES (:id, :id, :id, 'auto_detailing', 'pro', "
                         "'active', 'America/Chicago', '', '#000000', now(), now())"),
                    {"id": tenant_id},
                )
                conn.execute(insert(table), [_row(tenant_id, i) for i in range(1, rows + 1)])
        with engine.begin() as conn:
            conn.execute(text("ANALYZE customers"))  # tenant-safe: benchmark setup
    return [(f"bench_{t:04d}", [f"bench_{t:04d}-{i}" for i in range(1, rows + 1)]) for t in range(tenants)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--lookups", type=int, default=5, help="get-by-id lookups per request")
    args = parser.parse_args()

    configure()
    from sqlmodel import Session, select

    from backend.customers.models import Customer
    from backend.db.engine import engine_for, get_engine
    from backend.db.session import tenant_session

    data = load(args.tenants, args.rows)
    # Baseline: same pool settings, a role RLS does not apply to, explicit WHERE.
    baseline_engine = engine_for(ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}")
    get_engine()  # warm both pools

    def scoped(tenant_id: str, ids: list[str]) -> None:
        with tenant_session(tenant_id) as db:
            db.exec(select(Customer).order_by(Customer.name).limit(50)).all()
            for customer_id in ids:
                db.exec(select(Customer).where(Customer.id == customer_id)).one()

    def with_explicit_where(db: Session, tenant_id: str, ids: list[str]) -> None:
        db.exec(select(Customer).where(Customer.tenant_id == tenant_id).order_by(Customer.name).limit(50)).all()
        for customer_id in ids:
            db.exec(select(Customer).where(Customer.tenant_id == tenant_id, Customer.id == customer_id)).one()

    def baseline(tenant_id: str, ids: list[str]) -> None:
        with Session(bind=baseline_engine) as db:
            with_explicit_where(db, tenant_id, ids)
            db.commit()

    def rls_only(tenant_id: str, ids: list[str]) -> None:
        with tenant_session(tenant_id, orm_layer=False) as db:
            with_explicit_where(db, tenant_id, ids)

    rng = random.Random(7)
    paths = {"scoped": scoped, "baseline": baseline, "rls-only": rls_only}
    timings = {name: [] for name in paths}
    plan = [(tenant_id, rng.sample(ids, args.lookups)) for tenant_id, ids in (rng.choice(data) for _ in range(args.rounds))]
    for tenant_id, ids in plan[:50]:  # warm-up: statement caches, connections
        for fn in paths.values():
            fn(tenant_id, ids)
    for tenant_id, ids in plan:
        order = list(paths.items())
        rng.shuffle(order)  # no path always runs first (or right after another)
        for name, fn in order:
            start = time.perf_counter()
            fn(tenant_id, ids)
            timings[name].append(time.perf_counter() - start)

    medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    print(f"tenants={args.tenants} rows/tenant={args.rows} requests={args.rounds} "
          f"(1 list + {args.lookups} get-by-id per request)")
    for name, ms in medians.items():
        print(f"{name:9s} median {ms:.3f} ms  ratio {ms / medians['baseline']:.3f}")
    print(f"scoped / baseline = {medians['scoped'] / medians['baseline']:.3f}  (target <= 1.10)")


if __name__ == "__main__":
    main()
