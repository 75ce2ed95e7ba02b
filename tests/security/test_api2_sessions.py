"""Sign-in sessions through HTTP: refresh with rotation and reuse detection, sign-out, the
session list, password change."""

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlmodel import col, update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import RefreshToken, User
from app.accounts.sessions import CONCURRENT_REFRESH_GRACE
from app.accounts.throttle import LOGIN_FAILURE_LIMIT
from app.db import utc_now
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.owasp("API2")]


async def sign_in(
    client: AsyncClient, user: User, *, password: str = PASSWORD, device: str = "phone"
) -> dict[str, Any]:
    response = await client.post(
        "/v1/auth/token",
        data={"username": user.email, "password": password},
        headers={"User-Agent": device},
    )
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    return pair


def bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def refresh(client: AsyncClient, refresh_token: str) -> Any:
    return await client.post(
        "/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token}
    )


async def age_retired_tokens(db_session: AsyncSession) -> None:
    """Make every retired refresh token look retired long ago (past the racing grace)."""
    long_ago = utc_now() - CONCURRENT_REFRESH_GRACE - timedelta(seconds=1)
    await db_session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.retired_at).is_not(None))
        .values(retired_at=long_ago)
    )
    await db_session.commit()


async def test_refresh_rotates_the_pair(client: AsyncClient, db_session: AsyncSession) -> None:
    pair = await sign_in(client, await make_user(db_session))
    assert pair["refresh_token"]
    assert pair["expires_in"] == 3600
    rotated = await refresh(client, pair["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    new_pair = rotated.json()
    assert new_pair["refresh_token"] != pair["refresh_token"]
    assert (await client.get("/v1/me", headers=bearer(new_pair))).status_code == 200
    # And the new refresh token rotates in its turn.
    assert (await refresh(client, new_pair["refresh_token"])).status_code == 200


async def test_reused_refresh_token_revokes_the_whole_chain(
    client: AsyncClient, db_session: AsyncSession
) -> None:
    pair = await sign_in(client, await make_user(db_session))
    stolen = pair["refresh_token"]
    legit = (await refresh(client, stolen)).json()
    await age_retired_tokens(db_session)
    replay = await refresh(client, stolen)
    assert replay.status_code == 401
    assert replay.headers["content-type"] == "application/problem+json"
    # Both the thief's and the owner's tokens of that session are dead now.
    assert (await refresh(client, legit["refresh_token"])).status_code == 401
    assert (await client.get("/v1/me", headers=bearer(legit))).status_code == 401
    assert (await client.get("/v1/me", headers=bearer(pair))).status_code == 401


async def test_a_retry_racing_its_own_refresh_does_not_sign_out(
    client: AsyncClient, db_session: AsyncSession
) -> None:
    pair = await sign_in(client, await make_user(db_session))
    winner = (await refresh(client, pair["refresh_token"])).json()
    assert (await refresh(client, pair["refresh_token"])).status_code == 401
    assert (await refresh(client, winner["refresh_token"])).status_code == 200


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"grant_type": "refresh_token", "refresh_token": "made-up"}, 401),
        ({"grant_type": "refresh_token"}, 422),
        ({"grant_type": "client_credentials"}, 422),
        ({"grant_type": "password", "username": "x@example.com"}, 422),
    ],
)
async def test_bad_token_requests(client: AsyncClient, form: dict[str, str], status: int) -> None:
    response = await client.post("/v1/auth/token", data=form)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_expired_refresh_token_is_401(client: AsyncClient, db_session: AsyncSession) -> None:
    pair = await sign_in(client, await make_user(db_session))
    await db_session.exec(update(RefreshToken).values(expires_at=utc_now() - timedelta(seconds=1)))
    await db_session.commit()
    assert (await refresh(client, pair["refresh_token"])).status_code == 401


async def test_logout_kills_the_sessions_tokens_at_once(
    client: AsyncClient, db_session: AsyncSession
) -> None:
    user = await make_user(db_session)
    phone, laptop = await sign_in(client, user), await sign_in(client, user, device="laptop")
    assert (await client.post("/v1/auth/logout", headers=bearer(phone))).status_code == 204
    assert (await client.get("/v1/me", headers=bearer(phone))).status_code == 401
    assert (await refresh(client, phone["refresh_token"])).status_code == 401
    assert (await client.post("/v1/auth/logout", headers=bearer(phone))).status_code == 401
    assert (await client.get("/v1/me", headers=bearer(laptop))).status_code == 200


