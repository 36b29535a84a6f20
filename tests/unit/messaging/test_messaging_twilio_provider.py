"""The Twilio provider, exercised through the real twilio SDK with a fake HTTP client injected
(no network): request parameters, credentials, status mapping and error classification."""

from __future__ import annotations

import json

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response

from backend.messaging.providers import Credentials, ProviderError, SendRequest
from backend.messaging.providers.twilio_client import TwilioProvider, map_status

ACCOUNT = "AC" + "1" * 32


class FakeHttp(HttpClient):
    """Answers like the Twilio REST API and records every request."""

    def __init__(self, status: int = 201, payload: dict | None = None, exc: Exception | None = None):
        super().__init__(logger=None, is_async=False)
        self.status, self.payload, self.exc = status, payload, exc
        self.requests: list[dict] = []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        self.requests.append({"method": method, "uri": uri, "data": data, "auth": auth})
        if self.exc:
            raise self.exc
        body = self.payload or {"sid": "SM" + "a" * 32, "status": "queued", "num_segments": "2",
                                "account_sid": ACCOUNT}
        return Response(self.status, json.dumps(body))


def _request(**overrides) -> SendRequest:
    base = dict(tenant_id="t1", message_id="m1", to="+19185551234", body="Hello there", from_number="+19185550100",
                status_callback="https://servicepro.test/twilio/status?m=m1",
                credentials=Credentials(ACCOUNT, "secret-token"))
    base.update(overrides)
    return SendRequest(**base)


def test_send_posts_the_message_with_the_right_parameters():
    http = FakeHttp()
    result = TwilioProvider(http_client=http).send(_request(media_urls=("https://x.test/a.jpg",)))
    (req,) = http.requests
    assert req["method"] == "POST"
    assert req["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert req["auth"] == (ACCOUNT, "secret-token")
    assert req["data"]["To"] == "+19185551234"
    assert req["data"]["From"] == "+19185550100"
    assert req["data"]["Body"] == "Hello there"
    assert req["data"]["StatusCallback"] == "https://servicepro.test/twilio/status?m=m1"
    assert req["data"]["MediaUrl"] == ["https://x.test/a.jpg"]
    assert (result.provider_sid, result.status, result.num_segments) == ("SM" + "a" * 32, "queued", 2)


def test_messaging_service_is_used_instead_of_from_number():
    http = FakeHttp()
    TwilioProvider(http_client=http).send(_request(messaging_service_sid="MG" + "2" * 32))
    data = http.requests[0]["data"]
    assert data["MessagingServiceSid"] == "MG" + "2" * 32
    assert "From" not in data


def test_platform_credentials_are_used_without_tenant_credentials(monkeypatch):
    from backend.config import get_settings

    settings = get_settings()
    monkeypatch.setattr(settings, "twilio_account_sid", "AC" + "9" * 32)
    http = FakeHttp()
    TwilioProvider(http_client=http).send(_request(credentials=None))
    assert http.requests[0]["auth"][0] == "AC" + "9" * 32
    assert http.requests[0]["auth"][1] == settings.twilio_platform_token()


@pytest.mark.parametrize(("status", "code", "permanent"), [
    (400, 21211, True),  # invalid To
    (400, 21610, True),  # unsubscribed recipient
    (400, 21614, True),  # not a mobile number
    (429, 20429, False),  # too many requests
    (500, 20500, False),  # Twilio internal error
    (503, None, False),
    (401, 20003, True),  # bad credentials
])
def test_api_errors_are_classified(status, code, permanent):
    http = FakeHttp(status=status, payload={"code": code, "message": "nope", "status": status})
    with pytest.raises(ProviderError) as caught:
        TwilioProvider(http_client=http).send(_request())
    assert caught.value.code == code
    assert caught.value.permanent is permanent


def test_network_errors_are_transient():
    http = FakeHttp(exc=ConnectionError("connection reset"))
    with pytest.raises(ProviderError) as caught:
        TwilioProvider(http_client=http).send(_request())
    assert caught.value.permanent is False


def test_missing_sender_is_a_permanent_error():
    with pytest.raises(ProviderError) as caught:
        TwilioProvider(http_client=FakeHttp()).send(_request(from_number=None))
    assert caught.value.permanent


@pytest.mark.parametrize(("twilio", "ours"), [
    ("queued", "queued"), ("sending", "queued"), ("sent", "sent"), ("delivered", "delivered"),
    ("undelivered", "undelivered"), ("failed", "failed"), ("accepted", "accepted"), ("bogus", None),
])
def test_status_mapping(twilio, ours):
    assert map_status(twilio) == ours
