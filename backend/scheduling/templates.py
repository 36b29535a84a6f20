"""The tenant's SMS templates (editable copies of the pack's booking_confirmation, reminder,
on_my_way, review_request and welcome_back) and their rendering. This module only renders text;
the messaging area decides when to send and sends through its outbox."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.config import get_settings
from backend.customers import service as customers_service
from backend.db.types import utcnow
from backend.errors import NotFound, UserError
from backend.packs.loader import pack_for_industry
from backend.packs.schema import (
    SMS_TEMPLATE_KEYS,
    check_template_body,
    render_placeholders,
)
from backend.phones import display
from backend.scheduling import service as scheduling_service
from backend.scheduling.models import Appointment, SmsTemplate
from backend.scheduling.timeutil import (
    format_day,
    format_price_range,
    format_time,
    tenant_zone,
)
from backend.tenancy import service as tenancy_service
from backend.tenancy.models import Tenant


def get_template_body(db: Session, *, tenant_id: str, key: str) -> str:
    """Returns the tenant's template body, falling back to its industry pack's default."""
    if key not in SMS_TEMPLATE_KEYS:
        raise NotFound(f"No message template {key!r}; use one of {', '.join(SMS_TEMPLATE_KEYS)}.")
    row = scheduling_service.get_sms_templates(db, tenant_id=tenant_id).get(key)
    if row is not None:
        return row.body
    tenant = db.get(Tenant, tenant_id)
    return pack_for_industry(tenant.industry if tenant else None).sms_templates[key]


def list_templates(db: Session, *, tenant_id: str) -> dict[str, str]:
    """Returns key → body for every template key (tenant copy or pack default)."""
    return {key: get_template_body(db, tenant_id=tenant_id, key=key) for key in SMS_TEMPLATE_KEYS}


def update_sms_template(
    db: Session, *, tenant_id: str, key: str, body: str, acting_user: StaffContext | None
) -> SmsTemplate:
    """Saves the tenant's own wording of a template (placeholders are checked)."""
    if key not in SMS_TEMPLATE_KEYS:
        raise NotFound(f"No message template {key!r}; use one of {', '.join(SMS_TEMPLATE_KEYS)}.")
    try:
        body = check_template_body(body)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    row = scheduling_service.get_sms_templates(db, tenant_id=tenant_id).get(key)
    if row is None:
        row = SmsTemplate(tenant_id=tenant_id, key=key, body=body)
    row.body = body
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="sms_template.updated",
                 target_type="tenant_sms_templates", target_id=row.id, summary=f"Edited the {key} message")
    return row


def template_values(
    db: Session,
    *,
    tenant_id: str,
    appointment: Appointment | None = None,
    customer=None,
    extra: Mapping[str, object] | None = None,
) -> dict[str, str]:
    """Returns the placeholder values for a message about an appointment and/or customer."""
    tenant = db.get(Tenant, tenant_id)
    config = tenancy_service.get_config(db, tenant_id=tenant_id)
    if appointment is not None and appointment.tenant_id != tenant_id:
        raise NotFound("No such appointment.")
    if customer is None and appointment is not None:
        customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=appointment.customer_id)
    if customer is not None and customer.tenant_id != tenant_id:
        raise NotFound("No such customer.")
    business_phone = config.contact_phone if config and config.contact_phone else ""
    if not business_phone:
        phones = tenancy_service.get_phone_configs(db, tenant_id=tenant_id)
        business_phone = phones[0].phone_number if phones else ""
    public = get_settings().servicepro_public_url.rstrip("/")
    website = (config.website if config and config.website else "") or public
    values = {
        "business_name": (config.business_name if config else "") or (tenant.name if tenant else ""),
        "business_phone": display(business_phone) if business_phone else "",
        "booking_link": website,
        "review_link": website,
        "eta_minutes": "15",
    }
    if customer is not None:
        name = (customer.name or "").strip()
        values["customer_name"] = name or "there"
        values["customer_first_name"] = name.split()[0] if name else "there"
        values["address"] = ", ".join(p for p in (customer.address_line1, customer.city) if p)
    if appointment is not None:
        zone = tenant_zone(db, tenant_id=tenant_id)
        local = appointment.start_at.astimezone(zone)
        service = scheduling_service.access_service_by_id(db, tenant_id=tenant_id, service_id=appointment.service_id)
        values.update(
            service_name=service.name,
            date=format_day(local),
            time=format_time(local),
            price_range=format_price_range(appointment.price_quoted_min_cents, appointment.price_quoted_max_cents),
        )
        if appointment.address:
            values["address"] = appointment.address
        if appointment.technician_id:
            tech = scheduling_service.access_technician_by_id(
                db, tenant_id=tenant_id, technician_id=appointment.technician_id
            )
            values["technician_name"] = tech.name.split()[0]
    values.setdefault("technician_name", "Our technician")
    for key, value in (extra or {}).items():
        values[str(key)] = "" if value is None else str(value)
    return values


def render_sms_template(
    db: Session,
    *,
    tenant_id: str,
    key: str,
    appointment: Appointment | None = None,
    customer=None,
    extra: Mapping[str, object] | None = None,
) -> str:
    """Returns the tenant's template `key` filled in for an appointment and/or customer.

    `extra` overrides or adds values (e.g. review_link, booking_link, eta_minutes). Placeholders
    without a value render as empty text, never as "{name}".
    """
    body = get_template_body(db, tenant_id=tenant_id, key=key)
    values = template_values(db, tenant_id=tenant_id, appointment=appointment, customer=customer, extra=extra)
    return " ".join(render_placeholders(body, values).split())
