"""Live-update hook: when a conversation changes (an inbound message is stored and linked, a
reply is queued or its status changes, staff act on it), every callback registered with
`subscribe` is called with (tenant_id, conversation_id). The Reflex layer subscribes one that
pushes the change into open inbox pages.

- Inbound messages: the callback runs in the web process right after the webhook has answered
  (and the message is committed and linked), so a subscriber in the Reflex server sees every
  inbound text.
- Changes made in other processes (the Huey worker sending replies, status callbacks handled
  by another web worker) reach subscribers in every process through Redis pub/sub when
  REDIS_URL is set; without Redis they reach only the process that made them.

Callbacks run synchronously in a worker thread: they must be quick and thread-safe (hand the
work to an event loop or queue). One change may be announced more than once; treat a call as
"refresh this conversation". An exception in a callback is logged and swallowed — a broken
subscriber never loses or fails a message.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable

from sqlalchemy import event

log = logging.getLogger(__name__)

Callback = Callable[[str, str], None]
CHANNEL = "servicepro:messaging:conversation-events"
_ORIGIN = uuid.uuid4().hex  # this process; its own broadcasts are not delivered twice

_subscribers: list[Callback] = []
_lock = threading.Lock()
_listener: threading.Thread | None = None
_redis_client = None


def subscribe(fn: Callback) -> Callback:
    """Registers `fn(tenant_id, conversation_id)`; returns it so it can be used as a decorator."""
    with _lock:
        if fn not in _subscribers:
            _subscribers.append(fn)
    _ensure_listener()
    return fn


def unsubscribe(fn: Callback) -> None:
    """Removes a callback registered with `subscribe` (no error if it is not registered)."""
    with _lock:
        if fn in _subscribers:
            _subscribers.remove(fn)


def publish(tenant_id: str, conversation_id: str | None) -> None:
    """Tells every subscriber here (and, through Redis, in other processes); never raises."""
    if not conversation_id:
        return
    _deliver(tenant_id, conversation_id)
    _broadcast(tenant_id, conversation_id)


def publish_after_commit(db, tenant_id: str, conversation_id: str | None) -> None:
    """Publishes once `db` commits (nothing on rollback)."""
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


def _deliver(tenant_id: str, conversation_id: str) -> None:
    with _lock:
        subscribers = list(_subscribers)
    for fn in subscribers:
        try:
            fn(tenant_id, conversation_id)
        except Exception:  # a subscriber must never break message handling
            log.exception("messaging event subscriber %r failed", fn)


# ---- cross-process fan-out (Redis) -----------------------------------------------------------


def _redis():
    """Returns the Redis client when REDIS_URL is configured, else None."""
    global _redis_client
    from backend.config import get_settings

    url = get_settings().redis_url
    if not url:
        return None
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    return _redis_client


def _broadcast(tenant_id: str, conversation_id: str) -> None:
    client = _redis()
    if client is None:
        return
    try:
        client.publish(CHANNEL, json.dumps({"o": _ORIGIN, "t": tenant_id, "c": conversation_id}))
    except Exception as exc:  # live updates are best-effort; the data is committed
        log.warning("could not broadcast messaging event: %s", exc)


def on_remote_message(raw: bytes | str) -> bool:
    """Delivers an event broadcast by another process; returns False for our own or junk."""
    try:
        data = json.loads(raw)
        origin, tenant_id, conversation_id = data["o"], data["t"], data["c"]
    except (ValueError, KeyError, TypeError):
        return False
    if origin == _ORIGIN or not isinstance(tenant_id, str) or not isinstance(conversation_id, str):
        return False
    _deliver(tenant_id, conversation_id)
    return True


def _ensure_listener() -> None:
    global _listener
    if _redis() is None:
        return
    with _lock:
        if _listener is not None and _listener.is_alive():
            return
        _listener = threading.Thread(target=_listen, name="messaging-events", daemon=True)
        _listener.start()


def _listen() -> None:  # pragma: no cover - needs a Redis server
    while True:
        try:
            pubsub = _redis().pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(CHANNEL)
            for message in pubsub.listen():
                if message.get("type") == "message":
                    on_remote_message(message["data"])
        except Exception as exc:
            log.warning("messaging event listener lost Redis (%s); reconnecting", exc)
            time.sleep(1.0)
