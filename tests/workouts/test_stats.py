"""Weekly stats equal sums computed by hand over a history spanning several weeks."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.db import utc_now
from app.weeks import monday_of
from tests.conftest import PinnableClock
from tests.factories import auth_headers, make_user, make_workout

pytestmark = pytest.mark.anyio


async def test_weekly_sums(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(db_session)
    this_monday = datetime.combine(monday_of(utc_now().date()), datetime.min.time(), tzinfo=UTC)
    # (weeks back, day in week, hour, minutes)
    history = [(0, 0, 0, 10), (1, 6, 23, 25), (1, 2, 12, 30), (3, 4, 8, 40), (20, 1, 9, 50)]
    for weeks_back, day, hour, minutes in history:
        moment = this_monday - timedelta(weeks=weeks_back) + timedelta(days=day, hours=hour)
        await make_workout(db_session, user, completed_at=moment, duration_minutes=minutes)
    # Another user's workouts never count.
    other = await make_user(db_session)
    await make_workout(db_session, other, completed_at=this_monday, duration_minutes=99)

    stats = (
        await client.get("/v1/me/stats", params={"weeks": 4}, headers=auth_headers(user, settings))
    ).json()
    expected_weeks = [
        ((this_monday - timedelta(weeks=back)).date().isoformat(), done, minutes)
        for back, done, minutes in [(3, 1, 40), (2, 0, 0), (1, 2, 55), (0, 1, 10)]
    ]
    assert [(w["week_start"], w["completed"], w["minutes"]) for w in stats["weeks"]] == (
        expected_weeks
    )
    assert all(week["planned"] == 0 for week in stats["weeks"])
    assert (stats["total_sessions"], stats["total_minutes"]) == (5, 155)
    assert stats["adherence"] is None


@pytest.mark.parametrize("weeks", [0, 105, "x"])
async def test_bad_week_count_is_422(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, weeks: int | str
) -> None:
    headers = auth_headers(await make_user(db_session), settings)
    response = await client.get("/v1/me/stats", params={"weeks": weeks}, headers=headers)
    assert response.status_code == 422


async def test_adherence_and_streak_follow_planned_sessions(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, clock: PinnableClock
) -> None:
    user = await make_user(db_session, experience_level="intermediate", equipment=["mat"])
    headers = auth_headers(user, settings)
    this_monday = date(2026, 11, 30)
    # Monday morning: this week's plan may use every day of it.
    clock.now = datetime.combine(this_monday, time(7), tzinfo=UTC)
    # Three weeks back: planned, one of two done. Two and one week back: all done.
    # This week: planned, nothing done yet (under way, so the streak holds).
    done_per_week = {3: 1, 2: 2, 1: 2, 0: 0}
    for weeks_back, done in done_per_week.items():
        week = this_monday - timedelta(weeks=weeks_back)
        plan = (
            await client.post(
                "/v1/me/plans", json={"week_start": week.isoformat()}, headers=headers
            )
        ).json()
        for session in plan["sessions"][:done]:
            response = await client.post(
                "/v1/me/workouts",
                json={
                    "completed_at": f"{session['date']}T12:00:00Z",
                    "duration_minutes": 20,
                    "plan_session_id": session["id"],
                },
                headers=headers,
            )
            assert response.status_code == 201
    stats = (await client.get("/v1/me/stats", params={"weeks": 4}, headers=headers)).json()
    assert [(w["planned"], w["completed"]) for w in stats["weeks"]] == [
        (2, 1),
        (2, 2),
        (2, 2),
        (2, 0),
    ]
    assert stats["adherence"] == round(5 / 8, 4)
    assert stats["current_streak_weeks"] == 2
    assert (stats["total_sessions"], stats["total_minutes"]) == (5, 100)
