"""Isolation builders for the scheduling, packs, quotes and invoices tables."""

from __future__ import annotations

import datetime as dt
import random

from sqlmodel import Session

from backend.invoices.models import Invoice, InvoiceLine, InvoicePayment
from backend.packs.models import FaqEntry, TenantPackProfile
from backend.quotes.models import Quote, QuoteLine
from backend.scheduling.models import (
    Appointment,
    AppointmentAddon,
    AppointmentEvent,
    AppointmentPhoto,
    BusinessClosure,
    BusinessHours,
    IcsFeed,
    RecurringException,
    RecurringSeries,
    Service,
    ServiceAddon,
    ServiceAddonLink,
    ServiceAreaZip,
    ServiceAttribute,
    ServiceModifier,
    SmsTemplate,
    Technician,
    TechnicianHours,
    TechnicianSkill,
    TechnicianTimeOff,
)
from tests.isolation.builders_customers import customer
from tests.isolation.registry import builder, flush

UTC = dt.timezone.utc


def _n() -> int:
    return random.randint(0, 10**9)


@builder("services")
def service(db: Session, tenant_id: str):
    return flush(db, Service(tenant_id=tenant_id, name=f"Iso service {_n()}", duration_minutes=60,
                             price_min_cents=5000, price_max_cents=7000))


@builder("service_addons")
def addon(db: Session, tenant_id: str):
    return flush(db, ServiceAddon(tenant_id=tenant_id, name=f"Iso add-on {_n()}", price_min_cents=1000,
                                  price_max_cents=1000, duration_minutes=15))


@builder("service_addon_links")
def addon_link(db: Session, tenant_id: str):
    return flush(db, ServiceAddonLink(tenant_id=tenant_id, addon_id=addon(db, tenant_id).id,
                                      service_id=service(db, tenant_id).id))


@builder("service_attributes")
def attribute(db: Session, tenant_id: str):
    return flush(db, ServiceAttribute(
        tenant_id=tenant_id, key=f"size_{_n()}", label="Size", default_value="small",
        options=[{"value": "small", "label": "Small"}, {"value": "large", "label": "Large"}],
    ))


@builder("service_modifiers")
def modifier(db: Session, tenant_id: str):
    return flush(db, ServiceModifier(tenant_id=tenant_id, service_id=service(db, tenant_id).id,
                                     attribute_id=attribute(db, tenant_id).id, option_value="large",
                                     price_delta_cents=1500, duration_delta_minutes=15))


@builder("technicians")
def technician(db: Session, tenant_id: str):
    return flush(db, Technician(tenant_id=tenant_id, name=f"Iso Tech {_n()}"))


@builder("technician_skills")
def skill(db: Session, tenant_id: str):
    return flush(db, TechnicianSkill(tenant_id=tenant_id, technician_id=technician(db, tenant_id).id,
                                     service_id=service(db, tenant_id).id))


@builder("technician_hours")
def technician_hours(db: Session, tenant_id: str):
    return flush(db, TechnicianHours(tenant_id=tenant_id, technician_id=technician(db, tenant_id).id, weekday=0,
                                     start_minute=480, end_minute=1020))


@builder("technician_time_off")
def time_off(db: Session, tenant_id: str):
    start = dt.datetime(2030, 1, 1, 14, tzinfo=UTC)
    return flush(db, TechnicianTimeOff(tenant_id=tenant_id, technician_id=technician(db, tenant_id).id,
                                       starts_at=start, ends_at=start + dt.timedelta(hours=4), reason="Dentist"))


@builder("business_hours")
def business_hours(db: Session, tenant_id: str):
    return flush(db, BusinessHours(tenant_id=tenant_id, weekday=1, open_minute=480, close_minute=1020))


@builder("business_closures")
def closure(db: Session, tenant_id: str):
    return flush(db, BusinessClosure(tenant_id=tenant_id, day=dt.date(2030, 1, 1) + dt.timedelta(days=_n() % 3000),
                                     name="Holiday"))


@builder("booking_settings")
def booking_settings(db: Session, tenant_id: str):
    from backend.scheduling.hours import get_or_create_booking_settings

    return get_or_create_booking_settings(db, tenant_id=tenant_id)


@builder("service_area_zips")
def area_zip(db: Session, tenant_id: str):
    return flush(db, ServiceAreaZip(tenant_id=tenant_id, postal_code=f"{_n() % 100000:05d}"))


