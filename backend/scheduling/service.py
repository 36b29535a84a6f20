"""Scheduling queries: catalogue (services, add-ons, attributes, modifiers), technicians, hours,
settings and appointments. Every lookup of a client-supplied id goes through an `access_*`
helper that raises NotFound for "missing" and "another tenant's" alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, select

from backend.errors import NotFound
from backend.scheduling.models import (
    Appointment,
    AppointmentAddon,
    AppointmentEvent,
    AppointmentPhoto,
    BookingSettings,
    BusinessClosure,
    BusinessHours,
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


def _is_id(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 40


def _access(db: Session, model, tenant_id: str, row_id, message: str):
    row = db.get(model, (tenant_id, row_id)) if _is_id(row_id) else None
    if row is None or row.tenant_id != tenant_id:
        raise NotFound(message)
    return row


def _access_many(db: Session, model, tenant_id: str, ids: Iterable, message: str) -> list:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    if not all(_is_id(i) for i in ids):
        raise NotFound(message)
    rows = db.exec(select(model).where(model.tenant_id == tenant_id, col(model.id).in_(ids))).all()
    by_id = {r.id: r for r in rows}
    if len(by_id) != len(ids):
        raise NotFound(message)
    return [by_id[i] for i in ids]


# ---- services -------------------------------------------------------------------------------


def list_services(db: Session, *, tenant_id: str, active_only: bool = True) -> list[Service]:
    """Returns the tenant's services in display order."""
    query = select(Service).where(Service.tenant_id == tenant_id)
    if active_only:
        query = query.where(Service.active)
    return list(db.exec(query.order_by(Service.sort_order, Service.name)).all())


def access_service_by_id(db: Session, *, tenant_id: str, service_id: str) -> Service:
    """Returns the tenant's service or raises NotFound (also for another tenant's id)."""
    return _access(db, Service, tenant_id, service_id, "No such service.")


def access_services_by_ids(db: Session, *, tenant_id: str, service_ids: Sequence[str]) -> list[Service]:
    """Returns the services in the given order; NotFound if any id is missing or not the tenant's."""
    return _access_many(db, Service, tenant_id, service_ids, "One of those services does not exist.")


def _norm(text: str) -> str:
    return " ".join((text or "").lower().replace("-", " ").replace("&", "and").split())


def get_service_by_name(db: Session, *, tenant_id: str, name: str, active_only: bool = True) -> Service | None:
    """Returns the service whose name, pack key or synonym matches `name` (case-insensitive)."""
    wanted = _norm(name)
    if not wanted:
        return None
    services = list_services(db, tenant_id=tenant_id, active_only=active_only)
    for service in services:
        if _norm(service.name) == wanted or _norm(service.pack_key.replace("_", " ")) == wanted:
            return service
    for service in services:
        if any(_norm(s) == wanted for s in service.synonyms or ()):
            return service
    return None


# ---- add-ons --------------------------------------------------------------------------------


def list_addons(
    db: Session, *, tenant_id: str, service_id: str | None = None, active_only: bool = True
) -> list[ServiceAddon]:
    """Returns add-ons; with `service_id`, only those offered with that service."""
    query = select(ServiceAddon).where(ServiceAddon.tenant_id == tenant_id)
    if active_only:
        query = query.where(ServiceAddon.active)
    addons = list(db.exec(query.order_by(ServiceAddon.sort_order, ServiceAddon.name)).all())
    if service_id is None:
        return addons
    links = addon_links(db, tenant_id=tenant_id)
    return [a for a in addons if not links.get(a.id) or service_id in links[a.id]]


def addon_links(db: Session, *, tenant_id: str) -> dict[str, set[str]]:
    """Returns add-on id → the service ids it is limited to (absent: offered with every service)."""
    links: dict[str, set[str]] = {}
    for link in db.exec(select(ServiceAddonLink).where(ServiceAddonLink.tenant_id == tenant_id)).all():
        links.setdefault(link.addon_id, set()).add(link.service_id)
    return links


def access_addon_by_id(db: Session, *, tenant_id: str, addon_id: str) -> ServiceAddon:
    return _access(db, ServiceAddon, tenant_id, addon_id, "No such add-on.")


def access_addons_by_ids(db: Session, *, tenant_id: str, addon_ids: Sequence[str]) -> list[ServiceAddon]:
    """Returns the add-ons in order; NotFound if any id is missing or not the tenant's."""
    return _access_many(db, ServiceAddon, tenant_id, addon_ids, "One of those add-ons does not exist.")


# ---- attributes and modifiers ---------------------------------------------------------------


def list_attributes(db: Session, *, tenant_id: str) -> list[ServiceAttribute]:
    return list(
        db.exec(
            select(ServiceAttribute)
            .where(ServiceAttribute.tenant_id == tenant_id)
            .order_by(ServiceAttribute.sort_order, ServiceAttribute.key)
        ).all()
    )


def get_attribute_by_key(db: Session, *, tenant_id: str, key: str) -> ServiceAttribute | None:
    return db.exec(
        select(ServiceAttribute).where(ServiceAttribute.tenant_id == tenant_id, ServiceAttribute.key == key)
    ).first()


