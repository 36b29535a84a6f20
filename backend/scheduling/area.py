"""Service area: a ZIP list (exact "74105" or prefix "741*") and/or a radius around a base point
(haversine distance on stored latitude/longitude). `check_service_area` answers with a message
that can be shown to the customer as is."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import Session

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.db.types import utcnow
from backend.errors import UserError
from backend.scheduling import service as scheduling_service
from backend.scheduling.hours import get_or_create_booking_settings
from backend.scheduling.models import ServiceAreaZip
from backend.tenancy import service as tenancy_service

EARTH_RADIUS_MILES = 3958.8
_ZIP_IN_TEXT = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
_ZIP_ENTRY = re.compile(r"\d{5}|\d{1,4}\*")


@dataclasses.dataclass(frozen=True)
class AreaCheck:
    in_area: bool
    message: str
    # "zip" | "radius" | "unrestricted" | "outside" | "unknown"
    reason: str = ""
    postal_code: str | None = None
    distance_miles: float | None = None


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Returns the great-circle distance between two points in miles."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = math.radians(lat2 - lat1)
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def zip_matches(postal_code: str, entries: Sequence[str]) -> bool:
    for entry in entries:
        if entry.endswith("*"):
            if postal_code.startswith(entry[:-1]):
                return True
        elif postal_code == entry:
            return True
    return False


def _describe_zips(entries: Sequence[str]) -> str:
    shown = [e.replace("*", "xx" if len(e) == 4 else "x" * (6 - len(e))) for e in entries[:6]]
    more = f" and {len(entries) - 6} more" if len(entries) > 6 else ""
    return ", ".join(shown) + more


def _extract_zip(postal_code: str | None, address_text: str | None) -> str | None:
    for text in (postal_code, address_text):
        if text:
            found = _ZIP_IN_TEXT.findall(str(text))
            if found:
                return found[-1]
    return None


def check_service_area(
    db: Session,
    *,
    tenant_id: str,
    postal_code: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    address_text: str | None = None,
) -> AreaCheck:
    """Returns whether an address is served, with a customer-facing message.

    In area when the ZIP (given, or found in `address_text`) is on the ZIP list, or the point
    is within the radius of the base. A business with neither configured serves everywhere.
    """
    settings = scheduling_service.booking_settings_or_default(db, tenant_id=tenant_id)
    zips = scheduling_service.get_area_zips(db, tenant_id=tenant_id)
    config = tenancy_service.get_config(db, tenant_id=tenant_id)
    business = config.business_name if config else "We"
    has_radius = (
        settings.service_radius_miles is not None
        and settings.base_latitude is not None
        and settings.base_longitude is not None
    )
    area_text = settings.area_description or (f"ZIP codes {_describe_zips(zips)}" if zips else "")
    if has_radius:
        radius_text = f"within {settings.service_radius_miles:g} miles of our base"
        area_text = f"{area_text} and {radius_text}" if area_text else radius_text
    if not zips and not has_radius:
        return AreaCheck(True, f"{business} serves your area.", "unrestricted")

    zip_code = _extract_zip(postal_code, address_text)
    if zip_code and zips and zip_matches(zip_code, zips):
        return AreaCheck(True, f"Good news — {business} serves {zip_code}.", "zip", zip_code)

    distance = None
    if latitude is not None and longitude is not None:
        try:
            lat, lon = float(latitude), float(longitude)
        except (TypeError, ValueError):
            raise UserError("Latitude and longitude must be numbers.") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UserError("Latitude must be between -90 and 90 and longitude between -180 and 180.")
        if has_radius:
            distance = round(haversine_miles(settings.base_latitude, settings.base_longitude, lat, lon), 1)
            if distance <= settings.service_radius_miles:
                return AreaCheck(
                    True, f"Good news — you're {distance:g} miles from us, inside our service area.",
                    "radius", zip_code, distance,
                )

    if zip_code is None and distance is None:
        return AreaCheck(
            False,
            f"Please tell us the ZIP code of the service address so we can check it. We serve {area_text}.",
            "unknown",
        )
    if zip_code and distance is not None:
        where = f"ZIP {zip_code} ({distance:g} miles away) is"
    elif zip_code:
        where = f"ZIP {zip_code} is"
    else:
        where = f"that address is {distance:g} miles away,"
    message = f"Sorry — {where} outside our service area. We serve {area_text}."
    return AreaCheck(False, message, "outside", zip_code, distance)


def set_service_area(
    db: Session,
    *,
    tenant_id: str,
    zips: Sequence[str] | None = None,
    base_latitude: float | None = None,
    base_longitude: float | None = None,
    radius_miles: float | None = None,
    description: str | None = None,
    acting_user: StaffContext | None,
) -> None:
    """Replaces the ZIP list (when given) and the radius (when given; radius_miles=0 clears it)."""
    settings = get_or_create_booking_settings(db, tenant_id=tenant_id)
    if zips is not None:
        cleaned = []
        for raw in zips:
            entry = str(raw).strip().upper().replace("X", "*")
            entry = re.sub(r"\*+$", "*", entry)
            if not _ZIP_ENTRY.fullmatch(entry):
                raise UserError(f"{raw!r} is not a ZIP code (74105) or prefix (741*).")
            cleaned.append(entry)
        cleaned = sorted(set(cleaned))
        db.execute(delete(ServiceAreaZip).where(ServiceAreaZip.tenant_id == tenant_id))
        db.add_all(ServiceAreaZip(tenant_id=tenant_id, postal_code=z) for z in cleaned)
    if radius_miles is not None:
        if radius_miles == 0:
            settings.service_radius_miles = None
        else:
            if base_latitude is None or base_longitude is None:
                raise UserError("A service radius needs the base point's latitude and longitude.")
            if not (0 < radius_miles <= 500):
                raise UserError("The service radius must be between 0 and 500 miles.")
            if not (-90 <= base_latitude <= 90 and -180 <= base_longitude <= 180):
                raise UserError("Latitude must be between -90 and 90 and longitude between -180 and 180.")
            settings.service_radius_miles = float(radius_miles)
            settings.base_latitude = float(base_latitude)
            settings.base_longitude = float(base_longitude)
    if description is not None:
        settings.area_description = description.strip()[:300]
    settings.updated_at = utcnow()
    db.add(settings)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="service_area.set",
                 target_type="booking_settings", target_id=settings.id,
                 summary=f"Service area: {len(zips) if zips is not None else 'unchanged'} ZIP entries, "
                         f"radius {settings.service_radius_miles or 'none'}")