@builder("appointments")
def appointment(db: Session, tenant_id: str):
    start = dt.datetime(2030, 1, 7, 15, tzinfo=UTC)
    return flush(db, Appointment(
        tenant_id=tenant_id, customer_id=customer(db, tenant_id).id, service_id=service(db, tenant_id).id,
        technician_id=technician(db, tenant_id).id, start_at=start, end_at=start + dt.timedelta(hours=1),
        duration_minutes=60, price_quoted_min_cents=5000, price_quoted_max_cents=7000,
    ))


@builder("appointment_addons")
def appointment_addon(db: Session, tenant_id: str):
    return flush(db, AppointmentAddon(tenant_id=tenant_id, appointment_id=appointment(db, tenant_id).id,
                                      addon_id=addon(db, tenant_id).id, name="Extra", price_min_cents=1000,
                                      price_max_cents=1000))


@builder("appointment_events")
def appointment_event(db: Session, tenant_id: str):
    return flush(db, AppointmentEvent(tenant_id=tenant_id, appointment_id=appointment(db, tenant_id).id,
                                      kind="created", to_status="confirmed"))


@builder("appointment_photos")
def appointment_photo(db: Session, tenant_id: str):
    return flush(db, AppointmentPhoto(tenant_id=tenant_id, appointment_id=appointment(db, tenant_id).id,
                                      storage_key=f"appointments/x/{_n()}.jpg", content_type="image/jpeg",
                                      size_bytes=10))


@builder("recurring_series")
def series(db: Session, tenant_id: str):
    return flush(db, RecurringSeries(
        tenant_id=tenant_id, customer_id=customer(db, tenant_id).id, service_id=service(db, tenant_id).id,
        technician_id=technician(db, tenant_id).id, frequency="weekly", by_weekdays=[0],
        start_date=dt.date(2030, 1, 7), local_start_minute=540,
    ))


@builder("recurring_exceptions")
def series_exception(db: Session, tenant_id: str):
    return flush(db, RecurringException(tenant_id=tenant_id, series_id=series(db, tenant_id).id,
                                        occurrence_date=dt.date(2030, 1, 14), reason="Vacation"))


@builder("ics_feeds")
def ics_feed(db: Session, tenant_id: str):
    return flush(db, IcsFeed(tenant_id=tenant_id, technician_id=technician(db, tenant_id).id,
                             token_hash=f"{_n():064d}"))


@builder("tenant_sms_templates")
def sms_template(db: Session, tenant_id: str):
    return flush(db, SmsTemplate(tenant_id=tenant_id, key=f"reminder_{_n()}", body="Hi {customer_first_name}"))


@builder("faq_entries")
def faq_entry(db: Session, tenant_id: str):
    return flush(db, FaqEntry(tenant_id=tenant_id, question="Do you need water?", answer="No.", keywords=["water"]))


@builder("tenant_pack_profiles")
def pack_profile(db: Session, tenant_id: str):
    return flush(db, TenantPackProfile(tenant_id=tenant_id, pack_key="auto_detailing", jokes=["A joke."]))


@builder("quotes")
def quote(db: Session, tenant_id: str):
    return flush(db, Quote(tenant_id=tenant_id, number=f"Q-{_n()}", customer_id=customer(db, tenant_id).id,
                           subtotal_cents=10000, total_cents=10825, tax_rate_bps=825, tax_cents=825))


@builder("quote_lines")
def quote_line(db: Session, tenant_id: str):
    return flush(db, QuoteLine(tenant_id=tenant_id, quote_id=quote(db, tenant_id).id, kind="service",
                               service_id=service(db, tenant_id).id, description="Service", unit_price_cents=10000,
                               total_cents=10000))


@builder("invoices")
def invoice(db: Session, tenant_id: str):
    return flush(db, Invoice(tenant_id=tenant_id, number=f"INV-{_n()}", customer_id=customer(db, tenant_id).id,
                             appointment_id=appointment(db, tenant_id).id, subtotal_cents=10000,
                             total_cents=10000))


@builder("invoice_lines")
def invoice_line(db: Session, tenant_id: str):
    return flush(db, InvoiceLine(tenant_id=tenant_id, invoice_id=invoice(db, tenant_id).id, kind="addon",
                                 addon_id=addon(db, tenant_id).id, description="Add-on", unit_price_cents=1000,
                                 total_cents=1000))


@builder("invoice_payments")
def invoice_payment(db: Session, tenant_id: str):
    return flush(db, InvoicePayment(tenant_id=tenant_id, invoice_id=invoice(db, tenant_id).id, amount_cents=5000,
                                    method="cash"))