def access_attribute_by_id(db: Session, *, tenant_id: str, attribute_id: str) -> ServiceAttribute:
    return _access(db, ServiceAttribute, tenant_id, attribute_id, "No such attribute.")


def get_modifiers(
    db: Session, *, tenant_id: str, service_ids: Sequence[str] | None = None
) -> list[ServiceModifier]:
    """Returns the price/duration modifiers of some services (all services when None)."""
    query = select(ServiceModifier).where(ServiceModifier.tenant_id == tenant_id)
    if service_ids is not None:
        query = query.where(col(ServiceModifier.service_id).in_(list(service_ids)))
    return list(db.exec(query).all())


# ---- technicians ----------------------------------------------------------------------------


def list_technicians(db: Session, *, tenant_id: str, active_only: bool = True) -> list[Technician]:
    query = select(Technician).where(Technician.tenant_id == tenant_id)
    if active_only:
        query = query.where(Technician.active)
    return list(db.exec(query.order_by(Technician.sort_order, Technician.name)).all())


def access_technician_by_id(db: Session, *, tenant_id: str, technician_id: str) -> Technician:
    """Returns the tenant's technician or raises NotFound (also for another tenant's id)."""
    return _access(db, Technician, tenant_id, technician_id, "No such technician.")


def get_technician_by_name(db: Session, *, tenant_id: str, name: str) -> Technician | None:
    wanted = _norm(name)
    for tech in list_technicians(db, tenant_id=tenant_id, active_only=False):
        if _norm(tech.name) == wanted or _norm(tech.name.split()[0]) == wanted:
            return tech
    return None


def skills_by_technician(db: Session, *, tenant_id: str) -> dict[str, set[str]]:
    """Returns technician id → ids of the services they perform."""
    skills: dict[str, set[str]] = {}
    for row in db.exec(select(TechnicianSkill).where(TechnicianSkill.tenant_id == tenant_id)).all():
        skills.setdefault(row.technician_id, set()).add(row.service_id)
    return skills


def technicians_for_services(
    db: Session, *, tenant_id: str, service_ids: Sequence[str]
) -> list[Technician]:
    """Returns active technicians skilled in every one of the services, in display order."""
    skills = skills_by_technician(db, tenant_id=tenant_id)
    needed = set(service_ids)
    return [t for t in list_technicians(db, tenant_id=tenant_id) if needed <= skills.get(t.id, set())]


def get_technician_hours(
    db: Session, *, tenant_id: str, technician_ids: Sequence[str] | None = None
) -> list[TechnicianHours]:
    query = select(TechnicianHours).where(TechnicianHours.tenant_id == tenant_id)
    if technician_ids is not None:
        query = query.where(col(TechnicianHours.technician_id).in_(list(technician_ids)))
    return list(db.exec(query.order_by(TechnicianHours.weekday, TechnicianHours.start_minute)).all())


def get_time_off(
    db: Session,
    *,
    tenant_id: str,
    start: dt.datetime,
    end: dt.datetime,
    technician_ids: Sequence[str] | None = None,
) -> list[TechnicianTimeOff]:
    """Returns time off overlapping [start, end)."""
    query = select(TechnicianTimeOff).where(
        TechnicianTimeOff.tenant_id == tenant_id,
        TechnicianTimeOff.starts_at < end,
        TechnicianTimeOff.ends_at > start,
    )
    if technician_ids is not None:
        query = query.where(col(TechnicianTimeOff.technician_id).in_(list(technician_ids)))
    return list(db.exec(query.order_by(TechnicianTimeOff.starts_at)).all())


def access_time_off_by_id(db: Session, *, tenant_id: str, time_off_id: str) -> TechnicianTimeOff:
    return _access(db, TechnicianTimeOff, tenant_id, time_off_id, "No such time off.")


# ---- business hours, closures, settings, area -----------------------------------------------


def get_business_hours(db: Session, *, tenant_id: str) -> list[BusinessHours]:
    return list(
        db.exec(
            select(BusinessHours)
            .where(BusinessHours.tenant_id == tenant_id)
            .order_by(BusinessHours.weekday, BusinessHours.open_minute)
        ).all()
    )


