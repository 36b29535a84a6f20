"""Live updates for the messaging pages (inbox, phone simulator): no page reloads, no polling
by the browser.

How a change reaches a page:
1. `backend.messaging.events` calls `hub.notify(tenant_id, conversation_id)` after a change
   commits (any thread of this process, or relayed from another process through Redis).
2. `registry` — process-local, keyed by tenant id — lists the client tokens (browser tabs) that
   have a live page of that tenant open. Only a page's own load handler adds a token, with the
   tenant of the server-side StaffContext; nothing the browser sends chooses the tenant.
3. For each of those tokens (and only those), the hub enters `app.modify_state` and checks
   again under the state lock: the tab's stored session context is for the same tenant, the
   tab is still on that page, and its session cookie still resolves — without moving the idle
   timer — to staff of that tenant with the page's access level. Then the page state's
   `_live_refresh(ctx, conversation_ids)` reloads its data and Reflex sends the delta. Any
   failed check drops the token and sends nothing.

Bursts are coalesced: one push per tab at a time; changes arriving meanwhile are merged into
the next push.

Several workers: each worker process has its own registry with the tabs whose websocket it
serves (a tab's events are processed by the worker holding its socket), and
`backend.messaging.events` fans every change out to all processes through Redis, so every
worker pushes to its own tabs; a stale entry for a tab that reconnected elsewhere is delivered
by Reflex's Redis token manager. Without Redis, changes made in another process (a separate
Huey consumer sending the agent's reply) are not announced here, so after each change the hub
refreshes that conversation's pages again a few times over the next ~20 seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import threading
import time
from collections.abc import Awaitable, Callable

import reflex as rx

from backend.auth.context import StaffContext
from state.session import Access, SessionState, allows, run_blocking

log = logging.getLogger(__name__)

# A tab re-registers on every load; an entry this old is forgotten.
MAX_WATCH_AGE_SECONDS = 12 * 3600
MAX_WATCHES = 20_000
FOLLOW_UP_DELAYS = (1.5, 4.0, 8.0, 15.0, 25.0)


@dataclasses.dataclass(frozen=True)
class LivePage:
    name: str
    state_cls: type
    path: str
    access: Access


PAGES: dict[str, LivePage] = {}


def register_page(name: str, state_cls: type, path: str, access: Access) -> None:
    """Declares a page whose state has `async def _live_refresh(self, ctx, conversation_ids)`."""
    PAGES[name] = LivePage(name, state_cls, path.rstrip("/") or "/", access)


@dataclasses.dataclass(frozen=True)
class Watch:
    token: str
    tenant_id: str
    page: str
    since: float


class LiveRegistry:
    """Which tabs (client tokens) have which tenant's live page open, in this process.
    Thread-safe. A token is registered for one tenant and one page at a time."""

    def __init__(self, *, max_age: float = MAX_WATCH_AGE_SECONDS, max_size: int = MAX_WATCHES) -> None:
        self._lock = threading.Lock()
        self._by_token: dict[str, Watch] = {}
        self._by_tenant: dict[str, dict[str, Watch]] = {}
        self._max_age = max_age
        self._max_size = max_size

    def watch(self, *, tenant_id: str, token: str, page: str) -> None:
        """Registers `token` as showing `page` of `tenant_id` (the caller's verified tenant)."""
        if not (isinstance(tenant_id, str) and tenant_id and isinstance(token, str) and token and page in PAGES):
            return
        with self._lock:
            self._drop(token)
            while len(self._by_token) >= self._max_size:
                self._drop(next(iter(self._by_token)))
            entry = Watch(token, tenant_id, page, time.monotonic())
            self._by_token[token] = entry
            self._by_tenant.setdefault(tenant_id, {})[token] = entry

    def unwatch(self, token: str, *, only: Watch | None = None) -> None:
        """Forgets a token (if `only` is given, only while it is still that registration)."""
        with self._lock:
            current = self._by_token.get(token)
            if current is not None and (only is None or current == only):
                self._drop(token)

    def get(self, token: str) -> Watch | None:
        with self._lock:
            return self._by_token.get(token)

    def watchers(self, tenant_id: str) -> list[Watch]:
        """Returns the live registrations of one tenant (expired ones are dropped)."""
        cutoff = time.monotonic() - self._max_age
        with self._lock:
            entries = list(self._by_tenant.get(tenant_id, {}).values())
            for entry in entries:
                if entry.since < cutoff:
                    self._drop(entry.token)
            return [e for e in entries if e.since >= cutoff]

    def clear(self) -> None:
        with self._lock:
            self._by_token.clear()
            self._by_tenant.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_token)

    def _drop(self, token: str) -> None:
        entry = self._by_token.pop(token, None)
        if entry is None:
            return
        tokens = self._by_tenant.get(entry.tenant_id)
        if tokens is not None:
            tokens.pop(token, None)
            if not tokens:
                del self._by_tenant[entry.tenant_id]


Pusher = Callable[[Watch, frozenset[str]], Awaitable[None]]


