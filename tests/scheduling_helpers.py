"""Builders for scheduling tests: a small business with one service, one technician and open
hours that each test then bends one rule at a time. Times are America/Chicago.

Monday 2026-03-02 is the reference week: `NOW` is Monday 06:00 CST, `TUESDAY` the next day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from backend.customers import actions as customers_actions
from backend.customers.models import CustomerCreate
from backend.db.session import tenant_session
from backend.scheduling import catalogue, technicians
from backend.scheduling.hours import (
    BookingSettingsUpdate,
    set_business_hours,
    update_booking_settings,
)
from backend.scheduling.models import ServiceAttribute, ServiceModifier
from tests import factories

CHICAGO = ZoneInfo("America/Chicago")
UTC = dt.timezone.utc
MONDAY = dt.date(2026, 3, 2)
TUESDAY = dt.date(2026, 3, 3)
WEDNESDAY = dt.date(2026, 3, 4)
NOW = dt.datetime(2026, 3, 2, 6, 0, tzinfo=CHICAGO)
ALL_WEEK = {d: [(8 * 60, 17 * 60)] for d in range(7)}


def at(day: dt.date, hhmm: str, tz=CHICAGO) -> dt.datetime:
    hours, minutes = hhmm.split(":")
    return dt.datetime.combine(day, dt.time(int(hours), int(minutes)), tzinfo=tz)


def hhmm(value: dt.datetime) -> str:
    return f"{value.astimezone(CHICAGO):%H:%M}"


@dataclasses.dataclass
class Biz:
    tenant_id: str
    service_id: str
    tech_id: str
    customer_id: str
    attribute_id: str

    def session(self, **kwargs):
        return tenant_session(self.tenant_id, **kwargs)


def make_business(
    *,
    slug: str | None = None,
    timezone: str = "America/Chicago",
    hours=None,
    duration: int = 60,
    settings: dict | None = None,
) -> Biz:
    """A business open 08:00–17:00 every day (by default) with one 60-minute service
    ($50–$70; size=large adds $15 and 30 min), one technician working the same hours, one
    customer, 30-minute slots and no buffer, padding, lunch or notice."""
    tenant = factories.make_tenant(slug, timezone=timezone)
    with tenant_session(tenant.id) as db:
        set_business_hours(db, tenant_id=tenant.id, hours=hours or ALL_WEEK, acting_user=None)
        values = dict(slot_increment_minutes=30, buffer_minutes=0, travel_padding_minutes=0,
                      min_notice_minutes=0, horizon_days=60, cancellation_notice_hours=24)
        values.update(settings or {})
        update_booking_settings(db, tenant_id=tenant.id, acting_user=None,
                                settings_in=BookingSettingsUpdate(**values))
        service = catalogue.create_service(
            db, tenant_id=tenant.id, acting_user=None,
            service_in=catalogue.ServiceIn(name="Wash", duration_minutes=duration, price_min_cents=5000,
                                           price_max_cents=7000, deposit_percent=20,
                                           synonyms=["car wash", "quick wash"]),
        )
        attribute = ServiceAttribute(
            tenant_id=tenant.id, key="size", label="Vehicle size", default_value="small", asset_kind="vehicle",
            options=[{"value": "small", "label": "Small car", "synonyms": ["sedan", "coupe"]},
                     {"value": "large", "label": "Large SUV", "synonyms": ["suv", "crossover", "truck"]}],
        )
        db.add(attribute)
        db.flush()
        db.add(ServiceModifier(tenant_id=tenant.id, service_id=service.id, attribute_id=attribute.id,
                               option_value="small"))
        db.add(ServiceModifier(tenant_id=tenant.id, service_id=service.id, attribute_id=attribute.id,
                               option_value="large", price_delta_cents=1500, duration_delta_minutes=30))
        tech = technicians.create_technician(
            db, tenant_id=tenant.id, acting_user=None, weekly_hours=hours or ALL_WEEK,
            technician_in=technicians.TechnicianIn(name="Alex Tech"),
        )
        customer = customers_actions.create_customer(
            db, tenant_id=tenant.id, acting_user=None,
            customer_in=CustomerCreate(name="Casey Customer", phones=["(918) 555-0134"],
                                       address_line1="12 Oak Street", city="Tulsa", postal_code="74105"),
        )
        return Biz(tenant.id, service.id, tech.id, customer.id, attribute.id)


def add_technician(biz: Biz, name: str, *, hours=None, skilled: bool = True) -> str:
    with biz.session() as db:
        tech = technicians.create_technician(
            db, tenant_id=biz.tenant_id, acting_user=None, weekly_hours=hours or ALL_WEEK,
            service_ids=[biz.service_id] if skilled else [],
            technician_in=technicians.TechnicianIn(name=name),
        )
        return tech.id


def add_customer(biz: Biz, name: str, phone: str, **fields) -> str:
    with biz.session() as db:
        return customers_actions.create_customer(
            db, tenant_id=biz.tenant_id, acting_user=None,
            customer_in=CustomerCreate(name=name, phones=[phone], **fields),
        ).id


def manual_invoice(db, biz: Biz, description: str = "Wash", unit_price_cents: int = 5000, *, tax_rate_bps: int = 0,
                   **fields):
    """A draft invoice with one line for the business's customer, created in the caller's session."""
    from backend.invoices import actions as invoices_actions

    return invoices_actions.create_invoice(db, tenant_id=biz.tenant_id, acting_user=None,
                                           invoice_in=invoices_actions.InvoiceCreate(
                                               customer_id=biz.customer_id, tax_rate_bps=tax_rate_bps,
                                               lines=[invoices_actions.InvoiceLineIn(
                                                   description=description, unit_price_cents=unit_price_cents)],
                                               **fields))