def get_closures(
    db: Session, *, tenant_id: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[BusinessClosure]:
    """Returns closed days, optionally within [start, end] (inclusive)."""
    query = select(BusinessClosure).where(BusinessClosure.tenant_id == tenant_id)
    if start is not None:
        query = query.where(BusinessClosure.day >= start)
    if end is not None:
        query = query.where(BusinessClosure.day <= end)
    return list(db.exec(query.order_by(BusinessClosure.day)).all())


def get_booking_settings(db: Session, *, tenant_id: str) -> BookingSettings | None:
    return db.exec(select(BookingSettings).where(BookingSettings.tenant_id == tenant_id)).first()


def booking_settings_or_default(db: Session, *, tenant_id: str) -> BookingSettings:
    """Returns the tenant's settings row, or unsaved defaults when none exists yet."""
    return get_booking_settings(db, tenant_id=tenant_id) or BookingSettings(tenant_id=tenant_id)


def get_area_zips(db: Session, *, tenant_id: str) -> list[str]:
    return list(
        db.exec(
            select(ServiceAreaZip.postal_code)
            .where(ServiceAreaZip.tenant_id == tenant_id)
            .order_by(ServiceAreaZip.postal_code)
        ).all()
    )


def get_sms_templates(db: Session, *, tenant_id: str) -> dict[str, SmsTemplate]:
    return {
        row.key: row
        for row in db.exec(select(SmsTemplate).where(SmsTemplate.tenant_id == tenant_id)).all()
    }


# ---- appointments ---------------------------------------------------------------------------


def access_appointment_by_id(db: Session, *, tenant_id: str, appointment_id: str) -> Appointment:
    """Returns the tenant's appointment or raises NotFound (also for another tenant's id)."""
    return _access(db, Appointment, tenant_id, appointment_id, "No such appointment.")


def list_appointments(
    db: Session,
    *,
    tenant_id: str,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    technician_id: str | None = None,
    customer_id: str | None = None,
    statuses: Iterable[str] | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[Appointment]:
    """Returns appointments starting in [start, end), filtered, ordered by start time."""
    query = select(Appointment).where(Appointment.tenant_id == tenant_id)
    if start is not None:
        query = query.where(Appointment.start_at >= start)
    if end is not None:
        query = query.where(Appointment.start_at < end)
    if technician_id is not None:
        query = query.where(Appointment.technician_id == technician_id)
    if customer_id is not None:
        query = query.where(Appointment.customer_id == customer_id)
    if statuses is not None:
        query = query.where(col(Appointment.status).in_(list(statuses)))
    query = query.order_by(Appointment.start_at.desc() if newest_first else Appointment.start_at)
    if limit is not None:
        query = query.limit(limit)
    return list(db.exec(query).all())


def get_appointment_addons(
    db: Session, *, tenant_id: str, appointment_ids: Sequence[str]
) -> dict[str, list[AppointmentAddon]]:
    """Returns appointment id → its booked add-ons."""
    if not appointment_ids:
        return {}
    result: dict[str, list[AppointmentAddon]] = {}
    rows = db.exec(
        select(AppointmentAddon).where(
            AppointmentAddon.tenant_id == tenant_id, col(AppointmentAddon.appointment_id).in_(list(appointment_ids))
        )
    ).all()
    for row in rows:
        result.setdefault(row.appointment_id, []).append(row)
    return result


def get_appointment_events(db: Session, *, tenant_id: str, appointment_id: str) -> list[AppointmentEvent]:
    return list(
        db.exec(
            select(AppointmentEvent)
            .where(AppointmentEvent.tenant_id == tenant_id, AppointmentEvent.appointment_id == appointment_id)
            .order_by(AppointmentEvent.at, AppointmentEvent.id)
        ).all()
    )


def get_appointment_photos(db: Session, *, tenant_id: str, appointment_id: str) -> list[AppointmentPhoto]:
    return list(
        db.exec(
            select(AppointmentPhoto)
            .where(AppointmentPhoto.tenant_id == tenant_id, AppointmentPhoto.appointment_id == appointment_id)
            .order_by(AppointmentPhoto.created_at)
        ).all()
    )


def access_photo_by_id(db: Session, *, tenant_id: str, photo_id: str) -> AppointmentPhoto:
    return _access(db, AppointmentPhoto, tenant_id, photo_id, "No such photo.")


def access_series_by_id(db: Session, *, tenant_id: str, series_id: str) -> RecurringSeries:
    return _access(db, RecurringSeries, tenant_id, series_id, "No such recurring schedule.")


def get_upcoming_for_customer(db: Session, *, tenant_id: str, customer_id: str, limit: int = 5) -> list[dict]:
    """Returns the customer's next open appointments as display dicts (id, title, starts_at in the
    tenant's zone, ends_at, status, technician) — used by the inbox side panel."""
    from backend.db.types import utcnow
    from backend.scheduling.enums import OPEN_STATUSES
    from backend.scheduling.timeutil import tenant_zone

    zone = tenant_zone(db, tenant_id=tenant_id)
    rows = list_appointments(db, tenant_id=tenant_id, customer_id=customer_id, start=utcnow() - dt.timedelta(hours=12),
                             statuses=OPEN_STATUSES, limit=limit)
    names = {s.id: s.name for s in list_services(db, tenant_id=tenant_id, active_only=False)}
    techs = {t.id: t.name for t in list_technicians(db, tenant_id=tenant_id, active_only=False)}
    return [
        {
            "id": a.id,
            "title": names.get(a.service_id, ""),
            "starts_at": a.start_at.astimezone(zone).isoformat(),
            "ends_at": a.end_at.astimezone(zone).isoformat(),
            "status": a.status,
            "technician": techs.get(a.technician_id or ""),
        }
        for a in rows
    ]
