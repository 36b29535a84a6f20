"""Phone number normalisation to E.164 with `phonenumbers`; every stored number goes through it."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat


class InvalidPhoneNumber(ValueError):
    """Raised with a message a user can act on."""


def to_e164_strict(raw: str, region: str = "US") -> str:
    """Returns `raw` as E.164 or raises InvalidPhoneNumber saying what is wrong with it."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber("Enter a phone number.")
    try:
        parsed = phonenumbers.parse(text, region.upper() or "US")
    except NumberParseException:
        raise InvalidPhoneNumber(f"{text!r} is not a phone number.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(f"{text!r} is not a valid phone number (expected e.g. +19185551234).")
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def to_e164(raw: str, region: str = "US") -> str | None:
    """Returns `raw` as E.164, or None when it is not a valid number."""
    try:
        return to_e164_strict(raw, region)
    except InvalidPhoneNumber:
        return None


def region_of(e164: str) -> str | None:
    """Returns the ISO region code of an E.164 number (e.g. 'US'), or None."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except NumberParseException:
        return None


def display(e164: str) -> str:
    """Returns a human-friendly national format for showing a number, e.g. (918) 555-0100."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)
