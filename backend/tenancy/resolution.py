"""Which tenant an inbound Twilio request (SMS or call) belongs to.

Order: MessagingServiceSid → the tenant owning that messaging service; else the `To` (or
`Called`) number → tenant_phone_config; else the root tenant, flagged `fallback=True` and logged
so a misconfigured number is noticed instead of silently dropped.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping

from sqlmodel import select

from backend.db.session import platform_session
from backend.phones import to_e164
from backend.tenancy.enums import ROOT_TENANT_ID
from backend.tenancy.models import TenantPhoneConfig

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class TenantResolution:
    tenant_id: str
    via: str  # "messaging_service" | "to_number" | "fallback"
    phone_config_id: str | None = None
    phone_number: str | None = None
    fallback: bool = False


def resolve_tenant_from_inbound(params: Mapping[str, str]) -> TenantResolution:
    """Returns the tenant for Twilio webhook parameters (never raises for unknown numbers)."""
    msid = (params.get("MessagingServiceSid") or "").strip()
    raw_to = (params.get("To") or params.get("Called") or "").strip()
    to_number = to_e164(raw_to) if raw_to else None
    with platform_session("inbound-routing") as db:
        if msid:
            row = db.exec(
                select(TenantPhoneConfig)
                .where(TenantPhoneConfig.messaging_service_sid == msid, TenantPhoneConfig.active)
            ).all()
            if row:
                # Prefer the config whose number is the `To` when a service spans several numbers.
                best = next((r for r in row if r.phone_number == to_number), row[0])
                return TenantResolution(best.tenant_id, "messaging_service", best.id, best.phone_number)
        if to_number:
            row = db.exec(
                select(TenantPhoneConfig).where(
                    TenantPhoneConfig.phone_number == to_number, TenantPhoneConfig.active
                )
            ).first()
            if row:
                return TenantResolution(row.tenant_id, "to_number", row.id, row.phone_number)
    log.warning(
        "resolution.fallback=True: no tenant for MessagingServiceSid=%r To=%r; routing to root",
        msid,
        raw_to,
        extra={"resolution.fallback": True},
    )
    return TenantResolution(ROOT_TENANT_ID, "fallback", None, to_number, fallback=True)
