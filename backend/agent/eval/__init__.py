"""The agent evaluation suite: scripted customer conversations (tests/agent_eval/*.yaml) driven
through the real SMS path — the signed Twilio webhook in-process, Huey inline, the registered
responder — against the seeded demo businesses, with the clock pinned so every slot is
deterministic. Expected end states are checked in the database (appointment service, local
start, attributes, add-ons, status; conversation mode for hand-offs; consent for opt-outs) and
in the replies (price ranges exactly as quote_price gives them; FAQ keywords).

Metrics: task success rate, wrong-price count (a reply stating any amount that is not a real
quote, add-on price or surcharge of the business, or a price scenario whose expected range is
missing), wrong-booking count (an appointment that should not exist, or with the wrong
service/time/attributes/add-ons/status), and average customer turns to a booking.

`run_eval` works on the configured database (tests use their own); `python -m
backend.agent.eval` first points the process at a fresh temporary SQLite database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

SCENARIO_DIR = Path(__file__).resolve().parents[3] / "tests" / "agent_eval"
# The pinned "now" of every scenario: Tuesday 4 June 2030, 09:00 in Tulsa/Austin (08:00 in Denver).
EVAL_NOW = dt.datetime(2030, 6, 4, 14, 0, tzinfo=dt.timezone.utc)
TENANT_NUMBERS = {"clean-machine": "+19185550100", "green-acres": "+15125550142", "sparkle-shine": "+17205550177"}
THRESHOLD_SUCCESS = 0.90
_MONEY = re.compile(r"\$(\d[\d,]*(?:\.\d\d)?)(?:\s*[–-]\s*\$(\d[\d,]*(?:\.\d\d)?))?")


@dataclasses.dataclass
class Scenario:
    id: str
    tenant: str
    turns: list[str]
    expect: dict
    phone: str
    title: str = ""
    customer: dict | None = None
    setup: list[dict] = dataclasses.field(default_factory=list)
    category: str = ""


@dataclasses.dataclass
class ScenarioResult:
    id: str
    tenant: str
    category: str
    passed: bool
    failures: list[str]
    wrong_prices: list[str]
    wrong_bookings: list[str]
    turns_to_book: int | None
    transcript: list[tuple[str, list[str]]]
    seconds: float


@dataclasses.dataclass
class EvalReport:
    engine: str
    results: list[ScenarioResult]
    seconds: float
    engine_turns: dict[str, int] = dataclasses.field(default_factory=dict)  # which engine answered each turn

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def success_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def wrong_prices(self) -> int:
        return sum(len(r.wrong_prices) for r in self.results)

    @property
    def wrong_bookings(self) -> int:
        return sum(len(r.wrong_bookings) for r in self.results)

    @property
    def avg_turns_to_book(self) -> float | None:
        turns = [r.turns_to_book for r in self.results if r.turns_to_book]
        return round(sum(turns) / len(turns), 2) if turns else None

    @property
    def ms_per_message(self) -> float | None:
        """Mean wall time per customer message through the whole SMS path (webhook → reply)."""
        messages = sum(len(r.transcript) for r in self.results)
        return round(1000 * sum(r.seconds for r in self.results) / messages, 1) if messages else None

    @property
    def meets_thresholds(self) -> bool:
        return self.success_rate >= THRESHOLD_SUCCESS and self.wrong_prices == 0 and self.wrong_bookings == 0

    def as_dict(self) -> dict:
        by_tenant: dict[str, dict] = {}
        for r in self.results:
            entry = by_tenant.setdefault(r.tenant, {"total": 0, "passed": 0})
            entry["total"] += 1
            entry["passed"] += int(r.passed)
        return {
            "engine": self.engine, "scenarios": self.total, "passed": self.passed,
            "task_success_rate": round(self.success_rate, 4), "wrong_price_count": self.wrong_prices,
            "wrong_booking_count": self.wrong_bookings, "avg_turns_to_book": self.avg_turns_to_book,
            "meets_thresholds": self.meets_thresholds, "seconds": round(self.seconds, 1), "by_tenant": by_tenant,
            "turns_by_engine": self.engine_turns, "ms_per_message": self.ms_per_message,
            "failures": [{"id": r.id, "failures": r.failures, "wrong_prices": r.wrong_prices,
                          "wrong_bookings": r.wrong_bookings} for r in self.results if not r.passed],
        }

    def table(self) -> str:
        lines = [f"{'scenario':44} {'tenant':14} {'ok':3} {'turns':>5}  notes", "-" * 96]
        for r in self.results:
            note = "; ".join(r.failures + r.wrong_prices + r.wrong_bookings)[:120]
            lines.append(f"{r.id[:44]:44} {r.tenant[:14]:14} {'✓' if r.passed else '✗':3} "
                         f"{r.turns_to_book or '':>5}  {note}")
        lines.append("-" * 96)
        lines.append(f"engine={self.engine}  scenarios={self.total}  success={self.success_rate:.1%}  "
                     f"wrong prices={self.wrong_prices}  wrong bookings={self.wrong_bookings}  "
                     f"avg turns to book={self.avg_turns_to_book}  turns by engine={self.engine_turns}  "
                     f"({self.seconds:.1f}s)")
        return "\n".join(lines)


# ---- loading ------------------------------------------------------------------------------------


def load_scenarios(directory: Path = SCENARIO_DIR, only: Iterable[str] = ()) -> list[Scenario]:
    """Reads every *.yaml file of the suite (file-level `tenant` is the default)."""
    wanted = set(only)
    scenarios: list[Scenario] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        default_tenant = data.get("tenant", "")
        for index, raw in enumerate(data.get("scenarios", ())):
            scenario = Scenario(
                id=raw["id"], tenant=raw.get("tenant", default_tenant), turns=[str(t) for t in raw["turns"]],
                expect=raw.get("expect") or {}, title=raw.get("title", ""), customer=raw.get("customer"),
                setup=list(raw.get("setup") or ()), category=raw.get("category", ""),
                phone=raw.get("phone") or _phone_for(default_tenant or raw.get("tenant", ""), path.stem, index),
            )
            if scenario.id in seen:
                raise ValueError(f"duplicate scenario id {scenario.id}")
            seen.add(scenario.id)
            if not wanted or scenario.id in wanted:
                scenarios.append(scenario)
    return scenarios


def _phone_for(tenant: str, stem: str, index: int) -> str:
    area = TENANT_NUMBERS.get(tenant, "+19185550100")[:5]
    return f"{area}55{(sum(map(ord, stem)) % 50) + 10:02d}{index:03d}"[:12]


# ---- running ------------------------------------------------------------------------------------


def run_eval(*, engine: str = "rules", scenarios: Sequence[Scenario] | None = None, seed: bool = True,
             verbose: bool = False) -> EvalReport:
    """Seeds the demo businesses (unless already there), pins the clock and runs every scenario."""
    from backend.agent import clock, sms_responder
    from backend.config import get_settings
    from backend.jobs import worker  # noqa: F401  (registers the tasks)
    from backend.jobs.queue import huey

    sms_responder.register()  # the agent answers (again, if a test removed the responder)

    if get_settings().sms_provider != "simulator":
        raise RuntimeError("the evaluation needs SMS_PROVIDER=simulator")
    huey.immediate = True
    scenarios = list(scenarios if scenarios is not None else load_scenarios())
    started = time.perf_counter()
    tenant_ids = _seed() if seed else _tenant_ids()
    catalogue = {slug: _legit_amounts(tenant_id) for slug, tenant_id in tenant_ids.items()}
    results = []
    before = _turns_by_engine(tenant_ids.values())  # e.g. the demo seed's own texts
    settings = get_settings()
    previous_engine = settings.llm_provider
    settings.llm_provider = engine
    try:
        with clock.pinned(EVAL_NOW):
            for scenario in scenarios:
                results.append(_run_scenario(scenario, tenant_ids[scenario.tenant], catalogue[scenario.tenant],
                                             verbose=verbose))
    finally:
        settings.llm_provider = previous_engine
    after = _turns_by_engine(tenant_ids.values())
    turns = {k: after[k] - before.get(k, 0) for k in after if after[k] - before.get(k, 0)}
    return EvalReport(engine, results, time.perf_counter() - started, turns)


def _turns_by_engine(tenant_ids) -> dict[str, int]:
    from sqlalchemy import func
    from sqlmodel import select

    from backend.agent.models import AgentTurn
    from backend.db.session import tenant_session

    counts: dict[str, int] = {}
    for tenant_id in tenant_ids:
        with tenant_session(tenant_id) as db:
            for engine, count in db.exec(select(AgentTurn.engine, func.count()).group_by(AgentTurn.engine)).all():
                counts[engine] = counts.get(engine, 0) + count
    return dict(sorted(counts.items()))


def _seed() -> dict[str, str]:
    from backend.db.session import tenant_session
    from backend.demo.seed import seed_demo
    from backend.tenancy import actions as tenancy_actions
    from backend.tenancy.features import has_feature
    from backend.tenancy.models import Tenant
    from backend.tenancy.resolution import invalidate_routing_cache

    ids = seed_demo()
    ids = {slug: ids[slug] for slug in TENANT_NUMBERS if slug in ids}
    for tenant_id in ids.values():
        with tenant_session(tenant_id) as db:
            tenant = db.get(Tenant, tenant_id)
            if not has_feature(tenant, "ai_agent"):
                # Sparkle & Shine is on the starter plan, which has no AI agent: evaluate it on pro
                # (only in this scratch database).
                tenancy_actions.do_change_plan(db, tenant_id=tenant_id, plan_tier="pro", acting_user=None)
    invalidate_routing_cache()
    return ids


def _tenant_ids() -> dict[str, str]:
    from backend.db.session import platform_session
    from backend.tenancy import service as tenancy_service

    with platform_session("agent-eval") as db:
        return {slug: tenancy_service.get_by_slug(db, slug=slug).id for slug in TENANT_NUMBERS}


def _legit_amounts(tenant_id: str) -> tuple[set[tuple[int, int]], set[int]]:
    """Every price range the business can quote and every single amount it can state."""
    from backend.agent.knowledge import build_knowledge
    from backend.db.session import tenant_session
    from backend.scheduling import pricing

    ranges: set[tuple[int, int]] = set()
    singles: set[int] = set()
    with tenant_session(tenant_id) as db:
        kn = build_knowledge(db, tenant_id=tenant_id)
        for service in kn.services:
            attributes = kn.price_attributes(service.id)
            combos = itertools.product(*[[o.value for o in a.options] for a in attributes]) if attributes else [()]
            addon_sets = [[]] + [[a.id] for a in kn.addons if a.offered_with(service.id)]
            addon_sets += [[a.id, b.id] for a, b in itertools.combinations(
                [a for a in kn.addons if a.offered_with(service.id)], 2)]
            for combo in combos:
                values = {a.key: v for a, v in zip(attributes, combo, strict=True)}
                for addons in addon_sets:
                    quote = pricing.quote_price(db, tenant_id=tenant_id, service_id=service.id, addon_ids=addons,
                                                attributes=values)
                    ranges.add((quote.min_cents, quote.max_cents))
        for addon in kn.addons:
            ranges.add((addon.price_min_cents, addon.price_max_cents))
        for price, _ in kn.modifiers.values():
            if price:
                singles.add(price)
        texts = [f.answer for f in kn.faq] + [p.text for p in kn.policies.values()]
        for text in texts:
            for low, high in _amounts(text):
                (ranges.add((low, high)) if high != low else singles.add(low))
    singles |= {low for low, high in ranges if low == high}
    return ranges, singles


def _cents(text: str) -> int:
    return int(round(float(text.replace(",", "")) * 100))


def _amounts(text: str) -> list[tuple[int, int]]:
    return [(_cents(a), _cents(b) if b else _cents(a)) for a, b in _MONEY.findall(text or "")]


def _run_scenario(scenario: Scenario, tenant_id: str, legit, *, verbose: bool) -> ScenarioResult:
    from backend.messaging import simulator

    started = time.perf_counter()
    to_number = TENANT_NUMBERS[scenario.tenant]
    failures: list[str] = []
    setup_ids = _setup(scenario, tenant_id)
    transcript: list[tuple[str, list[str]]] = []
    turns_to_book = None
    for number, text in enumerate(scenario.turns, start=1):
        result = simulator.send_inbound(to_number=to_number, from_number=scenario.phone, body=text)
        replies = [r.body for r in result.replies]
        transcript.append((text, replies))
        if verbose:
            print(f"  [{scenario.id}] > {text}")
            for reply in replies:
                print(f"  [{scenario.id}] < {reply}")
        if turns_to_book is None and _new_bookings(tenant_id, scenario.phone, setup_ids):
            turns_to_book = number
    wrong_prices = _check_prices(scenario, tenant_id, transcript, legit, failures)
    wrong_bookings = _check_end_state(scenario, tenant_id, transcript, setup_ids, failures)
    _cleanup(tenant_id, scenario.phone)
    passed = not failures and not wrong_prices and not wrong_bookings
    return ScenarioResult(scenario.id, scenario.tenant, scenario.category, passed, failures, wrong_prices,
                          wrong_bookings, turns_to_book if scenario.expect.get("booking") else None, transcript,
                          time.perf_counter() - started)


# ---- setup and clean-up ---------------------------------------------------------------------------


def _local(tenant_id: str, text: str) -> dt.datetime:
    from backend.db.session import tenant_session
    from backend.scheduling.timeutil import tenant_zone

    with tenant_session(tenant_id) as db:
        zone = tenant_zone(db, tenant_id=tenant_id)
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


def _service_id(db, tenant_id: str, name: str) -> str:
    from backend.scheduling import service as scheduling_service

    service = scheduling_service.get_service_by_name(db, tenant_id=tenant_id, name=name)
    if service is None:
        raise ValueError(f"no service {name!r}")
    return service.id


def _setup(scenario: Scenario, tenant_id: str) -> dict[str, str]:
    """Creates the scenario's customer, prior bookings and campaign texts; returns booked id → local start."""
    from backend.customers import actions as customers_actions
    from backend.customers import service as customers_service
    from backend.customers.models import AssetIn, CustomerCreate
    from backend.db.session import tenant_session
    from backend.messaging import actions as messaging_actions
    from backend.scheduling import actions as scheduling_actions

    booked: dict[str, str] = {}
    with tenant_session(tenant_id) as db:
        customer = customers_service.get_by_phone(db, tenant_id=tenant_id, phone_e164=scenario.phone)
        if scenario.customer and customer is None:
            spec = scenario.customer
            customer = customers_actions.create_customer(
                db, tenant_id=tenant_id, acting_user=None,
                customer_in=CustomerCreate(name=spec.get("name", ""), phones=[scenario.phone],
                                           address_line1=spec.get("address_line1", ""), city=spec.get("city", ""),
                                           region=spec.get("region", ""), postal_code=spec.get("postal_code", "")),
            )
            for asset in spec.get("assets", ()):
                customers_actions.add_customer_asset(db, tenant_id=tenant_id, customer_id=customer.id, acting_user=None,
                                                     asset_in=AssetIn(**asset))
        for step in scenario.setup:
            if "book" in step:
                spec = step["book"]
                appointment = scheduling_actions.book_appointment(
                    db, tenant_id=tenant_id, customer_id=customer.id,
                    service_id=_service_id(db, tenant_id, spec["service"]),
                    start=_local(tenant_id, spec["start"]), attributes=spec.get("attributes") or {}, source="staff",
                    now=EVAL_NOW,
                )
                booked[appointment.id] = spec["start"]
            if "campaign" in step:
                messaging_actions.send_sms(db, tenant_id=tenant_id, to=scenario.phone, body=step["campaign"],
                                           kind="campaign", now=EVAL_NOW - dt.timedelta(days=2),
                                           sender_name="campaign")
    return booked


