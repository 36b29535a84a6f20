"""Drive Reflex states without a browser: a root state tree whose SessionState holds a given
StaffContext (what the auth middleware does after verifying the session cookie), and helpers to
run a handler's function — plain, async or async-generator — the way Reflex would."""

from __future__ import annotations

import inspect

import reflex as rx

from backend.auth.context import StaffContext
from state.session import SessionState


def state_for(cls: type[rx.State], ctx: StaffContext | None) -> rx.State:
    """Returns an instance of `cls` inside a fresh state tree signed in as `ctx`."""
    root = rx.State(_reflex_internal_init=True)
    session = root.get_substate(SessionState.get_full_name().split(".")[1:])
    session._set_context(ctx)
    return root.get_substate(cls.get_full_name().split(".")[1:])


async def call(state: rx.State, handler, *args):
    """Runs `handler` (an EventHandler of the state's class) with `args`; returns what it
    returned, or the list of what it yielded."""
    fn = handler.fn
    result = fn(state, *args)
    if inspect.isasyncgen(result):
        return [item async for item in result]
    if inspect.isawaitable(result):
        return await result
    if inspect.isgenerator(result):
        return list(result)
    return result
