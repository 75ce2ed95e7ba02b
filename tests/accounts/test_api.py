"""Registration, sign-in, tokens and the profile, through HTTP."""

import json

import pytest
from httpx import AsyncClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.config import Settings
from tests.factories import PASSWORD, auth_headers, make_user

pytestmark = pytest.mark.anyio


async def test_register_then_sign_in(client: AsyncClient, db_session: AsyncSession) -> None:
    created = await client.post(
        "/v1/auth/register",
        json={"email": " Sam@Example.com ", "password": "long enough pw", "display_name": "Sam"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["email"] == "sam@example.com"
    assert body["role"] == "user"
    assert body["experience_level"] == "beginner"
    assert body["available_days"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert "password" not in json.dumps(body)
    stored = (await db_session.exec(select(User).where(User.email == "sam@example.com"))).one()
    assert stored.password_hash.startswith("$argon2id$")

    token = await client.post(
        "/v1/auth/token", data={"username": "SAM@example.com", "password": "long enough pw"}
    )
    assert token.status_code == 200
    assert token.json()["token_type"] == "bearer"
    assert token.json()["expires_in"] == 3600
    me = await client.get(
        "/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert me.json()["id"] == body["id"]


async def test_duplicate_email_is_409(client: AsyncClient) -> None:
    payload = {"email": "dup@example.com", "password": "long enough pw"}
    assert (await client.post("/v1/auth/register", json=payload)).status_code == 201
    payload["email"] = "DUP@example.com"
    again = await client.post("/v1/auth/register", json=payload)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "a@example.com", "password": "short"},
        {"email": "not-an-email", "password": "long enough pw"},
        {"email": "a@example.com", "password": "long enough pw", "role": "admin"},
        {"email": "a@example.com", "password": "long enough pw", "id": 1},
        {"email": "a@example.com", "password": "x" * 129},
        {"email": "a@example.com"},
    ],
)
async def test_bad_registrations_are_422(client: AsyncClient, payload: dict[str, object]) -> None:
    response = await client.post("/v1/auth/register", json=payload)
    assert response.status_code == 422
    assert response.json()["errors"]


@pytest.mark.parametrize("email", ["user-that-exists", "nobody@example.com"])
async def test_wrong_credentials_are_401(
    client: AsyncClient, db_session: AsyncSession, email: str
) -> None:
    user = await make_user(db_session)
    username = user.email if email == "user-that-exists" else email
    response = await client.post(
        "/v1/auth/token", data={"username": username, "password": "wrong password"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "Wrong email or password."


async def test_profile_update_changes_only_what_was_sent(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    headers = auth_headers(await make_user(db_session, max_session_minutes=30), settings)
    response = await client.patch(
        "/v1/me",
        json={"experience_level": "advanced", "equipment": ["mat"], "available_days": ["mon"]},
        headers=headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["experience_level"], body["equipment"], body["available_days"]) == (
        "advanced",
        ["mat"],
        ["mon"],
    )
    assert body["max_session_minutes"] == 30
    cleared = await client.patch("/v1/me", json={"max_session_minutes": None}, headers=headers)
    assert cleared.json()["max_session_minutes"] is None
    assert (await client.get("/v1/me", headers=headers)).json()["experience_level"] == "advanced"


@pytest.mark.parametrize(
    "payload",
    [
        {"role": "admin"},
        {"id": 999},
        {"experience_level": None},
        {"experience_level": "guru"},
        {"available_days": ["someday"]},
        {"available_days": []},
        {"max_session_minutes": 0},
        {"back_pain": "sometimes"},
        {"password_hash": "x"},
    ],
)
async def test_bad_profile_updates_are_422(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, payload: dict[str, object]
) -> None:
    user = await make_user(db_session)
    response = await client.patch("/v1/me", json=payload, headers=auth_headers(user, settings))
    assert response.status_code == 422
    assert (await client.get("/v1/me", headers=auth_headers(user, settings))).json()["role"] == (
        "user"
    )


async def test_password_in_form_is_never_logged_back(client: AsyncClient) -> None:
    response = await client.post("/v1/auth/token", data={"username": "x@example.com"})
    assert response.status_code == 422
    assert PASSWORD not in response.text
