"""Demo data for scheduling and the CRM: each demo tenant gets its industry pack, technicians
with weekly hours, a service area, customers (with assets, tags and a household), past completed
jobs with invoices (mostly paid), upcoming confirmed bookings, a recurring schedule and a sent
quote.

Idempotent: packs, technicians, area and customers are only added when missing; the jobs are
seeded once per tenant (marker: any appointment with source "demo"). Deterministic: the same
data for the same day (times are relative to today, choices are fixed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session, select

from backend.auth import service as auth_service
from backend.customers import actions as customers_actions
from backend.customers import service as customers_service
from backend.customers.enums import AssetKind, CustomerSource, SmsConsent
from backend.customers.models import AssetIn, CustomerCreate
from backend.db.session import platform_session, tenant_session
from backend.db.types import utcnow
from backend.invoices import actions as invoices_actions
from backend.packs.actions import apply_pack
from backend.packs.loader import pack_for_industry
from backend.quotes import actions as quotes_actions
from backend.quotes.enums import LineKind
from backend.scheduling import actions as scheduling_actions
from backend.scheduling import availability, pricing, recurrence, technicians
from backend.scheduling import service as scheduling_service
from backend.scheduling.area import set_service_area
from backend.scheduling.enums import (
    AppointmentEventKind,
    AppointmentSource,
    AppointmentStatus,
    RecurrenceFrequency,
)
from backend.scheduling.hours import get_or_create_booking_settings
from backend.scheduling.models import Appointment
from backend.scheduling.timeutil import local_instant, tenant_zone
from backend.tenancy.models import Tenant


@dataclasses.dataclass(frozen=True)
class DemoTech:
    name: str
    color: str
    login_email: str | None = None
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5)  # weekdays worked (0 = Monday)


@dataclasses.dataclass(frozen=True)
class DemoCustomer:
    name: str
    phone: str
    street: str
    city: str
    region: str
    postal_code: str
    asset: tuple[str, str, dict]  # (kind, label, attributes)
    tags: tuple[str, ...] = ()
    vip: bool = False


@dataclasses.dataclass(frozen=True)
class DemoBusiness:
    zips: tuple[str, ...]
    area: str
    base: tuple[float, float]
    radius_miles: float
    tax_rate_bps: int
    techs: tuple[DemoTech, ...]
    customers: tuple[DemoCustomer, ...]
    past_services: tuple[str, ...]  # pack keys, cycled over past jobs
    future_services: tuple[str, ...]
    recurring: tuple[str, str, str] | None  # (customer phone, service pack key, frequency)
    quote: tuple[str, str, dict] | None  # (customer phone, service pack key, attributes)


DEMO: dict[str, DemoBusiness] = {
    "clean-machine": DemoBusiness(
        zips=("741*",), area="the Tulsa metro (ZIP codes 741xx)", base=(36.1540, -95.9928), radius_miles=30,
        tax_rate_bps=852,
        techs=(
            DemoTech("Marcus Reed", "#0f766e", "owner@cleanmachine.example", (0, 1, 2, 3, 4)),
            DemoTech("Dana Cole", "#2563eb", "staff@cleanmachine.example", (1, 2, 3, 4, 5)),
            DemoTech("Tyler Brooks", "#ea580c", None, (0, 2, 4, 5)),
        ),
        customers=(
            DemoCustomer("Jordan Hayes", "+19185550111", "2417 E 21st St", "Tulsa", "OK", "74114",
                         ("vehicle", "2021 Toyota RAV4", {"vehicle_size": "small_suv"}), ("vip",), True),
            DemoCustomer("Emily Hayes", "+19185550116", "2417 East 21st Street", "Tulsa", "OK", "74114",
                         ("vehicle", "2018 Honda Odyssey", {"vehicle_size": "large"})),
            DemoCustomer("Ashley Nguyen", "+19185550112", "1320 S Boston Ave", "Tulsa", "OK", "74119",
                         ("vehicle", "2019 Honda Accord", {"vehicle_size": "sedan"})),
            DemoCustomer("Derek Coleman", "+19185550113", "8907 S Sheridan Rd", "Tulsa", "OK", "74133",
                         ("vehicle", "2022 Ford F-150", {"vehicle_size": "suv"}), ("fleet",)),
            DemoCustomer("Priya Shah", "+19185550114", "4512 S Harvard Ave", "Tulsa", "OK", "74135",
                         ("vehicle", "2020 Tesla Model 3", {"vehicle_size": "sedan"}), ("ceramic",)),
            DemoCustomer("Tom Whitaker", "+19185550117", "3300 E 51st St", "Tulsa", "OK", "74135",
                         ("vehicle", "2017 Chevy Tahoe", {"vehicle_size": "suv", "condition": "heavy"}),
                         ("pet-owner",)),
            DemoCustomer("Brianna Lewis", "+19185550118", "1502 S Yorktown Ave", "Tulsa", "OK", "74104",
                         ("vehicle", "2023 Mazda CX-5", {"vehicle_size": "small_suv"})),
        ),
        past_services=("full_detail", "interior_detail", "express_wash", "maintenance_detail", "exterior_detail"),
        future_services=("full_detail", "express_wash", "interior_detail", "maintenance_detail", "paint_correction"),
        recurring=("+19185550111", "maintenance_detail", "biweekly"),
        quote=("+19185550114", "ceramic_coating", {"vehicle_size": "sedan"}),
    ),
    "green-acres": DemoBusiness(
        zips=("787*",), area="Austin (ZIP codes 787xx)", base=(30.2672, -97.7431), radius_miles=25,
        tax_rate_bps=825,
        techs=(
            DemoTech("Luis Ortega", "#15803d", "staff@greenacres.example", (0, 1, 2, 3, 4, 5)),
            DemoTech("Jamal Wright", "#ca8a04", None, (0, 1, 2, 3, 4)),
            DemoTech("Kenji Sato", "#0891b2", None, (1, 2, 3, 4, 5)),
        ),
        customers=(
            DemoCustomer("Megan Foster", "+15125550121", "4609 Avenue G", "Austin", "TX", "78751",
                         ("property", "Home lawn", {"lot_size": "medium"}), ("weekly",)),
            DemoCustomer("Hannah Foster", "+15125550126", "4609 Ave G", "Austin", "TX", "78751",
                         ("property", "Home lawn", {"lot_size": "medium"})),
            DemoCustomer("Robert Kim", "+15125550122", "2210 Westover Rd", "Austin", "TX", "78703",
                         ("property", "Front and back yard", {"lot_size": "large", "terrain": "obstacles"}),
                         ("vip",), True),
            DemoCustomer("Sofia Alvarez", "+15125550123", "7804 Shoal Creek Blvd", "Austin", "TX", "78757",
                         ("property", "Small front yard", {"lot_size": "small"})),
            DemoCustomer("Daniel Okafor", "+15125550124", "11601 Jollyville Rd", "Austin", "TX", "78759",
                         ("property", "Office grounds", {"lot_size": "medium"}), ("commercial",)),
            DemoCustomer("Grace Turner", "+15125550125", "1804 Cedar Bend Dr", "Austin", "TX", "78758",
                         ("property", "Acreage", {"lot_size": "xl"})),
        ),
        past_services=("weekly_mowing", "fertilization", "hedge_trimming", "weekly_mowing", "yard_cleanup"),
        future_services=("weekly_mowing", "aeration", "hedge_trimming", "fertilization", "biweekly_mowing"),
        recurring=("+15125550121", "weekly_mowing", "weekly"),
        quote=("+15125550122", "yard_cleanup", {"lot_size": "large", "terrain": "obstacles"}),
    ),
    "sparkle-shine": DemoBusiness(
        zips=("802*",), area="Denver (ZIP codes 802xx)", base=(39.7392, -104.9903), radius_miles=20,
        tax_rate_bps=0,
        techs=(
            DemoTech("Omar Haddad", "#7c3aed", "staff@sparkleshine.example", (0, 1, 2, 3, 4)),
            DemoTech("Rosa Delgado", "#db2777", None, (0, 1, 2, 3, 4)),
            DemoTech("Mei Chen", "#4f46e5", None, (1, 2, 3, 4)),
        ),
        customers=(
            DemoCustomer("Olivia Martin", "+17205550131", "1455 Vine St", "Denver", "CO", "80206",
                         ("property", "Home", {"home_size": "medium", "pets": "pets"}), ("biweekly",)),
            DemoCustomer("Liam Martin", "+17205550136", "1455 Vine Street", "Denver", "CO", "80206",
                         ("property", "Home", {"home_size": "medium", "pets": "pets"})),
            DemoCustomer("Ethan Brooks", "+17205550132", "3021 W 32nd Ave", "Denver", "CO", "80211",
                         ("property", "Condo", {"home_size": "small"})),
            DemoCustomer("Ava Patel", "+17205550133", "720 S Clarkson St", "Denver", "CO", "80209",
                         ("property", "House", {"home_size": "large"}), ("vip",), True),
            DemoCustomer("Noah Johnson", "+17205550134", "2450 Larimer St Apt 5", "Denver", "CO", "80205",
                         ("property", "Airbnb unit", {"home_size": "small"}), ("airbnb",)),
            DemoCustomer("Isabella Chen", "+17205550135", "4600 E Iliff Ave", "Denver", "CO", "80222",
                         ("property", "House", {"home_size": "xl"})),
        ),
        past_services=("deep_clean", "standard_clean", "recurring_clean", "airbnb_turnover", "standard_clean"),
        future_services=("standard_clean", "deep_clean", "recurring_clean", "move_clean", "airbnb_turnover"),
        recurring=("+17205550131", "recurring_clean", "biweekly"),
        quote=("+17205550135", "move_clean", {"home_size": "xl"}),
    ),
}


def seed(tenant_ids: dict[str, str]) -> None:
    """Seeds every demo tenant that has a plan here (slug → tenant id from the core seed)."""
    now = utcnow()
    for slug, business in DEMO.items():
        tenant_id = tenant_ids.get(slug)
        if tenant_id is None:
            continue
        with tenant_session(tenant_id) as db:
            _seed_setup(db, tenant_id=tenant_id, business=business)
        with tenant_session(tenant_id) as db:
            if _already_seeded(db, tenant_id):
                continue
            _seed_jobs(db, tenant_id=tenant_id, business=business, now=now)


def _already_seeded(db: Session, tenant_id: str) -> bool:
    return db.exec(
        select(Appointment.id).where(
            Appointment.tenant_id == tenant_id, Appointment.source == AppointmentSource.DEMO.value
        )
    ).first() is not None


def _seed_setup(db: Session, *, tenant_id: str, business: DemoBusiness) -> None:
    tenant = db.get(Tenant, tenant_id)
    apply_pack(db, tenant_id=tenant_id, pack=pack_for_industry(tenant.industry), acting_user=None)

    settings = get_or_create_booking_settings(db, tenant_id=tenant_id)
    if not scheduling_service.get_area_zips(db, tenant_id=tenant_id) and settings.service_radius_miles is None:
        set_service_area(db, tenant_id=tenant_id, zips=list(business.zips), base_latitude=business.base[0],
                         base_longitude=business.base[1], radius_miles=business.radius_miles,
                         description=business.area, acting_user=None)
        settings.default_tax_rate_bps = business.tax_rate_bps
        db.add(settings)

    existing = {t.name for t in scheduling_service.list_technicians(db, tenant_id=tenant_id, active_only=False)}
    hours = scheduling_service.get_business_hours(db, tenant_id=tenant_id)
    for tech in business.techs:
        if tech.name in existing:
            continue
        user_id = None
        if tech.login_email:
            with platform_session("demo:technician-login") as pdb:
                user = auth_service.get_user_by_email(pdb, email=tech.login_email)
                user_id = user.id if user else None
        weekly = {}
        for row in hours:
            if row.weekday in tech.days:
                weekly.setdefault(row.weekday, []).append((row.open_minute, row.close_minute))
        technicians.create_technician(
            db, tenant_id=tenant_id, acting_user=None, weekly_hours=weekly,
            technician_in=technicians.TechnicianIn(name=tech.name, color=tech.color, user_id=user_id),
        )

    for spec in business.customers:
        if customers_service.get_by_phone(db, tenant_id=tenant_id, phone_e164=spec.phone) is not None:
            continue
        customer = customers_actions.create_customer(
            db, tenant_id=tenant_id, acting_user=None,
            customer_in=CustomerCreate(
                name=spec.name, phones=[spec.phone], email=f"{spec.name.split()[0].lower()}@example.com",
                address_line1=spec.street, city=spec.city, region=spec.region, postal_code=spec.postal_code,
                source=CustomerSource.MANUAL, tags=list(spec.tags), is_vip=spec.vip,
            ),
        )
        kind, label, attributes = spec.asset
        customers_actions.add_customer_asset(
            db, tenant_id=tenant_id, customer_id=customer.id, acting_user=None,
            asset_in=AssetIn(kind=AssetKind(kind), label=label, attributes=attributes),
        )
        customers_actions.set_sms_consent(db, tenant_id=tenant_id, customer_id=customer.id,
                                          consent=SmsConsent.OPTED_IN.value, acting_user=None, source="demo")


def _service_by_key(db: Session, tenant_id: str, key: str):
    services = scheduling_service.list_services(db, tenant_id=tenant_id, active_only=False)
    return next(s for s in services if s.pack_key == key)


def _customer_and_asset(db: Session, tenant_id: str, phone: str):
    customer = customers_service.get_by_phone(db, tenant_id=tenant_id, phone_e164=phone)
    assets = customers_service.get_assets(db, tenant_id=tenant_id, customer_id=customer.id)
    return customer, (assets[0] if assets else None)


def _open_days_back(db: Session, tenant_id: str, zone, today: dt.date, count: int) -> list[dt.date]:
    """Returns `count` distinct past business days, spaced out over the last ~3 months."""
    open_weekdays = {row.weekday for row in scheduling_service.get_business_hours(db, tenant_id=tenant_id)}
    days, day = [], today - dt.timedelta(days=2)
    while len(days) < count:
        if day.weekday() in open_weekdays:
            days.append(day)
            day -= dt.timedelta(days=6)
        else:
            day -= dt.timedelta(days=1)
    return days


def _seed_jobs(db: Session, *, tenant_id: str, business: DemoBusiness, now: dt.datetime) -> None:
    zone = tenant_zone(db, tenant_id=tenant_id)
    today = now.astimezone(zone).date()
    techs = scheduling_service.list_technicians(db, tenant_id=tenant_id)
    hours = {}
    for row in scheduling_service.get_business_hours(db, tenant_id=tenant_id):
        hours.setdefault(row.weekday, row.open_minute)

    # Past jobs: completed, invoiced; all but the last paid.
    phones = [c.phone for c in business.customers]
    past_days = _open_days_back(db, tenant_id, zone, today, 12)
    for i, day in enumerate(past_days):
        customer, asset = _customer_and_asset(db, tenant_id, phones[i % len(phones)])
        service = _service_by_key(db, tenant_id, business.past_services[i % len(business.past_services)])
        quote = pricing.quote_price(db, tenant_id=tenant_id, service_id=service.id,
                                    attributes=asset.attributes if asset else {})
        start = local_instant(day, hours[day.weekday()] + 60 * (i % 2), zone)
        tech = techs[i % len(techs)]
        appointment = Appointment(
            tenant_id=tenant_id, customer_id=customer.id, service_id=service.id, technician_id=tech.id,
            asset_id=asset.id if asset else None, start_at=start.astimezone(dt.timezone.utc),
            end_at=(start + dt.timedelta(minutes=quote.duration_minutes)).astimezone(dt.timezone.utc),
            duration_minutes=quote.duration_minutes, status=AppointmentStatus.CONFIRMED.value,
            source=AppointmentSource.DEMO.value, attributes=quote.attributes,
            address=scheduling_actions.customer_address(customer), price_quoted_min_cents=quote.min_cents,
            price_quoted_max_cents=quote.max_cents, confirmed_at=start - dt.timedelta(days=3),
            created_at=start - dt.timedelta(days=5),
        )
        db.add(appointment)
        db.flush()
        scheduling_actions.record_appointment_event(
            db, tenant_id=tenant_id, appointment=appointment, kind=AppointmentEventKind.CREATED.value,
            acting_user=None, actor_name="demo", to_status=appointment.status, at=appointment.created_at,
        )
        charged = quote.min_cents + (quote.max_cents - quote.min_cents) * (i % 3) // 2
        for status in (AppointmentStatus.IN_PROGRESS.value, AppointmentStatus.COMPLETED.value):
            scheduling_actions.do_transition_appointment(
                db, tenant_id=tenant_id, appointment=appointment, to_status=status, acting_user=None,
                actor_name=tech.name, now=appointment.end_at if status == "completed" else appointment.start_at,
                price_charged_cents=charged if status == "completed" else None,
            )
        invoice = invoices_actions.create_invoice_from_appointment(
            db, tenant_id=tenant_id, appointment_id=appointment.id, acting_user=None, now=appointment.end_at
        )
        invoices_actions.send_invoice(db, tenant_id=tenant_id, invoice_id=invoice.id, acting_user=None,
                                      now=appointment.end_at)
        if i != 0:
            invoices_actions.record_payment(
                db, tenant_id=tenant_id, invoice_id=invoice.id, amount_cents=invoice.total_cents,
                method=("card", "cash", "venmo")[i % 3], received_at=appointment.end_at, acting_user=None,
            )

    # Upcoming confirmed bookings over the next two weeks, through the real booking path.
    booked = 0
    for offset in range(1, 15):
        if booked >= 10:
            break
        day = today + dt.timedelta(days=offset)
        i = booked
        customer, asset = _customer_and_asset(db, tenant_id, phones[(i + 2) % len(phones)])
        service = _service_by_key(db, tenant_id, business.future_services[i % len(business.future_services)])
        attributes = asset.attributes if asset else {}
        slots = availability.find_slots(db, tenant_id=tenant_id, service_ids=[service.id], attributes=attributes,
                                        start_date=day, end_date=day, now=now)
        if not slots:
            continue
        slot = slots[(i * 3) % len(slots)]
        scheduling_actions.book_appointment(
            db, tenant_id=tenant_id, customer_id=customer.id, service_id=service.id, start=slot.start,
            attributes=attributes, asset_id=asset.id if asset else None, source=AppointmentSource.DEMO.value,
            notes="Gate code 1234" if i % 4 == 1 else "", now=now,
        )
        booked += 1

    if business.recurring:
        phone, key, frequency = business.recurring
        customer, asset = _customer_and_asset(db, tenant_id, phone)
        service = _service_by_key(db, tenant_id, key)
        start_day = today + dt.timedelta(days=1)
        while start_day.weekday() not in hours or start_day.weekday() >= 5:
            start_day += dt.timedelta(days=1)
        recurrence.create_series(
            db, tenant_id=tenant_id, acting_user=None, now=now,
            series_in=recurrence.SeriesIn(
                customer_id=customer.id, service_id=service.id, frequency=RecurrenceFrequency(frequency),
                start_date=start_day, start_time="09:00", attributes=asset.attributes if asset else {},
                technician_id=techs[0].id if start_day.weekday() in business.techs[0].days else None,
                notes="Recurring demo customer",
            ),
        )

    if business.quote:
        phone, key, attributes = business.quote
        customer, _ = _customer_and_asset(db, tenant_id, phone)
        service = _service_by_key(db, tenant_id, key)
        quote = quotes_actions.create_quote(
            db, tenant_id=tenant_id, acting_user=None, now=now,
            quote_in=quotes_actions.QuoteCreate(
                customer_id=customer.id, title=f"{service.name} estimate",
                lines=[quotes_actions.QuoteLineIn(kind=LineKind.SERVICE, service_id=service.id,
                                                  attributes=attributes)],
                valid_days=21,
            ),
        )
        quotes_actions.send_quote(db, tenant_id=tenant_id, quote_id=quote.id, acting_user=None, now=now)
