"""Two staff members recording the same full payment at once (two tabs, a double click): one
payment is recorded, the other is refused, and the invoice's paid amount matches its payments.
The same for two "Create invoice" clicks on one completed job.

Each attempt opens its own tenant_session; tests.race releases them together."""

from __future__ import annotations

from sqlmodel import select

from backend.db.session import tenant_session
from backend.invoices import actions as invoices_actions
from backend.invoices import service as invoices_service
from backend.invoices.models import Invoice
from backend.scheduling.actions import book_appointment, transition_appointment
from tests.race import REFUSED, race
from tests.scheduling_helpers import NOW, TUESDAY, at, make_business, manual_invoice

RACERS = 4


def test_record_payment_race_records_one_full_payment(db):
    """Four parallel full payments of one invoice: exactly one is recorded."""
    biz = make_business()
    with biz.session() as s:
        invoice_id = manual_invoice(s, biz).id

    def pay() -> str:
        with tenant_session(biz.tenant_id) as s:
            invoices_actions.record_payment(s, tenant_id=biz.tenant_id, invoice_id=invoice_id, amount_cents=5000,
                                            method="cash", acting_user=None)
        return "paid"

    assert sorted(race([pay] * RACERS)) == ["paid"] + [REFUSED] * (RACERS - 1)
    with biz.session() as s:
        invoice = invoices_service.access_invoice_by_id(s, tenant_id=biz.tenant_id, invoice_id=invoice_id)
        payments = invoices_service.get_payments(s, tenant_id=biz.tenant_id, invoice_id=invoice_id)
        assert (invoice.status, invoice.amount_paid_cents, len(payments)) == ("paid", 5000, 1)


def test_create_invoice_from_appointment_race_creates_one_invoice(db):
    """Four parallel "Create invoice" clicks for one completed job: exactly one invoice."""
    biz = make_business()
    with biz.session() as s:
        appointment = book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id,
                                       service_id=biz.service_id, start=at(TUESDAY, "10:00"), now=NOW)
        transition_appointment(s, tenant_id=biz.tenant_id, appointment_id=appointment.id, to_status="completed",
                               now=at(TUESDAY, "12:00"))
        appointment_id = appointment.id

    def create() -> str:
        with tenant_session(biz.tenant_id) as s:
            invoices_actions.create_invoice_from_appointment(s, tenant_id=biz.tenant_id,
                                                             appointment_id=appointment_id, acting_user=None)
        return "created"

    assert sorted(race([create] * RACERS)) == ["created"] + [REFUSED] * (RACERS - 1)
    with biz.session() as s:
        assert len(s.exec(select(Invoice)).all()) == 1
