"""Knowledge-page writes and reads: the tenant's custom FAQ entries and policy overrides, what the
agent knows in each layer, and a preview of how it would answer a question.

Only the business's owners and admins may edit (checked here, like every action); every write is
audited. FAQ entries live in the packs area's `faq_entries` table (the pack is copied there), so
these actions validate with its `FaqEntryIn` and delegate to its audited writes. The weather
("rain") policy is the tenant's booking-settings text, written through scheduling's
`update_booking_settings`; every other policy is an `agent_policies` row.
"""

from __future__ import annotations

import dataclasses
import re

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session, select

from backend.agent.knowledge import POLICY_KEYS, build_knowledge
from backend.agent.models import AgentPolicy
from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.db.types import utcnow
from backend.errors import NotFound, PermissionDenied, UserError, pydantic_message
from backend.packs import actions as packs_actions
from backend.packs import service as packs_service
from backend.packs.models import FaqEntry
from backend.scheduling.hours import BookingSettingsUpdate, update_booking_settings
from backend.scheduling.timeutil import format_price_range


def _require_admin(acting_user: StaffContext | None, tenant_id: str) -> StaffContext:
    if acting_user is None or acting_user.tenant_id != tenant_id:
        raise PermissionDenied("Sign in to this business to do that.")
    if not (acting_user.is_tenant_admin or acting_user.is_super_admin):
        raise PermissionDenied("Only the business's owner or admins can edit what the assistant knows.")
    return acting_user


def _parse(model: type[BaseModel], data) -> BaseModel:
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise UserError(pydantic_message(exc)) from None


# ---- FAQ entries ----------------------------------------------------------------------------------


def list_faq_entries(db: Session, *, tenant_id: str, include_inactive: bool = True) -> list[FaqEntry]:
    """Returns the tenant's FAQ entries (pack copies and its own) in display order."""
    return packs_service.list_faq_entries(db, tenant_id=tenant_id, active_only=not include_inactive)


def do_create_faq_entry(db: Session, *, tenant_id: str, entry_in, acting_user: StaffContext | None) -> FaqEntry:
    """Adds a custom FAQ entry the agent answers from."""
    ctx = _require_admin(acting_user, tenant_id)
    entry = _parse(packs_actions.FaqEntryIn, entry_in)
    return packs_actions.create_faq_entry(db, tenant_id=tenant_id, entry_in=entry, acting_user=ctx)


def do_update_faq_entry(db: Session, *, tenant_id: str, faq_entry_id: str, entry_in,
                        acting_user: StaffContext | None) -> FaqEntry:
    """Edits one FAQ entry (NotFound for another tenant's id)."""
    ctx = _require_admin(acting_user, tenant_id)
    entry = _parse(packs_actions.FaqEntryIn, entry_in)
    return packs_actions.update_faq_entry(db, tenant_id=tenant_id, faq_entry_id=faq_entry_id, entry_in=entry,
                                          acting_user=ctx)


def do_delete_faq_entry(db: Session, *, tenant_id: str, faq_entry_id: str, acting_user: StaffContext | None) -> None:
    """Deletes one FAQ entry (NotFound for another tenant's id)."""
    ctx = _require_admin(acting_user, tenant_id)
    packs_actions.delete_faq_entry(db, tenant_id=tenant_id, faq_entry_id=faq_entry_id, acting_user=ctx)


# ---- policies -------------------------------------------------------------------------------------


