"""Who is signed in, as a deployed app finds out: the user loaded on its own engine (no test
session holding it already) is saved when edited and gone after sign-out; access tokens are
checked once per process but still expire on time."""

import time
from datetime import datetime, tzinfo

import jwt
import pytest
from httpx import ASGITransport, AsyncClient

from app.accounts.security import session_from_token
from app.config import Settings
from app.main import create_app
from tests.conftest import migrate
from tests.factories import signed_up

pytestmark = pytest.mark.anyio


@pytest.fixture
def migrated_url(scratch_database_url: str) -> str:
    migrate(scratch_database_url)
    return scratch_database_url


async def test_the_loaded_user_is_saved_when_edited_and_gone_after_sign_out(
    migrated_url: str,
) -> None:
    app = create_app(Settings(database_url=migrated_url, env="test"))
    email = "loaded.user@example.com"
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        headers = await signed_up(client, email)
        edited = await client.patch("/v1/me", json={"time_zone": "Europe/Paris"}, headers=headers)
        assert edited.status_code == 200, edited.text
        feed = await client.get("/v1/me/calendar", headers=headers)
        assert feed.status_code == 200, feed.text
        me = (await client.get("/v1/me", headers=headers)).json()
        assert (me["time_zone"], me["email"]) == ("Europe/Paris", email)
        assert (await client.get("/v1/me/calendar", headers=headers)).json() == feed.json()
        assert (await client.post("/v1/auth/logout", headers=headers)).status_code == 204
        assert (await client.get("/v1/me", headers=headers)).status_code == 401
    await app.state.engine.dispose()


def test_a_token_checked_once_still_expires_on_time(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "a signing key for this test only, long enough"
    now = time.time()
    token = jwt.encode({"sub": "7", "sid": "3", "exp": int(now) + 60}, key, algorithm="HS256")
    assert session_from_token(token, key) == (7, 3)
    monkeypatch.setattr(time, "time", lambda: now + 61)
    assert session_from_token(token, key) is None


def test_a_token_refused_once_is_checked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "a signing key for this test only, long enough"
    now = time.time()
    # Issued by a replica whose clock runs 30 s ahead: not yet valid here, then valid.
    claims = {"sub": "7", "sid": "3", "iat": int(now) + 30, "exp": int(now) + 600}
    token = jwt.encode(claims, key, algorithm="HS256")
    assert session_from_token(token, key) is None

    class Later(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> "Later":
            return cls.fromtimestamp(now + 31, tz)

    monkeypatch.setattr(time, "time", lambda: now + 31)
    monkeypatch.setattr(jwt.api_jwt, "datetime", Later)
    assert session_from_token(token, key) == (7, 3)
