"""Values no store can hold are refused the same way on both, before the database.

Integers past the id range in a cursor or a token's subject, NUL characters in any text, and
emails with control characters: SQLite once overflowed (500), stored NULs PostgreSQL refuses,
and registered emails nobody could sign in with.
"""

from datetime import timedelta

import jwt
import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.security import TOKEN_ALGORITHM
from app.config import Settings
from app.db import utc_now
from app.pagination import encode_cursor
from tests.factories import auth_headers, make_user

pytestmark = pytest.mark.anyio

PASSWORD = "long enough pw"


def assert_problem(response_status: int, content_type: str, expected: int) -> None:
    assert response_status == expected
    assert content_type == "application/problem+json"


@pytest.mark.parametrize("workout_id", [2**63, 2**63 - 1, 2**31, -(2**63) - 1])
async def test_a_cursor_past_the_id_range_is_a_422(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, workout_id: int
) -> None:
    headers = auth_headers(await make_user(db_session), settings)
    cursor = encode_cursor(["2026-11-23T18:30:00+00:00", workout_id])
    response = await client.get("/v1/me/workouts", params={"cursor": cursor}, headers=headers)
    assert_problem(response.status_code, response.headers["content-type"], 422)


@pytest.mark.parametrize("subject", ["1" * 30, str(2**63), "-1", "0", " 7", "\u0661"])
async def test_a_token_naming_no_possible_user_is_a_401(
    client: AsyncClient, settings: Settings, subject: str
) -> None:
    now = utc_now()
    claims = {"sub": subject, "iat": now, "exp": now + timedelta(minutes=5)}
    token = jwt.encode(claims, settings.secret_key, algorithm=TOKEN_ALGORITHM)
    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response.status_code, response.headers["content-type"], 401)


@pytest.mark.parametrize(
    "email", ["nul\x00@example.com", "\x1cuser@example.com", "us\x1fer@example.com", "a\x7f@b.co"]
)
async def test_emails_with_control_characters_are_refused(client: AsyncClient, email: str) -> None:
    response = await client.post("/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert_problem(response.status_code, response.headers["content-type"], 422)


async def test_nul_in_workout_notes_is_a_422(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    headers = auth_headers(await make_user(db_session), settings)
    body = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20, "notes": "a\x00b"}
    response = await client.post("/v1/me/workouts", json=body, headers=headers)
    assert_problem(response.status_code, response.headers["content-type"], 422)
    listed = await client.get("/v1/me/workouts", headers=headers)
    assert listed.json()["items"] == []


@pytest.mark.parametrize("path", ["/v1/exercises", "/v1/classes"])
async def test_nul_in_a_search_is_a_422(client: AsyncClient, path: str) -> None:
    response = await client.get(path, params={"q": "\x00"})
    assert_problem(response.status_code, response.headers["content-type"], 422)


async def test_nul_in_a_sign_in_is_a_422(client: AsyncClient) -> None:
    form = {"username": "someone\x00@example.com", "password": PASSWORD}
    response = await client.post("/v1/auth/token", data=form)
    assert_problem(response.status_code, response.headers["content-type"], 422)