class PolicyIn(BaseModel):
    """A policy text for the Knowledge page; `key` is one of POLICY_KEYS or a custom lower_snake key."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=2, max_length=40)
    text: str = Field(min_length=3, max_length=2000)
    active: bool = True

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        value = value.strip().lower()
        if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", value):
            raise ValueError("Use a short lower_snake_case key, e.g. cancellation or parking.")
        return value

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        return " ".join(value.split())


@dataclasses.dataclass(frozen=True)
class PolicyRead:
    key: str
    title: str
    text: str  # the text the agent uses now
    source: str  # "tenant" | "pack" | "base"
    overridden: bool  # the tenant wrote its own


def list_policies(db: Session, *, tenant_id: str) -> list[PolicyRead]:
    """Returns every policy the agent uses, with the layer it comes from (tenant beats pack beats base)."""
    knowledge = build_knowledge(db, tenant_id=tenant_id)
    out = []
    for key in dict.fromkeys([*POLICY_KEYS, *knowledge.policies]):
        policy = knowledge.policies.get(key)
        if policy is None:
            continue
        out.append(PolicyRead(key, policy.title, policy.text, policy.source, policy.source == "tenant"))
    return out


def do_set_policy(db: Session, *, tenant_id: str, policy_in, acting_user: StaffContext | None) -> PolicyRead:
    """Sets the tenant's own text for a policy (overriding the pack and the base)."""
    ctx = _require_admin(acting_user, tenant_id)
    policy = _parse(PolicyIn, policy_in)
    if policy.key == "rain":
        update_booking_settings(db, tenant_id=tenant_id, acting_user=ctx,
                                settings_in=BookingSettingsUpdate(weather_policy_text=policy.text))
    else:
        row = db.exec(select(AgentPolicy).where(AgentPolicy.tenant_id == tenant_id,
                                                AgentPolicy.key == policy.key)).first()
        if row is None:
            row = AgentPolicy(tenant_id=tenant_id, key=policy.key, text=policy.text, active=policy.active)
        else:
            row.text, row.active, row.updated_at = policy.text, policy.active, utcnow()
        db.add(row)
        db.flush()
        audit.record(db, tenant_id=tenant_id, acting_user=ctx, action="agent_policy.set", target_type="agent_policies",
                     target_id=row.id, summary=f"Assistant policy {policy.key}: {policy.text[:200]}")
    return next(p for p in list_policies(db, tenant_id=tenant_id) if p.key == policy.key)


def do_delete_policy(db: Session, *, tenant_id: str, key: str, acting_user: StaffContext | None) -> None:
    """Removes the tenant's own text for a policy; the pack's or the base text applies again."""
    ctx = _require_admin(acting_user, tenant_id)
    if key == "rain":
        raise UserError("Edit the weather policy instead; the booking settings always keep one.")
    row = db.exec(select(AgentPolicy).where(AgentPolicy.tenant_id == tenant_id, AgentPolicy.key == key)).first() \
        if isinstance(key, str) else None
    if row is None:
        raise NotFound("No such policy.")
    db.delete(row)
    audit.record(db, tenant_id=tenant_id, acting_user=ctx, action="agent_policy.deleted", target_type="agent_policies",
                 target_id=row.id, summary=f"Removed the assistant policy {key}")


# ---- overview and preview ----------------------------------------------------------------------------


def knowledge_overview(db: Session, *, tenant_id: str) -> dict:
    """Returns what the agent knows, layer by layer, for the Knowledge page."""
    from backend.scheduling import pricing

    kn = build_knowledge(db, tenant_id=tenant_id)
    services = []
    for service in kn.services:
        quote = pricing.quote_price(db, tenant_id=tenant_id, service_id=service.id)
        services.append({"id": service.id, "name": service.name, "price": format_price_range(quote.min_cents,
                                                                                             quote.max_cents),
                         "price_depends_on": [kn.attributes[k].label for k in service.price_attributes]})
    return {
        "business_name": kn.business_name, "industry_pack": kn.pack_name, "agent_enabled": kn.agent_enabled,
        "services": services, "hours": kn.hours_text(), "service_area": kn.area_description, "mobile": kn.mobile,
        "policies": [dataclasses.asdict(p) for p in list_policies(db, tenant_id=tenant_id)],
        "faq": [{"question": f.question, "source": f.source} for f in kn.faq if f.source in ("tenant", "pack")],
        "vocabulary": [{"term": t, "synonyms": list(s), "meaning": m} for t, s, m in kn.vocabulary],
        "instructions": kn.instructions,
    }


def preview_answer(db: Session, *, tenant_id: str, question: str) -> dict:
    """Returns the FAQ/policy answer the agent would give to `question` and where it comes from."""
    question = (question or "").strip()
    if not question or len(question) > 500:
        raise UserError("Type a question of up to 500 characters.")
    kn = build_knowledge(db, tenant_id=tenant_id)
    match = kn.match_faq(question)
    if match is None:
        return {"answer": None, "source": None, "question": None, "score": 0.0}
    return {"answer": kn.fill(match.item.answer), "source": match.item.source, "question": match.item.question,
            "score": round(match.score, 1)}