def _cleanup(tenant_id: str, phone: str) -> None:
    """Cancels what the scenario booked, so every scenario sees the same free calendar."""
    from sqlmodel import select

    from backend.customers import service as customers_service
    from backend.db.session import tenant_session
    from backend.scheduling import actions as scheduling_actions
    from backend.scheduling.enums import OPEN_STATUSES
    from backend.scheduling.models import Appointment

    with tenant_session(tenant_id) as db:
        customer = customers_service.get_by_phone(db, tenant_id=tenant_id, phone_e164=phone)
        if customer is None:
            return
        for appointment in db.exec(select(Appointment).where(Appointment.customer_id == customer.id,
                                                             Appointment.status.in_(sorted(OPEN_STATUSES)))).all():
            scheduling_actions.do_transition_appointment(
                db, tenant_id=tenant_id, appointment=appointment, to_status="cancelled", acting_user=None,
                actor_name="agent eval", reason="eval clean-up", now=EVAL_NOW)


# ---- checks -------------------------------------------------------------------------------------


def _customer_appointments(tenant_id: str, phone: str):
    from sqlmodel import select

    from backend.customers import service as customers_service
    from backend.db.session import tenant_session
    from backend.scheduling import service as scheduling_service
    from backend.scheduling.models import Appointment

    with tenant_session(tenant_id) as db:
        customer = customers_service.get_by_phone(db, tenant_id=tenant_id, phone_e164=phone)
        if customer is None:
            return []
        rows = list(db.exec(select(Appointment).where(Appointment.customer_id == customer.id)).all())
        addons = scheduling_service.get_appointment_addons(db, tenant_id=tenant_id,
                                                           appointment_ids=[a.id for a in rows])
        names = {s.id: s.name for s in scheduling_service.list_services(db, tenant_id=tenant_id, active_only=False)}
        return [(a, names.get(a.service_id, ""), sorted(x.name for x in addons.get(a.id, []))) for a in rows]


