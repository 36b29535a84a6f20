"""Customer writes: create/update with E.164 phones (tenant's default region) and a normalised
household address, phones, tags, assets, VIP flag and SMS consent. Each is one step of the
caller's transaction and writes an audit row with the acting user."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, update
from sqlmodel import Session

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.customers import service as customers_service
from backend.customers.addresses import address_key
from backend.customers.enums import SmsConsent
from backend.customers.models import (
    AssetIn,
    Customer,
    CustomerAsset,
    CustomerCreate,
    CustomerPhone,
    CustomerTag,
    CustomerUpdate,
    normalise_tag,
)
from backend.db.types import utcnow
from backend.errors import Conflict, UserError
from backend.phones import InvalidPhoneNumber, display, to_e164_strict

MAX_PHONES = 5


def _normalise_phone(db: Session, *, tenant_id: str, raw: str) -> str:
    try:
        return to_e164_strict(raw, customers_service.phone_region(db, tenant_id=tenant_id))
    except InvalidPhoneNumber as exc:
        raise UserError(str(exc)) from None


def _check_phone_free(db: Session, *, tenant_id: str, phone_e164: str, customer_id: str | None) -> None:
    owner = customers_service.get_by_phone(db, tenant_id=tenant_id, phone_e164=phone_e164)
    if owner is not None and owner.id != customer_id:
        raise Conflict(f"{display(phone_e164)} already belongs to {owner.name or 'another customer'}.")


def _refresh_address_key(customer: Customer) -> None:
    customer.address_key = address_key(
        customer.address_line1, customer.address_line2, customer.city, customer.postal_code
    )


def create_customer(
    db: Session, *, tenant_id: str, customer_in: CustomerCreate, acting_user: StaffContext | None
) -> Customer:
    """Creates a customer with normalised phones, tags and household address key.

    Raises Conflict when a phone already belongs to another customer of the tenant.
    """
    phones = list(dict.fromkeys(_normalise_phone(db, tenant_id=tenant_id, raw=p) for p in customer_in.phones if p))
    if len(phones) > MAX_PHONES:
        raise UserError(f"A customer can have at most {MAX_PHONES} phone numbers.")
    if not (customer_in.name or phones or customer_in.email):
        raise UserError("Enter at least a name, a phone number or an email.")
    for phone in phones:
        _check_phone_free(db, tenant_id=tenant_id, phone_e164=phone, customer_id=None)
    customer = Customer(
        tenant_id=tenant_id,
        name=customer_in.name,
        phone=phones[0] if phones else "",
        email=customer_in.email,
        address_line1=customer_in.address_line1,
        address_line2=customer_in.address_line2,
        city=customer_in.city,
        region=customer_in.region,
        postal_code=customer_in.postal_code,
        country=customer_in.country,
        latitude=customer_in.latitude,
        longitude=customer_in.longitude,
        source=customer_in.source.value,
        notes=customer_in.notes,
        is_vip=customer_in.is_vip,
    )
    _refresh_address_key(customer)
    db.add(customer)
    db.flush()
    for i, phone in enumerate(phones):
        db.add(CustomerPhone(tenant_id=tenant_id, customer_id=customer.id, phone_e164=phone,
                             label="mobile" if i == 0 else "other"))
    for tag in customer_in.tags:
        db.add(CustomerTag(tenant_id=tenant_id, customer_id=customer.id, tag=tag))
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="customer.created",
                 target_type="customers", target_id=customer.id,
                 summary=f"Added customer {customer.name or display(customer.phone) or customer.email}")
    return customer


def update_customer(
    db: Session, *, tenant_id: str, customer_id: str, customer_in: CustomerUpdate, acting_user: StaffContext | None
) -> Customer:
    """Updates the given fields; the household key follows the address."""
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    changes = {k: v for k, v in customer_in.model_dump(exclude_unset=True).items() if v is not None}
    if "source" in changes:
        changes["source"] = str(changes["source"])
    changed = sorted(k for k, v in changes.items() if getattr(customer, k) != v)
    if not (changes.get("name", customer.name) or customer.phone or changes.get("email", customer.email)):
        raise UserError("A customer needs at least a name, a phone number or an email.")
    for key in changed:
        setattr(customer, key, changes[key])
    if changed:
        _refresh_address_key(customer)
        customer.updated_at = utcnow()
        db.add(customer)
        db.flush()
        audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="customer.updated",
                     target_type="customers", target_id=customer.id, summary="Changed " + ", ".join(changed))
    return customer


def add_customer_phone(
    db: Session,
    *,
    tenant_id: str,
    customer_id: str,
    phone: str,
    label: str = "mobile",
    make_primary: bool = False,
    acting_user: StaffContext | None,
) -> CustomerPhone:
    """Adds a number (any format) to a customer; Conflict if another customer uses it."""
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    e164 = _normalise_phone(db, tenant_id=tenant_id, raw=phone)
    _check_phone_free(db, tenant_id=tenant_id, phone_e164=e164, customer_id=customer.id)
    existing = customers_service.get_phones(db, tenant_id=tenant_id, customer_id=customer.id)
    row = next((p for p in existing if p.phone_e164 == e164), None)
    if row is None:
        if len(existing) >= MAX_PHONES:
            raise UserError(f"A customer can have at most {MAX_PHONES} phone numbers.")
        row = CustomerPhone(tenant_id=tenant_id, customer_id=customer.id, phone_e164=e164,
                            label=" ".join((label or "mobile").split())[:40])
        db.add(row)
    if make_primary or not customer.phone:
        customer.phone = e164
        customer.updated_at = utcnow()
        db.add(customer)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="customer.phone_added",
                 target_type="customers", target_id=customer.id, summary=f"Added {display(e164)}")
    return row


def remove_customer_phone(
    db: Session, *, tenant_id: str, customer_id: str, phone: str, acting_user: StaffContext | None
) -> None:
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    e164 = _normalise_phone(db, tenant_id=tenant_id, raw=phone)
    phones = customers_service.get_phones(db, tenant_id=tenant_id, customer_id=customer.id)
    row = next((p for p in phones if p.phone_e164 == e164), None)
    if row is None:
        raise UserError(f"{display(e164)} is not one of this customer's numbers.")
    if len(phones) == 1 and not (customer.name or customer.email):
        raise UserError("This is the customer's only contact detail; add a name or email before removing it.")
    db.delete(row)
    if customer.phone == e164:
        rest = [p.phone_e164 for p in phones if p.phone_e164 != e164]
        customer.phone = rest[0] if rest else ""
        customer.updated_at = utcnow()
        db.add(customer)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="customer.phone_removed",
                 target_type="customers", target_id=customer.id, summary=f"Removed {display(e164)}")


def set_customer_tags(
    db: Session, *, tenant_id: str, customer_id: str, tags: Sequence[str], acting_user: StaffContext | None
) -> list[str]:
    """Replaces a customer's tags."""
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    try:
        wanted = list(dict.fromkeys(normalise_tag(t) for t in tags))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    db.execute(delete(CustomerTag).where(CustomerTag.tenant_id == tenant_id, CustomerTag.customer_id == customer.id))
    db.add_all(CustomerTag(tenant_id=tenant_id, customer_id=customer.id, tag=t) for t in wanted)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="customer.tags_set",
                 target_type="customers", target_id=customer.id, summary="Tags: " + (", ".join(wanted) or "none"))
    return wanted


