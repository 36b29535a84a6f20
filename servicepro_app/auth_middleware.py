"""Central gate for Reflex events.

Before any event runs, the staff session is resolved from the HttpOnly cookie in the
websocket's headers (never from a client-sent value) and stored in SessionState. An event for
a state whose access level the context does not satisfy is not run: the browser is sent to the
login page (no valid session) or to a page it may see (insufficient role). States that never
declared an access level with `@requires` are refused (fail closed).
"""

from __future__ import annotations

import logging
from http.cookies import CookieError, SimpleCookie

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import StateUpdate
from reflex_base.event import Event

from backend.api.auth_routes import SESSION_COOKIE
from backend.auth import actions as auth_actions
from state.session import STATE_ACCESS, Access, SessionState, allows, run_blocking

log = logging.getLogger(__name__)

# Reflex's own internal states (hydration, on_load dispatch, client errors) need no session.
_REFLEX_INTERNAL_MODULES = ("reflex.", "reflex_base.")


def session_token(state: rx.State) -> str | None:
    """Reads the session cookie from the headers captured for this websocket connection."""
    raw = state.router.headers.cookie or ""
    cookie = SimpleCookie()
    try:
        cookie.load(raw)
    except CookieError:
        return None
    morsel = cookie.get(SESSION_COOKIE)
    return morsel.value if morsel else None


def access_for(state_cls: type) -> Access | None:
    for cls in state_cls.__mro__:
        if cls in STATE_ACCESS:
            return STATE_ACCESS[cls]
    if state_cls.__module__.startswith(_REFLEX_INTERNAL_MODULES):
        return Access.PUBLIC
    return None


class AuthMiddleware(Middleware):
    async def preprocess(self, app, state, event: Event) -> StateUpdate | None:
        root = state._get_root_state()
        path = event.name.rsplit(".", 1)[0]
        try:
            target = type(root).get_class_substate(path)
        except ValueError:
            return StateUpdate()
        access = access_for(target)
        if access is None:
            log.error("refused event %s: state %s declares no access level", event.name, target.__name__)
            return StateUpdate()
        session = await root.get_state(SessionState)
        if access is Access.PUBLIC and target is not SessionState:
            # Public pages still show whether someone is signed in, but never need the DB.
            return None
        resolved = await run_blocking(auth_actions.authenticate, token=session_token(root))
        session._set_context(resolved.context)
        if allows(access, resolved.context):
            return None
        if resolved.context is None:
            reason = {"idle": "idle", "expired": "expired", "impersonation_ended": "impersonation_ended"}.get(
                resolved.problem, "signin"
            )
            return StateUpdate(events=Event.from_event_type(rx.redirect(f"/login?info={reason}")))
        target_page = "/select-tenant" if resolved.context.tenant_id is None else "/"
        return StateUpdate(events=Event.from_event_type(rx.redirect(target_page)))
