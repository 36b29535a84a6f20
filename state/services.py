"""Services & pricing (/services): every member sees the catalogue (services with duration,
price range, deposit and add-ons, attribute modifiers such as "SUV +$40 · +30 min"); owners and
admins edit it through ServiceEditorState, which the auth middleware refuses to anyone else.

Prices are typed in dollars and converted to integer cents exactly (Decimal) before they reach
the backend's pydantic schemas (ServiceIn, AddonIn).
"""

from __future__ import annotations

import re

import reflex as rx

from backend.errors import UserError
from backend.scheduling import catalogue, views
from backend.scheduling import service as scheduling_service
from backend.scheduling.views import AddonRow, AttributeRow, ModifierRow, ServiceRow
from state.scheduling_common import checked, clean_text, form_dict, is_id, tenant_call
from state.session import Access, current_context, requires

EMPTY_SERVICE = {"id": "", "name": "", "description": "", "duration_minutes": "60", "price_min": "", "price_max": "",
                 "deposit_percent": "0", "active": "on", "synonyms": ""}
EMPTY_ADDON = {"id": "", "name": "", "description": "", "price_min": "", "price_max": "", "duration_minutes": "0",
               "active": "on"}


def _load(db, ctx) -> views.ServicesOverview:
    return views.services_overview(db, tenant_id=ctx.tenant_id)


@requires(Access.TENANT)
class ServicesState(rx.State):
    """Read-only catalogue for everyone in the business."""

    services: list[ServiceRow] = []
    addons: list[AddonRow] = []
    attributes: list[AttributeRow] = []
    error: str = ""

    @rx.event
    async def load(self):
        ctx = await current_context(self)
        try:
            overview = await tenant_call(ctx, _load)
        except UserError as exc:
            self.error = str(exc)
            return
        self.error = ""
        self.services, self.addons, self.attributes = overview.services, overview.addons, overview.attributes


def _words(text: str) -> list[str]:
    return [w.strip() for w in re.split(r"[,\n]", text or "") if w.strip()][:40]


def service_in_from_form(data: dict) -> catalogue.ServiceIn:
    """Builds the backend schema from the submitted form (dollars → cents)."""
    price_min = views.parse_dollars(data.get("price_min", ""), field="Lowest price")
    max_text = data.get("price_max", "").strip()
    price_max = views.parse_dollars(max_text, field="Highest price") if max_text else price_min
    return catalogue.ServiceIn(
        name=clean_text(data.get("name"), limit=120),
        description=clean_text(data.get("description"), limit=4000),
        duration_minutes=views.parse_int(data.get("duration_minutes"), field="Duration (minutes)", minimum=5,
                                         maximum=24 * 60),
        price_min_cents=price_min, price_max_cents=price_max,
        deposit_percent=views.parse_int(data.get("deposit_percent") or "0", field="Deposit %", minimum=0, maximum=100),
        active=checked(data, "active"),
        synonyms=_words(data.get("synonyms", "")),
    )


def addon_in_from_form(data: dict) -> catalogue.AddonIn:
    price_min = views.parse_dollars(data.get("price_min", ""), field="Lowest price")
    max_text = data.get("price_max", "").strip()
    price_max = views.parse_dollars(max_text, field="Highest price") if max_text else price_min
    return catalogue.AddonIn(
        name=clean_text(data.get("name"), limit=120),
        description=clean_text(data.get("description"), limit=2000),
        price_min_cents=price_min, price_max_cents=price_max,
        duration_minutes=views.parse_int(data.get("duration_minutes") or "0", field="Extra minutes", minimum=0,
                                         maximum=8 * 60),
        active=checked(data, "active"),
    )


