"""Refuses to start a server process with an unsafe configuration."""

from __future__ import annotations

import logging

from backend.config import ConfigurationError, Settings, configuration_problems

log = logging.getLogger(__name__)


def check_startup(settings: Settings) -> None:
    """Raises ConfigurationError for a configuration that must not serve traffic.

    In production every configuration problem is fatal; in dev they are logged. On PostgreSQL a
    superuser, BYPASSRLS or table-owning application role is always fatal: RLS would not apply.
    """
    problems = configuration_problems(settings)
    if settings.is_prod and problems:
        raise ConfigurationError("; ".join(problems))
    for problem in problems:
        log.warning("configuration: %s", problem)
    settings.secret()  # generates the dev secret once, or fails in prod without SECRET_KEY
    if settings.is_postgres:
        from backend.db.engine import engine_for
        from backend.db.postgres import role_problems

        role = role_problems(engine_for(settings.effective_database_url))
        if role:
            raise ConfigurationError("refusing to start: " + "; ".join(role))
