"""`apply_pack`: copies an industry pack into a tenant — catalogue (attributes, services with
their modifiers, add-ons), SMS templates, FAQ entries, agent/IVR profile, booking settings and
business hours. Idempotent: it only adds what the tenant does not have yet (matched by pack key),
so re-running never duplicates and never overwrites the tenant's own edits."""

from __future__ import annotations

import dataclasses

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session, select

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.db.types import utcnow
from backend.errors import NotFound
from backend.packs import service as packs_service
from backend.packs.loader import get_pack
from backend.packs.models import FaqEntry, TenantPackProfile
from backend.packs.schema import (
    WEEKDAYS,
    IvrOption,
    Pack,
    VocabularyEntry,
    hhmm_to_minutes,
    render_placeholders,
)
from backend.scheduling import service as scheduling_service
from backend.scheduling.hours import set_business_hours
from backend.scheduling.models import (
    BookingSettings,
    Service,
    ServiceAddon,
    ServiceAddonLink,
    ServiceAttribute,
    ServiceModifier,
    SmsTemplate,
    TechnicianSkill,
)
from backend.tenancy import service as tenancy_service
from backend.tenancy.models import Tenant


@dataclasses.dataclass
class ApplyPackResult:
    pack_key: str
    attributes: int = 0
    services: int = 0
    addons: int = 0
    modifiers: int = 0
    faq_entries: int = 0
    sms_templates: int = 0
    profile: bool = False
    booking_settings: bool = False
    business_hours: bool = False

    @property
    def changed(self) -> bool:
        return any(
            (self.attributes, self.services, self.addons, self.modifiers, self.faq_entries, self.sms_templates,
             self.profile, self.booking_settings, self.business_hours)
        )


