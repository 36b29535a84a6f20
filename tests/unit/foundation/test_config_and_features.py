"""Configuration, plan features and phone normalisation."""

from __future__ import annotations

import types

import pytest

from backend.config import ConfigurationError, Settings, configuration_problems
from backend.phones import InvalidPhoneNumber, display, to_e164, to_e164_strict
from backend.tenancy.features import (
    FEATURE_KEYS,
    TIER_FEATURES,
    FeatureNotAvailable,
    features_of,
    has_feature,
    require_feature,
)


def test_dev_secret_is_generated_once_and_reused(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key=None, servicepro_env="dev")
    first = settings.secret()
    assert len(first) >= 48
    assert Settings(data_dir=tmp_path, secret_key=None).secret() == first
    assert (tmp_path / ".secret_key").stat().st_mode & 0o777 == 0o600


def test_prod_refuses_to_run_without_secret_key(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key=None, servicepro_env="prod")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        settings.secret()
    assert any("SECRET_KEY" in p for p in configuration_problems(settings))


def test_configuration_problems_name_each_missing_provider_setting(tmp_path):
    settings = Settings(
        data_dir=tmp_path, sms_provider="twilio", llm_provider="openai", payments_provider="stripe",
        email_provider="smtp", database_url="mysql://x",
    )
    problems = " ".join(configuration_problems(settings))
    for expected in ("TWILIO_AUTH_TOKEN", "OPENAI_API_KEY", "STRIPE_SECRET_KEY", "SMTP_HOST", "DATABASE_URL"):
        assert expected in problems


def test_default_configuration_has_no_problems(tmp_path):
    assert configuration_problems(Settings(data_dir=tmp_path)) == []


def test_simulator_token_is_stable_and_twilio_mode_requires_a_real_one(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key="k" * 40)
    assert settings.twilio_platform_token() == Settings(data_dir=tmp_path, secret_key="k" * 40).twilio_platform_token()
    with pytest.raises(ConfigurationError):
        Settings(data_dir=tmp_path, sms_provider="twilio").twilio_platform_token()


def _tenant(tier: str, status: str = "active"):
    return types.SimpleNamespace(plan_tier=tier, status=status)


@pytest.mark.parametrize("tier", ["starter", "pro", "elite", "internal"])
def test_each_tier_includes_exactly_its_features(tier):
    for key in FEATURE_KEYS:
        assert has_feature(_tenant(tier), key) == (key in TIER_FEATURES[tier])


def test_tiers_are_cumulative():
    assert TIER_FEATURES["starter"] < TIER_FEATURES["pro"] < TIER_FEATURES["elite"] <= TIER_FEATURES["internal"]


@pytest.mark.parametrize("status", ["suspended", "cancelled"])
def test_suspended_or_cancelled_tenant_loses_every_feature(status):
    assert features_of(_tenant("elite", status)) == []
    with pytest.raises(FeatureNotAvailable, match=status):
        require_feature(_tenant("elite", status), "ai_agent")


def test_past_due_keeps_features_during_grace():
    assert has_feature(_tenant("pro", "past_due"), "ai_agent")


def test_missing_feature_error_names_plan():
    with pytest.raises(FeatureNotAvailable, match="starter plan"):
        require_feature(_tenant("starter"), "ai_voice")


def test_unknown_feature_key_is_a_bug():
    with pytest.raises(KeyError):
        has_feature(_tenant("pro"), "teleportation")


@pytest.mark.parametrize("raw", ["(918) 555-0100", "918.555.0100", " +1 918 555 0100 ", "19185550100"])
def test_phone_numbers_normalise_to_e164(raw):
    assert to_e164(raw) == "+19185550100"


@pytest.mark.parametrize("raw,message", [("", "Enter a phone number"), ("abc", "not a phone number"),
                                         ("+1 555", "not a valid phone number")])
def test_invalid_phone_numbers_get_specific_messages(raw, message):
    with pytest.raises(InvalidPhoneNumber, match=message):
        to_e164_strict(raw)


def test_phone_display_is_national_format():
    assert display("+19185550100") == "(918) 555-0100"
