"""Logging workouts, idempotent retries, history pages and isolation, through HTTP."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.workouts.models import Workout
from tests.factories import auth_headers, make_user, make_workout, post_workout

pytestmark = pytest.mark.anyio


@pytest.fixture
async def headers(db_session: AsyncSession, settings: Settings) -> dict[str, str]:
    return auth_headers(await make_user(db_session), settings)


async def workout_count(db_session: AsyncSession) -> int:
    return (await db_session.exec(select(func.count()).select_from(Workout))).one()


async def test_log_a_workout(client: AsyncClient, headers: dict[str, str]) -> None:
    body = await post_workout(
        client,
        headers,
        class_slug="revitalise-your-spine",
        completed_at="2026-11-23T19:30:00+01:00",
        duration_minutes=30,
        rpe=6,
        pain=2,
        notes="Loose afterwards.",
        exercises=[{"exercise_slug": "glute-bridge", "sets": [{"reps": 12}, {"seconds": 30}]}],
    )
    assert body["class_slug"] == "revitalise-your-spine"
    # Answered in the offset it was sent with, on the day it was for the client.
    assert body["completed_at"] == "2026-11-23T19:30:00+01:00"
    assert body["local_date"] == "2026-11-23"
    assert body["exercises"] == [
        {
            "exercise_slug": "glute-bridge",
            "sets": [
                {"reps": 12, "weight_kg": None, "seconds": None, "rpe": None},
                {"reps": None, "weight_kg": None, "seconds": 30, "rpe": None},
            ],
        }
    ]
    assert body["advisories"] == []
    fetched = await client.get(f"/v1/me/workouts/{body['id']}", headers=headers)
    assert fetched.json() == body


@pytest.mark.parametrize(("pain", "codes"), [(4, []), (5, ["see-physio", "lighten-load"])])
async def test_pain_of_five_or_more_advises(
    client: AsyncClient, headers: dict[str, str], pain: int, codes: list[str]
) -> None:
    body = await post_workout(client, headers, pain=pain)
    assert [advisory["code"] for advisory in body["advisories"]] == codes


async def test_same_key_and_body_replays_without_a_second_row(
    client: AsyncClient, headers: dict[str, str], db_session: AsyncSession
) -> None:
    payload = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 25, "pain": 6}
    keyed = {**headers, "Idempotency-Key": "phone-7f3a"}
    first = await client.post("/v1/me/workouts", json=payload, headers=keyed)
    again = await client.post("/v1/me/workouts", json=payload, headers=keyed)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert await workout_count(db_session) == 1

    other_body = await client.post(
        "/v1/me/workouts", json={**payload, "duration_minutes": 26}, headers=keyed
    )
    assert other_body.status_code == 422
    assert "Idempotency-Key" in other_body.json()["detail"]
    assert await workout_count(db_session) == 1


async def test_keys_are_scoped_to_the_user(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    payload = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 25}
    ids = set()
    for _ in range(2):
        headers = auth_headers(await make_user(db_session), settings)
        response = await client.post(
            "/v1/me/workouts", json=payload, headers={**headers, "Idempotency-Key": "same"}
        )
        ids.add(response.json()["id"])
    assert len(ids) == 2


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"rpe": 11}, 422),
        ({"rpe": 0}, 422),
        ({"pain": -1}, 422),
        ({"pain": 11}, 422),
        ({"duration_minutes": -5}, 422),
        ({"duration_minutes": 0}, 422),
        ({"notes": "x" * 2001}, 422),
        ({"completed_at": "2026-11-23T18:30:00"}, 422),
        ({"completed_at": "yesterday"}, 422),
        ({"class_slug": "no-such-class"}, 422),
        ({"exercises": [{"exercise_slug": "no-such-move", "sets": [{"reps": 1}]}]}, 422),
        ({"exercises": [{"exercise_slug": "squat", "sets": []}]}, 422),
        ({"id": 5}, 422),
        ({"user_id": 5}, 422),
        ({"role": "admin"}, 422),
    ],
)
async def test_bad_workouts_are_refused_and_store_nothing(
    client: AsyncClient,
    headers: dict[str, str],
    db_session: AsyncSession,
    change: dict[str, Any],
    status: int,
) -> None:
    payload = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20, **change}
    response = await client.post("/v1/me/workouts", json=payload, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await workout_count(db_session) == 0


async def test_bad_idempotency_key_is_422(client: AsyncClient, headers: dict[str, str]) -> None:
    payload = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20}
    response = await client.post(
        "/v1/me/workouts", json=payload, headers={**headers, "Idempotency-Key": "x" * 256}
    )
    assert response.status_code == 422


async def test_body_over_one_mebibyte_is_413(client: AsyncClient, headers: dict[str, str]) -> None:
    huge = b'{"notes": "' + b"x" * (1024 * 1024) + b'"}'
    response = await client.post(
        "/v1/me/workouts", content=huge, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_history_pages_newest_first_with_date_filters(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(db_session)
    start = datetime(2026, 10, 1, 7, tzinfo=UTC)
    for day in range(9):
        await make_workout(db_session, user, completed_at=start + timedelta(days=day // 2))
    headers = auth_headers(user, settings)
    seen: list[tuple[str, int]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/me/workouts", params=params, headers=headers)).json()
        seen += [(item["completed_at"], item["id"]) for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 9
    assert seen == sorted(seen, reverse=True)
    window = await client.get(
        "/v1/me/workouts",
        params={"from": "2026-10-02T00:00:00Z", "to": "2026-10-03T00:00:00+00:00"},
        headers=headers,
    )
    assert [item["completed_at"] for item in window.json()["items"]] == [
        "2026-10-02T07:00:00Z",
        "2026-10-02T07:00:00Z",
    ]
    for bad_bound in ("2026-10-02T00:00:00", "2026-13-01", "02/10/2026"):
        bad = await client.get("/v1/me/workouts", params={"from": bad_bound}, headers=headers)
        assert bad.status_code == 422, bad_bound


async def test_delete_then_404(client: AsyncClient, headers: dict[str, str]) -> None:
    created = await post_workout(client, headers)
    path = f"/v1/me/workouts/{created['id']}"
    assert (await client.delete(path, headers=headers)).status_code == 204
    assert (await client.get(path, headers=headers)).status_code == 404
    assert (await client.delete(path, headers=headers)).status_code == 404


async def test_another_users_workouts_are_invisible(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    owner = auth_headers(await make_user(db_session), settings)
    intruder = auth_headers(await make_user(db_session), settings)
    workout = await post_workout(client, owner)
    path = f"/v1/me/workouts/{workout['id']}"
    for method in ("GET", "DELETE"):
        response = await client.request(method, path, headers=intruder)
        assert response.status_code == 404, method
        assert response.json()["detail"] == f"No workout with id '{workout['id']}'."
    assert (await client.get("/v1/me/workouts", headers=intruder)).json()["items"] == []
    assert (await client.get("/v1/me/stats", headers=intruder)).json()["total_sessions"] == 0
    assert (await client.get(path, headers=owner)).status_code == 200


@pytest.mark.parametrize("path", ["/v1/me/workouts", "/v1/me/workouts/1", "/v1/me/stats"])
async def test_workout_routes_need_a_token(client: AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
