"""Twilio provider: sends through `twilio.rest.Client` (Programmable Messaging REST API).

Outside I/O lives only here. Errors are sorted into permanent (the number is invalid,
unsubscribed, or the account cannot send to it — retrying cannot help) and transient (network,
429, 5xx — the outbox retries with backoff).
"""

from __future__ import annotations

import logging

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from backend.config import get_settings
from backend.messaging.enums import OutboundStatus
from backend.messaging.providers.base import Credentials, ProviderError, SendRequest, SendResult

log = logging.getLogger(__name__)

# Twilio error codes that retrying can never fix.
PERMANENT_ERROR_CODES = frozenset(
    {
        20003,  # authentication failed
        20404,  # resource not found (e.g. messaging service)
        21211,  # invalid 'To' number
        21212,  # invalid 'From' number
        21214,  # 'To' number cannot be reached
        21408,  # permission to send to this region is not enabled
        21602,  # message body required
        21606,  # 'From' number is not a valid, SMS-capable number of this account
        21610,  # recipient unsubscribed (replied STOP): blocked
        21612,  # 'To' number not reachable via SMS
        21614,  # 'To' number is not a valid mobile number
        21617,  # body exceeds 1600 characters
        21660,  # 'From' number does not belong to the account
        30004,  # message blocked
        30005,  # unknown destination handset
        30006,  # landline or unreachable carrier
        30007,  # carrier filtered
    }
)
TRANSIENT_ERROR_CODES = frozenset({20429, 20500, 20503})

_STATUS_MAP = {
    "accepted": OutboundStatus.ACCEPTED.value,
    "scheduled": OutboundStatus.ACCEPTED.value,
    "queued": OutboundStatus.QUEUED.value,
    "sending": OutboundStatus.QUEUED.value,
    "sent": OutboundStatus.SENT.value,
    "delivered": OutboundStatus.DELIVERED.value,
    "undelivered": OutboundStatus.UNDELIVERED.value,
    "failed": OutboundStatus.FAILED.value,
    "read": OutboundStatus.READ.value,
}


def map_status(twilio_status: str | None) -> str | None:
    """Returns our status for a Twilio message status (None for unknown values)."""
    return _STATUS_MAP.get((twilio_status or "").strip().lower())


def is_permanent(exc: TwilioRestException) -> bool:
    """True when a Twilio API error cannot be fixed by retrying."""
    if exc.code in TRANSIENT_ERROR_CODES:
        return False
    if exc.code in PERMANENT_ERROR_CODES:
        return True
    status = exc.status or 0
    return 400 <= status < 500 and status != 429


class TwilioProvider:
    name = "twilio"
    rate_limited = True

    def __init__(self, http_client=None, timeout: float = 15.0):
        # Tests inject a fake http_client (twilio.http.HttpClient); nothing else changes.
        self._http_client = http_client
        self._timeout = timeout

    def _client(self, credentials: Credentials | None) -> Client:
        if credentials is None:
            settings = get_settings()
            if not settings.twilio_account_sid:
                raise ProviderError("TWILIO_ACCOUNT_SID is not configured.", permanent=True)
            credentials = Credentials(settings.twilio_account_sid, settings.twilio_platform_token())
        http_client = self._http_client or TwilioHttpClient(timeout=self._timeout)
        return Client(credentials.account_sid, credentials.auth_token, http_client=http_client)

    def send(self, request: SendRequest) -> SendResult:
        """Creates the message through the REST API; raises ProviderError on failure."""
        kwargs: dict = {"to": request.to, "body": request.body}
        if request.messaging_service_sid:
            kwargs["messaging_service_sid"] = request.messaging_service_sid
        elif request.from_number:
            kwargs["from_"] = request.from_number
        else:
            raise ProviderError("No sending number or messaging service.", permanent=True)
        if request.media_urls:
            kwargs["media_url"] = list(request.media_urls)
        if request.status_callback:
            kwargs["status_callback"] = request.status_callback
        try:
            message = self._client(request.credentials).messages.create(**kwargs)
        except TwilioRestException as exc:
            raise ProviderError(exc.msg or str(exc), code=exc.code, permanent=is_permanent(exc)) from exc
        except TwilioException as exc:
            raise ProviderError(str(exc)) from exc
        except ProviderError:
            raise
        except Exception as exc:  # network errors from requests: transient
            raise ProviderError(f"{type(exc).__name__}: {exc}") from exc
        segments = None
        try:
            segments = int(message.num_segments) if message.num_segments is not None else None
        except (TypeError, ValueError):
            segments = None
        return SendResult(
            provider_sid=message.sid,
            status=map_status(message.status) or OutboundStatus.QUEUED.value,
            num_segments=segments,
        )
