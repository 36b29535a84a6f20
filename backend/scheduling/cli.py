"""Scheduling CLI commands (registered in backend.cli): services, slots, appointments, packs,
apply-pack, extend-recurring. `--json` prints machine-readable output (lists of objects, money
in integer cents, times ISO 8601 with the tenant's offset)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import typer

from backend.errors import UserError


def _tenant(slug: str):
    from backend.db.session import platform_session
    from backend.tenancy import service as tenancy_service

    with platform_session("cli:scheduling") as db:
        tenant = tenancy_service.get_by_slug(db, slug=slug)
    if tenant is None:
        raise UserError(f"No business with slug {slug!r}.")
    return tenant


def _parse_date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise UserError(f"{name} must be a date like 2026-03-10, not {value!r}.") from None


def _parse_attributes(values: list[str]) -> dict[str, str]:
    attributes = {}
    for item in values or []:
        if "=" not in item:
            raise UserError(f"Attributes look like vehicle_size=suv, not {item!r}.")
        key, value = item.split("=", 1)
        attributes[key.strip()] = value.strip()
    return attributes


def services_data(tenant_id: str) -> list[dict]:
    """Returns the tenant's active services with price ranges, add-ons and attribute modifiers."""
    from backend.db.session import tenant_session
    from backend.scheduling import service as scheduling_service
    from backend.scheduling.timeutil import format_price_range

    with tenant_session(tenant_id) as db:
        services = scheduling_service.list_services(db, tenant_id=tenant_id)
        attributes = {a.id: a for a in scheduling_service.list_attributes(db, tenant_id=tenant_id)}
        by_key = {a.key: a for a in attributes.values()}
        modifiers = scheduling_service.get_modifiers(db, tenant_id=tenant_id, service_ids=[s.id for s in services])
        result = []
        for service in services:
            mods: dict[str, list[dict]] = {}
            for m in modifiers:
                if m.service_id != service.id or m.attribute_id not in attributes:
                    continue
                attribute = attributes[m.attribute_id]
                label = next((o.get("label") for o in attribute.options if o["value"] == m.option_value), m.option_value)
                mods.setdefault(attribute.key, []).append({
                    "value": m.option_value, "label": label, "price_delta_cents": m.price_delta_cents,
                    "duration_delta_minutes": m.duration_delta_minutes,
                })
            for key, options in mods.items():
                order = {o["value"]: i for i, o in enumerate(by_key[key].options)}
                options.sort(key=lambda o: order.get(o["value"], 99))
            addons = scheduling_service.list_addons(db, tenant_id=tenant_id, service_id=service.id)
            result.append({
                "id": service.id,
                "name": service.name,
                "description": service.description,
                "duration_minutes": service.duration_minutes,
                "price_min_cents": service.price_min_cents,
                "price_max_cents": service.price_max_cents,
                "price_range": format_price_range(service.price_min_cents, service.price_max_cents),
                "deposit_percent": service.deposit_percent,
                "weather_sensitive": service.weather_sensitive,
                "addons": [
                    {"id": a.id, "name": a.name, "price_min_cents": a.price_min_cents,
                     "price_max_cents": a.price_max_cents, "duration_minutes": a.duration_minutes}
                    for a in addons
                ],
                "attributes": mods,
            })
        return result


