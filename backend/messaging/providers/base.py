"""The provider interface: one call that hands a message to the network (or stores it)."""

from __future__ import annotations

import dataclasses
from typing import Protocol


@dataclasses.dataclass(frozen=True)
class Credentials:
    """Twilio account to send from: the platform's or the tenant's own (bring-your-own)."""

    account_sid: str
    auth_token: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class SendRequest:
    tenant_id: str
    message_id: str
    to: str
    body: str
    from_number: str | None = None
    messaging_service_sid: str | None = None
    media_urls: tuple[str, ...] = ()
    status_callback: str | None = None
    credentials: Credentials | None = None


@dataclasses.dataclass(frozen=True)
class SendResult:
    provider_sid: str
    status: str  # an OutboundStatus value: queued/accepted/sent for Twilio, simulated offline
    num_segments: int | None = None


class ProviderError(Exception):
    """A send the provider refused or could not take.

    `permanent=True` means retrying cannot help (invalid number, unsubscribed, bad config);
    otherwise the outbox retries with backoff.
    """

    def __init__(self, message: str, *, code: int | None = None, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.code = code
        self.permanent = permanent


class SmsProvider(Protocol):
    name: str
    # Real networks enforce per-number throughput; the simulator sends nothing, so it is not
    # rate limited.
    rate_limited: bool

    def send(self, request: SendRequest) -> SendResult: ...
