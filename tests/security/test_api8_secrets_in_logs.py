"""API8: a database error is logged without the values the statement carried (emails,
password hashes, tokens), and no log line of a sign-in carries a token or a password."""

import asyncio
import contextlib
import logging

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.config import Settings
from app.log import JsonFormatter, logging_config
from app.main import create_app
from tests.conftest import migrate

pytestmark = pytest.mark.owasp("API8")

EMAIL = "leaky@example.com"
PASSWORD = "a secret of mine 42"


def refuse_new_users(database_url: str) -> None:
    """Make every INSERT into "user" fail inside the database, as a read-only store would."""
    if database_url.startswith("sqlite"):
        statements = [
            # RAISE() would read as a constraint (409): fail the way a broken store does.
            'CREATE TRIGGER refuse_users BEFORE INSERT ON "user" '
            "BEGIN INSERT INTO the_store_refuses_writes VALUES (1); END"
        ]
    else:
        statements = [
            "CREATE FUNCTION refuse_users() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN INSERT INTO the_store_refuses_writes VALUES (1); END $$",
            'CREATE TRIGGER refuse_users BEFORE INSERT ON "user" '
            "FOR EACH ROW EXECUTE FUNCTION refuse_users()",
        ]

    async def run() -> None:
        engine = create_async_engine(database_url, poolclass=NullPool)
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
        await engine.dispose()

    asyncio.run(run())


async def register_and_sign_in(settings: Settings) -> tuple[int, int]:
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        account = {"email": EMAIL, "password": PASSWORD}
        registered = await client.post("/v1/auth/register", json=account)
        signed_in = await client.post(
            "/v1/auth/token", data={"username": EMAIL, "password": PASSWORD}
        )
    await app.state.engine.dispose()
    return registered.status_code, signed_in.status_code


def test_a_failing_write_logs_no_values(
    scratch_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    migrate(scratch_database_url)
    refuse_new_users(scratch_database_url)
    settings = Settings(database_url=scratch_database_url, env="test")
    # The service's own logger levels, at the most talkative setting it offers.
    quieted = logging_config("debug")["loggers"]
    with contextlib.ExitStack() as levels:
        levels.enter_context(caplog.at_level(logging.DEBUG))
        for name, options in quieted.items():
            if "level" in options:
                levels.enter_context(caplog.at_level(options["level"], logger=name))
        registered, signed_in = asyncio.run(register_and_sign_in(settings))
    assert registered == 500
    assert signed_in == 401
    lines = [JsonFormatter().format(record) for record in caplog.records]
    failure = [line for line in lines if "unhandled error" in line]
    assert len(failure) == 1
    assert "the_store_refuses_writes" in failure[0]  # the cause is still there
    for line in lines:
        for secret in (EMAIL, PASSWORD, "$argon2", "parameters:"):
            assert secret not in line, line
