"""A2P 10DLC registration data (US carriers require it before a business texts from a local
number): the brand (who is sending) and the campaign (what and how).

`A2PRegistrationIn` enforces the rules Twilio applies when the brand and campaign are created
(see `twilio.rest.messaging.v1.service.us_app_to_person.UsAppToPersonList.create`):
description 40–4096 characters, message flow 40–2048, 2–5 samples of 20–1024 characters,
opt-in/opt-out/help texts 20–320 characters, alphanumeric keywords, a valid EIN (except sole
proprietors), an http(s) website and a complete address and representative.

A draft may be saved incomplete (`A2PRegistrationDraft`); submitting validates it in full.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backend.enums import StrEnum
from backend.phones import InvalidPhoneNumber, to_e164_strict


class BusinessType(StrEnum):
    SOLE_PROPRIETORSHIP = "Sole Proprietorship"
    PARTNERSHIP = "Partnership"
    LLC = "Limited Liability Corporation"
    CO_OPERATIVE = "Co-operative"
    NON_PROFIT = "Non-profit Corporation"
    CORPORATION = "Corporation"


class UseCase(StrEnum):
    """Twilio's A2P campaign use cases that fit a local service business."""

    ACCOUNT_NOTIFICATION = "ACCOUNT_NOTIFICATION"
    CUSTOMER_CARE = "CUSTOMER_CARE"
    DELIVERY_NOTIFICATION = "DELIVERY_NOTIFICATION"
    MARKETING = "MARKETING"
    MIXED = "MIXED"
    LOW_VOLUME = "LOW_VOLUME"
    TWO_FACTOR = "2FA"
    POLLING_VOTING = "POLLING_VOTING"


class JobPosition(StrEnum):
    DIRECTOR = "Director"
    GM = "GM"
    VP = "VP"
    CEO = "CEO"
    CFO = "CFO"
    GENERAL_COUNSEL = "General Counsel"
    OTHER = "Other"


def _clean(v: str | None) -> str:
    return " ".join((v or "").split())


def _length(name: str, v: str, low: int, high: int) -> str:
    if not low <= len(v) <= high:
        raise ValueError(f"{name} must be {low}–{high} characters (it has {len(v)}).")
    return v


