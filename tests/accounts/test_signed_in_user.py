"""The signed-in user as a deployed app loads it (its own engine, no test session holding the
user already): edits to it are saved, and signing out takes effect on the next request."""

import pytest
from httpx import ASGITransport, AsyncClient

from app.config import Settings
from app.main import create_app
from tests.conftest import migrate

pytestmark = pytest.mark.anyio


@pytest.fixture
def migrated_url(scratch_database_url: str) -> str:
    migrate(scratch_database_url)
    return scratch_database_url


async def test_the_loaded_user_is_saved_when_edited_and_gone_after_sign_out(
    migrated_url: str,
) -> None:
    app = create_app(Settings(database_url=migrated_url, env="test"))
    account = {"email": "loaded.user@example.com", "password": "correct horse battery"}
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.post("/v1/auth/register", json=account)).status_code == 201
        token = await client.post(
            "/v1/auth/token", data={"username": account["email"], "password": account["password"]}
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        edited = await client.patch("/v1/me", json={"time_zone": "Europe/Paris"}, headers=headers)
        assert edited.status_code == 200, edited.text
        feed = await client.get("/v1/me/calendar", headers=headers)
        assert feed.status_code == 200, feed.text
        me = (await client.get("/v1/me", headers=headers)).json()
        assert (me["time_zone"], me["email"]) == ("Europe/Paris", account["email"])
        assert (await client.get("/v1/me/calendar", headers=headers)).json() == feed.json()
        assert (await client.post("/v1/auth/logout", headers=headers)).status_code == 204
        assert (await client.get("/v1/me", headers=headers)).status_code == 401
    await app.state.engine.dispose()