def _new_bookings(tenant_id: str, phone: str, setup_ids) -> list:
    """The customer's appointments made during the scenario (not set up, not demo, not cancelled)."""
    return [row for row in _customer_appointments(tenant_id, phone)
            if row[0].id not in setup_ids and row[0].source not in ("demo", "recurring")
            and row[0].status != "cancelled"]


def _fmt_local(appointment, tenant_id: str) -> str:
    from backend.db.session import tenant_session
    from backend.scheduling.timeutil import tenant_zone

    with tenant_session(tenant_id) as db:
        zone = tenant_zone(db, tenant_id=tenant_id)
    return appointment.start_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _check_prices(scenario: Scenario, tenant_id: str, transcript, legit, failures: list[str]) -> list[str]:
    from backend.db.session import tenant_session
    from backend.scheduling import pricing
    from backend.messaging.segments import smart_encode
    from backend.scheduling.timeutil import format_price_range

    ranges, singles = legit
    wrong: list[str] = []
    replies = [reply for _, rs in transcript for reply in rs]
    for reply in replies:
        for low, high in _amounts(reply):
            ok = (low, high) in ranges if high != low else (low in singles or (low, low) in ranges)
            if not ok:
                wrong.append(f"invented amount in “{reply[:80]}”")
    expected = scenario.expect.get("price")
    if expected:
        with tenant_session(tenant_id) as db:
            service_id = _service_id(db, tenant_id, expected["service"])
            addon_ids = [_addon_id(db, tenant_id, name) for name in expected.get("addons", ())]
            quote = pricing.quote_price(db, tenant_id=tenant_id, service_id=service_id, addon_ids=addon_ids,
                                        attributes=expected.get("attributes") or {})
        # Replies go out with plain punctuation (smart encoding), so compare that form.
        text = smart_encode(format_price_range(quote.min_cents, quote.max_cents))
        if not any(text in reply for reply in replies):
            stated = [a for reply in replies for a in _amounts(reply)]
            if stated:
                wrong.append(f"expected {text} for {expected['service']}, stated {stated}")
            else:
                failures.append(f"price {text} never stated")
    return wrong


