"""Technician writes: create/update, skills (which services), weekly working hours and time off.
Each action audits with the acting user."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete
from sqlmodel import Session

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.auth.models import User
from backend.db.types import utcnow
from backend.errors import UserError
from backend.phones import to_e164_strict
from backend.scheduling import service as scheduling_service
from backend.scheduling.hours import WeeklyHours, normalise_weekly_hours
from backend.scheduling.models import (
    Technician,
    TechnicianHours,
    TechnicianSkill,
    TechnicianTimeOff,
)

# Distinct calendar colours handed out in order to new technicians.
PALETTE = ("#2563eb", "#16a34a", "#db2777", "#ea580c", "#7c3aed", "#0891b2", "#ca8a04", "#dc2626",
           "#4f46e5", "#059669")


class TechnicianIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    color: str | None = None
    phone: str = ""
    email: str = ""
    user_id: str | None = None
    active: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("Enter the technician's name.")
        return v

    @field_validator("color")
    @classmethod
    def _color(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", v.strip()):
            raise ValueError("Colour must look like #1a2b3c.")
        return v.strip().lower()

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        return to_e164_strict(v) if v and v.strip() else ""

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        v = (v or "").strip().lower()
        if v and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise ValueError(f"{v!r} is not an email address.")
        return v


def _check_user(db: Session, user_id: str | None) -> None:
    if user_id is not None and db.get(User, user_id) is None:
        raise UserError("That staff login does not exist.")


def create_technician(
    db: Session,
    *,
    tenant_id: str,
    technician_in: TechnicianIn,
    acting_user: StaffContext | None,
    service_ids: Sequence[str] | None = None,
    weekly_hours: WeeklyHours | None = None,
) -> Technician:
    """Creates a technician. `service_ids=None` makes them skilled in every current service;
    `weekly_hours=None` copies the business hours."""
    _check_user(db, technician_in.user_id)
    existing = scheduling_service.list_technicians(db, tenant_id=tenant_id, active_only=False)
    color = technician_in.color or PALETTE[len(existing) % len(PALETTE)]
    tech = Technician(
        tenant_id=tenant_id, name=technician_in.name, color=color, phone=technician_in.phone,
        email=technician_in.email, user_id=technician_in.user_id, active=technician_in.active,
        sort_order=len(existing),
    )
    db.add(tech)
    db.flush()
    if service_ids is None:
        service_ids = [s.id for s in scheduling_service.list_services(db, tenant_id=tenant_id)]
    _replace_skills(db, tenant_id=tenant_id, technician_id=tech.id, service_ids=service_ids)
    if weekly_hours is None:
        weekly_hours = {}
        for row in scheduling_service.get_business_hours(db, tenant_id=tenant_id):
            weekly_hours.setdefault(row.weekday, []).append((row.open_minute, row.close_minute))
    _replace_hours(db, tenant_id=tenant_id, technician_id=tech.id, hours=weekly_hours)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="technician.created",
                 target_type="technicians", target_id=tech.id, summary=f"Added technician {tech.name}")
    return tech


def update_technician(
    db: Session, *, tenant_id: str, technician_id: str, technician_in: TechnicianIn, acting_user: StaffContext | None
) -> Technician:
    tech = scheduling_service.access_technician_by_id(db, tenant_id=tenant_id, technician_id=technician_id)
    _check_user(db, technician_in.user_id)
    tech.name = technician_in.name
    tech.color = technician_in.color or tech.color
    tech.phone = technician_in.phone
    tech.email = technician_in.email
    tech.user_id = technician_in.user_id
    tech.active = technician_in.active
    tech.updated_at = utcnow()
    db.add(tech)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="technician.updated",
                 target_type="technicians", target_id=tech.id, summary=f"Updated technician {tech.name}")
    return tech


def _replace_skills(db: Session, *, tenant_id: str, technician_id: str, service_ids: Sequence[str]) -> None:
    services = scheduling_service.access_services_by_ids(db, tenant_id=tenant_id, service_ids=list(service_ids))
    db.execute(
        delete(TechnicianSkill).where(
            TechnicianSkill.tenant_id == tenant_id, TechnicianSkill.technician_id == technician_id
        )
    )
    db.add_all(TechnicianSkill(tenant_id=tenant_id, technician_id=technician_id, service_id=s.id) for s in services)
    db.flush()


def set_technician_skills(
    db: Session, *, tenant_id: str, technician_id: str, service_ids: Sequence[str], acting_user: StaffContext | None
) -> None:
    """Replaces the services a technician performs."""
    tech = scheduling_service.access_technician_by_id(db, tenant_id=tenant_id, technician_id=technician_id)
    _replace_skills(db, tenant_id=tenant_id, technician_id=tech.id, service_ids=service_ids)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="technician.skills_set",
                 target_type="technicians", target_id=tech.id,
                 summary=f"{tech.name} performs {len(set(service_ids))} services")


def _replace_hours(db: Session, *, tenant_id: str, technician_id: str, hours: WeeklyHours) -> None:
    normalised = normalise_weekly_hours(hours)
    db.execute(
        delete(TechnicianHours).where(
            TechnicianHours.tenant_id == tenant_id, TechnicianHours.technician_id == technician_id
        )
    )
    db.add_all(
        TechnicianHours(tenant_id=tenant_id, technician_id=technician_id, weekday=day, start_minute=s, end_minute=e)
        for day, windows in normalised.items()
        for s, e in windows
    )
    db.flush()


def set_technician_hours(
    db: Session, *, tenant_id: str, technician_id: str, hours: WeeklyHours, acting_user: StaffContext | None
) -> None:
    """Replaces a technician's weekly working hours ({weekday: [(start, end) minutes]})."""
    tech = scheduling_service.access_technician_by_id(db, tenant_id=tenant_id, technician_id=technician_id)
    _replace_hours(db, tenant_id=tenant_id, technician_id=tech.id, hours=hours)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="technician.hours_set",
                 target_type="technicians", target_id=tech.id, summary=f"Set weekly hours for {tech.name}")


def add_time_off(
    db: Session,
    *,
    tenant_id: str,
    technician_id: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str = "",
    acting_user: StaffContext | None,
) -> TechnicianTimeOff:
    """Blocks a technician from starts_at to ends_at (aware datetimes)."""
    tech = scheduling_service.access_technician_by_id(db, tenant_id=tenant_id, technician_id=technician_id)
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise UserError("Time off needs times with a time zone.")
    if ends_at <= starts_at:
        raise UserError("Time off must end after it starts.")
    if ends_at - starts_at > dt.timedelta(days=366):
        raise UserError("Time off can be at most a year at a time.")
    row = TechnicianTimeOff(tenant_id=tenant_id, technician_id=tech.id, starts_at=starts_at, ends_at=ends_at,
                            reason=(reason or "").strip()[:200])
    db.add(row)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="technician.time_off_added",
                 target_type="technician_time_off", target_id=row.id,
                 summary=f"{tech.name} off {starts_at.isoformat()} – {ends_at.isoformat()}")
    return row


def remove_time_off(db: Session, *, tenant_id: str, time_off_id: str, acting_user: StaffContext | None) -> None:
    row = scheduling_service.access_time_off_by_id(db, tenant_id=tenant_id, time_off_id=time_off_id)
    db.delete(row)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="technician.time_off_removed",
                 target_type="technician_time_off", target_id=time_off_id, summary="Removed time off")
