"""Read models for the messaging pages that `inbox` does not cover: the staff a conversation can
be assigned to, the messaging settings page (with the HELP reply and the reminder lead time that
live in other areas) and the A2P 10DLC form — its flat field values, and Twilio's validation
problems keyed by form field so the page can show each one next to its field.

Everything is scoped to the caller's tenant and returns plain values (no ORM rows).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from pydantic import ValidationError
from sqlmodel import Session, select

from backend.auth.models import Membership, User
from backend.messaging import service as messaging_service
from backend.messaging.a2p import A2PRegistrationDraft, A2PRegistrationIn, BusinessType, JobPosition, UseCase
from backend.messaging.enums import A2PStatus

# ---- staff --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StaffOption:
    user_id: str
    name: str
    role: str


def staff_options(db: Session, *, tenant_id: str) -> list[StaffOption]:
    """Returns the tenant's active staff (members), by name, for the assignment menu."""
    rows = db.exec(
        select(Membership.user_id, User.name, User.email, Membership.role)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id, User.active)
        .order_by(User.name, User.email)
    ).all()
    return [StaffOption(user_id=uid, name=name or email, role=role) for uid, name, email, role in rows]


# ---- settings page ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SettingsView:
    default_mode: str
    missed_call_enabled: bool
    missed_call_window_minutes: int
    missed_call_text: str
    opt_out_text: str
    opt_in_text: str
    help_text: str  # the HELP/INFO auto-reply ("" = built-in wording)
    default_help_text: str
    reminder_hours_before: int | None  # lives in the scheduling area's booking settings


def settings_view(db: Session, *, tenant_id: str) -> SettingsView:
    """Returns the values shown on the messaging settings page."""
    from backend.messaging import actions as messaging_actions
    from backend.tenancy import service as tenancy_service

    row = messaging_service.get_or_create_settings(db, tenant_id=tenant_id)
    config = tenancy_service.get_config(db, tenant_id=tenant_id)
    name = messaging_actions._business_name(db, tenant_id)
    return SettingsView(
        default_mode=row.default_mode,
        missed_call_enabled=row.missed_call_enabled,
        missed_call_window_minutes=row.missed_call_window_minutes,
        missed_call_text=row.missed_call_text,
        opt_out_text=row.opt_out_text,
        opt_in_text=row.opt_in_text,
        help_text=(config.sms_help_text if config else "") or "",
        default_help_text=f"{name}: reply STOP to opt out, START to opt back in. Msg & data rates may apply.",
        reminder_hours_before=_reminder_hours(db, tenant_id),
    )


def _reminder_hours(db: Session, tenant_id: str) -> int | None:
    try:
        from backend.scheduling import service as scheduling_service
    except ImportError:  # pragma: no cover - the scheduling area is part of the app
        return None
    return scheduling_service.booking_settings_or_default(db, tenant_id=tenant_id).reminder_hours_before


# ---- A2P 10DLC form ----------------------------------------------------------------------------

MAX_SAMPLES = 5
ADDRESS_FIELDS = ("street", "street_secondary", "city", "region", "postal_code", "country")
REPRESENTATIVE_FIELDS = ("first_name", "last_name", "email", "phone", "business_title", "job_position")
TEXT_FIELDS = (
    "legal_name", "ein", "business_type", "website", "use_case", "description", "message_flow",
    "opt_in_message", "opt_out_message", "help_message", "privacy_policy_url", "terms_url",
)
KEYWORD_FIELDS = ("opt_in_keywords", "opt_out_keywords", "help_keywords")
FLAG_FIELDS = ("has_embedded_links", "has_embedded_phone", "age_gated", "direct_lending")
MAX_FORM_VALUE = 4096

BUSINESS_TYPES = BusinessType.values()
USE_CASES = UseCase.values()
JOB_POSITIONS = JobPosition.values()

# Problems found by A2PRegistrationIn's cross-field checks, by the form field they concern.
_CROSS_CHECK_FIELDS = (
    ("EIN", "ein"),
    ("sample message", "samples"),
    ("STOP must", "opt_out_keywords"),
    ("HELP must", "help_keywords"),
)


def form_field_names() -> list[str]:
    """Returns every input name of the flat A2P form."""
    return [
        *TEXT_FIELDS,
        *(f"address_{f}" for f in ADDRESS_FIELDS),
        *(f"rep_{f}" for f in REPRESENTATIVE_FIELDS),
        *(f"sample_{i}" for i in range(1, MAX_SAMPLES + 1)),
        *KEYWORD_FIELDS,
        *FLAG_FIELDS,
    ]


