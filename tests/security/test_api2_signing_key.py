"""API2: no token-signing key can be derived from the configuration; the database's random key
is the same for every process on one database and different for every database."""

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import SigningKey
from app.config import PROJECT_ROOT, Settings
from app.db import utc_now
from app.main import create_app
from tests.conftest import migrate
from tests.factories import make_user, sign_in_id_of

pytestmark = [pytest.mark.anyio, pytest.mark.owasp("API2")]


@pytest.fixture
async def default_configured_client(
    settings: Settings, joined_sessions: Callable[[], AsyncSession]
) -> AsyncIterator[AsyncClient]:
    """The app as configured out of the box: no BACKFIT_SECRET_KEY, development."""
    app = create_app(Settings(database_url=settings.database_url, env="development"))
    app.state.sessionmaker = joined_sessions
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


def derivable_keys(settings: Settings) -> list[str]:
    """Every key someone could compute from the default configuration and the code."""
    urls = {Settings(env="development").database_url, settings.database_url}
    urls |= {url.replace("+aiosqlite", "").replace("+asyncpg", "") for url in urls}
    words = ["", "secret", "changeme", "backfit", "development", "test", str(PROJECT_ROOT)]
    derived = [
        hashlib.sha256(f"{prefix}{url}".encode()).hexdigest()
        for url in urls
        for prefix in ("backfit-development:", "backfit:", "")
    ]
    return [*words, *urls, *derived]


def _segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def token(key: str, *, user_id: int, sign_in_id: int) -> str:
    """An HS256 JWT signed by hand: PyJWT refuses the empty and the short keys we try."""
    expires = int((utc_now() + timedelta(minutes=5)).timestamp())
    claims = {"sub": str(user_id), "sid": str(sign_in_id), "exp": expires}
    signed = ".".join(
        _segment(json.dumps(part).encode()) for part in ({"alg": "HS256", "typ": "JWT"}, claims)
    )
    signature = hmac.new(key.encode(), signed.encode(), hashlib.sha256).digest()
    return f"{signed}.{_segment(signature)}"


async def test_tokens_signed_with_any_derivable_key_are_401(
    default_configured_client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(db_session)
    assert user.id is not None
    ids = {"user_id": user.id, "sign_in_id": sign_in_id_of(user)}
    for key in derivable_keys(settings):
        headers = {"Authorization": f"Bearer {token(key, **ids)}"}
        response = await default_configured_client.get("/v1/me", headers=headers)
        assert response.status_code == 401, key
    # The database's random key does sign tokens this service accepts: the test can fail.
    stored = (await db_session.exec(select(SigningKey.key))).one()
    headers = {"Authorization": f"Bearer {token(stored, **ids)}"}
    assert (await default_configured_client.get("/v1/me", headers=headers)).status_code == 200


def stored_key(database_url: str) -> str:
    async def read() -> str:
        engine = create_async_engine(database_url, poolclass=NullPool)
        async with engine.connect() as connection:
            key = (await connection.execute(text("SELECT key FROM signing_key"))).scalar_one()
        await engine.dispose()
        return str(key)

    return asyncio.run(read())


def test_the_key_is_random_per_database_and_kept(
    database_url: str, scratch_database_url: str
) -> None:
    ours = stored_key(database_url)
    migrate(scratch_database_url)
    theirs = stored_key(scratch_database_url)
    assert len(ours) >= 64
    assert len(theirs) >= 64
    assert theirs != ours
    migrate(scratch_database_url)  # at head already: the key stays
    assert stored_key(scratch_database_url) == theirs
