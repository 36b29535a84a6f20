"""Benchmark: signed inbound SMS through the full webhook path vs a bare Starlette endpoint.

Full path: POST /twilio/sms on backend.api.app — form parsing, X-Twilio-Signature validation,
tenant resolution, storing the message (its own commit) and enqueueing the processing job on
Huey (SQLite queue storage, no consumer running, so only the webhook is measured); after the
answer, the same request links the message to its customer and conversation (a Starlette
background task). Bare: a Starlette route that returns the same empty TwiML. Both are driven
by the same client (httpx.AsyncClient over ASGITransport, in-process), one request at a time,
with the same signed form bodies.

Latency is time to the answer (what Twilio waits for); "incl. linking" is time until the
request's background work has finished too. Requests/second count the whole request,
background work included (ASGITransport waits for it), so the ratio is conservative.

    .venv/bin/python benchmarks/sms_webhook.py                      # PostgreSQL (default)
    .venv/bin/python benchmarks/sms_webhook.py --db sqlite
    .venv/bin/python benchmarks/sms_webhook.py --requests 5000 --json
    .venv/bin/python benchmarks/sms_webhook.py --redis-url redis://127.0.0.1:6379/15   # Huey on Redis

PostgreSQL: a scratch database sp_bench_<pid> is created with the owner/app role split
(like the tests) from BENCH_PG_ADMIN_URL (default postgres@127.0.0.1:5432) and dropped after.
Target: full/bare requests-per-second ratio ≥ 0.5 and full-path p99 < 25 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PUBLIC = "https://bench.servicepro.test"
TENANT_NUMBER = "+19185550100"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _configure(db: str, admin_url: str, pg_host: str, redis_url: str = "") -> str | None:
    data_dir = Path(tempfile.mkdtemp(prefix="sp-bench-"))
    os.environ.update(
        SERVICEPRO_ENV="test", DATA_DIR=str(data_dir), JOBS_IMMEDIATE="0", SMS_PROVIDER="simulator",
        SECRET_KEY="benchmark-secret-key-0123456789-0123456789-abcdef",
        SERVICEPRO_PUBLIC_URL=PUBLIC, SERVICEPRO_API_URL=PUBLIC, LLM_PROVIDER="rules",
    )
    for var in ("REDIS_URL", "TWILIO_AUTH_TOKEN", "DATABASE_OWNER_URL"):
        os.environ.pop(var, None)
    if redis_url:
        os.environ["REDIS_URL"] = redis_url  # Huey on Redis, as in production
    if db == "postgres":
        from backend.db.postgres import bootstrap

        name = f"sp_bench_{os.getpid()}_{secrets.token_hex(2)}"
        bootstrap(admin_url, name, "servicepro_owner", "servicepro_app")
        os.environ["DATABASE_URL"] = f"postgresql+psycopg://servicepro_app@{pg_host}/{name}"
        os.environ["DATABASE_OWNER_URL"] = f"postgresql+psycopg://servicepro_owner@{pg_host}/{name}"
        return name
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.db'}"
    return None


def _setup_tenant() -> str:
    from backend.db.migrate import upgrade
    from backend.db.session import tenant_session
    from backend.tenancy import actions as tenancy_actions
    from backend.tenancy.models import PhoneConfigIn, TenantCreate

    upgrade()
    tenant = tenancy_actions.create_tenant(
        TenantCreate(name="Bench Detailing", slug="bench", industry="auto_detailing"), acting_user=None
    )
    with tenant_session(tenant.id) as db:
        tenancy_actions.do_create_phone_config(
            db, tenant_id=tenant.id, acting_user=None, config_in=PhoneConfigIn(phone_number=TENANT_NUMBER)
        )
    return tenant.id


def _bare_app():
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    async def sms(_request):
        return Response(EMPTY_TWIML, media_type="text/xml")

    return Starlette(routes=[Route("/twilio/sms", sms, methods=["POST"])])


def _signed_requests(n: int, customers: int = 50) -> list[tuple[dict, dict]]:
    from backend.config import get_settings
    from backend.messaging.simulator import build_params, sign

    token = get_settings().twilio_platform_token()
    url = f"{PUBLIC}/twilio/sms"
    out = []
    for i in range(n):
        params = build_params(to_number=TENANT_NUMBER, from_number=f"+1918555{3000 + i % customers:04d}",
                              body=f"Hi, do you have an opening on Saturday? ({i})")
        out.append((params, {"X-Twilio-Signature": sign(url, params, token)}))
    return out


def _answer_timer(app, answered: list[float]):
    """Wraps an ASGI app to note when the last byte of each response is sent. ASGITransport
    only returns once the app has finished, including background work after the answer."""

    async def timed(scope, receive, send):
        async def send_and_mark(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered.append(time.perf_counter())

        await app(scope, receive, send_and_mark)

    return timed


async def _run(app, requests: list[tuple[dict, dict]]) -> tuple[float, list[float], list[float]]:
    """Returns (total seconds, time-to-answer per request, time-to-completion per request)."""
    import httpx

    answered: list[float] = []
    to_answer, to_completion = [], []
    transport = httpx.ASGITransport(app=_answer_timer(app, answered))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as client:
        started = time.perf_counter()
        for params, headers in requests:
            t = time.perf_counter()
            response = await client.post("/twilio/sms", data=params, headers=headers)
            done = time.perf_counter()
            to_answer.append(answered[-1] - t)
            to_completion.append(done - t)
            if response.status_code != 200 or response.text != EMPTY_TWIML:
                raise SystemExit(f"unexpected response {response.status_code}: {response.text[:200]}")
        elapsed = time.perf_counter() - started
    return elapsed, to_answer, to_completion


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--redis-url", default="", help="queue jobs on Redis (production) instead of SQLite")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    admin_url = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    pg_name = _configure(args.db, admin_url, os.environ.get("BENCH_PG_HOST", "127.0.0.1:5432"), args.redis_url)
    try:
        tenant_id = _setup_tenant()
        from backend.api import app
        from backend.jobs import worker  # noqa: F401  (registers the tasks that get enqueued)
        from backend.jobs.queue import huey

        bare = _bare_app()
        warm = _signed_requests(args.warmup)
        asyncio.run(_run(bare, warm))
        asyncio.run(_run(app, warm))
        measured = _signed_requests(args.requests)
        bare_time, bare_lat, _ = asyncio.run(_run(bare, measured))
        full_time, full_lat, full_done = asyncio.run(_run(app, measured))

        from sqlmodel import func, select

        from backend.db.session import tenant_session
        from backend.messaging.models import InboundMessage

        with tenant_session(tenant_id) as db:
            stored = db.exec(select(func.count(InboundMessage.id))).one()
        expected = args.warmup + args.requests
        if stored != expected:
            raise SystemExit(f"stored {stored} messages, expected {expected}")
        queued = huey.pending_count()
        result = {
            "database": args.db,
            "queue": "redis" if args.redis_url else "sqlite",
            "requests": args.requests,
            "bare_rps": round(args.requests / bare_time, 1),
            "full_rps": round(args.requests / full_time, 1),
            "ratio": round(bare_time / full_time, 3),
            # The same ratio counting only the time until each answer is sent.
            "ratio_answer_only": round(statistics.fmean(bare_lat) / statistics.fmean(full_lat), 3),
            "bare_p50_ms": round(_pct(bare_lat, 50), 3),
            "bare_p99_ms": round(_pct(bare_lat, 99), 3),
            "full_p50_ms": round(_pct(full_lat, 50), 3),
            "full_p99_ms": round(_pct(full_lat, 99), 3),
            "full_mean_ms": round(statistics.fmean(full_lat) * 1000, 3),
            "full_with_linking_p50_ms": round(_pct(full_done, 50), 3),
            "full_with_linking_p99_ms": round(_pct(full_done, 99), 3),
            "messages_stored": stored,
            "jobs_enqueued": queued,
        }
        result["ratio_target_met"] = result["ratio"] >= 0.5
        result["p99_target_met"] = result["full_p99_ms"] < 25
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            print(f"database      {args.db}, queue {result['queue']}, {args.requests} sequential requests "
                  f"(+{args.warmup} warm-up)")
            print(f"bare endpoint {result['bare_rps']:>8} req/s   p50 {result['bare_p50_ms']:.2f} ms   "
                  f"p99 {result['bare_p99_ms']:.2f} ms")
            print(f"full webhook  {result['full_rps']:>8} req/s   p50 {result['full_p50_ms']:.2f} ms   "
                  f"p99 {result['full_p99_ms']:.2f} ms")
            print(f"  incl. after-answer linking   p50 {result['full_with_linking_p50_ms']:.2f} ms   "
                  f"p99 {result['full_with_linking_p99_ms']:.2f} ms")
            print(f"ratio         {result['ratio']:.3f} req/s (target ≥ 0.5); "
                  f"{result['ratio_answer_only']:.3f} counting time-to-answer only")
            print(f"targets       ratio ≥ 0.5: {'met' if result['ratio_target_met'] else 'NOT met'}; "
                  f"p99 < 25 ms: {'met' if result['p99_target_met'] else 'NOT met'}")
            print(f"checked       {stored} messages stored, {queued} processing jobs enqueued")
        return 0
    finally:
        from backend.db.engine import dispose_engines

        dispose_engines()
        if pg_name:
            from backend.db.postgres import drop_database

            drop_database(admin_url, pg_name)


if __name__ == "__main__":
    sys.exit(main())
