"""Errors a form can use: each issue points at its field, with a stable code and plain words."""

from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from tests.factories import auth_headers, make_user

pytestmark = pytest.mark.anyio


def issues(response: Response) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    found: list[dict[str, Any]] = response.json()["errors"]
    return found


def by_pointer(response: Response) -> dict[str, dict[str, Any]]:
    return {issue["pointer"]: issue for issue in issues(response)}


@pytest.fixture
async def headers(db_session: AsyncSession, settings: Settings) -> dict[str, str]:
    return auth_headers(await make_user(db_session), settings)


async def test_body_fields_are_pointed_at_without_the_body_prefix(
    client: AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/me/workouts",
        json={"duration_minutes": 20, "rpe": 11, "surprise": 1, "exercises": [{"sets": []}]},
        headers=headers,
    )
    found = by_pointer(response)
    assert found["#/completed_at"]["code"] == "required"
    assert found["#/completed_at"]["loc"] == ["body", "completed_at"]
    assert found["#/completed_at"]["msg"] == "This field is required."
    assert found["#/rpe"]["code"] == "too_large"
    assert found["#/rpe"]["msg"] == "Must be less than or equal to 10."
    assert found["#/surprise"]["code"] == "unknown_field"
    assert found["#/exercises/0/exercise_slug"]["code"] == "required"
    assert found["#/exercises/0/sets"]["code"] == "too_short"
    assert "completed_at" in response.json()["detail"]
    assert "body." not in response.json()["detail"]


async def test_messages_never_show_a_regular_expression(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register", json={"email": "not-an-email", "password": "long enough pw"}
    )
    (issue,) = issues(response)
    assert issue["pointer"] == "#/email"
    assert issue["code"] == "invalid_format"
    assert issue["msg"] == "Enter an email address, such as sam@example.com."
    assert "^" not in issue["msg"]


async def test_query_parameters_are_pointed_at_by_name(client: AsyncClient) -> None:
    (issue,) = issues(await client.get("/v1/exercises", params={"limit": 0}))
    assert (issue["pointer"], issue["code"], issue["loc"]) == (
        "#/limit",
        "too_small",
        ["query", "limit"],
    )


async def test_broken_json_points_at_the_whole_body(
    client: AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/me/workouts",
        content=b"{not json",
        headers={**headers, "Content-Type": "application/json"},
    )
    (issue,) = issues(response)
    assert (issue["pointer"], issue["code"]) == ("#", "invalid_json")


async def test_an_unknown_class_slug_points_at_class_slug(
    client: AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/me/workouts",
        json={
            "class_slug": "no-such-class",
            "completed_at": "2026-11-23T18:30:00Z",
            "duration_minutes": 20,
        },
        headers=headers,
    )
    (issue,) = issues(response)
    assert (issue["pointer"], issue["code"]) == ("#/class_slug", "unknown_class")
    assert "no-such-class" in issue["msg"]


async def test_a_plan_rule_points_at_the_profile_field_to_change(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/plans/preview",
        json={"week_start": "2026-11-23", "experience_level": "beginner", "equipment": []},
    )
    (issue,) = issues(response)
    assert response.json()["rule"] == "fit"
    assert (issue["pointer"], issue["code"]) == ("#/equipment", "fit")

    too_many = await client.post(
        "/v1/plans/preview",
        json={"week_start": "2026-11-23", "experience_level": "beginner", "sessions_per_week": 4},
    )
    (issue,) = issues(too_many)
    assert (issue["pointer"], issue["code"]) == ("#/sessions_per_week", "frequency")


async def test_an_unknown_exercise_points_at_its_entry(
    client: AsyncClient, headers: dict[str, str], db_session: AsyncSession, settings: Settings
) -> None:
    logged = await client.post(
        "/v1/me/workouts",
        json={
            "completed_at": "2026-11-23T18:30:00Z",
            "duration_minutes": 20,
            "exercises": [
                {"exercise_slug": "glute-bridge", "sets": [{"reps": 10}]},
                {"exercise_slug": "no-such-move", "sets": [{"reps": 10}]},
            ],
        },
        headers=headers,
    )
    (issue,) = issues(logged)
    assert (issue["pointer"], issue["code"]) == ("#/exercises/1/exercise_slug", "unknown_exercise")

    admin = auth_headers(await make_user(db_session, role="admin"), settings)
    step = {"exercise": "glute-bridge", "reps": 5}
    created = await client.post(
        "/v1/classes",
        json={
            "slug": "desk-break",
            "title": "Desk break",
            "difficulty": "easy",
            "duration_minutes": 5,
            "blocks": [
                {"name": "Warm", "kind": "warm_up", "steps": [step]},
                {"name": "Move", "kind": "main", "steps": [step, {**step, "exercise": "nope"}]},
            ],
        },
        headers=admin,
    )
    (issue,) = issues(created)
    assert issue["pointer"] == "#/blocks/1/steps/1/exercise"