def add_customer_tag(
    db: Session, *, tenant_id: str, customer_id: str, tag: str, acting_user: StaffContext | None
) -> list[str]:
    current = customers_service.get_tags(db, tenant_id=tenant_id, customer_id=customer_id)
    return set_customer_tags(db, tenant_id=tenant_id, customer_id=customer_id, tags=[*current, tag],
                             acting_user=acting_user)


def remove_customer_tag(
    db: Session, *, tenant_id: str, customer_id: str, tag: str, acting_user: StaffContext | None
) -> list[str]:
    current = customers_service.get_tags(db, tenant_id=tenant_id, customer_id=customer_id)
    try:
        unwanted = normalise_tag(tag)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return set_customer_tags(db, tenant_id=tenant_id, customer_id=customer_id,
                             tags=[t for t in current if t != unwanted], acting_user=acting_user)


def add_customer_asset(
    db: Session, *, tenant_id: str, customer_id: str, asset_in: AssetIn, acting_user: StaffContext | None
) -> CustomerAsset:
    """Adds a vehicle, pet or property with its pricing attributes (e.g. vehicle_size=suv)."""
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    asset = CustomerAsset(tenant_id=tenant_id, customer_id=customer.id, kind=asset_in.kind.value,
                          label=asset_in.label, attributes=asset_in.attributes, notes=asset_in.notes)
    db.add(asset)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="customer.asset_added",
                 target_type="customer_assets", target_id=asset.id,
                 summary=f"Added {asset.kind} {asset.label}".strip())
    return asset