def _text(value, limit: int = MAX_FORM_VALUE) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _flag(value) -> bool:
    return value is True or value in ("on", "true", "1")


def draft_from_form(form: dict) -> dict:
    """Turns the flat form (untrusted: any keys, any types) into registration draft data.
    Unknown keys are ignored, non-text values become empty, text is capped in length."""
    form = form if isinstance(form, dict) else {}
    data: dict = {name: _text(form.get(name)).strip() for name in TEXT_FIELDS}
    data["address"] = {f: _text(form.get(f"address_{f}")).strip() for f in ADDRESS_FIELDS}
    data["address"]["country"] = data["address"]["country"] or "US"
    data["representative"] = {f: _text(form.get(f"rep_{f}")).strip() for f in REPRESENTATIVE_FIELDS}
    data["samples"] = [
        s for s in (_text(form.get(f"sample_{i}")).strip() for i in range(1, MAX_SAMPLES + 1)) if s
    ]
    for name in KEYWORD_FIELDS:
        raw = _text(form.get(name), 300)
        words = [w for w in (part.strip().upper() for part in raw.replace(";", ",").split(",")) if w][:20]
        if words:  # blank keeps the standard keywords
            data[name] = words
    for name in FLAG_FIELDS:
        data[name] = _flag(form.get(name))
    return data


def form_values(data: dict | None) -> dict:
    """Flattens saved registration data into the form's input values."""
    draft = A2PRegistrationDraft(**(data or {})) if isinstance(data, dict) else A2PRegistrationDraft()
    values: dict = {name: str(getattr(draft, name) or "") for name in TEXT_FIELDS}
    address = draft.address if isinstance(draft.address, dict) else {}
    rep = draft.representative if isinstance(draft.representative, dict) else {}
    for f in ADDRESS_FIELDS:
        values[f"address_{f}"] = str(address.get(f, "") or "")
    values["address_country"] = values["address_country"] or "US"
    for f in REPRESENTATIVE_FIELDS:
        values[f"rep_{f}"] = str(rep.get(f, "") or "")
    samples = list(draft.samples or [])
    for i in range(1, MAX_SAMPLES + 1):
        values[f"sample_{i}"] = str(samples[i - 1]) if i <= len(samples) else ""
    for name in KEYWORD_FIELDS:
        values[name] = ", ".join(getattr(draft, name) or [])
    for name in FLAG_FIELDS:
        values[name] = bool(getattr(draft, name))
    return values


def _message(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "This field is required."
    if kind == "enum":
        return "Choose one from the list."
    if kind in ("string_type", "model_type", "dict_type", "list_type"):
        return "This field is required."
    return str(err.get("msg", "Invalid value.")).removeprefix("Value error, ")


def _field_for(loc: tuple, message: str) -> str:
    if not loc:
        for needle, field in _CROSS_CHECK_FIELDS:
            if needle.lower() in message.lower():
                return field
        return "form"
    head = str(loc[0])
    if head == "address":
        return f"address_{loc[1]}" if len(loc) > 1 else "address_postal_code"
    if head == "representative":
        return f"rep_{loc[1]}" if len(loc) > 1 else "rep_first_name"
    if head in KEYWORD_FIELDS or head == "samples":
        return head
    return head


def field_errors(data: dict) -> dict[str, str]:
    """Validates registration data like Twilio does (A2PRegistrationIn) and returns one message
    per form field ("samples" for the sample messages, "form" for anything else); {} when it
    could be submitted."""
    try:
        A2PRegistrationIn(**(data or {}))
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            message = _message(err)
            errors.setdefault(_field_for(tuple(err.get("loc", ())), message), message)
        return errors
    except (TypeError, ValueError) as exc:
        return {"form": str(exc)}
    return {}


@dataclasses.dataclass(frozen=True)
class A2PView:
    status: str  # "" (never saved) | draft | submitted | approved | rejected
    values: dict
    errors: dict[str, str]  # what still blocks submitting ({} when complete)
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    updated_at: dt.datetime | None
    rejection_reason: str


def a2p_view(db: Session, *, tenant_id: str) -> A2PView:
    """Returns the tenant's registration for the form, with what still blocks submitting."""
    row = messaging_service.get_a2p_registration(db, tenant_id=tenant_id)
    if row is None:
        return A2PView("", form_values(None), {}, None, None, None, "")
    errors = field_errors(row.data) if row.status in (A2PStatus.DRAFT.value, A2PStatus.REJECTED.value) else {}
    return A2PView(row.status, form_values(row.data), errors, row.submitted_at, row.decided_at, row.updated_at,
                   row.rejection_reason)
