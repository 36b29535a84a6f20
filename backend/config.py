"""Runtime configuration for every process (Reflex server, workers, CLI, tests).

Values come from the environment and an optional `.env` file. The embedded default needs no
configuration at all: SQLite under `data/`, offline providers, a dev secret generated once.
"""

from __future__ import annotations

import functools
import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """Raised when the process must not start with the current configuration."""


class Settings(BaseSettings):
    """All settings; names match the environment variables (case-insensitive)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    servicepro_env: Literal["dev", "test", "prod"] = "dev"
    data_dir: Path = PROJECT_ROOT / "data"

    # Application role connection. On PostgreSQL this role must not own the tables, must not be
    # superuser and must not have BYPASSRLS (checked at start-up).
    database_url: str = ""
    # Owner connection used for migrations only; defaults to DATABASE_URL.
    database_owner_url: str = ""
    db_app_role: str = "servicepro_app"

    redis_url: str = ""
    # The URL customers and Twilio reach (prod: the single Reflex port).
    servicepro_public_url: str = "http://localhost:3000"
    # Where the backend (events, webhooks, auth routes) listens; same as the public URL in prod.
    servicepro_api_url: str = "http://localhost:8000"
    secret_key: SecretStr | None = None

    sms_provider: Literal["simulator", "twilio"] = "simulator"
    llm_provider: Literal["rules", "openai"] = "rules"
    payments_provider: Literal["manual", "stripe"] = "manual"
    email_provider: Literal["outbox", "smtp"] = "outbox"

    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    openai_base_url: str = ""
    openai_model: str = "gpt-4o-mini"
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = "ServicePro <no-reply@servicepro.local>"

    # Huey worker: run tasks inline (tests, CLI) instead of through a consumer.
    jobs_immediate: bool = False
    sms_rate_per_second: float = Field(default=1.0, gt=0)

    @property
    def is_prod(self) -> bool:
        return self.servicepro_env == "prod"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'servicepro.db'}"

    @property
    def effective_owner_url(self) -> str:
        return self.database_owner_url or self.effective_database_url

    @property
    def is_postgres(self) -> bool:
        return self.effective_database_url.startswith("postgresql")

    @property
    def public_url_is_https(self) -> bool:
        return urlparse(self.servicepro_public_url).scheme == "https"

    def secret(self) -> str:
        """Returns the signing/encryption secret; dev generates one into data/ once."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        if self.is_prod:
            raise ConfigurationError("SECRET_KEY is required in production.")
        path = self.data_dir / ".secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def twilio_platform_token(self) -> str:
        """Returns the platform Twilio auth token; the simulator uses a derived dev token."""
        if self.twilio_auth_token is not None and self.twilio_auth_token.get_secret_value():
            return self.twilio_auth_token.get_secret_value()
        if self.sms_provider == "twilio":
            raise ConfigurationError("TWILIO_AUTH_TOKEN is required when SMS_PROVIDER=twilio.")
        import hashlib

        return hashlib.sha256(f"simulator-twilio:{self.secret()}".encode()).hexdigest()[:32]


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forgets cached settings (tests change the environment between runs)."""
    get_settings.cache_clear()


def configuration_problems(settings: Settings | None = None) -> list[str]:
    """Lists everything that would stop this configuration from working, for `cli check`."""
    s = settings or get_settings()
    problems: list[str] = []
    if s.is_prod:
        if s.secret_key is None or len(s.secret_key.get_secret_value()) < 32:
            problems.append("SECRET_KEY must be set to at least 32 characters in production.")
        if not s.is_postgres:
            problems.append("Production needs DATABASE_URL=postgresql+psycopg://...")
        if not s.public_url_is_https:
            problems.append("SERVICEPRO_PUBLIC_URL must be https in production.")
    url = s.effective_database_url
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        problems.append(f"DATABASE_URL must be sqlite:/// or postgresql+psycopg://, got {url!r}.")
    if url.startswith("postgresql") and not url.startswith("postgresql+psycopg"):
        problems.append("Use the psycopg 3 driver: postgresql+psycopg://...")
    if s.sms_provider == "twilio" and not (s.twilio_auth_token and s.twilio_account_sid):
        problems.append("SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")
    if s.llm_provider == "openai" and not (s.openai_api_key or s.openai_base_url):
        problems.append("LLM_PROVIDER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL).")
    if s.payments_provider == "stripe" and not (s.stripe_secret_key and s.stripe_webhook_secret):
        problems.append("PAYMENTS_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET.")
    if s.email_provider == "smtp" and not s.smtp_host:
        problems.append("EMAIL_PROVIDER=smtp needs SMTP_HOST.")
    for name in ("servicepro_public_url", "servicepro_api_url"):
        parsed = urlparse(getattr(s, name))
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            problems.append(f"{name.upper()} must be an absolute http(s) URL.")
    return problems