async def test_sessions_list_and_sign_a_lost_phone_out(
    client: AsyncClient, db_session: AsyncSession
) -> None:
    user = await make_user(db_session)
    phone = await sign_in(client, user, device="Lost Phone/1.0")
    laptop = await sign_in(client, user, device="Laptop/2.0")
    listed = await client.get("/v1/me/sessions", headers=bearer(laptop))
    assert listed.status_code == 200
    mine = {item["user_agent"]: item for item in listed.json()}
    assert {"Lost Phone/1.0", "Laptop/2.0"} <= set(mine)
    assert mine["Laptop/2.0"]["current"] is True
    assert mine["Lost Phone/1.0"]["current"] is False
    assert set(mine["Laptop/2.0"]) == {"id", "user_agent", "created_at", "last_used_at", "current"}
    lost = mine["Lost Phone/1.0"]["id"]
    ended = await client.delete(f"/v1/me/sessions/{lost}", headers=bearer(laptop))
    assert ended.status_code == 204
    assert (await client.get("/v1/me", headers=bearer(phone))).status_code == 401
    assert (await refresh(client, phone["refresh_token"])).status_code == 401
    again = await client.delete(f"/v1/me/sessions/{lost}", headers=bearer(laptop))
    assert again.status_code == 404
    assert (await client.get("/v1/me", headers=bearer(laptop))).status_code == 200


async def test_password_change_ends_every_other_session(
    client: AsyncClient, db_session: AsyncSession
) -> None:
    user = await make_user(db_session)
    here, elsewhere = await sign_in(client, user), await sign_in(client, user, device="tablet")
    change = {"current_password": PASSWORD, "new_password": "battery staple 7"}
    changed = await client.post("/v1/me/password", json=change, headers=bearer(here))
    assert changed.status_code == 204, changed.text
    assert (await client.get("/v1/me", headers=bearer(here))).status_code == 200
    assert (await client.get("/v1/me", headers=bearer(elsewhere))).status_code == 401
    assert (await refresh(client, elsewhere["refresh_token"])).status_code == 401
    await sign_in(client, user, password="battery staple 7")
    old = await client.post("/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert old.status_code == 401


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"current_password": "not my password", "new_password": "battery staple 7"}, 401),
        ({"current_password": PASSWORD, "new_password": "short"}, 422),
        ({"current_password": PASSWORD, "new_password": "password123"}, 422),
        ({"current_password": PASSWORD, "new_password": "QwertyUiop"}, 422),
        ({"new_password": "battery staple 7"}, 422),
    ],
)
async def test_bad_password_changes_change_nothing(
    client: AsyncClient, db_session: AsyncSession, change: dict[str, str], status: int
) -> None:
    user = await make_user(db_session)
    pair = await sign_in(client, user)
    response = await client.post("/v1/me/password", json=change, headers=bearer(pair))
    assert response.status_code == status, response.text
    await sign_in(client, user)  # the old password still works


async def test_breached_passwords_cannot_register(client: AsyncClient) -> None:
    account = {"email": "common@example.com", "password": "1234567890"}
    response = await client.post("/v1/auth/register", json=account)
    assert response.status_code == 422
    assert "breached" in response.text


@pytest.mark.parametrize(("method", "path"), [("POST", "/v1/me/password"), ("DELETE", "/v1/me")])
async def test_a_stolen_token_cannot_guess_the_password(
    client: AsyncClient, db_session: AsyncSession, method: str, path: str
) -> None:
    user = await make_user(db_session)
    pair = await sign_in(client, user)
    body = (
        {"password": "guess"}
        if method == "DELETE"
        else {"current_password": "guess", "new_password": "battery staple 7"}
    )
    statuses = [
        (await client.request(method, path, json=body, headers=bearer(pair))).status_code
        for _ in range(LOGIN_FAILURE_LIMIT + 1)
    ]
    assert statuses == [401] * LOGIN_FAILURE_LIMIT + [429]
