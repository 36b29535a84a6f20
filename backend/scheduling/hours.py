"""Business hours, closed days and the per-tenant booking settings row (notice, horizon, slot
increment, buffer, travel padding, lunch break, reminder and cancellation policy, weather
policy). Each write is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import delete
from sqlmodel import Session

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.db.types import utcnow
from backend.errors import Conflict, UserError
from backend.scheduling import service as scheduling_service
from backend.scheduling.models import BookingSettings, BusinessClosure, BusinessHours
from backend.scheduling.timeutil import minutes_to_hhmm

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

WeeklyHours = Mapping[int, Sequence[tuple[int, int]]]


def normalise_weekly_hours(hours: WeeklyHours) -> dict[int, list[tuple[int, int]]]:
    """Validates {weekday: [(start_minute, end_minute), ...]} and returns it sorted.

    Weekday 0 is Monday; minutes are after local midnight (end may be 1440). Windows of a day
    may not overlap. Raises UserError naming the day and the problem.
    """
    if not isinstance(hours, Mapping):
        raise UserError("Hours must map weekdays (0 = Monday) to lists of (start, end) minutes.")
    result: dict[int, list[tuple[int, int]]] = {}
    for weekday, windows in hours.items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise UserError(f"{weekday!r} is not a weekday; use 0 (Monday) to 6 (Sunday).")
        cleaned = []
        for window in windows or ():
            try:
                start, end = (int(v) for v in window)
            except (TypeError, ValueError):
                raise UserError(f"{WEEKDAY_NAMES[weekday]}: each window is a (start, end) pair.") from None
            if not (0 <= start < end <= 1440):
                raise UserError(
                    f"{WEEKDAY_NAMES[weekday]}: {minutes_to_hhmm(start)}–{minutes_to_hhmm(end)} "
                    "must start before it ends, within the day."
                )
            cleaned.append((start, end))
        cleaned.sort()
        for (_, end_a), (start_b, _) in zip(cleaned, cleaned[1:], strict=False):
            if start_b < end_a:
                raise UserError(f"{WEEKDAY_NAMES[weekday]}: opening windows overlap.")
        if cleaned:
            result[weekday] = cleaned
    return result


def set_business_hours(
    db: Session, *, tenant_id: str, hours: WeeklyHours, acting_user: StaffContext | None
) -> list[BusinessHours]:
    """Replaces the weekly opening hours; weekdays left out are closed."""
    normalised = normalise_weekly_hours(hours)
    db.execute(delete(BusinessHours).where(BusinessHours.tenant_id == tenant_id))
    rows = [
        BusinessHours(tenant_id=tenant_id, weekday=day, open_minute=start, close_minute=end)
        for day, windows in sorted(normalised.items())
        for start, end in windows
    ]
    db.add_all(rows)
    db.flush()
    summary = "; ".join(
        f"{WEEKDAY_NAMES[d][:3]} " + ", ".join(f"{minutes_to_hhmm(s)}-{minutes_to_hhmm(e)}" for s, e in w)
        for d, w in sorted(normalised.items())
    ) or "closed every day"
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="business_hours.set",
                 target_type="business_hours", summary=f"Business hours: {summary}"[:500])
    return rows


def add_closure(
    db: Session, *, tenant_id: str, day: dt.date, name: str = "Closed", acting_user: StaffContext | None
) -> BusinessClosure:
    """Marks a local day as closed (holiday, vacation)."""
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise UserError("Give the closed day as a date.")
    existing = scheduling_service.get_closures(db, tenant_id=tenant_id, start=day, end=day)
    if existing:
        raise Conflict(f"{day:%a %b %d, %Y} is already marked closed ({existing[0].name}).")
    row = BusinessClosure(tenant_id=tenant_id, day=day, name=(name or "Closed").strip()[:120])
    db.add(row)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="business_closure.added",
                 target_type="business_closures", target_id=row.id, summary=f"Closed on {day.isoformat()}: {row.name}")
    return row


def remove_closure(db: Session, *, tenant_id: str, day: dt.date, acting_user: StaffContext | None) -> None:
    rows = scheduling_service.get_closures(db, tenant_id=tenant_id, start=day, end=day)
    if not rows:
        raise UserError(f"{day.isoformat()} is not marked closed.")
    for row in rows:
        db.delete(row)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="business_closure.removed",
                 target_type="business_closures", summary=f"Open again on {day.isoformat()}")


class BookingSettingsUpdate(BaseModel):
    """Fields staff may change on the booking settings page; omitted fields are unchanged."""

    model_config = ConfigDict(extra="forbid")

    slot_increment_minutes: int | None = Field(default=None, ge=5, le=240)
    buffer_minutes: int | None = Field(default=None, ge=0, le=240)
    travel_padding_minutes: int | None = Field(default=None, ge=0, le=240)
    min_notice_minutes: int | None = Field(default=None, ge=0, le=14 * 24 * 60)
    horizon_days: int | None = Field(default=None, ge=1, le=365)
    lunch_start_minute: int | None = Field(default=None, ge=0, le=1440)
    lunch_end_minute: int | None = Field(default=None, ge=0, le=1440)
    clear_lunch: bool = False
    cancellation_notice_hours: int | None = Field(default=None, ge=0, le=14 * 24)
    reminder_hours_before: int | None = Field(default=None, ge=1, le=7 * 24)
    auto_confirm: bool | None = None
    recurrence_window_days: int | None = Field(default=None, ge=7, le=180)
    weather_sensitive: bool | None = None
    weather_cancels_on: list[str] | None = None
    weather_policy_text: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _lunch(self):
        if (self.lunch_start_minute is None) != (self.lunch_end_minute is None):
            raise ValueError("Give both the start and the end of the lunch break.")
        if self.lunch_start_minute is not None and self.lunch_end_minute <= self.lunch_start_minute:
            raise ValueError("The lunch break must end after it starts.")
        return self


def get_or_create_booking_settings(db: Session, *, tenant_id: str) -> BookingSettings:
    """Returns the tenant's settings row, creating it with defaults when missing."""
    row = scheduling_service.get_booking_settings(db, tenant_id=tenant_id)
    if row is None:
        row = BookingSettings(tenant_id=tenant_id)
        db.add(row)
        db.flush()
    return row


def update_booking_settings(
    db: Session, *, tenant_id: str, settings_in: BookingSettingsUpdate, acting_user: StaffContext | None
) -> BookingSettings:
    """Applies the given fields to the settings row and audits what changed."""
    row = get_or_create_booking_settings(db, tenant_id=tenant_id)
    changes = {
        k: v for k, v in settings_in.model_dump(exclude_unset=True, exclude={"clear_lunch"}).items() if v is not None
    }
    if settings_in.clear_lunch:
        changes.update(lunch_start_minute=None, lunch_end_minute=None)
    if isinstance(changes.get("weather_policy_text"), str):
        changes["weather_policy_text"] = changes["weather_policy_text"].strip()
    changed = {}
    for field, value in changes.items():
        if getattr(row, field) != value:
            changed[field] = {"from": getattr(row, field), "to": value}
            setattr(row, field, value)
    if changed:
        row.updated_at = utcnow()
        db.add(row)
        audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="booking_settings.updated",
                     target_type="booking_settings", target_id=row.id,
                     summary="Changed " + ", ".join(sorted(changed)), detail=changed)
    return row
