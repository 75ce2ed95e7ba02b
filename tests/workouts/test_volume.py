"""Per-set RPE is logged and read back; stats count hard sets per muscle per week."""

from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.db import utc_now
from app.weeks import monday_of
from tests.factories import auth_headers, make_user

pytestmark = pytest.mark.anyio


def sets(*rpes: int | None) -> list[dict[str, int]]:
    return [{"reps": 8, "weight_kg": 60} | ({} if rpe is None else {"rpe": rpe}) for rpe in rpes]


async def test_hard_sets_per_muscle_per_week(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    headers = auth_headers(await make_user(db_session), settings)
    monday = datetime.combine(monday_of(utc_now().date()), datetime.min.time(), tzinfo=UTC)
    last_week = monday - timedelta(days=5)
    workouts = [
        # This week: 2 hard deadlift sets (RPE 7 and 9), 1 easy; 2 hard rows via the workout RPE.
        (monday + timedelta(minutes=1), None, [("deadlift", sets(7, 9, 6)), ("dips", sets(5))]),
        (monday + timedelta(minutes=2), 8, [("bent-over-row", sets(None, None))]),
        # A mobility exercise never counts, however hard it felt.
        (monday + timedelta(minutes=3), None, [("cat-cow", sets(10))]),
        # Last week: 3 hard pull-up sets; one with no RPE at all does not count.
        (last_week, None, [("pull-ups", sets(8, 8, 8, None))]),
    ]
    for completed_at, rpe, exercises in workouts:
        body = {
            "completed_at": completed_at.isoformat(),
            "duration_minutes": 40,
            "exercises": [{"exercise_slug": slug, "sets": logged} for slug, logged in exercises],
        } | ({} if rpe is None else {"rpe": rpe})
        response = await client.post("/v1/me/workouts", json=body, headers=headers)
        assert response.status_code == 201, response.text
    assert response.json()["exercises"][0]["sets"][0]["rpe"] == 8

    stats = (await client.get("/v1/me/stats", params={"weeks": 2}, headers=headers)).json()
    previous, current = (week["hard_sets"] for week in stats["weeks"])
    assert previous == {"lats": 3, "upper-back": 3, "biceps": 3, "forearms": 3}
    deadlift = {"lower-back", "glutes", "hamstrings", "quadriceps", "traps", "forearms"}
    row = {"lats", "upper-back", "rhomboids", "rear-delts", "biceps"}
    expected = dict.fromkeys(deadlift | row, 0)
    for muscle in deadlift:
        expected[muscle] += 2
    for muscle in row:
        expected[muscle] += 2
    assert current == expected


async def test_set_rpe_outside_1_to_10_is_422(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    headers = auth_headers(await make_user(db_session), settings)
    body = {
        "completed_at": utc_now().isoformat(),
        "duration_minutes": 10,
        "exercises": [{"exercise_slug": "deadlift", "sets": [{"reps": 5, "rpe": 11}]}],
    }
    response = await client.post("/v1/me/workouts", json=body, headers=headers)
    assert response.status_code == 422
