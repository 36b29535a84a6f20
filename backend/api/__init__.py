"""The one Starlette app for webhooks, auth and public endpoints, importable without Reflex.

Reflex mounts itself inside it (`rx.App(api_transformer=backend.api.app)`), so these routes
are matched first. Each area contributes one route module listed in ROUTE_MODULES.
"""

from __future__ import annotations

import importlib

from starlette.applications import Starlette

ROUTE_MODULES = ("backend.api.auth_routes", "backend.api.twilio_routes", "backend.api.scheduling_routes")


def _routes():
    routes = []
    for name in ROUTE_MODULES:
        routes.extend(importlib.import_module(name).ROUTES)
    return routes


app = Starlette(routes=_routes())
