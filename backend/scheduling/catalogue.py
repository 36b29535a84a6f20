"""Catalogue writes: services, add-ons (and which services offer them) and per-service attribute
modifiers. Prices are integer cents; each write is audited."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.db.types import utcnow
from backend.errors import Conflict, UserError
from backend.scheduling import service as scheduling_service
from backend.scheduling.models import (
    Service,
    ServiceAddon,
    ServiceAddonLink,
    ServiceModifier,
    TechnicianSkill,
)
from backend.scheduling.pricing import resolve_option


def _clean_words(values: Sequence[str]) -> list[str]:
    cleaned = []
    for value in values:
        value = " ".join(str(value).lower().split())[:60]
        if value and value not in cleaned:
            cleaned.append(value)
    return cleaned[:40]


class ServiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=4000)
    duration_minutes: int = Field(ge=5, le=24 * 60)
    price_min_cents: int = Field(ge=0, le=100_000_000)
    price_max_cents: int = Field(ge=0, le=100_000_000)
    deposit_percent: int = Field(default=0, ge=0, le=100)
    active: bool = True
    synonyms: list[str] = []
    weather_sensitive: bool = False
    recurring_suggested: bool = False

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("Enter a service name.")
        return v

    @field_validator("synonyms")
    @classmethod
    def _synonyms(cls, v: list[str]) -> list[str]:
        return _clean_words(v)

    @model_validator(mode="after")
    def _range(self):
        if self.price_max_cents < self.price_min_cents:
            raise ValueError("The highest price cannot be below the lowest price.")
        return self


class AddonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    price_min_cents: int = Field(ge=0, le=100_000_000)
    price_max_cents: int = Field(ge=0, le=100_000_000)
    duration_minutes: int = Field(default=0, ge=0, le=8 * 60)
    active: bool = True
    synonyms: list[str] = []

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("Enter an add-on name.")
        return v

    @field_validator("synonyms")
    @classmethod
    def _synonyms(cls, v: list[str]) -> list[str]:
        return _clean_words(v)

    @model_validator(mode="after")
    def _range(self):
        if self.price_max_cents < self.price_min_cents:
            raise ValueError("The highest price cannot be below the lowest price.")
        return self


def _check_name_free(db: Session, model, tenant_id: str, name: str, except_id: str | None) -> None:
    rows = db.exec(select(model).where(model.tenant_id == tenant_id)).all()
    for row in rows:
        if row.name.lower() == name.lower() and row.id != except_id:
            raise Conflict(f"There is already a {'service' if model is Service else 'add-on'} called {row.name!r}.")


def create_service(
    db: Session,
    *,
    tenant_id: str,
    service_in: ServiceIn,
    acting_user: StaffContext | None,
    assign_to_all_technicians: bool = True,
    pack_key: str = "",
) -> Service:
    """Creates a service; by default every active technician is skilled in it."""
    _check_name_free(db, Service, tenant_id, service_in.name, None)
    count = len(scheduling_service.list_services(db, tenant_id=tenant_id, active_only=False))
    service = Service(tenant_id=tenant_id, pack_key=pack_key, sort_order=count, **service_in.model_dump())
    db.add(service)
    try:
        db.flush()
    except IntegrityError:
        raise Conflict(f"There is already a service called {service_in.name!r}.") from None
    if assign_to_all_technicians:
        db.add_all(
            TechnicianSkill(tenant_id=tenant_id, technician_id=t.id, service_id=service.id)
            for t in scheduling_service.list_technicians(db, tenant_id=tenant_id)
        )
        db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="service.created",
                 target_type="services", target_id=service.id, summary=f"Added service {service.name}")
    return service


def update_service(
    db: Session, *, tenant_id: str, service_id: str, service_in: ServiceIn, acting_user: StaffContext | None
) -> Service:
    service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=service_id)
    _check_name_free(db, Service, tenant_id, service_in.name, service.id)
    for key, value in service_in.model_dump().items():
        setattr(service, key, value)
    service.updated_at = utcnow()
    db.add(service)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="service.updated",
                 target_type="services", target_id=service.id, summary=f"Updated service {service.name}")
    return service


def create_addon(
    db: Session,
    *,
    tenant_id: str,
    addon_in: AddonIn,
    service_ids: Sequence[str] = (),
    acting_user: StaffContext | None,
    pack_key: str = "",
) -> ServiceAddon:
    """Creates an add-on offered with `service_ids` (every service when empty)."""
    _check_name_free(db, ServiceAddon, tenant_id, addon_in.name, None)
    services = scheduling_service.access_services_by_ids(db, tenant_id=tenant_id, service_ids=list(service_ids))
    count = len(scheduling_service.list_addons(db, tenant_id=tenant_id, active_only=False))
    addon = ServiceAddon(tenant_id=tenant_id, pack_key=pack_key, sort_order=count, **addon_in.model_dump())
    db.add(addon)
    db.flush()
    db.add_all(ServiceAddonLink(tenant_id=tenant_id, addon_id=addon.id, service_id=s.id) for s in services)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="addon.created",
                 target_type="service_addons", target_id=addon.id, summary=f"Added add-on {addon.name}")
    return addon


def update_addon(
    db: Session,
    *,
    tenant_id: str,
    addon_id: str,
    addon_in: AddonIn,
    service_ids: Sequence[str] | None = None,
    acting_user: StaffContext | None,
) -> ServiceAddon:
    """Updates an add-on; `service_ids` (when given) replaces the services offering it."""
    addon = scheduling_service.access_addon_by_id(db, tenant_id=tenant_id, addon_id=addon_id)
    _check_name_free(db, ServiceAddon, tenant_id, addon_in.name, addon.id)
    for key, value in addon_in.model_dump().items():
        setattr(addon, key, value)
    addon.updated_at = utcnow()
    db.add(addon)
    if service_ids is not None:
        services = scheduling_service.access_services_by_ids(db, tenant_id=tenant_id, service_ids=list(service_ids))
        db.execute(delete(ServiceAddonLink).where(ServiceAddonLink.tenant_id == tenant_id,
                                                  ServiceAddonLink.addon_id == addon.id))
        db.add_all(ServiceAddonLink(tenant_id=tenant_id, addon_id=addon.id, service_id=s.id) for s in services)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="addon.updated",
                 target_type="service_addons", target_id=addon.id, summary=f"Updated add-on {addon.name}")
    return addon


def set_service_modifier(
    db: Session,
    *,
    tenant_id: str,
    service_id: str,
    attribute_key: str,
    option_value: str,
    price_delta_cents: int,
    duration_delta_minutes: int,
    acting_user: StaffContext | None,
) -> ServiceModifier:
    """Sets how one attribute option changes one service (creates or updates the row)."""
    service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=service_id)
    attribute = scheduling_service.get_attribute_by_key(db, tenant_id=tenant_id, key=attribute_key)
    if attribute is None:
        raise UserError(f"No attribute {attribute_key!r}.")
    value = resolve_option(attribute, option_value)
    if not (-100_000_000 <= price_delta_cents <= 100_000_000) or not (-600 <= duration_delta_minutes <= 600):
        raise UserError("That price or duration change is out of range.")
    row = db.exec(
        select(ServiceModifier).where(
            ServiceModifier.tenant_id == tenant_id,
            ServiceModifier.service_id == service.id,
            ServiceModifier.attribute_id == attribute.id,
            ServiceModifier.option_value == value,
        )
    ).first()
    if row is None:
        row = ServiceModifier(tenant_id=tenant_id, service_id=service.id, attribute_id=attribute.id, option_value=value)
    row.price_delta_cents = price_delta_cents
    row.duration_delta_minutes = duration_delta_minutes
    db.add(row)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="service.modifier_set",
                 target_type="service_modifiers", target_id=row.id,
                 summary=f"{service.name}: {attribute.key}={value} {price_delta_cents:+d}¢ {duration_delta_minutes:+d} min")
    return row
