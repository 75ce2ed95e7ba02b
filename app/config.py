"""Typed settings read from the environment (prefix ``BACKFIT_``)."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def normalise_database_url(url: str) -> str:
    """Map plain ``postgresql://`` and ``sqlite:///`` URLs to the async drivers we ship."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql+psycopg://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url.removeprefix(plain)
    return url


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="BACKFIT_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'backfit.db'}"
    database_pool_size: int = Field(default=10, ge=1, le=200)
    # Unset outside production: the random key the migration stored in the database is used
    # (app/accounts/keys.py), so every worker and replica of one database shares it.
    secret_key: str = ""
    access_token_minutes: int = Field(default=60, ge=1, le=60 * 24 * 30)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    # smtp://host:25, smtp+starttls://user:pass@host:587 or smtps://user:pass@host:465.
    smtp_url: str = ""
    mail_from: str = "Backfit <no-reply@backfit.invalid>"
    cors_origins: Annotated[list[str], NoDecode] = []
    seed_dir: Path = PROJECT_ROOT / "seed"
    docs_enabled: bool = True
    host: str = "127.0.0.1"
    # Proxies whose X-Forwarded-For is believed (client addresses feed sign-in throttling).
    forwarded_allow_ips: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1, le=64)
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        return normalise_database_url(url)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _real_secret(self) -> "Settings":
        # A forgotten secret in production would let anyone mint tokens: refuse to start. A
        # short one given anywhere is as guessable, so it is refused everywhere.
        if self.env == "production" and not self.secret_key:
            raise ValueError(
                "BACKFIT_SECRET_KEY must be set to a random value of at least 32 characters "
                "when BACKFIT_ENV=production"
            )
        if self.secret_key and len(self.secret_key) < 32:
            raise ValueError("BACKFIT_SECRET_KEY must be a random value of at least 32 characters")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
