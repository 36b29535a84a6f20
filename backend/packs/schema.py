"""The pydantic model every pack file is validated against.

Money is integer cents, durations integer minutes, local times "HH:MM". A pack that does not
validate never loads (the loader raises with the file name and the problem), so a typo in a data
file fails the test suite instead of reaching a tenant.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

INDUSTRY_KEYS = (
    "auto_detailing",
    "lawn_care",
    "house_cleaning",
    "pet_grooming",
    "photography",
    "other_services",
)

SMS_TEMPLATE_KEYS = ("booking_confirmation", "reminder", "on_my_way", "review_request", "welcome_back")

# Placeholders a template may use; render_sms_template fills every one of them.
TEMPLATE_PLACEHOLDERS = frozenset(
    {
        "customer_name", "customer_first_name", "business_name", "business_phone", "service_name",
        "date", "time", "technician_name", "address", "price_range", "review_link", "booking_link",
        "eta_minutes",
    }
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,59}")
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_key(value: str) -> str:
    if not _KEY.fullmatch(value):
        raise ValueError(f"{value!r} must be lower_snake_case")
    return value


def hhmm_to_minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def template_placeholders(body: str) -> set[str]:
    """Returns the {names} used in a template body."""
    return set(_PLACEHOLDER.findall(body))


def check_template_body(body: str) -> str:
    """Validates an SMS template body: known placeholders only, at most 640 characters."""
    body = (body or "").strip()
    if not body:
        raise ValueError("A message template cannot be empty.")
    if len(body) > 640:
        raise ValueError("A message template can be at most 640 characters (4 SMS segments).")
    if "{" in _PLACEHOLDER.sub("", body) or "}" in _PLACEHOLDER.sub("", body):
        raise ValueError("Unbalanced { or } in the template; placeholders look like {customer_first_name}.")
    unknown = sorted(template_placeholders(body) - TEMPLATE_PLACEHOLDERS)
    if unknown:
        raise ValueError(
            f"Unknown placeholder(s) {', '.join('{' + u + '}' for u in unknown)}; "
            f"use {', '.join('{' + p + '}' for p in sorted(TEMPLATE_PLACEHOLDERS))}."
        )
    return body


def render_placeholders(body: str, values: dict[str, str]) -> str:
    """Fills {name} placeholders; unknown or missing names become empty text."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "") or ""), body)


class AttributeOption(_Strict):
    value: str
    label: str
    synonyms: tuple[str, ...] = ()
    price_delta_cents: int = 0
    duration_delta_minutes: int = 0

    @field_validator("value")
    @classmethod
    def _value(cls, v: str) -> str:
        return _check_key(v)


class Attribute(_Strict):
    """An asset attribute that changes price or duration (vehicle size, lot size, ...)."""

    key: str
    label: str
    asset_kind: str = Field(pattern=r"^(vehicle|pet|property|other)$")
    default: str
    options: tuple[AttributeOption, ...] = Field(min_length=2)

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        return _check_key(v)

    @model_validator(mode="after")
    def _default_is_option(self):
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            raise ValueError(f"attribute {self.key}: duplicate option values")
        if self.default not in values:
            raise ValueError(f"attribute {self.key}: default {self.default!r} is not an option")
        return self


class ModifierOverride(_Strict):
    price_delta_cents: int = 0
    duration_delta_minutes: int = 0


class Service(_Strict):
    key: str
    name: str
    description: str
    duration_minutes: int = Field(ge=5, le=24 * 60)
    price_min_cents: int = Field(ge=0)
    price_max_cents: int = Field(ge=0)
    deposit_percent: int = Field(default=0, ge=0, le=100)
    attributes: tuple[str, ...] = ()
    # Per-service deltas that replace the attribute option's default delta.
    modifiers: dict[str, dict[str, ModifierOverride]] = Field(default_factory=dict)
    synonyms: tuple[str, ...] = ()
    weather_sensitive: bool = False
    recurring_suggested: bool = False

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        return _check_key(v)

    @model_validator(mode="after")
    def _range(self):
        if self.price_max_cents < self.price_min_cents:
            raise ValueError(f"service {self.key}: price_max_cents is below price_min_cents")
        for attr in self.modifiers:
            if attr not in self.attributes:
                raise ValueError(f"service {self.key}: modifier for {attr!r} which it does not list")
        return self


class Addon(_Strict):
    key: str
    name: str
    description: str = ""
    price_min_cents: int = Field(ge=0)
    price_max_cents: int = Field(ge=0)
    duration_minutes: int = Field(default=0, ge=0, le=8 * 60)
    # Service keys this add-on is offered with; empty means every service.
    services: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        return _check_key(v)

    @model_validator(mode="after")
    def _range(self):
        if self.price_max_cents < self.price_min_cents:
            raise ValueError(f"add-on {self.key}: price_max_cents is below price_min_cents")
        return self


