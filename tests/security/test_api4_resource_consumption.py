"""API4: every list is capped, every body is capped at 1 MiB, strings and lists have limits."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from tests.factories import auth_headers, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.owasp("API4")]

ONE_SET = [{"reps": 1}]
LISTS = ["/v1/exercises", "/v1/classes", "/v1/me/workouts", "/v1/me/plans"]
BODIES = [
    ("POST", "/v1/auth/register"),
    ("PATCH", "/v1/me"),
    ("POST", "/v1/me/workouts"),
    ("POST", "/v1/me/plans"),
    ("POST", "/v1/plans/preview"),
    ("POST", "/v1/exercises"),
]


@pytest.fixture
async def headers(db_session: AsyncSession, settings: Settings) -> dict[str, str]:
    return auth_headers(await make_user(db_session, role="admin"), settings)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", [101, 10_000, -1])
async def test_page_size_is_capped(
    client: AsyncClient, headers: dict[str, str], path: str, limit: int
) -> None:
    response = await client.get(path, params={"limit": limit}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize(("method", "path"), BODIES)
async def test_bodies_over_one_mebibyte_are_413(
    client: AsyncClient, headers: dict[str, str], method: str, path: str
) -> None:
    oversized = b'{"notes": "' + b"x" * (1024 * 1024) + b'"}'
    response = await client.request(
        method, path, content=oversized, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413


async def test_streamed_body_without_length_is_cut_at_the_limit(
    client: AsyncClient, headers: dict[str, str]
) -> None:
    async def chunks() -> Any:
        for _ in range(17):
            yield b"x" * 65536

    response = await client.post(
        "/v1/me/workouts", content=chunks(), headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/me/workouts", {"notes": "x" * 2001}),
        ("/v1/me/workouts", {"exercises": [{"exercise_slug": "squat", "sets": ONE_SET}] * 101}),
        ("/v1/me/workouts", {"exercises": [{"exercise_slug": "squat", "sets": ONE_SET * 51}]}),
        ("/v1/auth/register", {"email": "a@example.com", "password": "x" * 129}),
        ("/v1/auth/register", {"email": "a" * 250 + "@example.com", "password": "long enough pw"}),
    ],
)  # fmt: skip
async def test_strings_and_lists_are_capped(
    client: AsyncClient, headers: dict[str, str], path: str, body: dict[str, Any]
) -> None:
    base = {"completed_at": "2026-11-02T10:00:00Z", "duration_minutes": 5}
    payload = {**base, **body} if path.endswith("workouts") else body
    response = await client.post(path, json=payload, headers=headers)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("path", "params"),
    [("/v1/exercises", {"q": "x" * 101}), ("/v1/classes", {"equipment": "mat," * 200})],
)
async def test_query_strings_are_capped(
    client: AsyncClient, path: str, params: dict[str, str]
) -> None:
    assert (await client.get(path, params=params)).status_code == 422
