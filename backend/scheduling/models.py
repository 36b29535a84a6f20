"""Scheduling tables: the tenant's catalogue (services, add-ons, asset attributes and their price
modifiers), staff (technicians, skills, weekly hours, time off), business hours, closures,
booking settings, service area, appointments with their add-ons, history and photos, recurring
series, ICS feeds and the tenant's SMS templates.

Instants are UTC (`UTCDateTime`); local wall-clock rules (hours, lunch) are minutes after local
midnight in the tenant's zone (`Tenant.timezone`); local calendar days are `date` columns.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKeyConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field

from backend.db.base import TenantScoped
from backend.db.ids import new_id
from backend.db.types import UTCDateTime, utcnow
from backend.scheduling.enums import AppointmentSource, AppointmentStatus, SeriesStatus


def _fk(column: str, table: str, *, ondelete: str | None = None) -> ForeignKeyConstraint:
    """Composite reference (tenant_id, column) -> table(tenant_id, id)."""
    return ForeignKeyConstraint(
        ["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete
    )


# ---- catalogue -------------------------------------------------------------------------------


class Service(TenantScoped, table=True):
    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", name="uq_services_name"),
        Index("ix_services_tenant_active", "tenant_id", "active", "sort_order"),
        Index("ix_services_tenant_pack_key", "tenant_id", "pack_key"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    # The pack entry this row was copied from ("" for services the tenant created).
    pack_key: str = Field(default="", max_length=60)
    name: str = Field(max_length=120)
    description: str = Field(default="", sa_type=Text)
    duration_minutes: int
    price_min_cents: int
    price_max_cents: int
    deposit_percent: int = Field(default=0)
    active: bool = Field(default=True)
    sort_order: int = Field(default=0)
    synonyms: list = Field(default_factory=list, sa_type=JSON)
    weather_sensitive: bool = Field(default=False)
    recurring_suggested: bool = Field(default=False)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ServiceAddon(TenantScoped, table=True):
    """An add-on/upsell. Offered with the services linked in `service_addon_links`, or with
    every service when it has no links."""

    __tablename__ = "service_addons"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", name="uq_service_addons_name"),
        Index("ix_service_addons_tenant_pack_key", "tenant_id", "pack_key"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    pack_key: str = Field(default="", max_length=60)
    name: str = Field(max_length=120)
    description: str = Field(default="", sa_type=Text)
    price_min_cents: int
    price_max_cents: int
    duration_minutes: int = Field(default=0)
    active: bool = Field(default=True)
    sort_order: int = Field(default=0)
    synonyms: list = Field(default_factory=list, sa_type=JSON)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ServiceAddonLink(TenantScoped, table=True):
    __tablename__ = "service_addon_links"
    __table_args__ = (
        _fk("addon_id", "service_addons", ondelete="CASCADE"),
        _fk("service_id", "services", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "addon_id", "service_id", name="uq_service_addon_links"),
        Index("ix_service_addon_links_service", "tenant_id", "service_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    addon_id: str = Field(max_length=40)
    service_id: str = Field(max_length=40)


class ServiceAttribute(TenantScoped, table=True):
    """An asset attribute that changes price or duration, e.g. vehicle_size with options
    [{"value": "suv", "label": "SUV / pickup", "synonyms": ["crossover", ...]}, ...]."""

    __tablename__ = "service_attributes"
    __table_args__ = (UniqueConstraint("tenant_id", "key", name="uq_service_attributes_key"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    key: str = Field(max_length=60)
    label: str = Field(max_length=120)
    asset_kind: str = Field(default="other", max_length=20)
    default_value: str = Field(max_length=60)
    options: list = Field(default_factory=list, sa_type=JSON)
    sort_order: int = Field(default=0)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ServiceModifier(TenantScoped, table=True):
    """How one option of an attribute changes one service (e.g. Full Detail, suv: +$40, +30 min).
    A service is affected by the attributes it has modifier rows for."""

    __tablename__ = "service_modifiers"
    __table_args__ = (
        _fk("service_id", "services", ondelete="CASCADE"),
        _fk("attribute_id", "service_attributes", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "service_id", "attribute_id", "option_value", name="uq_service_modifiers"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    service_id: str = Field(max_length=40)
    attribute_id: str = Field(max_length=40)
    option_value: str = Field(max_length=60)
    price_delta_cents: int = Field(default=0)
    duration_delta_minutes: int = Field(default=0)


# ---- staff and hours ------------------------------------------------------------------------


class Technician(TenantScoped, table=True):
    __tablename__ = "technicians"
    __table_args__ = (
        Index("ix_technicians_tenant_active", "tenant_id", "active", "sort_order"),
        Index("ix_technicians_tenant_user", "tenant_id", "user_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    name: str = Field(max_length=120)
    # The staff login this technician uses, if any (users is a global table).
    user_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    color: str = Field(default="#2563eb", max_length=9)
    phone: str = Field(default="", max_length=16)
    email: str = Field(default="", max_length=254)
    active: bool = Field(default=True)
    sort_order: int = Field(default=0)
    # Bumped by every booking that considers this technician; on SQLite it makes the booking
    # transaction start with a write, which serialises concurrent bookings.
    booking_seq: int = Field(default=0)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TechnicianSkill(TenantScoped, table=True):
    """Which services a technician can perform."""

    __tablename__ = "technician_skills"
    __table_args__ = (
        _fk("technician_id", "technicians", ondelete="CASCADE"),
        _fk("service_id", "services", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "technician_id", "service_id", name="uq_technician_skills"),
        Index("ix_technician_skills_service", "tenant_id", "service_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    technician_id: str = Field(max_length=40)
    service_id: str = Field(max_length=40)


class TechnicianHours(TenantScoped, table=True):
    """A weekly working window (weekday 0 = Monday; minutes after local midnight)."""

    __tablename__ = "technician_hours"
    __table_args__ = (
        _fk("technician_id", "technicians", ondelete="CASCADE"),
        Index("ix_technician_hours_tech", "tenant_id", "technician_id", "weekday"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    technician_id: str = Field(max_length=40)
    weekday: int
    start_minute: int
    end_minute: int


class TechnicianTimeOff(TenantScoped, table=True):
    __tablename__ = "technician_time_off"
    __table_args__ = (
        _fk("technician_id", "technicians", ondelete="CASCADE"),
        Index("ix_technician_time_off_range", "tenant_id", "starts_at", "ends_at"),
        Index("ix_technician_time_off_tech", "tenant_id", "technician_id", "starts_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    technician_id: str = Field(max_length=40)
    starts_at: dt.datetime = Field(sa_type=UTCDateTime)
    ends_at: dt.datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BusinessHours(TenantScoped, table=True):
    """An opening window (weekday 0 = Monday). A weekday without rows is closed."""

    __tablename__ = "business_hours"
    __table_args__ = (Index("ix_business_hours_weekday", "tenant_id", "weekday"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    weekday: int
    open_minute: int
    close_minute: int


class BusinessClosure(TenantScoped, table=True):
    """A local calendar day the business is closed (holiday, vacation)."""

    __tablename__ = "business_closures"
    __table_args__ = (UniqueConstraint("tenant_id", "day", name="uq_business_closures_day"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    day: dt.date = Field(sa_type=Date)
    name: str = Field(default="Closed", max_length=120)


class BookingSettings(TenantScoped, table=True):
    """One row per tenant: booking rules, reminders, cancellation policy, weather policy and the
    service-area radius (the ZIP list is `service_area_zips`)."""

    __tablename__ = "booking_settings"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_booking_settings_tenant"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    slot_increment_minutes: int = Field(default=30)
    buffer_minutes: int = Field(default=0)
    travel_padding_minutes: int = Field(default=0)
    min_notice_minutes: int = Field(default=120)
    horizon_days: int = Field(default=60)
    lunch_start_minute: int | None = Field(default=None)
    lunch_end_minute: int | None = Field(default=None)
    cancellation_notice_hours: int = Field(default=24)
    reminder_hours_before: int = Field(default=24)
    auto_confirm: bool = Field(default=True)
    recurrence_window_days: int = Field(default=56)
    weather_sensitive: bool = Field(default=False)
    weather_cancels_on: list = Field(default_factory=list, sa_type=JSON)
    weather_policy_text: str = Field(default="", sa_type=Text)
    base_latitude: float | None = Field(default=None)
    base_longitude: float | None = Field(default=None)
    service_radius_miles: float | None = Field(default=None)
    area_description: str = Field(default="", max_length=300)
    # Sales tax applied to new quotes and invoices, in basis points (825 = 8.25 %).
    default_tax_rate_bps: int = Field(default=0)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ServiceAreaZip(TenantScoped, table=True):
    """A served ZIP code ("74105") or ZIP prefix ("741*")."""

    __tablename__ = "service_area_zips"
    __table_args__ = (UniqueConstraint("tenant_id", "postal_code", name="uq_service_area_zips"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    postal_code: str = Field(max_length=10)


# ---- appointments ---------------------------------------------------------------------------


class Appointment(TenantScoped, table=True):
    __tablename__ = "appointments"
    __table_args__ = (
        _fk("customer_id", "customers"),
        _fk("service_id", "services"),
        _fk("technician_id", "technicians"),
        _fk("asset_id", "customer_assets"),
        _fk("series_id", "recurring_series"),
        UniqueConstraint("tenant_id", "series_id", "occurrence_date", name="uq_appointments_occurrence"),
        Index("ix_appointments_tenant_start", "tenant_id", "start_at"),
        Index("ix_appointments_tech_start", "tenant_id", "technician_id", "start_at"),
        Index("ix_appointments_customer", "tenant_id", "customer_id", "start_at"),
        Index("ix_appointments_status_start", "tenant_id", "status", "start_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    customer_id: str = Field(max_length=40)
    service_id: str = Field(max_length=40)
    technician_id: str | None = Field(default=None, max_length=40)
    asset_id: str | None = Field(default=None, max_length=40)
    series_id: str | None = Field(default=None, max_length=40)
    # The series occurrence this appointment was generated for (local date, kept on reschedule).
    occurrence_date: dt.date | None = Field(default=None, sa_type=Date)
    start_at: dt.datetime = Field(sa_type=UTCDateTime)
    end_at: dt.datetime = Field(sa_type=UTCDateTime)
    duration_minutes: int
    status: str = Field(default=AppointmentStatus.CONFIRMED.value, max_length=20)
    source: str = Field(default=AppointmentSource.STAFF.value, max_length=20)
    attributes: dict = Field(default_factory=dict, sa_type=JSON)
    address: str = Field(default="", max_length=400)
    notes: str = Field(default="", sa_type=Text)
    price_quoted_min_cents: int = Field(default=0)
    price_quoted_max_cents: int = Field(default=0)
    price_charged_cents: int | None = Field(default=None)
    deposit_cents: int = Field(default=0)
    # Written by the messaging area when it has sent them.
    confirmation_sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminder_sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str = Field(default="", max_length=300)
    created_by_user_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AppointmentAddon(TenantScoped, table=True):
    """An add-on booked with an appointment, with its name and price as quoted at booking."""

    __tablename__ = "appointment_addons"
    __table_args__ = (
        _fk("appointment_id", "appointments", ondelete="CASCADE"),
        _fk("addon_id", "service_addons"),
        Index("ix_appointment_addons_appointment", "tenant_id", "appointment_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    appointment_id: str = Field(max_length=40)
    addon_id: str = Field(max_length=40)
    name: str = Field(max_length=120)
    price_min_cents: int
    price_max_cents: int
    duration_minutes: int = Field(default=0)


class AppointmentEvent(TenantScoped, table=True):
    """Who did what to an appointment and when (creation, each transition, reschedules)."""

    __tablename__ = "appointment_events"
    __table_args__ = (
        _fk("appointment_id", "appointments", ondelete="CASCADE"),
        Index("ix_appointment_events_appointment", "tenant_id", "appointment_id", "at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    appointment_id: str = Field(max_length=40)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    kind: str = Field(max_length=20)
    from_status: str = Field(default="", max_length=20)
    to_status: str = Field(default="", max_length=20)
    actor_user_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    # "system", "customer" or the staff member's name.
    actor_name: str = Field(default="system", max_length=200)
    detail: dict = Field(default_factory=dict, sa_type=JSON)


class AppointmentPhoto(TenantScoped, table=True):
    """A photo attached to an appointment; the file lives in private storage
    (settings.data_dir/private/<tenant_id>/...) and is served by an authenticated route."""

    __tablename__ = "appointment_photos"
    __table_args__ = (
        _fk("appointment_id", "appointments", ondelete="CASCADE"),
        Index("ix_appointment_photos_appointment", "tenant_id", "appointment_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    appointment_id: str = Field(max_length=40)
    storage_key: str = Field(max_length=300)
    content_type: str = Field(max_length=60)
    size_bytes: int
    original_name: str = Field(default="", max_length=200)
    caption: str = Field(default="", max_length=300)
    uploaded_by_user_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---- recurrence -----------------------------------------------------------------------------


class RecurringSeries(TenantScoped, table=True):
    """A repeating booking (dateutil rrule in the tenant's zone; 9 am stays 9 am across DST).
    Occurrences are generated as appointments on a rolling window."""

    __tablename__ = "recurring_series"
    __table_args__ = (
        _fk("customer_id", "customers"),
        _fk("service_id", "services"),
        _fk("technician_id", "technicians"),
        Index("ix_recurring_series_customer", "tenant_id", "customer_id"),
        Index("ix_recurring_series_status", "tenant_id", "status"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    customer_id: str = Field(max_length=40)
    service_id: str = Field(max_length=40)
    technician_id: str | None = Field(default=None, max_length=40)
    frequency: str = Field(max_length=20)
    interval: int = Field(default=1)
    # 0 = Monday; used by weekly/biweekly/custom rules.
    by_weekdays: list = Field(default_factory=list, sa_type=JSON)
    by_monthday: int | None = Field(default=None)
    start_date: dt.date = Field(sa_type=Date)
    local_start_minute: int
    until_date: dt.date | None = Field(default=None, sa_type=Date)
    status: str = Field(default=SeriesStatus.ACTIVE.value, max_length=20)
    # Add-on ids are resolved inside the tenant (access_addons_by_ids) whenever used.
    addon_ids: list = Field(default_factory=list, sa_type=JSON)
    attributes: dict = Field(default_factory=dict, sa_type=JSON)
    notes: str = Field(default="", sa_type=Text)
    generated_through: dt.date | None = Field(default=None, sa_type=Date)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RecurringException(TenantScoped, table=True):
    """An occurrence date of a series that is skipped (never generated, or cancelled)."""

    __tablename__ = "recurring_exceptions"
    __table_args__ = (
        _fk("series_id", "recurring_series", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "series_id", "occurrence_date", name="uq_recurring_exceptions"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    series_id: str = Field(max_length=40)
    occurrence_date: dt.date = Field(sa_type=Date)
    reason: str = Field(default="", max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---- calendar feeds and templates ----------------------------------------------------------


class IcsFeed(TenantScoped, table=True):
    """A technician's calendar feed. The URL token is "<tenant_id>.<secret>"; only the SHA-256
    of the whole token is stored, and a revoked feed stops answering."""

    __tablename__ = "ics_feeds"
    __table_args__ = (
        _fk("technician_id", "technicians", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "token_hash", name="uq_ics_feeds_token"),
        Index("ix_ics_feeds_technician", "tenant_id", "technician_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    technician_id: str = Field(max_length=40)
    token_hash: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class SmsTemplate(TenantScoped, table=True):
    """The tenant's editable copy of a pack SMS template (booking_confirmation, reminder, ...)."""

    __tablename__ = "tenant_sms_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "key", name="uq_tenant_sms_templates_key"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=40)
    key: str = Field(max_length=40)
    body: str = Field(sa_type=Text)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
