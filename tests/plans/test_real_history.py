"""Saved plans against real history over several weeks: rhythm, recovery, pain, progress."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.db import utc_now
from tests.conftest import PinnableClock
from tests.factories import auth_headers, make_user
from tests.plans.support import (
    EVERYTHING,
    class_slugs,
    codes,
    dates,
    log,
    replan,
    save_plan,
    stored,
    weekdays,
)

pytestmark = pytest.mark.anyio

WEEK = date(2026, 9, 7)  # a Monday
DAY = timedelta(days=1)


async def headers_for(
    db_session: AsyncSession, settings: Settings, **profile: Any
) -> dict[str, str]:
    return auth_headers(await make_user(db_session, **profile), settings)


@pytest.mark.parametrize(
    ("level", "equipment", "days"),
    [
        ("beginner", ["mat"], [0]),
        ("intermediate", ["mat"], [0, 3]),
        ("advanced", EVERYTHING, [0, 2, 4]),
    ],
)
async def test_a_steady_user_keeps_the_same_days_week_after_week(
    client: AsyncClient,
    db_session: AsyncSession,
    settings: Settings,
    level: str,
    equipment: list[str],
    days: list[int],
) -> None:
    headers = await headers_for(db_session, settings, experience_level=level, equipment=equipment)
    for week in range(6):
        plan = await save_plan(client, headers, WEEK + timedelta(weeks=week))
        assert weekdays(plan) == days, f"week {week}"
        for session in plan["sessions"]:
            await log(client, headers, session["date"], plan_session_id=session["id"])


async def test_a_plan_before_an_existing_plan_keeps_clear_of_its_monday(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    headers = await headers_for(
        db_session, settings, experience_level="beginner", equipment=["mat"]
    )
    last = await save_plan(client, headers, WEEK - timedelta(weeks=1))
    await log(
        client, headers, last["sessions"][0]["date"], plan_session_id=last["sessions"][0]["id"]
    )
    await save_plan(client, headers, WEEK + timedelta(weeks=1))
    plan = await save_plan(client, headers, WEEK)
    assert dates(plan) == [WEEK]
    assert WEEK + 6 * DAY not in dates(plan)


async def test_replan_never_moves_a_session_next_to_next_weeks_plan(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, clock: PinnableClock
) -> None:
    headers = await headers_for(
        db_session, settings, experience_level="intermediate", equipment=["mat"]
    )
    plan = await save_plan(client, headers, WEEK)
    await save_plan(client, headers, WEEK + timedelta(weeks=1))
    patched = await client.patch("/v1/me", json={"available_days": ["mon", "sun"]}, headers=headers)
    assert patched.status_code == 200
    result = await replan(client, headers, plan, WEEK + DAY, clock)
    thursday = result["plan"]["sessions"][1]
    # Thursday is no longer available and Sunday touches next week's Monday: no day is left.
    assert thursday["status"] == "missed"
    assert thursday["date"] == (WEEK + 3 * DAY).isoformat()
    assert result["moved"] == []


async def test_a_workout_logged_without_a_plan_keeps_the_next_days_free(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    headers = await headers_for(
        db_session, settings, experience_level="intermediate", equipment=["mat"]
    )
    wednesday = WEEK + 2 * DAY
    await log(client, headers, wednesday)
    plan = await save_plan(client, headers, WEEK)
    assert all(abs((day - wednesday).days) >= 2 for day in dates(plan))
    assert dates(plan) == [WEEK, WEEK + 4 * DAY]


async def test_replan_moves_a_session_next_to_an_unlinked_workout(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, clock: PinnableClock
) -> None:
    headers = await headers_for(
        db_session, settings, experience_level="intermediate", equipment=["mat"]
    )
    plan = await save_plan(client, headers, WEEK)
    assert dates(plan) == [WEEK, WEEK + 3 * DAY]
    wednesday = WEEK + 2 * DAY
    await log(client, headers, wednesday)
    result = await replan(client, headers, plan, wednesday, clock)
    moved = result["plan"]["sessions"][1]
    assert moved["status"] == "planned"
    assert date.fromisoformat(moved["date"]) - wednesday >= timedelta(days=2)
    assert [move["session_id"] for move in result["moved"]] == [moved["id"]]


async def test_replan_leaves_safe_sessions_on_their_day(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, clock: PinnableClock
) -> None:
    headers = await headers_for(
        db_session, settings, experience_level="advanced", equipment=EVERYTHING
    )
    plan = await save_plan(client, headers, WEEK)
    monday = plan["sessions"][0]
    await log(client, headers, WEEK, plan_session_id=monday["id"])
    result = await replan(client, headers, plan, WEEK + 3 * DAY, clock)
    assert [s["status"] for s in result["plan"]["sessions"]] == ["done", "missed", "planned"]
    assert dates(result["plan"]) == dates(plan)
    assert result["moved"] == []


@pytest.mark.parametrize("cause", ["pain", "back_pain"])
async def test_replan_recomputes_and_stores_the_advice(
    client: AsyncClient,
    db_session: AsyncSession,
    settings: Settings,
    cause: str,
    clock: PinnableClock,
) -> None:
    headers = await headers_for(
        db_session, settings, experience_level="intermediate", equipment=["mat"]
    )
    plan = await save_plan(client, headers, WEEK)
    assert codes(plan) == []
    if cause == "pain":
        await log(client, headers, WEEK, pain=7, plan_session_id=plan["sessions"][0]["id"])
    else:
        await client.patch("/v1/me", json={"back_pain": True}, headers=headers)
    result = await replan(client, headers, plan, WEEK + DAY, clock)
    assert class_slugs(result["plan"])[1] == "revitalise-your-spine"
    assert codes(result["plan"]) == ["see-physio"]
    assert codes(await stored(client, headers, plan)) == ["see-physio"]


async def test_the_pain_window_is_the_fortnight_before_the_plans_week(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    headers = await headers_for(
        db_session, settings, experience_level="intermediate", equipment=["mat"]
    )
    await log(client, headers, date(2026, 10, 1), pain=6)
    backfilled = await save_plan(client, headers, date(2026, 10, 5))
    assert "see-physio" in codes(backfilled)
    assert "see-physio" not in codes(await save_plan(client, headers, date(2026, 10, 19)))
    yesterday = (utc_now() - timedelta(days=1)).date()
    await log(client, headers, yesterday, pain=8)
    far = utc_now().date() + timedelta(weeks=6)  # within the planning horizon
    assert "see-physio" not in codes(
        await save_plan(client, headers, far - timedelta(far.weekday()))
    )


async def test_workouts_without_a_plan_link_count_towards_ready_to_progress(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    headers = await headers_for(
        db_session, settings, experience_level="beginner", equipment=["mat"]
    )
    for back in range(4, 0, -1):
        plan = await save_plan(client, headers, WEEK - timedelta(weeks=back))
        await log(client, headers, plan["sessions"][0]["date"])
    assert codes(await save_plan(client, headers, WEEK)) == [
        "part-of-wider-program",
        "ready-to-progress",
    ]


async def test_stats_count_a_week_completed_without_plan_links_the_same_way(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, clock: PinnableClock
) -> None:
    headers = await headers_for(
        db_session, settings, experience_level="beginner", equipment=["mat"]
    )
    clock.now = datetime.combine(WEEK, time(7), tzinfo=UTC)
    plan = await save_plan(client, headers, WEEK)
    assert dates(plan) == [WEEK]
    # Wednesday holds no session, so the workout stays unlinked.
    clock.now = datetime.combine(WEEK + 2 * DAY, time(19), tzinfo=UTC)
    await log(client, headers, WEEK + 2 * DAY)
    stats = (await client.get("/v1/me/stats", params={"weeks": 1}, headers=headers)).json()
    assert stats["adherence"] == 0.0  # the session itself was not linked...
    assert stats["current_streak_weeks"] == 1  # ...but the week was completed


async def test_a_saved_plan_blocked_by_real_sessions_offers_fixes_that_work(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    headers = await headers_for(
        db_session, settings, experience_level="beginner", equipment=["mat"], available_days=["mon"]
    )
    await log(client, headers, WEEK - DAY)  # the Sunday before
    response = await client.post(
        "/v1/me/plans", json={"week_start": WEEK.isoformat()}, headers=headers
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["rule"] == "recovery"
    assert problem["fixes"] == [
        {"field": "available_days", "add": [day]}
        for day in ["tue", "wed", "thu", "fri", "sat", "sun"]
    ]
    patched = await client.patch("/v1/me", json={"available_days": ["mon", "sat"]}, headers=headers)
    assert patched.status_code == 200
    assert dates(await save_plan(client, headers, WEEK)) == [WEEK + 5 * DAY]


async def test_the_current_weeks_plan_made_mid_week_sees_pain_before_today(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, clock: PinnableClock
) -> None:
    """Made mid-week, the plan starts today, so (as for a replan) pain before today counts."""
    headers = await headers_for(
        db_session, settings, experience_level="intermediate", equipment=["mat"]
    )
    clock.now = datetime.combine(WEEK + DAY, time(19), tzinfo=UTC)
    await log(client, headers, WEEK + DAY, pain=7)  # Tuesday, inside the plan's own week
    clock.now = datetime.combine(WEEK + 2 * DAY, time(8), tzinfo=UTC)
    plan = await save_plan(client, headers, WEEK)
    assert min(dates(plan)) >= WEEK + 2 * DAY
    assert codes(plan)[0] == "see-physio"
    assert set(class_slugs(plan)) == {"revitalise-your-spine"}
    # Later weeks count it back from their own Monday: 6 days before next week's, 20 before
    # the one after the next.
    assert "see-physio" in codes(await save_plan(client, headers, WEEK + 7 * DAY))
    assert "see-physio" not in codes(await save_plan(client, headers, WEEK + 21 * DAY))