def update_customer_asset(
    db: Session, *, tenant_id: str, asset_id: str, asset_in: AssetIn, acting_user: StaffContext | None
) -> CustomerAsset:
    asset = customers_service.access_asset_by_id(db, tenant_id=tenant_id, asset_id=asset_id)
    asset.kind = asset_in.kind.value
    asset.label = asset_in.label
    asset.attributes = dict(asset_in.attributes)
    asset.notes = asset_in.notes
    db.add(asset)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="customer.asset_updated",
                 target_type="customer_assets", target_id=asset.id, summary=f"Updated {asset.label}".strip())
    return asset


def remove_customer_asset(db: Session, *, tenant_id: str, asset_id: str, acting_user: StaffContext | None) -> None:
    """Deletes an asset; appointments that referenced it keep their attributes but drop the link."""
    from backend.scheduling.models import Appointment

    asset = customers_service.access_asset_by_id(db, tenant_id=tenant_id, asset_id=asset_id)
    db.execute(
        update(Appointment)
        .where(Appointment.tenant_id == tenant_id, Appointment.asset_id == asset.id)
        .values(asset_id=None)
        .execution_options(synchronize_session=False)
    )
    db.delete(asset)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="customer.asset_removed",
                 target_type="customer_assets", target_id=asset_id, summary=f"Removed {asset.label}".strip())


def set_customer_vip(
    db: Session, *, tenant_id: str, customer_id: str, is_vip: bool, acting_user: StaffContext | None
) -> Customer:
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    if customer.is_vip != bool(is_vip):
        customer.is_vip = bool(is_vip)
        customer.updated_at = utcnow()
        db.add(customer)
        audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="customer.vip_set",
                     target_type="customers", target_id=customer.id,
                     summary="Marked VIP" if is_vip else "Removed VIP")
    return customer


def set_sms_consent(
    db: Session,
    *,
    tenant_id: str,
    customer_id: str,
    consent: str,
    acting_user: StaffContext | None,
    source: str = "",
) -> Customer:
    """Changes a customer's SMS consent status (the only place it changes on the customer row).

    The messaging area's consent ledger (STOP/START per phone) is the source of truth for sends;
    this keeps the CRM's summary in step and audited.
    """
    if consent not in SmsConsent.values():
        raise UserError(f"Consent must be one of {', '.join(SmsConsent.values())}.")
    customer = customers_service.access_customer_by_id(db, tenant_id=tenant_id, customer_id=customer_id)
    if customer.sms_consent != consent:
        old = customer.sms_consent
        customer.sms_consent = consent
        customer.updated_at = utcnow()
        db.add(customer)
        audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="customer.sms_consent_changed",
                     target_type="customers", target_id=customer.id, summary=f"SMS consent {old} → {consent}",
                     detail={"from": old, "to": consent, "source": source[:60]})
    return customer


def find_or_create_customer(
    db: Session,
    *,
    tenant_id: str,
    phone: str,
    name: str = "",
    source: str = "manual",
    acting_user: StaffContext | None = None,
) -> tuple[Customer, bool]:
    """Returns (customer, created) for a phone typed in any format; fills a missing name."""
    e164 = _normalise_phone(db, tenant_id=tenant_id, raw=phone)
    customer, created = customers_service.get_or_create_by_phone(db, tenant_id=tenant_id, phone_e164=e164,
                                                                 source=source)
    clean_name = " ".join((name or "").split())[:200]
    if clean_name and not customer.name:
        customer.name = clean_name
        db.add(customer)
        db.flush()
    if created:
        audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="customer.created",
                     target_type="customers", target_id=customer.id,
                     summary=f"Added customer {clean_name or display(e164)}")
    return customer, created