@requires(Access.TENANT_ADMIN)
class ServiceEditorState(rx.State):
    """Create and edit services, add-ons and attribute modifiers (owners and admins only)."""

    service_open: bool = False
    service_form: dict[str, str] = dict(EMPTY_SERVICE)
    addon_open: bool = False
    addon_form: dict[str, str] = dict(EMPTY_ADDON)
    addon_services: list[str] = []
    service_options: list[dict[str, str]] = []
    modifiers_open: bool = False
    modifiers_service_id: str = ""
    modifiers_service_name: str = ""
    modifier_rows: list[ModifierRow] = []
    unused_attributes: list[dict[str, str]] = []
    form_error: str = ""
    message: str = ""

    async def _overview(self, ctx) -> views.ServicesOverview:
        return await tenant_call(ctx, _load)

    # -- services ----------------------------------------------------------------------------

    @rx.event
    async def edit_service(self, service_id: str):
        """Opens the service form: empty for "" (new), else the service's current values."""
        ctx = await current_context(self)
        self.form_error = ""
        if service_id == "":
            self.service_form = dict(EMPTY_SERVICE)
            self.service_open = True
            return
        if not is_id(service_id):
            return
        overview = await self._overview(ctx)
        row = next((s for s in overview.services if s.id == service_id), None)
        if row is None:
            return
        self.service_form = {
            "id": row.id, "name": row.name, "description": row.description,
            "duration_minutes": str(row.duration_minutes), "price_min": row.price_min, "price_max": row.price_max,
            "deposit_percent": str(row.deposit_percent), "active": "on" if row.active else "", "synonyms": row.synonyms,
        }
        self.service_open = True

    @rx.event
    def set_service_open(self, value: bool):
        self.service_open = bool(value)

    @rx.event
    async def save_service(self, form: dict):
        ctx = await current_context(self)
        data = form_dict(form)
        service_id = self.service_form.get("id", "")
        try:
            service_in = service_in_from_form(data)

            def run(db, c):
                if service_id:
                    return catalogue.update_service(db, tenant_id=c.tenant_id, service_id=service_id,
                                                    service_in=service_in, acting_user=c).name
                return catalogue.create_service(db, tenant_id=c.tenant_id, service_in=service_in, acting_user=c).name

            name = await tenant_call(ctx, run)
        except UserError as exc:
            self.form_error = str(exc)
            return
        except ValueError as exc:  # pydantic schema checks
            self.form_error = str(exc)
            return
        self.service_open = False
        self.form_error = ""
        self.message = f"Saved {name}."
        return ServicesState.load

    # -- add-ons -----------------------------------------------------------------------------

    @rx.event
    async def edit_addon(self, addon_id: str):
        ctx = await current_context(self)
        self.form_error = ""
        overview = await self._overview(ctx)
        self.service_options = [{"value": s.id, "label": s.name} for s in overview.services]
        if addon_id == "":
            self.addon_form = dict(EMPTY_ADDON)
            self.addon_services = []
            self.addon_open = True
            return
        row = next((a for a in overview.addons if a.id == addon_id), None) if is_id(addon_id) else None
        if row is None:
            return
        self.addon_form = {
            "id": row.id, "name": row.name, "description": row.description, "price_min": row.price_min,
            "price_max": row.price_max, "duration_minutes": str(row.duration_minutes),
            "active": "on" if row.active else "",
        }
        self.addon_services = list(row.service_ids)
        self.addon_open = True

    @rx.event
    def set_addon_open(self, value: bool):
        self.addon_open = bool(value)

    @rx.event
    def toggle_addon_service(self, service_id: str, value: bool):
        if not any(o["value"] == service_id for o in self.service_options):
            return
        ids = [i for i in self.addon_services if i != service_id]
        if value:
            ids.append(service_id)
        self.addon_services = ids

    @rx.event
    async def save_addon(self, form: dict):
        ctx = await current_context(self)
        data = form_dict(form)
        addon_id = self.addon_form.get("id", "")
        service_ids = list(self.addon_services)
        try:
            addon_in = addon_in_from_form(data)

            def run(db, c):
                if addon_id:
                    return catalogue.update_addon(db, tenant_id=c.tenant_id, addon_id=addon_id, addon_in=addon_in,
                                                  service_ids=service_ids, acting_user=c).name
                return catalogue.create_addon(db, tenant_id=c.tenant_id, addon_in=addon_in, service_ids=service_ids,
                                              acting_user=c).name

            name = await tenant_call(ctx, run)
        except (UserError, ValueError) as exc:
            self.form_error = str(exc)
            return
        self.addon_open = False
        self.form_error = ""
        self.message = f"Saved add-on {name}."
        return ServicesState.load

    # -- attribute modifiers -----------------------------------------------------------------

    @rx.event
    async def edit_modifiers(self, service_id: str):
        ctx = await current_context(self)
        if not is_id(service_id):
            return
        overview = await self._overview(ctx)
        row = next((s for s in overview.services if s.id == service_id), None)
        if row is None:
            return
        self._show_modifiers(row, overview)
        self.form_error = ""
        self.modifiers_open = True

    def _show_modifiers(self, row: ServiceRow, overview: views.ServicesOverview):
        self.modifiers_service_id = row.id
        self.modifiers_service_name = row.name
        self.modifier_rows = list(row.modifiers)
        used = {m.attribute_key for m in row.modifiers}
        self.unused_attributes = [{"value": a.key, "label": a.label} for a in overview.attributes if a.key not in used]

    @rx.event
    def set_modifiers_open(self, value: bool):
        self.modifiers_open = bool(value)

    @rx.event
    async def add_attribute(self, attribute_key: str):
        """Makes an attribute price this service (all options start at +$0, +0 min)."""
        ctx = await current_context(self)
        if not any(a["value"] == attribute_key for a in self.unused_attributes):
            return
        service_id = self.modifiers_service_id

        def run(db, c):
            attribute = scheduling_service.get_attribute_by_key(db, tenant_id=c.tenant_id, key=attribute_key)
            if attribute is None:
                raise UserError("No such attribute.")
            catalogue.set_service_modifier(
                db, tenant_id=c.tenant_id, service_id=service_id, attribute_key=attribute.key,
                option_value=attribute.default_value, price_delta_cents=0, duration_delta_minutes=0, acting_user=c)

        try:
            await tenant_call(ctx, run)
            overview = await self._overview(ctx)
        except UserError as exc:
            self.form_error = str(exc)
            return
        row = next((s for s in overview.services if s.id == service_id), None)
        if row is not None:
            self._show_modifiers(row, overview)
        return ServicesState.load

    @rx.event
    async def save_modifiers(self, form: dict):
        """Saves every changed row of the modifiers table (fields price__<attr>__<option>,
        minutes__<attr>__<option>)."""
        ctx = await current_context(self)
        data = form_dict(form)
        service_id = self.modifiers_service_id
        changes = []
        try:
            for row in self.modifier_rows:
                suffix = f"{row.attribute_key}__{row.option_value}"
                price_text = data.get(f"price__{suffix}", row.price_delta)
                minutes_text = data.get(f"minutes__{suffix}", str(row.duration_delta))
                label = f"{row.attribute_label} {row.option_label}"
                price = views.parse_dollars(price_text or "0", field=f"{label} price change", allow_negative=True)
                minutes = views.parse_int(minutes_text or "0", field=f"{label} extra minutes", minimum=-600,
                                          maximum=600)
                if price != views.parse_dollars(row.price_delta or "0", allow_negative=True) or minutes != row.duration_delta:
                    changes.append((row.attribute_key, row.option_value, price, minutes))

            def run(db, c):
                for key, option, price, minutes in changes:
                    catalogue.set_service_modifier(
                        db, tenant_id=c.tenant_id, service_id=service_id, attribute_key=key, option_value=option,
                        price_delta_cents=price, duration_delta_minutes=minutes, acting_user=c)

            if changes:
                await tenant_call(ctx, run)
        except UserError as exc:
            self.form_error = str(exc)
            return
        self.modifiers_open = False
        self.form_error = ""
        self.message = f"Saved {len(changes)} price change{'s' if len(changes) != 1 else ''} for {self.modifiers_service_name}."
        return ServicesState.load