def _addon_id(db, tenant_id: str, name: str) -> str:
    from backend.scheduling import service as scheduling_service

    for addon in scheduling_service.list_addons(db, tenant_id=tenant_id, active_only=False):
        if addon.name.lower() == name.lower():
            return addon.id
    raise ValueError(f"no add-on {name!r}")


def _check_end_state(scenario: Scenario, tenant_id: str, transcript, setup_ids: list[str],
                     failures: list[str]) -> list[str]:
    from sqlmodel import select

    from backend.db.session import tenant_session
    from backend.messaging import service as messaging_service
    from backend.messaging.models import OutboundMessage
    from backend.scheduling.models import Appointment

    expect = scenario.expect
    wrong: list[str] = []
    created = _new_bookings(tenant_id, scenario.phone, setup_ids)
    booking = expect.get("booking")
    if booking:
        if len(created) != 1:
            (wrong if len(created) > 1 else failures).append(f"expected one booking, found {len(created)}")
        for appointment, name, addons in created[:1]:
            problems = []
            if name != booking["service"]:
                problems.append(f"service {name!r} != {booking['service']!r}")
            if "start" in booking and _fmt_local(appointment, tenant_id) != booking["start"]:
                problems.append(f"start {_fmt_local(appointment, tenant_id)} != {booking['start']}")
            for key, value in (booking.get("attributes") or {}).items():
                if appointment.attributes.get(key) != value:
                    problems.append(f"{key}={appointment.attributes.get(key)} != {value}")
            if sorted(booking.get("addons", [])) != addons:
                problems.append(f"add-ons {addons} != {sorted(booking.get('addons', []))}")
            if appointment.source != "sms":
                problems.append(f"source {appointment.source}")
            wrong.extend(problems)
            with tenant_session(tenant_id) as db:
                confirmations = db.exec(select(OutboundMessage).where(
                    OutboundMessage.to_number == scenario.phone, OutboundMessage.kind == "confirmation")).all()
            if len(confirmations) != 1:
                failures.append(f"{len(confirmations)} confirmation texts (expected exactly 1)")
    elif created:
        wrong.append(f"unexpected booking: {created[0][1]} at {_fmt_local(created[0][0], tenant_id)}")

    with tenant_session(tenant_id) as db:
        setup_rows = {a.id: a for a in db.exec(select(Appointment).where(Appointment.id.in_(list(setup_ids)))).all()} \
            if setup_ids else {}
        conversation = messaging_service.get_conversation_by_phone(db, tenant_id=tenant_id, phone_e164=scenario.phone)
        opted_out = messaging_service.is_opted_out(db, tenant_id=tenant_id, phone_e164=scenario.phone)
    if "rescheduled" in expect:
        row = setup_rows.get(next(iter(setup_ids))) if setup_ids else None
        target = expect["rescheduled"]
        if row is None or _fmt_local(row, tenant_id) != target or row.status == "cancelled":
            wrong.append(f"expected the booking moved to {target}, it is "
                         f"{_fmt_local(row, tenant_id) if row else 'missing'} ({row.status if row else '-'})")
    else:
        for appointment_id, start in setup_ids.items():
            row = setup_rows.get(appointment_id)
            if row is not None and _fmt_local(row, tenant_id) != start:
                wrong.append(f"an existing booking was moved to {_fmt_local(row, tenant_id)}")
    if expect.get("cancelled"):
        if not setup_rows or any(r.status != "cancelled" for r in setup_rows.values()):
            wrong.append("expected the booking cancelled")
    elif setup_rows and any(r.status == "cancelled" for r in setup_rows.values()):
        wrong.append("a booking was cancelled unexpectedly")

    if "handoff" in expect:
        handed = conversation is not None and conversation.mode == "manual" and conversation.needs_human
        if bool(expect["handoff"]) != handed:
            failures.append(f"hand-off expected={expect['handoff']} actual={handed}")
    if "opt_out" in expect and bool(expect["opt_out"]) != opted_out:
        failures.append(f"opt-out expected={expect['opt_out']} actual={opted_out}")
    replies = [reply for _, rs in transcript for reply in rs]
    for needle in expect.get("reply_contains", ()):
        if not any(needle.lower() in r.lower() for r in replies):
            failures.append(f"no reply contains {needle!r}")
    for needle in expect.get("reply_lacks", ()):
        if any(needle.lower() in r.lower() for r in replies):
            failures.append(f"a reply contains {needle!r}")
    faq = expect.get("faq")
    if faq and not any(all(k.lower() in r.lower() for k in faq) for r in replies):
        failures.append(f"no reply has all of {faq}")
    if expect.get("no_reply_last") and transcript and transcript[-1][1]:
        failures.append(f"expected no reply to the last message, got {transcript[-1][1]}")
    return wrong


