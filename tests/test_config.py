"""Settings: driver mapping, list parsing and the production secret guard."""

import pytest
from pydantic import ValidationError

from app.config import Settings


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u@h:5432/d", "postgresql+asyncpg://u@h:5432/d"),
        ("postgres://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        ("sqlite+aiosqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
    ],
)
def test_plain_urls_map_to_async_drivers(given: str, used: str) -> None:
    assert Settings(database_url=given).database_url == used


def test_default_database_is_sqlite_under_var() -> None:
    settings = Settings()
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.database_url.endswith("/var/backfit.db")


def test_cors_origins_from_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKFIT_CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]


def test_production_refuses_the_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKFIT_ENV", "production")
    with pytest.raises(ValidationError, match="BACKFIT_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("BACKFIT_SECRET_KEY", "short")
    with pytest.raises(ValidationError, match="BACKFIT_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("BACKFIT_SECRET_KEY", "x" * 40)
    assert Settings().env == "production"


def test_no_secret_is_derived_from_the_configuration() -> None:
    # Outside production an unset key stays unset: the database's random key is used instead.
    assert Settings(database_url="sqlite:///a.db").secret_key == ""
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(secret_key="too-short")