def slots_data(
    tenant_id: str, *, service_name: str, start_date: dt.date, days: int, technician: str | None = None,
    attributes: dict[str, str] | None = None, addon_names: list[str] | None = None,
) -> list[dict]:
    """Returns open slots for a service (by name or synonym) over `days` local days."""
    from backend.db.session import tenant_session
    from backend.scheduling import availability
    from backend.scheduling import service as scheduling_service

    if not 1 <= days <= availability.MAX_RANGE_DAYS:
        raise UserError(f"--days must be between 1 and {availability.MAX_RANGE_DAYS}.")
    with tenant_session(tenant_id) as db:
        service = scheduling_service.get_service_by_name(db, tenant_id=tenant_id, name=service_name)
        if service is None:
            names = ", ".join(s.name for s in scheduling_service.list_services(db, tenant_id=tenant_id))
            raise UserError(f"No service called {service_name!r}. Services: {names or 'none yet'}.")
        if attributes:
            # The pricing engine ignores attributes a service does not use; an operator's typo
            # ("vehicle-size=suv") must not silently price and time the default size instead.
            keys = {a.id: a.key for a in scheduling_service.list_attributes(db, tenant_id=tenant_id)}
            used = sorted({keys[m.attribute_id] for m in scheduling_service.get_modifiers(
                db, tenant_id=tenant_id, service_ids=[service.id]) if m.attribute_id in keys})
            unknown = sorted(set(attributes) - set(used))
            if unknown:
                raise UserError(f"{service.name} has no attribute {unknown[0]!r}; "
                                f"it uses {', '.join(used) if used else 'none'}.")
        technician_id = None
        if technician:
            tech = scheduling_service.get_technician_by_name(db, tenant_id=tenant_id, name=technician)
            if tech is None:
                raise UserError(f"No technician called {technician!r}.")
            technician_id = tech.id
        addon_ids = []
        if addon_names:
            offered = scheduling_service.list_addons(db, tenant_id=tenant_id, service_id=service.id)
            for name in addon_names:
                match = next((a for a in offered if a.name.lower() == name.lower().strip()
                              or name.lower().strip() in (a.synonyms or [])), None)
                if match is None:
                    raise UserError(f"No add-on {name!r} for {service.name}.")
                addon_ids.append(match.id)
        techs = {t.id: t.name for t in scheduling_service.list_technicians(db, tenant_id=tenant_id, active_only=False)}
        slots = availability.find_slots(
            db, tenant_id=tenant_id, service_ids=[service.id], addon_ids=addon_ids, attributes=attributes or {},
            start_date=start_date, end_date=start_date + dt.timedelta(days=days - 1), technician_id=technician_id,
        )
        return [
            {
                "date": slot.start.date().isoformat(),
                "start": slot.start.isoformat(),
                "end": slot.end.isoformat(),
                "service": service.name,
                "duration_minutes": int((slot.end - slot.start).total_seconds() // 60),
                "technicians": [techs.get(t, t) for t in slot.technician_ids],
                "technician_ids": list(slot.technician_ids),
            }
            for slot in slots
        ]


def appointments_data(tenant_id: str, *, start_date: dt.date | None, end_date: dt.date | None) -> list[dict]:
    """Returns appointments starting between two local dates (inclusive), by start time."""
    from backend.customers.models import Customer
    from backend.db.session import tenant_session
    from backend.db.types import utcnow
    from backend.scheduling import service as scheduling_service
    from backend.scheduling.timeutil import day_bounds_utc, tenant_zone

    with tenant_session(tenant_id) as db:
        zone = tenant_zone(db, tenant_id=tenant_id)
        given_from = start_date is not None
        start_date = start_date or utcnow().astimezone(zone).date()
        start = day_bounds_utc(start_date, zone)[0]
        end = day_bounds_utc(end_date, zone)[1] if end_date else None
        if end is not None and end <= start:
            if given_from:
                raise UserError("--to must be on or after --from.")
            # --from defaults to today: say so, or the operator is told about an option they never gave.
            raise UserError(f"--to {end_date.isoformat()} is before today ({start_date.isoformat()}, the default "
                            "--from); add --from to list past appointments.")
        appointments = scheduling_service.list_appointments(db, tenant_id=tenant_id, start=start, end=end)
        services = {s.id: s.name for s in scheduling_service.list_services(db, tenant_id=tenant_id, active_only=False)}
        techs = {t.id: t.name for t in scheduling_service.list_technicians(db, tenant_id=tenant_id, active_only=False)}
        customer_ids = list({a.customer_id for a in appointments})
        customers = {}
        if customer_ids:
            from sqlmodel import col, select

            customers = {
                c.id: c for c in db.exec(
                    select(Customer).where(Customer.tenant_id == tenant_id, col(Customer.id).in_(customer_ids))
                ).all()
            }
        rows = []
        for a in appointments:
            customer = customers.get(a.customer_id)
            rows.append({
                "id": a.id,
                "customer_phone": customer.phone if customer else "",
                "customer_name": customer.name if customer else "",
                "service": services.get(a.service_id, ""),
                "start": a.start_at.astimezone(zone).isoformat(),
                "end": a.end_at.astimezone(zone).isoformat(),
                "technician": techs.get(a.technician_id) if a.technician_id else None,
                "status": a.status,
                "source": a.source,
                "price_quoted_min_cents": a.price_quoted_min_cents,
                "price_quoted_max_cents": a.price_quoted_max_cents,
                "price_charged_cents": a.price_charged_cents,
            })
        return rows


def register(app: typer.Typer) -> None:
    from backend.cli import emit, fail

    @app.command("services")
    def services_cmd(
        tenant: str = typer.Option(..., "--tenant", help="Business slug"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """List a business's active services with durations, price ranges and add-ons."""
        try:
            data = services_data(_tenant(tenant).id)
        except UserError as exc:
            fail(str(exc))
        lines = [f"{s['name']:40} {s['duration_minutes']:4d} min  {s['price_range']}"
                 + (f"  (+{len(s['addons'])} add-ons)" if s["addons"] else "") for s in data]
        emit(data, as_json, "\n".join(lines) or "no services")

    @app.command("slots")
    def slots_cmd(
        tenant: str = typer.Option(..., "--tenant", help="Business slug"),
        service: str = typer.Option(..., "--service", help="Service name (or a synonym)"),
        date: str = typer.Option(..., "--date", help="First local date, YYYY-MM-DD"),
        days: int = typer.Option(1, "--days", help="Number of days to search"),
        technician: Optional[str] = typer.Option(None, "--technician", help="Preferred technician name"),
        attribute: list[str] = typer.Option([], "--attr", help="Asset attribute, e.g. vehicle_size=suv"),
        addon: list[str] = typer.Option([], "--addon", help="Add-on name (repeatable)"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """List bookable start times for a service."""
        try:
            data = slots_data(
                _tenant(tenant).id, service_name=service, start_date=_parse_date(date, "--date"), days=days,
                technician=technician, attributes=_parse_attributes(attribute), addon_names=addon,
            )
        except UserError as exc:
            fail(str(exc))
        lines = [f"{s['start']}  {', '.join(s['technicians'])}" for s in data]
        emit(data, as_json, "\n".join(lines) or "no open slots")

    @app.command("appointments")
    def appointments_cmd(
        tenant: str = typer.Option(..., "--tenant", help="Business slug"),
        date_from: Optional[str] = typer.Option(None, "--from", help="First local date (default today)"),
        date_to: Optional[str] = typer.Option(None, "--to", help="Last local date, inclusive (default: all)"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """List appointments with customer phone, service, start (ISO with offset), technician, status."""
        try:
            data = appointments_data(
                _tenant(tenant).id,
                start_date=_parse_date(date_from, "--from") if date_from else None,
                end_date=_parse_date(date_to, "--to") if date_to else None,
            )
        except UserError as exc:
            fail(str(exc))
        lines = [f"{a['start']}  {a['status']:11} {a['service']:32} {a['customer_phone']:13} {a['technician'] or '-'}"
                 for a in data]
        emit(data, as_json, "\n".join(lines) or "no appointments")

    @app.command("packs")
    def packs_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
        """List the industry packs."""
        from backend.packs.loader import list_packs

        data = [{"key": p.key, "name": p.name, "services": len(p.services), "addons": len(p.addons),
                 "faq": len(p.faq)} for p in list_packs()]
        emit(data, as_json, "\n".join(f"{p['key']:16} {p['name']}" for p in data))

    @app.command("apply-pack")
    def apply_pack_cmd(
        tenant: str = typer.Option(..., "--tenant", help="Business slug"),
        pack: Optional[str] = typer.Option(None, "--pack", help="Industry key (default: the business's industry)"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Seed a business from an industry pack (adds only what is missing)."""
        import dataclasses

        from backend.db.session import tenant_session
        from backend.packs.actions import apply_pack
        from backend.packs.loader import get_pack, pack_for_industry

        try:
            row = _tenant(tenant)
            chosen = get_pack(pack) if pack else pack_for_industry(row.industry)
            with tenant_session(row.id) as db:
                result = apply_pack(db, tenant_id=row.id, pack=chosen, acting_user=None)
        except UserError as exc:
            fail(str(exc))
        data = dataclasses.asdict(result)
        emit(data, as_json, f"{chosen.key}: " + ", ".join(f"{k}={v}" for k, v in data.items() if k != "pack_key"))

    @app.command("extend-recurring")
    def extend_recurring_cmd(tenant: str = typer.Option(..., "--tenant", help="Business slug")) -> None:
        """Book recurring visits up to the rolling window now (the daily job does this too)."""
        from backend.db.session import tenant_session
        from backend.scheduling.recurrence import extend_all_series

        try:
            row = _tenant(tenant)
            with tenant_session(row.id) as db:
                created = extend_all_series(db, tenant_id=row.id)
        except UserError as exc:
            fail(str(exc))
        typer.echo(f"{created} recurring visits booked")
