"""Two texts from a new number arriving together both need "the customer with this phone":
exactly one customer is created and both get it.

PostgreSQL only: there the loser's INSERT waits for the winner's commit and hits the unique
phone; SQLite serialises whole write transactions instead."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from backend.customers import service as customers_service
from backend.customers.models import Customer
from backend.db.session import tenant_session
from tests.race import race
from tests.scheduling_helpers import make_business

NEW_NUMBER = "+19185550777"


@pytest.mark.postgres
def test_get_or_create_by_phone_race_creates_one_customer(db, monkeypatch):
    biz = make_business()
    # Both requests look the number up (and find nobody) before either creates the customer.
    both_looked = threading.Barrier(2)
    lookup = customers_service.get_by_phone
    first_lookup = threading.local()

    def get_by_phone_then_wait(*args, **kwargs):
        found = lookup(*args, **kwargs)
        if not getattr(first_lookup, "done", False):
            first_lookup.done = True
            both_looked.wait(timeout=10)
        return found

    monkeypatch.setattr(customers_service, "get_by_phone", get_by_phone_then_wait)

    def link() -> tuple[str, bool]:
        with tenant_session(biz.tenant_id) as s:
            customer, created = customers_service.get_or_create_by_phone(
                s, tenant_id=biz.tenant_id, phone_e164=NEW_NUMBER, source="sms")
            return customer.id, created

    results = race([link, link])
    assert len({customer_id for customer_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, True]
    with tenant_session(biz.tenant_id) as s:
        assert len(s.exec(select(Customer).where(Customer.phone == NEW_NUMBER)).all()) == 1
