"""Which tenant an inbound Twilio request (SMS or call) belongs to.

Order: MessagingServiceSid → the tenant owning that messaging service; else the `To` (or
`Called`) number → tenant_phone_config; else the root tenant, flagged `fallback=True` and logged
so a misconfigured number is noticed instead of silently dropped.

The routing table (every active number and messaging service) is read in one query and kept
for ROUTING_TTL seconds per process, so a webhook usually resolves without a database round
trip. Writes through backend.tenancy.actions invalidate it in their process at once; other
processes pick a change up within the TTL.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
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


ROUTING_TTL = 30.0


@dataclasses.dataclass(frozen=True)
class _Route:
    tenant_id: str
    phone_config_id: str
    phone_number: str


class _RoutingTable:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_number: dict[str, _Route] = {}
        self._by_service: dict[str, list[_Route]] = {}
        self._loaded_at: float | None = None

    def _load(self) -> None:
        with platform_session("inbound-routing") as db:
            rows = db.exec(select(TenantPhoneConfig).where(TenantPhoneConfig.active)).all()
        by_number, by_service = {}, {}
        for row in rows:
            route = _Route(row.tenant_id, row.id, row.phone_number)
            by_number[row.phone_number] = route
            if row.messaging_service_sid:
                by_service.setdefault(row.messaging_service_sid, []).append(route)
        with self._lock:
            self._by_number, self._by_service = by_number, by_service
            self._loaded_at = time.monotonic()

    def lookup(self, msid: str, number: str | None) -> tuple[str, _Route] | None:
        if self._loaded_at is None or time.monotonic() - self._loaded_at > ROUTING_TTL:
            self._load()
        with self._lock:
            if msid and msid in self._by_service:
                routes = self._by_service[msid]
                # Prefer the config whose number is the `To` when a service spans several numbers.
                return "messaging_service", next((r for r in routes if r.phone_number == number), routes[0])
            if number and number in self._by_number:
                return "to_number", self._by_number[number]
        return None

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = None


_routing = _RoutingTable()


def invalidate_routing_cache() -> None:
    """Forgets the cached routing table (called after phone configuration changes)."""
    _routing.invalidate()


def resolve_tenant_from_inbound(params: Mapping[str, str]) -> TenantResolution:
    """Returns the tenant for Twilio webhook parameters (never raises for unknown numbers)."""
    msid = (params.get("MessagingServiceSid") or "").strip()
    raw_to = (params.get("To") or params.get("Called") or "").strip()
    to_number = to_e164(raw_to) if raw_to else None
    found = _routing.lookup(msid, to_number)
    if found is not None:
        via, route = found
        return TenantResolution(route.tenant_id, via, route.phone_config_id, route.phone_number)
    log.warning(
        "resolution.fallback=True: no tenant for MessagingServiceSid=%r To=%r; routing to root",
        msid,
        raw_to,
        extra={"resolution.fallback": True},
    )
    return TenantResolution(ROOT_TENANT_ID, "fallback", None, to_number, fallback=True)