class Address(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    street: str
    street_secondary: str = ""
    city: str
    region: str  # state, e.g. "OK"
    postal_code: str
    country: str = "US"

    @field_validator("street", "city")
    @classmethod
    def _required(cls, v: str) -> str:
        v = _clean(v)
        if not v:
            raise ValueError("This part of the address is required.")
        return _length("Address line", v, 1, 200)

    @field_validator("region")
    @classmethod
    def _region(cls, v: str) -> str:
        v = _clean(v).upper()
        if not re.fullmatch(r"[A-Z]{2}", v):
            raise ValueError("Use the two-letter state or region code, e.g. OK.")
        return v

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        v = _clean(v).upper()
        if not re.fullmatch(r"[A-Z]{2}", v):
            raise ValueError("Use the two-letter country code, e.g. US.")
        return v

    @model_validator(mode="after")
    def _postal(self):
        code = _clean(self.postal_code)
        if self.country == "US" and not re.fullmatch(r"\d{5}(-\d{4})?", code):
            raise ValueError("A US ZIP code looks like 74103 or 74103-1234.")
        if not code:
            raise ValueError("Enter the postal code.")
        self.postal_code = code
        return self


class Representative(BaseModel):
    """The authorised representative carriers may contact about the registration."""

    first_name: str
    last_name: str
    email: str
    phone: str
    business_title: str
    job_position: JobPosition

    @field_validator("first_name", "last_name", "business_title")
    @classmethod
    def _name(cls, v: str) -> str:
        v = _clean(v)
        if not v:
            raise ValueError("This field is required.")
        return _length("Name and title", v, 1, 100)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        v = (v or "").strip().lower()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", v):
            raise ValueError("Enter a valid email address.")
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        try:
            return to_e164_strict(v)
        except InvalidPhoneNumber as exc:
            raise ValueError(str(exc)) from None


Keyword = Annotated[str, Field(min_length=1, max_length=30)]


class A2PRegistrationIn(BaseModel):
    """A complete brand + campaign registration, validated like Twilio validates it."""

    # Brand
    legal_name: str
    ein: str = ""
    business_type: BusinessType
    website: str
    address: Address
    representative: Representative
    # Campaign
    use_case: UseCase
    description: str
    message_flow: str
    samples: list[str]
    opt_in_message: str
    opt_out_message: str
    help_message: str
    opt_in_keywords: list[Keyword] = ["START", "YES", "UNSTOP"]
    opt_out_keywords: list[Keyword] = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]
    help_keywords: list[Keyword] = ["HELP", "INFO"]
    has_embedded_links: bool = False
    has_embedded_phone: bool = False
    age_gated: bool = False
    direct_lending: bool = False
    privacy_policy_url: str = ""
    terms_url: str = ""

    @field_validator("legal_name")
    @classmethod
    def _legal_name(cls, v: str) -> str:
        v = _clean(v)
        if not v:
            raise ValueError("Enter the business's legal name exactly as registered with the IRS.")
        return _length("Legal name", v, 2, 255)

    @field_validator("ein")
    @classmethod
    def _ein(cls, v: str) -> str:
        digits = re.sub(r"[\s-]", "", v or "")
        if not digits:
            return ""
        if not re.fullmatch(r"\d{9}", digits):
            raise ValueError("An EIN has 9 digits, e.g. 12-3456789.")
        if digits[:2] in {"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89", "96", "97"}:
            raise ValueError(f"{digits[:2]}- is not a valid EIN prefix.")
        return f"{digits[:2]}-{digits[2:]}"

    @field_validator("website", "privacy_policy_url", "terms_url")
    @classmethod
    def _url(cls, v: str, info) -> str:
        v = (v or "").strip()
        if not v and info.field_name != "website":
            return ""
        if not re.fullmatch(r"https?://[^\s/$.?#][^\s]*\.[^\s]{2,}", v):
            raise ValueError("Enter a full web address starting with https://")
        return v

    @field_validator("description")
    @classmethod
    def _description(cls, v: str) -> str:
        return _length("Campaign description", (v or "").strip(), 40, 4096)

    @field_validator("message_flow")
    @classmethod
    def _flow(cls, v: str) -> str:
        return _length("Message flow (how customers opt in)", (v or "").strip(), 40, 2048)

    @field_validator("samples")
    @classmethod
    def _samples(cls, v: list[str]) -> list[str]:
        samples = [s.strip() for s in v or [] if s and s.strip()]
        if not 2 <= len(samples) <= 5:
            raise ValueError(f"Give 2–5 sample messages (you gave {len(samples)}).")
        for i, sample in enumerate(samples, 1):
            _length(f"Sample message {i}", sample, 20, 1024)
        return samples

    @field_validator("opt_in_message", "opt_out_message", "help_message")
    @classmethod
    def _auto_reply(cls, v: str, info) -> str:
        label = {"opt_in_message": "Opt-in reply", "opt_out_message": "Opt-out reply",
                 "help_message": "Help reply"}[info.field_name]
        return _length(label, (v or "").strip(), 20, 320)

    @field_validator("opt_in_keywords", "opt_out_keywords", "help_keywords")
    @classmethod
    def _keywords(cls, v: list[str]) -> list[str]:
        words = [w.strip().upper() for w in v or [] if w and w.strip()]
        if not words:
            raise ValueError("List at least one keyword.")
        for word in words:
            if not re.fullmatch(r"[A-Z0-9]+", word):
                raise ValueError(f"Keywords must be letters and digits only ({word!r} is not).")
        if len(",".join(words)) > 255:
            raise ValueError("Keywords may total at most 255 characters.")
        return list(dict.fromkeys(words))

    @model_validator(mode="after")
    def _cross_checks(self):
        if self.business_type != BusinessType.SOLE_PROPRIETORSHIP and not self.ein:
            raise ValueError("An EIN is required for every business type except sole proprietorship.")
        if not any("STOP" in sample.upper() for sample in self.samples):
            raise ValueError("At least one sample message must say how to opt out (e.g. 'Reply STOP to opt out').")
        if "STOP" not in self.opt_out_keywords:
            raise ValueError("STOP must be one of the opt-out keywords.")
        if "HELP" not in self.help_keywords:
            raise ValueError("HELP must be one of the help keywords.")
        return self


class A2PRegistrationDraft(BaseModel):
    """A partly filled registration: any subset of fields, kept as entered for the form."""

    model_config = ConfigDict(extra="ignore")

    legal_name: str = ""
    ein: str = ""
    business_type: str = ""
    website: str = ""
    address: dict = {}
    representative: dict = {}
    use_case: str = ""
    description: str = ""
    message_flow: str = ""
    samples: list[str] = []
    opt_in_message: str = ""
    opt_out_message: str = ""
    help_message: str = ""
    opt_in_keywords: list[str] = ["START", "YES", "UNSTOP"]
    opt_out_keywords: list[str] = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]
    help_keywords: list[str] = ["HELP", "INFO"]
    has_embedded_links: bool = False
    has_embedded_phone: bool = False
    age_gated: bool = False
    direct_lending: bool = False
    privacy_policy_url: str = ""
    terms_url: str = ""

    @field_validator("*", mode="before")
    @classmethod
    def _bounded(cls, v):
        if isinstance(v, str) and len(v) > 5000:
            raise ValueError("This field is too long.")
        if isinstance(v, list) and len(v) > 20:
            raise ValueError("Too many entries.")
        return v
