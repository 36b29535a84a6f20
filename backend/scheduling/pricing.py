"""Prices and durations: the only place they are computed.

A price is a range (min..max cents) from the service, shifted by the modifiers of the asset
attributes the service uses (e.g. vehicle_size=suv: +$40, +30 min) and by add-ons. The AI agent
and the booking page state exactly this range; nothing else may invent a price.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from sqlmodel import Session

from backend.errors import NotFound, UserError
from backend.invoices.totals import round_half_up_div
from backend.scheduling import reads
from backend.scheduling.models import (
    Service,
    ServiceAddon,
    ServiceAddonLink,
    ServiceAttribute,
    ServiceModifier,
)

MIN_DURATION_MINUTES = 5


@dataclasses.dataclass(frozen=True)
class _Modifier:
    service_id: str
    attribute_id: str
    option_value: str
    price_delta_cents: int
    duration_delta_minutes: int


@dataclasses.dataclass(frozen=True)
class _Attribute:
    id: str
    key: str
    label: str
    default_value: str
    options: list
    sort_order: int


@dataclasses.dataclass(frozen=True)
class PriceLine:
    kind: str  # "service" | "modifier" | "addon"
    label: str
    min_cents: int
    max_cents: int
    duration_minutes: int
    ref_id: str = ""  # service/add-on id, or attribute key for a modifier


@dataclasses.dataclass(frozen=True)
class PriceQuote:
    min_cents: int
    max_cents: int
    duration_minutes: int
    lines: tuple[PriceLine, ...]
    # The attribute values used, canonical (e.g. {"vehicle_size": "suv"} for "crossover").
    attributes: dict[str, str] = dataclasses.field(default_factory=dict)
    deposit_cents: int = 0

    @property
    def addon_ids(self) -> list[str]:
        return [line.ref_id for line in self.lines if line.kind == "addon"]


def _is_id(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 40


def _clean(text: str) -> str:
    return " ".join(str(text or "").lower().replace("-", " ").replace("_", " ").split())


def resolve_option(attribute: ServiceAttribute, raw: str) -> str:
    """Returns the option value `raw` names (value, label or synonym), or raises UserError listing
    the valid choices."""
    wanted = _clean(raw)
    for option in attribute.options:
        names = [option["value"], option.get("label", ""), *option.get("synonyms", [])]
        if wanted in {_clean(n) for n in names if n}:
            return option["value"]
    choices = ", ".join(o.get("label") or o["value"] for o in attribute.options)
    raise UserError(f"{raw!r} is not a {attribute.label.lower()} we price; choose one of: {choices}.")


def _attribute_order(attribute_rows: dict, attribute_id: str) -> tuple:
    attribute = attribute_rows.get(attribute_id)
    return (attribute.sort_order, attribute.key) if attribute else (0, attribute_id)


def _option_label(attribute: ServiceAttribute, value: str) -> str:
    for option in attribute.options:
        if option["value"] == value:
            return option.get("label") or value
    return value


def _resolve_attributes(
    attributes: Mapping[str, str] | None, used: Sequence[ServiceAttribute]
) -> dict[str, str]:
    if attributes is not None and not isinstance(attributes, Mapping):
        raise UserError("Attributes must be a mapping like {'vehicle_size': 'suv'}.")
    given = {str(k): str(v) for k, v in (attributes or {}).items() if v not in (None, "")}
    resolved = {}
    for attribute in used:
        raw = given.get(attribute.key)
        resolved[attribute.key] = resolve_option(attribute, raw) if raw else attribute.default_value
    return resolved


def quote_price(
    db: Session,
    *,
    tenant_id: str,
    service_id: str,
    addon_ids: Sequence[str] = (),
    attributes: Mapping[str, str] | None = None,
) -> PriceQuote:
    """Returns the price range and duration of one service with add-ons and asset attributes.

    Attributes the service does not use are ignored; missing ones take the attribute's default.
    Raises NotFound for ids that are not the tenant's and UserError for inactive services,
    add-ons not offered with the service, or attribute values that are not options.
    """
    return quote_services(
        db, tenant_id=tenant_id, service_ids=[service_id], addon_ids=addon_ids, attributes=attributes
    )


def quote_services(
    db: Session,
    *,
    tenant_id: str,
    service_ids: Sequence[str],
    addon_ids: Sequence[str] = (),
    attributes: Mapping[str, str] | None = None,
) -> PriceQuote:
    """Returns the combined quote for several services done in one visit (durations add up)."""
    if isinstance(service_ids, str):
        service_ids = [service_ids]
    if isinstance(addon_ids, str):
        addon_ids = [addon_ids]
    if not service_ids:
        raise UserError("Choose at least one service.")
    service_ids = list(dict.fromkeys(service_ids))
    addon_ids = list(dict.fromkeys(addon_ids))
    if not all(_is_id(i) for i in [*service_ids, *addon_ids]):
        raise NotFound("One of those services or add-ons does not exist.")
    found = {s.id: s for s in reads.fetch_all(db, Service, tenant_id, Service.__table__.c.id.in_(service_ids))}
    if len(found) != len(service_ids):
        raise NotFound("One of those services does not exist.")
    services = [found[i] for i in service_ids]
    for service in services:
        if not service.active:
            raise UserError(f"{service.name} is not currently offered.")
    modifier_table, attribute_table = ServiceModifier.__table__, ServiceAttribute.__table__
    joined = reads.fetch_join(
        db, tenant_id, ServiceModifier, ServiceAttribute, ("attribute_id", "id"),
        (modifier_table.c.service_id, modifier_table.c.attribute_id, modifier_table.c.option_value,
         modifier_table.c.price_delta_cents, modifier_table.c.duration_delta_minutes,
         attribute_table.c.key, attribute_table.c.label, attribute_table.c.default_value,
         attribute_table.c.options, attribute_table.c.sort_order),
        modifier_table.c.service_id.in_(service_ids),
    )
    modifiers = [_Modifier(r.service_id, r.attribute_id, r.option_value, r.price_delta_cents,
                           r.duration_delta_minutes) for r in joined]
    attribute_rows = {
        r.attribute_id: _Attribute(r.attribute_id, r.key, r.label, r.default_value, r.options, r.sort_order)
        for r in joined
    }
    used_ids = list(dict.fromkeys(m.attribute_id for m in modifiers))
    used = sorted((attribute_rows[i] for i in used_ids if i in attribute_rows), key=lambda a: (a.sort_order, a.key))
    resolved = _resolve_attributes(attributes, used)

    lines: list[PriceLine] = []
    by_key = {a.key: a for a in used}
    for service in services:
        lines.append(
            PriceLine("service", service.name, service.price_min_cents, service.price_max_cents,
                      service.duration_minutes, service.id)
        )
        for modifier in sorted(modifiers, key=lambda m: _attribute_order(attribute_rows, m.attribute_id)):
            if modifier.service_id != service.id:
                continue
            attribute = attribute_rows.get(modifier.attribute_id)
            if attribute is None or resolved.get(attribute.key) != modifier.option_value:
                continue
            if modifier.price_delta_cents or modifier.duration_delta_minutes:
                lines.append(
                    PriceLine(
                        "modifier",
                        f"{attribute.label}: {_option_label(by_key[attribute.key], modifier.option_value)}",
                        modifier.price_delta_cents,
                        modifier.price_delta_cents,
                        modifier.duration_delta_minutes,
                        attribute.key,
                    )
                )

    addons = []
    if addon_ids:
        by_id = {a.id: a for a in reads.fetch_all(db, ServiceAddon, tenant_id, ServiceAddon.__table__.c.id.in_(addon_ids))}
        if len(by_id) != len(addon_ids):
            raise NotFound("One of those add-ons does not exist.")
        addons = [by_id[i] for i in addon_ids]
        links: dict[str, set[str]] = {}
        for addon_id, linked_service in reads.fetch_columns(
            db, ServiceAddonLink, tenant_id, ("addon_id", "service_id"),
            ServiceAddonLink.__table__.c.addon_id.in_(addon_ids),
        ):
            links.setdefault(addon_id, set()).add(linked_service)
        wanted_services = {s.id for s in services}
        for addon in addons:
            if not addon.active:
                raise UserError(f"The add-on {addon.name} is not currently offered.")
            limited_to = links.get(addon.id)
            if limited_to and not (limited_to & wanted_services):
                names = " / ".join(s.name for s in services)
                raise UserError(f"{addon.name} is not available with {names}.")
            lines.append(
                PriceLine("addon", addon.name, addon.price_min_cents, addon.price_max_cents,
                          addon.duration_minutes, addon.id)
            )

    min_cents = max(sum(line.min_cents for line in lines), 0)
    max_cents = max(sum(line.max_cents for line in lines), min_cents)
    duration = max(sum(line.duration_minutes for line in lines), MIN_DURATION_MINUTES)
    deposit = _deposit(services, lines)
    return PriceQuote(min_cents, max_cents, duration, tuple(lines), resolved, deposit)


def _deposit(services: Sequence[Service], lines: Sequence[PriceLine]) -> int:
    """Deposit: each service's percent of its own minimum (with its modifiers)."""
    total = 0
    current = None
    per_service: dict[str, int] = {}
    for line in lines:
        if line.kind == "service":
            current = line.ref_id
            per_service[current] = line.min_cents
        elif line.kind == "modifier" and current:
            per_service[current] += line.min_cents
    for service in services:
        if service.deposit_percent:
            total += round_half_up_div(max(per_service.get(service.id, 0), 0) * service.deposit_percent, 100)
    return total
