"""The offline provider: nothing leaves the machine. The outbound row itself is the stored
message (status "simulated"), shown in the inbox and the Phone Simulator page."""

from __future__ import annotations

import secrets

from backend.messaging.enums import OutboundStatus
from backend.messaging.providers.base import SendRequest, SendResult
from backend.messaging.segments import count_segments


class SimulatorProvider:
    name = "simulator"
    rate_limited = False

    def send(self, request: SendRequest) -> SendResult:
        """Accepts the message without sending it; returns a Twilio-shaped SID."""
        prefix = "MM" if request.media_urls else "SM"
        return SendResult(
            provider_sid=prefix + secrets.token_hex(16),
            status=OutboundStatus.SIMULATED.value,
            num_segments=count_segments(request.body).segments,
        )
