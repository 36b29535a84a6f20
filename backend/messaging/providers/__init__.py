"""SMS providers behind one small interface: Twilio (REST through the twilio SDK) and the
offline simulator. `get_provider()` returns the configured one; tests swap it with `override`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from backend.config import get_settings
from backend.messaging.providers.base import (
    Credentials,
    ProviderError,
    SendRequest,
    SendResult,
    SmsProvider,
)

__all__ = [
    "Credentials", "ProviderError", "SendRequest", "SendResult", "SmsProvider",
    "get_provider", "override",
]

_override: SmsProvider | None = None
_cache: dict[str, SmsProvider] = {}
_lock = threading.Lock()


def get_provider() -> SmsProvider:
    """Returns the provider chosen by SMS_PROVIDER (or the test override)."""
    if _override is not None:
        return _override
    name = get_settings().sms_provider
    with _lock:
        if name not in _cache:
            if name == "twilio":
                from backend.messaging.providers.twilio_client import TwilioProvider

                _cache[name] = TwilioProvider()
            else:
                from backend.messaging.providers.simulator import SimulatorProvider

                _cache[name] = SimulatorProvider()
        return _cache[name]


@contextlib.contextmanager
def override(provider: SmsProvider) -> Iterator[SmsProvider]:
    """Uses `provider` for every send inside the block (tests and fault injection)."""
    global _override
    previous, _override = _override, provider
    try:
        yield provider
    finally:
        _override = previous
