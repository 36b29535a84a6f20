"""A2P 10DLC registration schema: Twilio's length and content rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backend.messaging.a2p import A2PRegistrationIn


def valid(**overrides) -> dict:
    data = {
        "legal_name": "Clean Machine Auto Detail LLC",
        "ein": "12-3456789",
        "business_type": "Limited Liability Corporation",
        "website": "https://cleanmachine.example",
        "address": {"street": "100 Main St", "city": "Tulsa", "region": "ok", "postal_code": "74103"},
        "representative": {"first_name": "Marcus", "last_name": "Reed", "email": "Marcus@CleanMachine.example",
                           "phone": "(918) 555-0100", "business_title": "Owner", "job_position": "CEO"},
        "use_case": "MIXED",
        "description": "Appointment confirmations, reminders and replies to customer questions about detailing.",
        "message_flow": "Customers text our business number or book online and tick an SMS consent checkbox.",
        "samples": [
            "Clean Machine: your detail is confirmed for Sat 9:00 AM. Reply STOP to opt out.",
            "Clean Machine: reminder, we arrive tomorrow at 9:00 AM. Reply HELP for help.",
        ],
        "opt_in_message": "Clean Machine: you're subscribed to texts. Reply HELP for help, STOP to opt out.",
        "opt_out_message": "Clean Machine: you are unsubscribed and will receive no more messages.",
        "help_message": "Clean Machine: call (918) 555-0100 for help. Reply STOP to opt out.",
    }
    data.update(overrides)
    return data


def problems(**overrides) -> str:
    with pytest.raises(ValidationError) as caught:
        A2PRegistrationIn(**valid(**overrides))
    return str(caught.value)


def test_valid_registration_is_normalised():
    reg = A2PRegistrationIn(**valid(ein="123456789"))
    assert reg.ein == "12-3456789"
    assert reg.address.region == "OK"
    assert reg.representative.phone == "+19185550100"
    assert reg.representative.email == "marcus@cleanmachine.example"
    assert "STOP" in reg.opt_out_keywords


def test_description_needs_40_characters():
    assert "40–4096" in problems(description="Too short description here.")


def test_message_flow_needs_40_characters():
    assert "40–2048" in problems(message_flow="They text us.")


@pytest.mark.parametrize("samples", [[], ["Clean Machine: see you Saturday. Reply STOP to opt out."], ["a" * 30] * 6])
def test_two_to_five_samples(samples):
    assert "2–5 sample" in problems(samples=samples)


def test_each_sample_20_to_1024_characters():
    assert "Sample message 2" in problems(samples=["Clean Machine: confirmed. Reply STOP to opt out.", "Too short"])


def test_a_sample_must_show_opt_out_language():
    assert "opt out" in problems(samples=["Clean Machine: your detail is confirmed for Saturday.",
                                          "Clean Machine: reminder, we arrive tomorrow at 9."])


@pytest.mark.parametrize("field", ["opt_in_message", "opt_out_message", "help_message"])
def test_auto_replies_20_to_320_characters(field):
    assert "20–320" in problems(**{field: "Too short"})
    assert "20–320" in problems(**{field: "x" * 321})


def test_ein_required_except_for_sole_proprietors():
    assert "EIN is required" in problems(ein="")
    assert A2PRegistrationIn(**valid(ein="", business_type="Sole Proprietorship")).ein == ""


@pytest.mark.parametrize("ein", ["12-345678", "1234567890", "00-1234567", "ab-cdefghi"])
def test_invalid_ein(ein):
    assert "EIN" in problems(ein=ein)


def test_website_must_be_a_full_url():
    assert "https://" in problems(website="cleanmachine")


def test_us_zip_code():
    assert "ZIP" in problems(address={"street": "1 Main", "city": "Tulsa", "region": "OK", "postal_code": "7410"})


def test_keywords_are_alphanumeric():
    assert "letters and digits" in problems(opt_out_keywords=["STOP", "STOP-IT"])


def test_unknown_business_type_and_use_case_are_refused():
    assert "business_type" in problems(business_type="Pirate ship")
    assert "use_case" in problems(use_case="SPAM")