def apply_pack(
    db: Session, *, tenant_id: str, pack: Pack | str, acting_user: StaffContext | None = None
) -> ApplyPackResult:
    """Seeds the tenant from `pack` (a Pack or an industry key) and returns what was added."""
    if isinstance(pack, str):
        pack = get_pack(pack)
    result = ApplyPackResult(pack.key)
    tenant = db.get(Tenant, tenant_id)
    config = tenancy_service.get_config(db, tenant_id=tenant_id)
    business_name = (config.business_name if config else "") or (tenant.name if tenant else "")

    # Asset attributes.
    attributes = {a.key: a for a in scheduling_service.list_attributes(db, tenant_id=tenant_id)}
    for order, spec in enumerate(pack.attributes):
        if spec.key in attributes:
            continue
        row = ServiceAttribute(
            tenant_id=tenant_id, key=spec.key, label=spec.label, asset_kind=spec.asset_kind,
            default_value=spec.default, sort_order=len(attributes) + order,
            options=[{"value": o.value, "label": o.label, "synonyms": list(o.synonyms)} for o in spec.options],
        )
        db.add(row)
        attributes[spec.key] = row
        result.attributes += 1
    db.flush()

    # Services (and modifiers for the ones created now).
    existing = scheduling_service.list_services(db, tenant_id=tenant_id, active_only=False)
    by_pack_key = {s.pack_key: s for s in existing if s.pack_key}
    names = {s.name.lower() for s in existing}
    created: list[Service] = []
    for spec in pack.services:
        if spec.key in by_pack_key or spec.name.lower() in names:
            continue
        service = Service(
            tenant_id=tenant_id, pack_key=spec.key, name=spec.name, description=spec.description,
            duration_minutes=spec.duration_minutes, price_min_cents=spec.price_min_cents,
            price_max_cents=spec.price_max_cents, deposit_percent=spec.deposit_percent,
            synonyms=list(spec.synonyms), weather_sensitive=spec.weather_sensitive,
            recurring_suggested=spec.recurring_suggested, sort_order=len(existing) + len(created),
        )
        db.add(service)
        created.append(service)
        by_pack_key[spec.key] = service
        names.add(spec.name.lower())
    db.flush()
    result.services = len(created)
    specs = {s.key: s for s in pack.services}
    for service in created:
        spec = specs[service.pack_key]
        for attr_key in spec.attributes:
            attr_spec = pack.attribute(attr_key)
            overrides = spec.modifiers.get(attr_key, {})
            for option in attr_spec.options:
                override = overrides.get(option.value)
                db.add(ServiceModifier(
                    tenant_id=tenant_id, service_id=service.id, attribute_id=attributes[attr_key].id,
                    option_value=option.value,
                    price_delta_cents=override.price_delta_cents if override else option.price_delta_cents,
                    duration_delta_minutes=(
                        override.duration_delta_minutes if override else option.duration_delta_minutes
                    ),
                ))
                result.modifiers += 1
    # Technicians the tenant already has take on the new services.
    for tech in scheduling_service.list_technicians(db, tenant_id=tenant_id):
        for service in created:
            db.add(TechnicianSkill(tenant_id=tenant_id, technician_id=tech.id, service_id=service.id))

    # Add-ons.
    addons = scheduling_service.list_addons(db, tenant_id=tenant_id, active_only=False)
    addon_keys = {a.pack_key for a in addons if a.pack_key}
    addon_names = {a.name.lower() for a in addons}
    for order, spec in enumerate(pack.addons):
        if spec.key in addon_keys or spec.name.lower() in addon_names:
            continue
        addon = ServiceAddon(
            tenant_id=tenant_id, pack_key=spec.key, name=spec.name, description=spec.description,
            price_min_cents=spec.price_min_cents, price_max_cents=spec.price_max_cents,
            duration_minutes=spec.duration_minutes, synonyms=list(spec.synonyms), sort_order=len(addons) + order,
        )
        db.add(addon)
        db.flush()
        for service_key in spec.services:
            if service_key in by_pack_key:
                db.add(ServiceAddonLink(tenant_id=tenant_id, addon_id=addon.id, service_id=by_pack_key[service_key].id))
        result.addons += 1

    # SMS templates.
    templates = scheduling_service.get_sms_templates(db, tenant_id=tenant_id)
    for key, body in pack.sms_templates.items():
        if key not in templates:
            db.add(SmsTemplate(tenant_id=tenant_id, key=key, body=body))
            result.sms_templates += 1

    # FAQ entries.
    questions = {
        q.lower()
        for q in db.exec(select(FaqEntry.question).where(FaqEntry.tenant_id == tenant_id)).all()
    }
    for order, entry in enumerate(pack.faq):
        if entry.question.lower() in questions:
            continue
        db.add(FaqEntry(tenant_id=tenant_id, question=entry.question, answer=entry.answer,
                        keywords=list(entry.keywords), sort_order=len(questions) + order, pack_key=pack.key))
        result.faq_entries += 1

    # Agent / IVR profile.
    profile = db.exec(select(TenantPackProfile).where(TenantPackProfile.tenant_id == tenant_id)).first()
    if profile is None:
        filler = {"business_name": business_name}
        db.add(TenantPackProfile(
            tenant_id=tenant_id,
            pack_key=pack.key,
            agent_instructions=pack.agent_instructions.strip(),
            vocabulary=[v.model_dump(mode="json") for v in pack.vocabulary],
            ivr_greeting=render_placeholders(pack.ivr.greeting, filler),
            ivr_menu=[o.model_dump(mode="json") for o in pack.ivr.menu],
            ivr_closing=render_placeholders(pack.ivr.closing, filler),
            jokes=list(pack.jokes),
        ))
        result.profile = True

    # Booking settings and opening hours.
    if scheduling_service.get_booking_settings(db, tenant_id=tenant_id) is None:
        booking = pack.booking
        db.add(BookingSettings(
            tenant_id=tenant_id,
            slot_increment_minutes=booking.slot_increment_minutes,
            buffer_minutes=booking.buffer_minutes,
            travel_padding_minutes=booking.travel_padding_minutes,
            min_notice_minutes=booking.min_notice_minutes,
            horizon_days=booking.horizon_days,
            lunch_start_minute=hhmm_to_minutes(booking.lunch.start) if booking.lunch else None,
            lunch_end_minute=hhmm_to_minutes(booking.lunch.end) if booking.lunch else None,
            cancellation_notice_hours=booking.cancellation_notice_hours,
            reminder_hours_before=booking.reminder_hours_before,
            weather_sensitive=pack.weather.sensitive,
            weather_cancels_on=list(pack.weather.cancels_on),
            weather_policy_text=pack.weather.policy,
        ))
        result.booking_settings = True
    db.flush()
    if not scheduling_service.get_business_hours(db, tenant_id=tenant_id):
        hours = {
            WEEKDAYS.index(day): [(hhmm_to_minutes(w.start), hhmm_to_minutes(w.end)) for w in windows]
            for day, windows in pack.booking.business_hours.items()
        }
        set_business_hours(db, tenant_id=tenant_id, hours=hours, acting_user=acting_user)
        result.business_hours = True

    db.flush()
    if result.changed:
        audit.record(
            db, tenant_id=tenant_id, acting_user=acting_user, action="pack.applied", target_type="tenant",
            target_id=tenant_id,
            summary=f"Applied the {pack.name} pack: {result.services} services, {result.addons} add-ons, "
                    f"{result.faq_entries} FAQ entries, {result.sms_templates} templates",
            detail=dataclasses.asdict(result),
        )
    return result


