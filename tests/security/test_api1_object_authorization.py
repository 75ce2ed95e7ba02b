"""API1: user B is refused every one of user A's objects, on every route that takes an id."""

from datetime import date
from typing import Any

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.main import create_app
from tests.factories import auth_headers, make_user, post_workout, sign_in_id_of

pytestmark = [pytest.mark.anyio, pytest.mark.owasp("API1")]


def owned_object_routes() -> list[tuple[str, str]]:
    """Every (method, path) under /v1/me that names an object by id."""
    paths = create_app().openapi()["paths"]
    return sorted(
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/v1/me/") and "{" in path
        for method in operations
    )


@pytest.fixture
async def victim(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> dict[str, Any]:
    user = await make_user(db_session, experience_level="beginner", equipment=["mat"])
    headers = auth_headers(user, settings)
    plan = (
        await client.post("/v1/me/plans", json={"week_start": "2026-11-02"}, headers=headers)
    ).json()
    workout = await post_workout(client, headers, pain=7, notes="private note")
    return {
        "headers": headers,
        "plan": plan,
        "workout": workout,
        "sign_in_id": sign_in_id_of(user),
    }


@pytest.mark.parametrize(("method", "path"), owned_object_routes())
async def test_another_users_object_is_404(
    client: AsyncClient,
    db_session: AsyncSession,
    settings: Settings,
    victim: dict[str, Any],
    method: str,
    path: str,
) -> None:
    intruder = auth_headers(await make_user(db_session), settings)
    ids = {
        "workout_id": victim["workout"]["id"],
        "plan_id": victim["plan"]["id"],
        "sign_in_id": victim["sign_in_id"],
    }
    url = path.format(**ids)
    response = await client.request(method, url, headers=intruder, json={})
    assert response.status_code == 404, (method, url, response.text)
    assert "private note" not in response.text
    # The owner still has it, untouched.
    if method == "GET":
        assert (await client.get(url, headers=victim["headers"])).status_code == 200
    assert (await client.get("/v1/me", headers=victim["headers"])).status_code == 200


@pytest.mark.parametrize("path", ["/v1/me/workouts", "/v1/me/plans", "/v1/me/stats", "/v1/me"])
async def test_lists_leak_nothing_of_others(
    client: AsyncClient,
    db_session: AsyncSession,
    settings: Settings,
    victim: dict[str, Any],
    path: str,
) -> None:
    intruder = await make_user(db_session)
    response = await client.get(path, headers=auth_headers(intruder, settings))
    assert response.status_code == 200
    assert "private note" not in response.text
    if path == "/v1/me/stats":
        assert response.json()["total_sessions"] == 0
    elif path != "/v1/me":
        assert response.json()["items"] == []


async def test_linking_another_users_planned_session_is_404(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, victim: dict[str, Any]
) -> None:
    intruder = auth_headers(await make_user(db_session), settings)
    session_id = victim["plan"]["sessions"][0]["id"]
    response = await client.post(
        "/v1/me/workouts",
        json={
            "completed_at": f"{date(2026, 11, 2)}T10:00:00Z",
            "duration_minutes": 10,
            "plan_session_id": session_id,
        },
        headers=intruder,
    )
    assert response.status_code == 404
    mine = await client.get(f"/v1/me/plans/{victim['plan']['id']}", headers=victim["headers"])
    assert mine.json()["sessions"][0]["status"] == "planned"


def test_every_owned_route_is_in_the_matrix() -> None:
    assert {path for _, path in owned_object_routes()} == {
        "/v1/me/workouts/{workout_id}",
        "/v1/me/plans/{plan_id}",
        "/v1/me/plans/{plan_id}.ics",
        "/v1/me/plans/{plan_id}/replan",
        "/v1/me/sessions/{sign_in_id}",
    }
