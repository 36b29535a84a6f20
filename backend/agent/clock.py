"""The agent's clock: every "now" the agent uses (parsing "tomorrow", searching slots, booking,
checking the cancellation window) comes from here, so the evaluation suite and tests can pin it
for the whole SMS path (webhook → job → responder) in one place."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator

from backend.db.types import utcnow

_lock = threading.Lock()
_pinned: dt.datetime | None = None


def now() -> dt.datetime:
    """Returns the current instant (aware UTC), or the pinned one."""
    pinned = _pinned
    return pinned if pinned is not None else utcnow()


def pin(at: dt.datetime | None) -> None:
    """Pins the agent's clock to `at` (aware) for this process; None unpins it."""
    global _pinned
    if at is not None and (at.tzinfo is None or at.utcoffset() is None):
        raise ValueError("pin() needs a timezone-aware datetime")
    with _lock:
        _pinned = at.astimezone(dt.timezone.utc) if at is not None else None


@contextlib.contextmanager
def pinned(at: dt.datetime) -> Iterator[dt.datetime]:
    """Pins the clock for the duration of a block, restoring the previous value after."""
    previous = _pinned
    pin(at)
    try:
        yield at
    finally:
        pin(previous)
