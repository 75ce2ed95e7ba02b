"""The account's lifecycle (GDPR): export everything, delete everything, ids never reused."""

from typing import Any

import pytest
import sqlalchemy as sa
from httpx import AsyncClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import SignInThrottle, User
from app.accounts.throttle import throttle_keys
from app.config import Settings
from app.models import metadata
from tests.factories import PASSWORD, auth_headers, make_user, post_workout

pytestmark = pytest.mark.anyio


async def make_history(client: AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    plan = await client.post("/v1/me/plans", json={"week_start": "2026-11-23"}, headers=headers)
    assert plan.status_code == 201, plan.text
    workout = await post_workout(client, headers, notes="felt good", pain=2)
    feed = await client.get("/v1/me/calendar", headers=headers)
    assert feed.status_code == 200
    return {"plan": plan.json(), "workout": workout, "feed": feed.json()["url"]}


async def rows_of(db_session: AsyncSession, user_id: int) -> dict[str, int]:
    """How many rows each table holding a user_id column keeps for ``user_id``."""
    counts = {}
    for table in metadata.sorted_tables:
        column = table.c.get("user_id") if table.name != "user" else table.c.id
        if column is not None:
            query = sa.select(sa.func.count()).select_from(table).where(column == user_id)
            counts[table.name] = (await db_session.exec(query)).one()[0]  # type: ignore[call-overload]
    return counts


async def test_export_holds_everything_but_secrets(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(db_session, display_name="Sam", equipment=["mat"])
    headers = auth_headers(user, settings)
    history = await make_history(client, headers)
    response = await client.get("/v1/me/export", headers=headers)
    assert response.status_code == 200
    exported = response.json()
    assert exported["account"]["email"] == user.email
    assert exported["account"]["display_name"] == "Sam"
    assert [row["notes"] for row in exported["workout"]] == ["felt good"]
    assert [row["id"] for row in exported["plan"]] == [history["plan"]["id"]]
    planned = {session["id"] for session in history["plan"]["sessions"]}
    assert {row["id"] for row in exported["planned_session"]} == planned
    assert [row["user_agent"] for row in exported["sign_in"]] == ["factory"]
    text = response.text
    for secret in ("password_hash", "token_hash", "$argon2", history["feed"].rsplit("/")[-1][:-4]):
        assert secret not in text
    # Someone else's export holds none of it.
    other = await client.get(
        "/v1/me/export", headers=auth_headers(await make_user(db_session), settings)
    )
    assert "felt good" not in other.text


async def test_delete_removes_every_row_and_frees_the_email(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(db_session, equipment=["mat"])
    assert user.id is not None
    headers = auth_headers(user, settings)
    await make_history(client, headers)
    await client.post("/v1/auth/token", data={"username": user.email, "password": "wrong guess!"})
    account_key = throttle_keys(email=user.email, client_address="")["account"]
    assert await db_session.get(SignInThrottle, account_key) is not None
    before = await rows_of(db_session, user.id)
    assert before["workout"] == before["plan"] == 1
    wrong = await client.request("DELETE", "/v1/me", json={"password": "not it"}, headers=headers)
    assert wrong.status_code == 401
    assert (await rows_of(db_session, user.id)) == before
    gone = await client.request("DELETE", "/v1/me", json={"password": PASSWORD}, headers=headers)
    assert gone.status_code == 204, gone.text
    assert set((await rows_of(db_session, user.id)).values()) == {0}
    remaining = await db_session.exec(
        select(SignInThrottle.key).where(SignInThrottle.key == account_key)
    )
    assert remaining.first() is None
    assert (await client.get("/v1/me", headers=headers)).status_code == 401
    again = await client.post("/v1/auth/register", json={"email": user.email, "password": PASSWORD})
    assert again.status_code == 201
    # Ids are never handed out twice, so nothing the old account held can name the new one.
    assert again.json()["id"] > user.id
    assert (await client.get("/v1/me", headers=headers)).status_code == 401


@pytest.mark.parametrize("body", [{}, {"password": ""}, {"password": PASSWORD, "extra": 1}])
async def test_delete_needs_the_password(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, body: dict[str, Any]
) -> None:
    user = await make_user(db_session)
    response = await client.request(
        "DELETE", "/v1/me", json=body, headers=auth_headers(user, settings)
    )
    assert response.status_code == 422
    assert await db_session.get(User, user.id) is not None


async def test_ids_of_deleted_rows_are_never_reused(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(db_session)
    headers = auth_headers(user, settings)
    workout = await post_workout(client, headers)
    assert (
        await client.delete(f"/v1/me/workouts/{workout['id']}", headers=headers)
    ).status_code == 204
    assert (await post_workout(client, headers))["id"] > workout["id"]
    await db_session.delete(user)
    await db_session.commit()
    assert (await make_user(db_session)).id > user.id  # type: ignore[operator]
