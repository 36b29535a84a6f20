"""Live-update hook: after an inbound message (or a status change) commits, every subscribed
callback is called with (tenant_id, conversation_id).

The Reflex layer subscribes one callback that pushes the change into open inbox pages.
Callbacks run synchronously in the thread that committed (a webhook or worker thread): they
must be quick and thread-safe (hand the work to an event loop or queue). An exception in a
callback is logged and swallowed — a broken subscriber never loses or fails a message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Callback = Callable[[str, str], None]
_subscribers: list[Callback] = []
_lock = threading.Lock()


def subscribe(fn: Callback) -> Callback:
    """Registers `fn(tenant_id, conversation_id)`; returns it so it can be used as a decorator."""
    with _lock:
        if fn not in _subscribers:
            _subscribers.append(fn)
    return fn


def unsubscribe(fn: Callback) -> None:
    """Removes a callback registered with `subscribe` (no error if it is not registered)."""
    with _lock:
        if fn in _subscribers:
            _subscribers.remove(fn)


def publish(tenant_id: str, conversation_id: str | None) -> None:
    """Calls every subscriber with (tenant_id, conversation_id); never raises."""
    if not conversation_id:
        return
    with _lock:
        subscribers = list(_subscribers)
    for fn in subscribers:
        try:
            fn(tenant_id, conversation_id)
        except Exception:  # a subscriber must never break message handling
            log.exception("messaging event subscriber %r failed", fn)


def publish_after_commit(db, tenant_id: str, conversation_id: str | None) -> None:
    """Publishes once `db` commits (nothing on rollback)."""
    from sqlalchemy import event

    if not conversation_id:
        return
    pending = db.info.setdefault("messaging_events", [])
    if (tenant_id, conversation_id) in pending:
        return
    pending.append((tenant_id, conversation_id))
    if len(pending) == 1:
        event.listen(db, "after_commit", _flush, once=True)
        event.listen(db, "after_rollback", _drop, once=True)


def _flush(db) -> None:
    for tenant_id, conversation_id in db.info.pop("messaging_events", []):
        publish(tenant_id, conversation_id)


def _drop(db) -> None:
    db.info.pop("messaging_events", None)
