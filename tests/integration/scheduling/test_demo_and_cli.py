"""The demo seed (packs, technicians, area, customers, jobs, invoices) is idempotent, and the
operator CLI prints sensible JSON for the demo businesses."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from backend.cli import app as cli_app
from backend.customers.models import Customer
from backend.db.session import tenant_session
from backend.demo.seed import seed_demo
from backend.invoices.models import Invoice
from backend.packs.models import FaqEntry
from backend.scheduling.models import Appointment, Service, Technician


def _counts(tenant_id: str) -> dict:
    with tenant_session(tenant_id) as db:
        return {
            model.__tablename__: db.exec(select(func.count()).select_from(model)).one()
            for model in (Service, Technician, Customer, Appointment, Invoice, FaqEntry)
        }


@pytest.fixture(scope="module")
def demo(database):
    """Seeded once for the module (the tests only read); the next `db` fixture empties it."""
    from tests.conftest import _truncate_all

    _truncate_all()
    return seed_demo()


def _cli(*args):
    result = CliRunner().invoke(cli_app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_seed_demo_is_idempotent_and_populated(demo):
    before = {slug: _counts(tenant_id) for slug, tenant_id in demo.items()}
    again = seed_demo()
    assert again == demo
    assert {slug: _counts(tenant_id) for slug, tenant_id in demo.items()} == before
    for slug, counts in before.items():
        assert counts["services"] >= 5 and counts["technicians"] == 3 and counts["customers"] >= 6, slug
        assert counts["appointments"] >= 13 and counts["invoices"] == 12, slug
    with tenant_session(demo["green-acres"]) as db:
        paid = db.exec(select(Invoice).where(Invoice.status == "paid")).all()
        assert len(paid) == 11
        vip = db.exec(select(Customer).where(Customer.name == "Robert Kim")).one()
        assert vip.is_vip and vip.total_jobs >= 1 and vip.lifetime_value_cents > 0


def test_cli_services_json(demo):
    data = _cli("services", "--tenant", "clean-machine", "--json")
    full = next(s for s in data if s["name"] == "Full Detail")
    assert (full["duration_minutes"], full["price_min_cents"], full["price_max_cents"]) == (240, 22900, 29900)
    assert full["price_range"] == "$229–$299"
    assert {a["name"] for a in full["addons"]} >= {"Pet hair removal", "Engine bay clean"}
    assert [o["value"] for o in full["attributes"]["vehicle_size"]] == ["sedan", "small_suv", "suv", "large"]


def test_cli_slots_json(demo):
    today = dt.date.today()
    data = _cli("slots", "--tenant", "green-acres", "--service", "mowing", "--date", today.isoformat(),
                "--days", "7", "--json")
    assert data, "a lawn care business has open mowing slots within a week"
    first = data[0]
    assert first["service"] == "Weekly Mowing" and first["technicians"]
    start = dt.datetime.fromisoformat(first["start"])
    assert start.utcoffset() in (dt.timedelta(hours=-5), dt.timedelta(hours=-6))
    assert dt.datetime.fromisoformat(first["end"]) - start == dt.timedelta(minutes=45)


def test_cli_slots_unknown_service_is_a_clear_error(demo):
    result = CliRunner().invoke(cli_app, ["slots", "--tenant", "sparkle-shine", "--service", "Oil change",
                                          "--date", "2030-01-01", "--json"])
    assert result.exit_code == 2
    assert "No service called 'Oil change'" in result.output and "Deep Clean" in result.output


def test_cli_appointments_json(demo):
    data = _cli("appointments", "--tenant", "sparkle-shine", "--from", "2000-01-01", "--json")
    assert len(data) >= 13
    row = data[0]
    assert set(row) >= {"id", "customer_phone", "service", "start", "technician", "status"}
    assert row["customer_phone"].startswith("+1720555")
    assert dt.datetime.fromisoformat(row["start"]).utcoffset() in (dt.timedelta(hours=-6), dt.timedelta(hours=-7))
    assert {r["status"] for r in data} >= {"completed", "confirmed"}
    upcoming = _cli("appointments", "--tenant", "sparkle-shine", "--json")
    assert upcoming and all(r["status"] == "confirmed" for r in upcoming)


def test_cli_appointments_to_before_default_from_names_the_default(demo):
    """`--to` in the past without `--from` says --from defaults to today (not "--to before --from")."""
    result = CliRunner().invoke(cli_app, ["appointments", "--tenant", "sparkle-shine", "--to", "2000-01-01",
                                          "--json"])
    assert result.exit_code == 2
    assert "--to 2000-01-01 is before today" in result.output and "add --from" in result.output


def test_cli_slots_unknown_attribute_is_a_clear_error(demo):
    """A mistyped attribute is refused (it used to be ignored, pricing the default size)."""
    result = CliRunner().invoke(cli_app, ["slots", "--tenant", "clean-machine", "--service", "Full Detail",
                                          "--date", "2030-01-01", "--attr", "vehicle-size=suv", "--json"])
    assert result.exit_code == 2
    assert "Full Detail has no attribute 'vehicle-size'" in result.output and "vehicle_size" in result.output
