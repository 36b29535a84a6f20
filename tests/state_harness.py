"""Drive Reflex states without a browser: a root state tree whose SessionState holds a given
StaffContext (what the auth middleware does after verifying the session cookie), and helpers to
run a handler's function — plain, async or async-generator — the way Reflex would."""

from __future__ import annotations

import inspect

import reflex as rx
from reflex_base.event import EventHandler, EventSpec

from backend.auth.context import StaffContext
from state.session import SessionState


def state_for(cls: type[rx.State], ctx: StaffContext | None) -> rx.State:
    """Returns an instance of `cls` inside a fresh state tree signed in as `ctx`."""
    root = rx.State(_reflex_internal_init=True)
    session = root.get_substate(SessionState.get_full_name().split(".")[1:])
    session._set_context(ctx)
    return root.get_substate(cls.get_full_name().split(".")[1:])


async def call(state: rx.State, handler, *args, follow: bool = True):
    """Runs `handler` (an EventHandler of the state's class) with `args`; returns what it
    returned, or the list of what it yielded. With `follow`, an argument-less event of the same
    state that the handler returns or yields (e.g. `return MyState.load`) is run too, as the
    browser would."""
    fn = handler.fn
    result = fn(state, *args)
    if inspect.isasyncgen(result):
        result = [item async for item in result]
    elif inspect.isawaitable(result):
        result = await result
    elif inspect.isgenerator(result):
        result = list(result)
    if follow:
        for item in result if isinstance(result, list) else [result]:
            target = item if isinstance(item, EventHandler) else (
                item.handler if isinstance(item, EventSpec) and not item.args else None)
            if target is not None and target.state is type(state):
                await call(state, target)
    return result
