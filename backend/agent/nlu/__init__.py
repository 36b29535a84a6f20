"""Natural-language understanding for the offline rules engine of the booking agent: pure,
deterministic functions that turn one SMS into an intent and slot values (when, which service,
size attributes, ZIP, address, name, choice) without any database or network access."""

from backend.agent.nlu.attributes import (
    AttributeOption,
    AttributeSpec,
    Measurement,
    extract_attributes,
    extract_measurements,
)
from backend.agent.nlu.datetime_parse import (
    TimeWindow,
    WhenHint,
    mentions_when,
    parse_when,
)
from backend.agent.nlu.entities import (
    AddressHint,
    extract_address,
    extract_choice,
    extract_email,
    extract_name,
    extract_zip,
    extract_zips,
    is_affirmative,
    is_negative,
)
from backend.agent.nlu.intents import (
    Intent,
    IntentResult,
    classify_intent,
    is_opt_out_phrase,
)
from backend.agent.nlu.services_match import (
    ServiceMatch,
    ServiceRef,
    match_addons,
    match_service,
)
from backend.agent.nlu.spam import SpamResult, check_spam, is_spam

__all__ = [
    "AddressHint", "AttributeOption", "AttributeSpec", "Intent", "IntentResult", "Measurement",
    "ServiceMatch", "ServiceRef", "SpamResult", "TimeWindow", "WhenHint", "check_spam",
    "classify_intent", "extract_address", "extract_attributes", "extract_choice", "extract_email",
    "extract_measurements", "extract_name", "extract_zip", "extract_zips", "is_affirmative",
    "is_negative", "is_opt_out_phrase", "is_spam", "match_addons", "match_service",
    "mentions_when", "parse_when",
]
