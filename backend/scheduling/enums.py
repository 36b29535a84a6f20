"""Scheduling enums: appointment statuses and sources, recurrence frequencies."""

from __future__ import annotations

from backend.enums import StrEnum


class AppointmentStatus(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


# Statuses whose appointments occupy their technician's time.
BLOCKING_STATUSES = frozenset(
    {AppointmentStatus.REQUESTED.value, AppointmentStatus.CONFIRMED.value, AppointmentStatus.IN_PROGRESS.value,
     AppointmentStatus.COMPLETED.value}
)
OPEN_STATUSES = frozenset(
    {AppointmentStatus.REQUESTED.value, AppointmentStatus.CONFIRMED.value, AppointmentStatus.IN_PROGRESS.value}
)

# Allowed lifecycle moves; anything else is refused with a message naming both statuses.
TRANSITIONS: dict[str, frozenset[str]] = {
    AppointmentStatus.REQUESTED.value: frozenset({"confirmed", "cancelled", "no_show", "in_progress"}),
    AppointmentStatus.CONFIRMED.value: frozenset({"in_progress", "cancelled", "no_show", "completed"}),
    AppointmentStatus.IN_PROGRESS.value: frozenset({"completed", "cancelled"}),
    AppointmentStatus.COMPLETED.value: frozenset(),
    AppointmentStatus.CANCELLED.value: frozenset(),
    AppointmentStatus.NO_SHOW.value: frozenset(),
}


class AppointmentSource(StrEnum):
    STAFF = "staff"
    WEB = "web"
    SMS = "sms"
    VOICE = "voice"
    AGENT = "agent"
    QUOTE = "quote"
    RECURRING = "recurring"
    PORTAL = "portal"
    DEMO = "demo"


class RecurrenceFrequency(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    CUSTOM = "custom"


class SeriesStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class AppointmentEventKind(StrEnum):
    CREATED = "created"
    STATUS = "status"
    RESCHEDULED = "rescheduled"
    REASSIGNED = "reassigned"
    PRICE = "price"
    NOTE = "note"
    PHOTO = "photo"
