"""The plug point for automated replies (the AI agent registers here).

Inbound processing handles consent keywords first. Then, when the conversation's mode is `ai`
and the number has not opted out, it calls the registered responder with an `InboundContext`
and sends the returned text through `send_sms` (kind "reply"). When no responder is
registered, or it returns None / empty text, or it raises, the conversation is flagged
`needs_human` — there is never a made-up reply.

The responder runs in a worker outside any database transaction (it may call an LLM); it opens
its own sessions if it needs data. It must not send the reply itself.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class InboundContext:
    """What a responder gets: plain ids and the text, never ORM objects."""

    tenant_id: str
    conversation_id: str
    customer_id: str
    message_id: str
    phone: str  # the customer's E.164 number
    body: str
    channel: str = "sms"


Responder = Callable[[InboundContext], "str | None"]

_responder: Responder | None = None
_lock = threading.Lock()


def register_responder(fn: Responder) -> Responder:
    """Makes `fn` the responder for automated replies (replacing any previous one); returns it
    so it can be used as a decorator."""
    global _responder
    with _lock:
        _responder = fn
    return fn


def clear_responder() -> None:
    """Removes the registered responder (conversations in ai mode then need a human)."""
    global _responder
    with _lock:
        _responder = None


def get_responder() -> Responder | None:
    """Returns the registered responder, or None."""
    return _responder
