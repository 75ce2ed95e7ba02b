"""Typed settings read from the environment (prefix ``BACKFIT_``)."""

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _secret_for_development(database_url: str) -> str:
    """A signing key for development and tests: the same for every worker on one database,
    so tokens survive restarts, and never accepted in production (see the validator)."""
    return hashlib.sha256(f"backfit-development:{database_url}".encode()).hexdigest()


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
    # Unset outside production: derived from the database URL (see _secret_for_development).
    secret_key: str = ""
    access_token_minutes: int = Field(default=60, ge=1, le=60 * 24 * 30)
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
    def _real_secret_in_production(self) -> "Settings":
        # A forgotten secret in production would let anyone mint tokens: refuse to start.
        if self.env == "production" and len(self.secret_key) < 32:
            raise ValueError(
                "BACKFIT_SECRET_KEY must be set to a random value of at least 32 characters "
                "when BACKFIT_ENV=production"
            )
        if not self.secret_key:
            self.secret_key = _secret_for_development(self.database_url)
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