class FaqEntry(_Strict):
    question: str
    answer: str
    keywords: tuple[str, ...] = Field(min_length=1)


class VocabularyEntry(_Strict):
    """A term customers use and what it means to this business (for the agent)."""

    term: str
    synonyms: tuple[str, ...] = ()
    meaning: str = ""


class IvrOption(_Strict):
    digit: str = Field(pattern=r"^[0-9*#]$")
    label: str
    action: str = Field(pattern=r"^(book|hours|faq|status|operator|voicemail|joke|repeat)$")


class Ivr(_Strict):
    greeting: str
    menu: tuple[IvrOption, ...] = Field(min_length=3)
    closing: str = ""

    @model_validator(mode="after")
    def _joke_on_seven(self):
        digits = [o.digit for o in self.menu]
        if len(set(digits)) != len(digits):
            raise ValueError("IVR menu digits must be unique")
        if not any(o.digit == "7" and o.action == "joke" for o in self.menu):
            raise ValueError("IVR option 7 must be the joke line")
        return self


class Weather(_Strict):
    sensitive: bool
    cancels_on: tuple[str, ...] = ()
    policy: str


class HoursWindow(_Strict):
    start: str
    end: str

    @model_validator(mode="after")
    def _times(self):
        for value in (self.start, self.end):
            if not _HHMM.fullmatch(value):
                raise ValueError(f"{value!r} is not a HH:MM time")
        if hhmm_to_minutes(self.end) <= hhmm_to_minutes(self.start):
            raise ValueError(f"{self.start}-{self.end}: end must be after start")
        return self


class BookingDefaults(_Strict):
    business_hours: dict[str, tuple[HoursWindow, ...]]
    lunch: HoursWindow | None = None
    slot_increment_minutes: int = Field(default=30, ge=5, le=240)
    buffer_minutes: int = Field(default=0, ge=0, le=240)
    travel_padding_minutes: int = Field(default=0, ge=0, le=240)
    min_notice_minutes: int = Field(default=120, ge=0, le=14 * 24 * 60)
    horizon_days: int = Field(default=60, ge=1, le=365)
    cancellation_notice_hours: int = Field(default=24, ge=0, le=14 * 24)
    reminder_hours_before: int = Field(default=24, ge=1, le=7 * 24)

    @field_validator("business_hours")
    @classmethod
    def _days(cls, value: dict) -> dict:
        unknown = set(value) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"unknown weekday(s) {sorted(unknown)}; use {', '.join(WEEKDAYS)}")
        return value


class Pack(_Strict):
    key: str
    name: str
    description: str
    asset_kind: str = Field(pattern=r"^(vehicle|pet|property|other)$")
    attributes: tuple[Attribute, ...] = ()
    services: tuple[Service, ...] = Field(min_length=3)
    addons: tuple[Addon, ...] = ()
    faq: tuple[FaqEntry, ...] = Field(min_length=3)
    sms_templates: dict[str, str]
    ivr: Ivr
    jokes: tuple[str, ...] = Field(min_length=3)
    agent_instructions: str
    vocabulary: tuple[VocabularyEntry, ...] = ()
    weather: Weather
    booking: BookingDefaults

    @field_validator("key")
    @classmethod
    def _industry(cls, v: str) -> str:
        if v not in INDUSTRY_KEYS:
            raise ValueError(f"pack key must be one of {', '.join(INDUSTRY_KEYS)}")
        return v

    @field_validator("sms_templates")
    @classmethod
    def _templates(cls, value: dict[str, str]) -> dict[str, str]:
        missing = set(SMS_TEMPLATE_KEYS) - set(value)
        extra = set(value) - set(SMS_TEMPLATE_KEYS)
        if missing or extra:
            raise ValueError(f"sms_templates needs exactly {', '.join(SMS_TEMPLATE_KEYS)}")
        return {k: check_template_body(v) for k, v in value.items()}

    @model_validator(mode="after")
    def _references(self):
        attr_keys = {a.key: a for a in self.attributes}
        service_keys = [s.key for s in self.services]
        if len(set(service_keys)) != len(service_keys):
            raise ValueError("duplicate service keys")
        addon_keys = [a.key for a in self.addons]
        if len(set(addon_keys)) != len(addon_keys):
            raise ValueError("duplicate add-on keys")
        for service in self.services:
            for attr in service.attributes:
                if attr not in attr_keys:
                    raise ValueError(f"service {service.key}: unknown attribute {attr!r}")
            for attr, overrides in service.modifiers.items():
                values = {o.value for o in attr_keys[attr].options}
                for option in overrides:
                    if option not in values:
                        raise ValueError(f"service {service.key}: {attr} has no option {option!r}")
        for addon in self.addons:
            for key in addon.services:
                if key not in service_keys:
                    raise ValueError(f"add-on {addon.key}: unknown service {key!r}")
        return self

    def attribute(self, key: str) -> Attribute:
        return next(a for a in self.attributes if a.key == key)
