"""Benchmark: `find_slots` over 30 days for a busy tenant.

Setup (in a throw-away SQLite database unless DATABASE_URL points elsewhere): one tenant with
10 technicians (Mon–Sat 08:00–18:00, lunch 12:00–12:30), 12 services, buffer + travel padding,
and 2,000 existing appointments spread over the 60 days after the search start (about half of
them inside the searched 30 days). Times `find_slots` for one service over 30 days.

    .venv/bin/python benchmarks/availability.py [--runs 200] [--db sqlite|postgres]

`--db postgres` creates a throw-away database on TEST_PG_ADMIN_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) with the owner/app role split, and drops it
afterwards. Prints the median and p95 in milliseconds (target: under 20 ms).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_tmp = tempfile.mkdtemp(prefix="servicepro-bench-")
os.environ["DATA_DIR"] = _tmp
os.environ.setdefault("SERVICEPRO_ENV", "test")
os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-that-is-long-enough-0123456789")


def build(start_day: dt.date):
    from backend.db.migrate import upgrade
    from backend.db.session import tenant_session
    from backend.packs.actions import apply_pack
    from backend.scheduling import catalogue, technicians
    from backend.scheduling import service as scheduling_service
    from backend.scheduling.hours import BookingSettingsUpdate, update_booking_settings
    from backend.scheduling.models import Appointment
    from backend.scheduling.timeutil import local_instant, zone
    from backend.tenancy import actions as tenancy_actions
    from backend.tenancy.models import TenantCreate

    upgrade()
    tenant = tenancy_actions.create_tenant(
        TenantCreate(name="Bench Detailing", slug=f"bench-{random.randint(0, 10**9)}", industry="auto_detailing",
                     timezone="America/Chicago"),
        acting_user=None,
    )
    tz = zone("America/Chicago")
    rng = random.Random(42)
    with tenant_session(tenant.id) as db:
        apply_pack(db, tenant_id=tenant.id, pack="auto_detailing")
        for i in range(12 - len(scheduling_service.list_services(db, tenant_id=tenant.id))):
            catalogue.create_service(db, tenant_id=tenant.id, acting_user=None, service_in=catalogue.ServiceIn(
                name=f"Custom package {i + 1}", duration_minutes=60 + 30 * (i % 4),
                price_min_cents=9900 + 1000 * i, price_max_cents=14900 + 1000 * i))
        update_booking_settings(db, tenant_id=tenant.id, acting_user=None, settings_in=BookingSettingsUpdate(
            slot_increment_minutes=30, buffer_minutes=15, travel_padding_minutes=15, min_notice_minutes=120,
            horizon_days=120))
        hours = {d: [(8 * 60, 18 * 60)] for d in range(6)}
        techs = [
            technicians.create_technician(db, tenant_id=tenant.id, acting_user=None, weekly_hours=hours,
                                          technician_in=technicians.TechnicianIn(name=f"Tech {i + 1}"))
            for i in range(10)
        ]
        services = scheduling_service.list_services(db, tenant_id=tenant.id)
        customer_id = _customer(db, tenant.id)
        rows = []
        day = start_day
        while len(rows) < 2000:
            if day.weekday() < 6:
                for tech in techs:
                    minute = 8 * 60 + rng.choice((0, 30, 60))
                    for _ in range(4):
                        if len(rows) >= 2000:
                            break
                        service = rng.choice(services)
                        start = local_instant(day, minute, tz)
                        if minute + service.duration_minutes > 18 * 60:
                            break
                        rows.append(Appointment(
                            tenant_id=tenant.id, customer_id=customer_id, service_id=service.id,
                            technician_id=tech.id, start_at=start.astimezone(dt.timezone.utc),
                            end_at=(start + dt.timedelta(minutes=service.duration_minutes)).astimezone(dt.timezone.utc),
                            duration_minutes=service.duration_minutes, status="confirmed", source="staff",
                            price_quoted_min_cents=service.price_min_cents,
                            price_quoted_max_cents=service.price_max_cents,
                        ))
                        minute += service.duration_minutes + 30 + rng.choice((0, 60, 120))
            day += dt.timedelta(days=1)
        db.add_all(rows)
        service_id = next(s.id for s in services if s.pack_key == "express_wash")
    return tenant.id, service_id, len(rows)


def _customer(db, tenant_id: str) -> str:
    from backend.customers import actions as customers_actions
    from backend.customers.models import CustomerCreate

    return customers_actions.create_customer(
        db, tenant_id=tenant_id, acting_user=None,
        customer_in=CustomerCreate(name="Bench Customer", phones=["+19185550199"]),
    ).id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    pg_name = None
    admin_url = os.environ.get("TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    if args.db == "postgres":
        from backend.db.postgres import bootstrap

        pg_name = f"sp_bench_{os.getpid()}"
        host = os.environ.get("TEST_PG_HOST", "127.0.0.1:5432")
        bootstrap(admin_url, pg_name, "servicepro_owner", "servicepro_app")
        os.environ["DATABASE_URL"] = f"postgresql+psycopg://servicepro_app@{host}/{pg_name}"
        os.environ["DATABASE_OWNER_URL"] = f"postgresql+psycopg://servicepro_owner@{host}/{pg_name}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{_tmp}/bench.db"
        os.environ.pop("DATABASE_OWNER_URL", None)
    try:
        _run(args)
    finally:
        if pg_name:
            from backend.db.engine import dispose_engines
            from backend.db.postgres import drop_database

            dispose_engines()
            drop_database(admin_url, pg_name)


def _run(args) -> None:
    from backend.db.session import tenant_session
    from backend.scheduling.availability import find_slots

    start_day = dt.date(2026, 3, 2)  # a Monday; the range crosses the 2026-03-08 DST change
    t0 = time.perf_counter()
    tenant_id, service_id, count = build(start_day)
    print(f"setup: 10 technicians, 12 services, {count} appointments in {time.perf_counter() - t0:.1f}s")
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
    timings, cpu = [], []
    slots = []
    for _ in range(args.runs + 3):
        with tenant_session(tenant_id) as db:
            started, cpu_started = time.perf_counter(), time.process_time()
            slots = find_slots(db, tenant_id=tenant_id, service_ids=[service_id], start_date=start_day,
                               end_date=start_day + dt.timedelta(days=29), now=now)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    timings, cpu = sorted(timings[3:]), cpu[3:]  # 3 warm-up runs
    median = statistics.median(timings)
    p95 = timings[max(int(round(0.95 * len(timings))) - 1, 0)]
    print(f"find_slots 30 days ({args.db}): {len(slots)} slots; median {median:.1f} ms, p95 {p95:.1f} ms "
          f"(this process's CPU: median {statistics.median(cpu):.1f} ms) over {len(timings)} runs (target < 20 ms)")

if __name__ == "__main__":
    main()
