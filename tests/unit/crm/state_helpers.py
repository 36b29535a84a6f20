"""Helpers to drive the CRM, quote and invoice states without a browser: a state tree signed in
as a StaffContext (what the auth middleware sets after checking the cookie), on a given page URL."""

from __future__ import annotations

import reflex as rx
from reflex.istate.data import RouterData

from backend.auth.context import StaffContext
from tests.state_harness import call, state_for

__all__ = ["call", "on_page", "page_state"]


def on_page(state: rx.State, url: str) -> rx.State:
    """Points the state tree at a page URL ("/customers/<id>?q=x"), as a navigation would."""
    path = url.split("?", 1)[0]
    state._get_root_state().router = RouterData.from_router_data(
        {"pathname": path, "asPath": url, "headers": {"origin": "https://servicepro.test"}}
    )
    return state


def page_state(cls: type[rx.State], ctx: StaffContext | None, url: str = "/") -> rx.State:
    """Returns a fresh `cls` state signed in as `ctx` on page `url`."""
    return on_page(state_for(cls, ctx), url)
