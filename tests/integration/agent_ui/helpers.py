"""Helpers for driving the agent pages' states like the server does (see tests/state_harness.py),
with a router (path/query) for the states that read the URL."""

from __future__ import annotations

import json

import reflex as rx
from reflex.istate.data import RouterData

from backend.auth.context import StaffContext
from state.session import SessionState


async def tab(cls, ctx: StaffContext | None, *, path: str = "/", query: str = "", token: str = "tab-1"):
    """A fresh browser tab's state tree at `path`, signed in as `ctx` (None: nobody)."""
    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data({
        "token": token, "pathname": path, "asPath": path + (f"?{query}" if query else ""),
        "headers": {"origin": "https://servicepro.test"},
    })
    (await root.get_state(SessionState))._set_context(ctx)
    return await root.get_state(cls)


def public_json(state: rx.State) -> str:
    """Everything of the state tree that Reflex would send to the browser."""
    return json.dumps(state._get_root_state().dict(), default=str)