# ---- the tenant's own copies: FAQ entries and the agent/IVR profile -------------------------


class FaqEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=3, max_length=300)
    answer: str = Field(min_length=1, max_length=2000)
    keywords: list[str] = []
    active: bool = True

    @field_validator("question", "answer")
    @classmethod
    def _trim(cls, v: str) -> str:
        return " ".join(v.split())

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, v: list[str]) -> list[str]:
        cleaned = list(dict.fromkeys(" ".join(k.lower().split())[:60] for k in v if k and k.strip()))
        if len(cleaned) > 30:
            raise ValueError("Use at most 30 keywords.")
        return cleaned


def create_faq_entry(
    db: Session, *, tenant_id: str, entry_in: FaqEntryIn, acting_user: StaffContext | None
) -> FaqEntry:
    count = len(packs_service.list_faq_entries(db, tenant_id=tenant_id, active_only=False))
    row = FaqEntry(tenant_id=tenant_id, sort_order=count, **entry_in.model_dump())
    db.add(row)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="faq.created", target_type="faq_entries",
                 target_id=row.id, summary=f"Added FAQ: {row.question[:200]}")
    return row


def update_faq_entry(
    db: Session, *, tenant_id: str, faq_entry_id: str, entry_in: FaqEntryIn, acting_user: StaffContext | None
) -> FaqEntry:
    row = packs_service.access_faq_entry_by_id(db, tenant_id=tenant_id, faq_entry_id=faq_entry_id)
    for key, value in entry_in.model_dump().items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="faq.updated", target_type="faq_entries",
                 target_id=row.id, summary=f"Edited FAQ: {row.question[:200]}")
    return row


def delete_faq_entry(db: Session, *, tenant_id: str, faq_entry_id: str, acting_user: StaffContext | None) -> None:
    row = packs_service.access_faq_entry_by_id(db, tenant_id=tenant_id, faq_entry_id=faq_entry_id)
    db.delete(row)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="faq.deleted", target_type="faq_entries",
                 target_id=faq_entry_id, summary=f"Deleted FAQ: {row.question[:200]}")


class PackProfileUpdate(BaseModel):
    """Editable agent/IVR content; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    agent_instructions: str | None = Field(default=None, max_length=8000)
    vocabulary: list[VocabularyEntry] | None = None
    ivr_greeting: str | None = Field(default=None, max_length=500)
    ivr_menu: list[IvrOption] | None = None
    ivr_closing: str | None = Field(default=None, max_length=300)
    jokes: list[str] | None = None

    @field_validator("jokes")
    @classmethod
    def _jokes(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        cleaned = [" ".join(j.split()) for j in v if j and j.strip()]
        if any(len(j) > 300 for j in cleaned):
            raise ValueError("Each joke can be at most 300 characters.")
        return cleaned[:50]


def update_pack_profile(
    db: Session, *, tenant_id: str, profile_in: PackProfileUpdate, acting_user: StaffContext | None
) -> TenantPackProfile:
    profile = packs_service.get_pack_profile(db, tenant_id=tenant_id)
    if profile is None:
        raise NotFound("Apply an industry pack first.")
    changes = profile_in.model_dump(exclude_unset=True, mode="json")
    for key, value in changes.items():
        if value is not None:
            setattr(profile, key, value.strip() if isinstance(value, str) else value)
    profile.updated_at = utcnow()
    db.add(profile)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="pack_profile.updated",
                 target_type="tenant_pack_profiles", target_id=profile.id,
                 summary="Edited " + ", ".join(sorted(changes)))
    return profile
