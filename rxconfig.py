"""Reflex configuration, derived from backend.config settings (one source of truth)."""

from urllib.parse import urlparse

import reflex as rx

from backend.config import get_settings

_settings = get_settings()


def _origin(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}"


config = rx.Config(
    app_name="servicepro_app",
    api_url=_settings.servicepro_api_url,
    deploy_url=_settings.servicepro_public_url,
    # Explicit origins: the default "*" with credentials would echo any Origin.
    cors_allowed_origins=sorted({_origin(_settings.servicepro_public_url), _origin(_settings.servicepro_api_url)}),
    redis_url=_settings.redis_url or None,
    state_manager_mode="redis" if _settings.redis_url else "disk",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal", gray_color="slate", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