class LiveHub:
    """Turns messaging events into pushes to the registered tabs of the event's tenant."""

    def __init__(self, registry: LiveRegistry) -> None:
        self.registry = registry
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pusher: Pusher | None = None
        self._follow_ups: tuple[float, ...] = ()
        self._queued: dict[str, tuple[str, set[str]]] = {}  # token -> (tenant_id, conversation ids)
        self._running: dict[str, asyncio.Task] = {}
        self._following: set[tuple[str, str]] = set()
        self._timers: list[asyncio.TimerHandle] = []

    def start(self, loop: asyncio.AbstractEventLoop, pusher: Pusher, *, follow_ups: tuple[float, ...] = ()) -> None:
        self._loop, self._pusher, self._follow_ups = loop, pusher, tuple(follow_ups)

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for task in list(self._running.values()):
            task.cancel()
        self._running.clear()
        self._queued.clear()
        self._following.clear()
        self._loop = None

    def notify(self, tenant_id: str, conversation_id: str) -> None:
        """The events subscriber: cheap and thread-safe; the work happens on the server loop."""
        loop = self._loop
        if loop is None or loop.is_closed() or not isinstance(tenant_id, str) or not isinstance(conversation_id, str):
            return
        if not self.registry.watchers(tenant_id):
            return
        try:
            loop.call_soon_threadsafe(self._dispatch, tenant_id, conversation_id, True)
        except RuntimeError:  # the loop closed meanwhile (shutdown)
            pass

    def _dispatch(self, tenant_id: str, conversation_id: str, follow_up: bool) -> None:
        if self._loop is None:
            return
        for entry in self.registry.watchers(tenant_id):
            queued = self._queued.get(entry.token)
            if queued is None or queued[0] != tenant_id:
                queued = self._queued[entry.token] = (tenant_id, set())
            queued[1].add(conversation_id)
            if entry.token not in self._running:
                self._running[entry.token] = self._loop.create_task(self._drain(entry.token))
        key = (tenant_id, conversation_id)
        if follow_up and self._follow_ups and key not in self._following:
            self._following.add(key)
            self._timers = [t for t in self._timers if not t.cancelled() and t.when() > self._loop.time()]
            last = len(self._follow_ups) - 1
            for i, delay in enumerate(self._follow_ups):
                self._timers.append(self._loop.call_later(delay, self._follow_up, key, i == last))

    def _follow_up(self, key: tuple[str, str], last: bool) -> None:
        if last:
            self._following.discard(key)
        self._dispatch(key[0], key[1], False)

    async def _drain(self, token: str) -> None:
        try:
            while (queued := self._queued.pop(token, None)) is not None:
                tenant_id, conversation_ids = queued
                entry = self.registry.get(token)
                if entry is None or entry.tenant_id != tenant_id or self._pusher is None:
                    continue
                try:
                    await self._pusher(entry, frozenset(conversation_ids))
                except Exception:  # one broken tab must not stop the others
                    log.exception("live update to a %s page failed", entry.page)
        finally:
            self._running.pop(token, None)

    async def idle(self) -> None:
        """Waits until every queued push has run (tests)."""
        while self._running:
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)


registry = LiveRegistry()
hub = LiveHub(registry)


def watch_page(state: rx.State, ctx: StaffContext, page: str) -> None:
    """Called by a live page's load handler: this tab shows `page` of the caller's tenant."""
    registry.watch(tenant_id=ctx.tenant_id or "", token=state.router.session.client_token, page=page)


# ---- pushing into a tab's state ------------------------------------------------------------------


def verify_session(cookie_token: str | None) -> StaffContext | None:
    """Resolves a session cookie like the auth middleware does, but read-only: a push is not
    activity of the person, so it must not extend the session's idle timeout."""
    from backend.auth import service as auth_service
    from backend.db.session import platform_session

    with platform_session("live-updates:verify") as db:
        resolved = auth_service.resolve_session(db, token=cookie_token)
        db.rollback()  # discard the last_seen_at touch
    return resolved.context


async def _connected(app, token: str) -> bool:
    manager = getattr(getattr(app, "event_namespace", None), "_token_manager", None)
    if manager is None:
        return True
    try:
        return await manager.is_token_connected(token)
    except Exception:  # unknown: let modify_state try
        return True


async def push_to_tab(app, entry: Watch, conversation_ids: frozenset[str], *,
                      verify: Callable[[str | None], StaffContext | None] = verify_session) -> bool:
    """Refreshes one tab's page state if every check passes; returns whether it did."""
    from servicepro_app.auth_middleware import session_token

    page = PAGES.get(entry.page)
    if page is None:
        registry.unwatch(entry.token, only=entry)
        return False
    if not await _connected(app, entry.token):
        return False  # closed or reconnecting; its next load registers it again
    async with app.modify_state(rx.BaseStateToken(ident=entry.token, cls=page.state_cls)) as root:
        session = await root.get_state(SessionState)
        stored = session._ctx
        path = (root.router.url.path or "").rstrip("/") or "/"
        if stored is None or stored.tenant_id != entry.tenant_id or path != page.path:
            registry.unwatch(entry.token, only=entry)
            return False
        ctx = await run_blocking(verify, session_token(root))
        if ctx is None or ctx.tenant_id != entry.tenant_id or not allows(page.access, ctx):
            registry.unwatch(entry.token, only=entry)
            return False
        state = await root.get_state(page.state_cls)
        await state._live_refresh(ctx, conversation_ids)
        return True


def install(app) -> None:
    """Wires live updates into the app (call once, at app start): subscribes to messaging
    events for the lifetime of the server process."""
    from backend.config import get_settings
    from backend.messaging import events

    @contextlib.asynccontextmanager
    async def messaging_live_updates():
        follow_ups = () if get_settings().redis_url else FOLLOW_UP_DELAYS
        hub.start(asyncio.get_running_loop(), functools.partial(push_to_tab, app), follow_ups=follow_ups)
        events.subscribe(hub.notify)
        try:
            yield
        finally:
            events.unsubscribe(hub.notify)
            hub.stop()

    app.register_lifespan_task(messaging_live_updates)
