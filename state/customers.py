"""CRM states: the customer list (search, filters, "New customer") and the customer profile
(contact, phones, household, assets, tags, notes, VIP, stats and history).

Both are TENANT states. Every handler resolves the staff context server-side, checks the plan
includes the CRM, validates its arguments and calls backend/customers inside
`tenant_session(ctx.tenant_id, acting_user=ctx)`. The profile's customer id comes from the
page URL and is looked up with `access_customer_by_id` in the caller's tenant; handlers act on
that server-side id (`_customer_id`), never on an id sent with the event. Also home of the
small helpers the quote and invoice states share (feature-gated sessions, URL ids).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import reflex as rx
from pydantic import ValidationError

from backend.auth.context import StaffContext
from backend.customers import actions as customers_actions
from backend.customers import views as customers_views
from backend.customers.enums import AssetKind, CustomerSource
from backend.customers.models import AssetIn, CustomerCreate, CustomerUpdate, normalise_tag
from backend.customers.views import AttributeChoice, CustomerRow, ProfileView
from backend.db.session import tenant_session
from backend.errors import PermissionDenied, UserError, pydantic_message
from backend.tenancy import views as tenancy_views
from backend.tenancy.features import FeatureNotAvailable, require_feature
from state.session import Access, current_context, requires, run_blocking

T = TypeVar("T")

_ID = re.compile(r"[0-9A-Za-z_-]{1,40}")
MAX_QUERY = 200
LIST_LIMIT = 100


# ---- helpers shared by the CRM, quote and invoice states ------------------------------------


def is_row_id(value) -> bool:
    """True for a string shaped like one of our row ids (ULIDs; never trusted beyond that)."""
    return isinstance(value, str) and bool(_ID.fullmatch(value))


def clean_text(value, limit: int) -> str:
    """Returns a client string trimmed and cut to `limit` characters ("" for non-strings)."""
    return value.strip()[:limit] if isinstance(value, str) else ""


def url_id(state: rx.State, prefix: str) -> str:
    """Returns the id in the current page URL after `prefix` ("/customers/<id>"), or ""."""
    path = str(state.router.url.path or "").rstrip("/")
    if not path.startswith(prefix + "/"):
        return ""
    candidate = path[len(prefix) + 1:]
    return candidate if is_row_id(candidate) else ""


def in_tenant(ctx: StaffContext, feature: str, fn: Callable[..., T], /, **kwargs) -> T:
    """Runs `fn(db, tenant_id=..., **kwargs)` in the caller's tenant session once the plan is
    known to include `feature` (synchronous: call through run_blocking)."""
    try:
        require_feature(tenancy_views.tenant_view(tenant_id=ctx.tenant_id), feature)
    except FeatureNotAvailable as exc:
        raise PermissionDenied(str(exc)) from None
    with tenant_session(ctx.tenant_id, acting_user=ctx) as db:
        return fn(db, tenant_id=ctx.tenant_id, **kwargs)


async def call(state: rx.State, feature: str, fn: Callable[..., T], /, **kwargs) -> T:
    """Resolves the verified staff context and runs `fn` in its tenant off the event loop."""
    ctx = await current_context(state)
    return await run_blocking(in_tenant, ctx, feature, fn, **kwargs)


def _split_tags(raw) -> list[str]:
    text = clean_text(raw, 500)
    return [t for t in (part.strip() for part in text.split(",")) if t]


# ---- list -----------------------------------------------------------------------------------


def _list_data(db, *, tenant_id: str, query: str, tag: str, vip_only: bool):
    from backend.customers import service as customers_service

    rows = customers_views.customer_rows(db, tenant_id=tenant_id, query=query, tag=tag or None, vip_only=vip_only,
                                         limit=LIST_LIMIT)
    tags = [tag for tag, _ in customers_service.get_all_tags(db, tenant_id=tenant_id)]
    return rows, tags


def _create(db, *, tenant_id: str, customer_in: CustomerCreate, acting_user: StaffContext) -> str:
    return customers_actions.create_customer(db, tenant_id=tenant_id, customer_in=customer_in,
                                             acting_user=acting_user).id


@requires(Access.TENANT)
class CustomersState(rx.State):
    """The customer list with debounced search, tag and VIP filters, and "New customer"."""

    rows: list[CustomerRow] = []
    truncated: bool = False  # more customers match than the list shows
    tag_options: list[str] = []
    query: str = ""
    tag_filter: str = "all"
    vip_only: bool = False
    loaded: bool = False
    error: str = ""
    create_open: bool = False
    create_error: str = ""

    async def _refresh(self):
        try:
            self.rows, self.tag_options = await call(
                self, "crm", _list_data, query=self.query,
                tag="" if self.tag_filter == "all" else self.tag_filter, vip_only=self.vip_only,
            )
            self.truncated = len(self.rows) >= LIST_LIMIT
            self.error = ""
        except UserError as exc:
            self.rows, self.error = [], str(exc)
        self.loaded = True

    @rx.event
    async def load(self):
        query = self.router.url.query_parameters.get("q", "")
        self.query = clean_text(query, MAX_QUERY)
        self.create_open = False
        await self._refresh()

    @rx.event
    async def set_query(self, value: str):
        self.query = clean_text(value, MAX_QUERY)
        await self._refresh()

    @rx.event
    async def set_tag_filter(self, value: str):
        if value != "all" and value not in self.tag_options:
            return
        self.tag_filter = value
        await self._refresh()

    @rx.event
    async def set_vip_only(self, value: bool):
        self.vip_only = value is True
        await self._refresh()

    @rx.event
    def set_create_open(self, value: bool):
        self.create_open = value is True
        self.create_error = ""

    @rx.event
    async def create_customer(self, form: dict):
        if not isinstance(form, dict):
            return
        try:
            customer_in = CustomerCreate(
                name=clean_text(form.get("name"), 200),
                phones=[p for p in [clean_text(form.get("phone"), 40)] if p],
                email=clean_text(form.get("email"), 254),
                address_line1=clean_text(form.get("address_line1"), 200),
                address_line2=clean_text(form.get("address_line2"), 100),
                city=clean_text(form.get("city"), 100),
                region=clean_text(form.get("region"), 100),
                postal_code=clean_text(form.get("postal_code"), 20),
                notes=clean_text(form.get("notes"), 4000),
                tags=_split_tags(form.get("tags")),
                source=CustomerSource.MANUAL,
            )
            ctx = await current_context(self)
            customer_id = await run_blocking(in_tenant, ctx, "crm", _create, customer_in=customer_in, acting_user=ctx)
        except ValidationError as exc:
            self.create_error = pydantic_message(exc)
            return
        except UserError as exc:
            self.create_error = str(exc)
            return
        self.create_open = False
        self.create_error = ""
        return rx.redirect(f"/customers/{customer_id}")


# ---- profile --------------------------------------------------------------------------------


def _empty_profile() -> ProfileView:
    return ProfileView(
        id="", name="", email="", phones=[], primary_phone="", address="", address_line1="", address_line2="",
        city="", region="", postal_code="", source="", notes="", is_vip=False, sms_consent="unknown",
        sms_consent_label="", household=[], assets=[], tags=[], first_job="", last_job="", total_jobs=0,
        lifetime_value="$0.00", open_balance="$0.00", customer_since="", appointments=[], invoices=[], quotes=[],
        messages=[],
    )


def _profile_data(db, *, tenant_id: str, customer_id: str):
    return (customers_views.customer_profile(db, tenant_id=tenant_id, customer_id=customer_id),
            customers_views.attribute_choices(db, tenant_id=tenant_id))


ASSET_KINDS = AssetKind.values()
NOT_SET = "-"


@requires(Access.TENANT)
class CustomerProfileState(rx.State):
    """One customer's profile. The customer is the one named in the page URL, looked up in the
    signed-in tenant; every change acts on that server-side id."""

    _customer_id: str = ""

    p: ProfileView = _empty_profile()
    attribute_choices: list[AttributeChoice] = []
    found: bool = False
    not_found: bool = False
    error: str = ""
    message: str = ""

    notes_draft: str = ""
    tag_input: str = ""
    tag_error: str = ""

    contact_open: bool = False
    contact_error: str = ""
    phone_input: str = ""
    phone_error: str = ""

    asset_open: bool = False
    asset_error: str = ""
    asset_id: str = ""  # the asset being edited ("" = new); checked against the loaded profile
    asset_kind: str = AssetKind.VEHICLE.value
    asset_label: str = ""
    asset_notes: str = ""
    asset_attrs: dict[str, str] = {}

    @rx.var
    def kind_choices(self) -> list[AttributeChoice]:
        """The priced attributes an asset of the chosen kind can carry."""
        return [c for c in self.attribute_choices if c.kind == self.asset_kind]

    async def _reload(self) -> bool:
        try:
            self.p, self.attribute_choices = await call(self, "crm", _profile_data, customer_id=self._customer_id)
        except UserError as exc:
            # NotFound for a missing id and for another tenant's id alike.
            self._customer_id = ""
            self.p, self.found, self.not_found, self.error = _empty_profile(), False, True, str(exc)
            return False
        self.found, self.not_found = True, False
        return True

    @rx.event
    async def load(self):
        self._customer_id = url_id(self, "/customers")
        self.error = self.message = self.tag_error = self.tag_input = ""
        self.contact_open = self.asset_open = False
        if not self._customer_id:
            self.p, self.found, self.not_found = _empty_profile(), False, True
            return
        await self._reload()
        self.notes_draft = self.p.notes

    async def _act(self, fn: Callable[..., object], **kwargs) -> str | None:
        """Runs a customer action on the current customer; returns an error message or None."""
        if not self.found or not self._customer_id:
            return "Open a customer first."
        ctx = await current_context(self)
        try:
            await run_blocking(in_tenant, ctx, "crm", fn, acting_user=ctx, **kwargs)
        except ValidationError as exc:
            return pydantic_message(exc)
        except UserError as exc:
            return str(exc)
        await self._reload()
        return None

    # -- VIP, notes, tags --

    @rx.event
    async def set_vip(self, value: bool):
        problem = await self._act(customers_actions.set_customer_vip, customer_id=self._customer_id,
                                  is_vip=value is True)
        self.error = problem or ""
        self.message = "" if problem else ("Marked as VIP." if value is True else "No longer a VIP.")

    @rx.event
    def set_notes_draft(self, value: str):
        self.notes_draft = clean_text(value, 4000) if isinstance(value, str) else self.notes_draft

    @rx.event
    async def save_notes(self):
        problem = await self._act(customers_actions.update_customer, customer_id=self._customer_id,
                                  customer_in=CustomerUpdate(notes=self.notes_draft))
        self.error = problem or ""
        self.message = "" if problem else "Notes saved."

    @rx.event
    def set_tag_input(self, value: str):
        self.tag_input = clean_text(value, 50) if isinstance(value, str) else ""
        self.tag_error = ""

    @rx.event
    async def add_tag(self):
        try:
            tag = normalise_tag(self.tag_input)
        except ValueError as exc:
            self.tag_error = str(exc) if self.tag_input else "Type a tag first."
            return
        problem = await self._act(customers_actions.add_customer_tag, customer_id=self._customer_id, tag=tag)
        self.tag_error = problem or ""
        if not problem:
            self.tag_input = ""

    @rx.event
    async def remove_tag(self, tag: str):
        if not isinstance(tag, str) or tag not in self.p.tags:
            return
        problem = await self._act(customers_actions.remove_customer_tag, customer_id=self._customer_id, tag=tag)
        self.tag_error = problem or ""

    # -- contact and phones --

    @rx.event
    def set_contact_open(self, value: bool):
        self.contact_open = value is True and self.found
        self.contact_error = self.phone_error = ""
        self.phone_input = ""

    @rx.event
    async def save_contact(self, form: dict):
        if not isinstance(form, dict):
            return
        try:
            update = CustomerUpdate(
                name=clean_text(form.get("name"), 200), email=clean_text(form.get("email"), 254),
                address_line1=clean_text(form.get("address_line1"), 200),
                address_line2=clean_text(form.get("address_line2"), 100),
                city=clean_text(form.get("city"), 100), region=clean_text(form.get("region"), 100),
                postal_code=clean_text(form.get("postal_code"), 20),
            )
        except ValidationError as exc:
            self.contact_error = pydantic_message(exc)
            return
        problem = await self._act(customers_actions.update_customer, customer_id=self._customer_id,
                                  customer_in=update)
        if problem:
            self.contact_error = problem
            return
        self.contact_open = False
        self.message = "Contact details saved."

    @rx.event
    def set_phone_input(self, value: str):
        self.phone_input = clean_text(value, 40) if isinstance(value, str) else ""
        self.phone_error = ""

    @rx.event
    async def add_phone(self):
        if not self.phone_input:
            self.phone_error = "Enter a phone number."
            return
        problem = await self._act(customers_actions.add_customer_phone, customer_id=self._customer_id,
                                  phone=self.phone_input, label="mobile")
        self.phone_error = problem or ""
        if not problem:
            self.phone_input = ""

    @rx.event
    async def remove_phone(self, e164: str):
        if not isinstance(e164, str) or e164 not in [p.e164 for p in self.p.phones]:
            return
        problem = await self._act(customers_actions.remove_customer_phone, customer_id=self._customer_id,
                                  phone=e164)
        self.phone_error = problem or ""

    @rx.event
    async def make_primary(self, e164: str):
        if not isinstance(e164, str) or e164 not in [p.e164 for p in self.p.phones]:
            return
        problem = await self._act(customers_actions.add_customer_phone, customer_id=self._customer_id,
                                  phone=e164, make_primary=True)
        self.phone_error = problem or ""

    # -- assets --

    def _asset_ids(self) -> list[str]:
        return [a.id for a in self.p.assets]

    @rx.event
    def start_asset(self, asset_id: str):
        """Opens the asset editor: "" for a new asset, or one of this customer's asset ids."""
        if not self.found:
            return
        self.asset_error = ""
        if asset_id == "":
            self.asset_id, self.asset_label, self.asset_notes, self.asset_attrs = "", "", "", {}
            kinds = {c.kind for c in self.attribute_choices}
            self.asset_kind = next((k for k in ASSET_KINDS if k in kinds), AssetKind.OTHER.value)
        elif isinstance(asset_id, str) and asset_id in self._asset_ids():
            asset = next(a for a in self.p.assets if a.id == asset_id)
            self.asset_id, self.asset_kind, self.asset_label = asset.id, asset.kind, asset.label
            self.asset_notes = asset.notes
            self.asset_attrs = {a.key: a.value for a in asset.attributes}
        else:
            return
        self.asset_open = True

    @rx.event
    def set_asset_open(self, value: bool):
        self.asset_open = value is True and self.found

    @rx.event
    def set_asset_kind(self, value: str):
        if value in ASSET_KINDS:
            self.asset_kind = value
            allowed = {c.key for c in self.attribute_choices if c.kind == value}
            self.asset_attrs = {k: v for k, v in self.asset_attrs.items() if k in allowed}

    @rx.event
    def set_asset_label(self, value: str):
        self.asset_label = clean_text(value, 200) if isinstance(value, str) else self.asset_label

    @rx.event
    def set_asset_notes(self, value: str):
        self.asset_notes = clean_text(value, 2000) if isinstance(value, str) else self.asset_notes

    @rx.event
    def set_asset_attr(self, key: str, value: str):
        choice = next((c for c in self.kind_choices if c.key == key), None)
        if choice is None or not isinstance(value, str):
            return
        attrs = dict(self.asset_attrs)
        if value == NOT_SET:
            attrs.pop(key, None)
        elif value in [o.value for o in choice.options]:
            attrs[key] = value
        else:
            return
        self.asset_attrs = attrs

    @rx.event
    async def save_asset(self):
        try:
            asset_in = AssetIn(kind=AssetKind(self.asset_kind), label=self.asset_label,
                               attributes=dict(self.asset_attrs), notes=self.asset_notes)
        except (ValidationError, ValueError) as exc:
            self.asset_error = pydantic_message(exc) if isinstance(exc, ValidationError) else str(exc)
            return
        if not asset_in.label:
            self.asset_error = "Give it a name, e.g. 2021 Toyota RAV4, Bella (dog) or Front lawn."
            return
        if self.asset_id:
            if self.asset_id not in self._asset_ids():
                self.asset_error = "That item is no longer on this customer."
                return
            problem = await self._act(_update_asset, asset_id=self.asset_id, customer_id=self._customer_id,
                                      asset_in=asset_in)
        else:
            problem = await self._act(customers_actions.add_customer_asset, customer_id=self._customer_id,
                                      asset_in=asset_in)
        if problem:
            self.asset_error = problem
            return
        self.asset_open = False
        self.message = f"Saved {asset_in.label}."

    @rx.event
    async def remove_asset(self, asset_id: str):
        if not isinstance(asset_id, str) or asset_id not in self._asset_ids():
            return
        problem = await self._act(_remove_asset, asset_id=asset_id, customer_id=self._customer_id)
        self.error = problem or ""
        self.message = "" if problem else "Removed."


def _owned_asset(db, *, tenant_id: str, asset_id: str, customer_id: str):
    from backend.customers import service as customers_service
    from backend.errors import NotFound

    asset = customers_service.access_asset_by_id(db, tenant_id=tenant_id, asset_id=asset_id)
    if asset.customer_id != customer_id:
        raise NotFound("No such vehicle, pet or property.")
    return asset


def _update_asset(db, *, tenant_id: str, asset_id: str, customer_id: str, asset_in: AssetIn, acting_user):
    _owned_asset(db, tenant_id=tenant_id, asset_id=asset_id, customer_id=customer_id)
    return customers_actions.update_customer_asset(db, tenant_id=tenant_id, asset_id=asset_id, asset_in=asset_in,
                                                   acting_user=acting_user)


def _remove_asset(db, *, tenant_id: str, asset_id: str, customer_id: str, acting_user):
    _owned_asset(db, tenant_id=tenant_id, asset_id=asset_id, customer_id=customer_id)
    return customers_actions.remove_customer_asset(db, tenant_id=tenant_id, asset_id=asset_id,
                                                   acting_user=acting_user)
