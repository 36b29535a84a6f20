"""The Reflex app: our Starlette routes first (webhooks, auth, public endpoints), then every
page from servicepro_app.routes, behind the auth middleware."""

from __future__ import annotations

import logging

import reflex as rx

import backend.agent.sms_responder  # noqa: F401  (the AI agent answers SMS in this process too)
import backend.api
from backend.config import get_settings
from backend.startup import check_startup
from servicepro_app.auth_middleware import AuthMiddleware
from servicepro_app.routes import ROUTES
from state import live

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
check_startup(get_settings())

app = rx.App(api_transformer=backend.api.app)
app.add_middleware(AuthMiddleware())
live.install(app)  # messaging events -> open inbox/simulator pages of the same tenant

for route in ROUTES:
    app.add_page(route.component, route=route.path, title=f"{route.title} · ServicePro",
                 on_load=list(route.on_load) or None)
