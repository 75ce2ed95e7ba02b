"""Strength sessions through HTTP: a lifter's week, targets that follow the log, pain, fit."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.vocabulary import EQUIPMENT
from tests.conftest import PinnableClock
from tests.factories import auth_headers, make_user, post_workout

pytestmark = pytest.mark.anyio

WEEK = date(2026, 11, 2)  # a Monday
FULL_GYM = list(EQUIPMENT)
ROWS = {"bent-over-row", "seated-row", "cable-row", "suspended-row", "dumbbell-row"}


def kinds(plan: dict[str, Any]) -> list[str]:
    return [session["kind"] for session in plan["sessions"]]


def strength_sessions(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [session for session in plan["sessions"] if session["kind"] == "strength"]


def exercise(session: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(item for item in session["exercises"] if item["slug"] == slug)


async def new_plan(client: AsyncClient, headers: dict[str, str], week: date) -> dict[str, Any]:
    response = await client.post(
        "/v1/me/plans", json={"week_start": week.isoformat()}, headers=headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_an_advanced_lifter_gets_rows_and_deadlifts_that_follow_the_log(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(db_session, experience_level="advanced", equipment=FULL_GYM)
    headers = auth_headers(user, settings)
    first = await new_plan(client, headers, WEEK)
    assert kinds(first) == ["strength", "class", "strength"]
    a, b = strength_sessions(first)
    assert (a["template"], b["template"]) == ("A", "B")
    for session in (a, b):
        slugs = {item["slug"] for item in session["exercises"]}
        assert slugs & ROWS
        assert slugs & {"deadlift", "romanian-deadlift"}
        assert session["class"] is None
        assert all(item["target_weight_kg"] is None for item in session["exercises"])
    deadlift = exercise(a, "deadlift")
    assert (deadlift["sets"], deadlift["reps_min"], deadlift["reps_max"]) == (4, 6, 10)

    # Monday: every deadlift set at the top of the range, easy enough; the rows were a grind.
    await post_workout(
        client,
        headers,
        plan_session_id=a["id"],
        completed_at=f"{a['date']}T18:00:00+00:00",
        duration_minutes=60,
        exercises=[
            {"exercise_slug": "deadlift", "sets": [{"reps": 10, "weight_kg": 100, "rpe": 7}] * 4},
            {
                "exercise_slug": "bent-over-row",
                "sets": [{"reps": 8, "weight_kg": 60, "rpe": 9}] * 2
                + [{"reps": 7, "weight_kg": 60, "rpe": 10}] * 2,
            },
        ],
    )
    second = await new_plan(client, headers, WEEK + timedelta(weeks=1))
    next_a = strength_sessions(second)[0]
    assert next_a["template"] == "A"  # the week before ended on B
    lifted = exercise(next_a, "deadlift")
    assert lifted["target_weight_kg"] == 102.5
    logged = (
        "last Monday"
        if date.fromisoformat(next_a["date"]) == WEEK + timedelta(weeks=1)
        else ("on Monday 2 Nov")
    )
    assert lifted["reason"] == f"{logged}: 4x10 at 100 kg, RPE 7 → 102.5 kg."
    rowed = exercise(next_a, "bent-over-row")
    assert rowed["target_weight_kg"] == 60
    assert rowed["reason"].startswith(f"{logged}: 4 sets of 8/8/7/7 at 60 kg, RPE 9/9/10/10")
    assert "hold" in rowed["reason"]

    stored = (await client.get(f"/v1/me/plans/{second['id']}", headers=headers)).json()
    assert stored["sessions"] == second["sessions"]
    ics = (await client.get(f"/v1/me/plans/{second['id']}.ics", headers=headers)).text
    unfolded = ics.replace("\r\n ", "")
    assert "Strength session A" in unfolded
    assert "deadlift: 4 x 6-10 reps at 102.5 kg" in unfolded


async def test_pain_means_no_strength_session(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(
        db_session, experience_level="advanced", equipment=FULL_GYM, back_pain=True
    )
    plan = await new_plan(client, auth_headers(user, settings), WEEK)
    assert set(kinds(plan)) == {"class"}
    assert "see-physio" in [advisory["code"] for advisory in plan["advisories"]]


@pytest.mark.parametrize(
    ("level", "minutes", "expected"),
    [
        ("intermediate", None, ["strength", "class"]),
        ("intermediate", 30, ["class", "class"]),  # the shortest strength session is longer
        ("beginner", None, ["class"]),
    ],
)
async def test_preview_mixes_strength_where_level_and_minutes_allow(
    client: AsyncClient, level: str, minutes: int | None, expected: list[str]
) -> None:
    body = {
        "week_start": WEEK.isoformat(),
        "experience_level": level,
        "equipment": FULL_GYM,
        "max_session_minutes": minutes,
    }
    response = await client.post("/v1/plans/preview", json=body)
    assert response.status_code == 200, response.text
    plan = response.json()
    assert kinds(plan) == expected
    for session in strength_sessions(plan):
        assert minutes is None or session["estimated_minutes"] <= minutes


async def test_replan_keeps_a_strength_session_strength(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, clock: PinnableClock
) -> None:
    clock.now = datetime.combine(WEEK + timedelta(days=1), time(12), tzinfo=UTC)
    user = await make_user(db_session, experience_level="intermediate", equipment=FULL_GYM)
    headers = auth_headers(user, settings)
    plan = await new_plan(client, headers, WEEK)
    today = WEEK + timedelta(days=1)
    response = await client.post(
        f"/v1/me/plans/{plan['id']}/replan", json={"today": today.isoformat()}, headers=headers
    )
    assert response.status_code == 200, response.text
    sessions = response.json()["plan"]["sessions"]
    assert [s["kind"] for s in sessions] == kinds(plan)
    strength = strength_sessions(response.json()["plan"])[0]
    assert strength["exercises"] == strength_sessions(plan)[0]["exercises"]


async def test_replan_under_pain_turns_strength_into_gentle_classes(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, clock: PinnableClock
) -> None:
    clock.now = datetime.combine(WEEK, time(12), tzinfo=UTC)
    user = await make_user(db_session, experience_level="advanced", equipment=FULL_GYM)
    headers = auth_headers(user, settings)
    plan = await new_plan(client, headers, WEEK)
    assert "strength" in kinds(plan)
    patched = await client.patch("/v1/me", json={"back_pain": True}, headers=headers)
    assert patched.status_code == 200, patched.text
    response = await client.post(
        f"/v1/me/plans/{plan['id']}/replan", json={"today": WEEK.isoformat()}, headers=headers
    )
    assert response.status_code == 200, response.text
    sessions = response.json()["plan"]["sessions"]
    assert {s["kind"] for s in sessions} == {"class"}
    assert {s["class"]["slug"] for s in sessions} == {"revitalise-your-spine"}


async def test_replace_keeps_a_done_strength_session_and_replan_moves_one_as_strength(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, clock: PinnableClock
) -> None:
    clock.now = datetime.combine(WEEK, time(7), tzinfo=UTC)
    user = await make_user(db_session, experience_level="advanced", equipment=FULL_GYM)
    headers = auth_headers(user, settings)
    plan = await new_plan(client, headers, WEEK)
    first = plan["sessions"][0]
    clock.now = datetime.combine(WEEK, time(19), tzinfo=UTC)
    await post_workout(
        client, headers, completed_at=f"{WEEK}T18:00:00Z", plan_session_id=first["id"]
    )
    replaced = await client.post(
        "/v1/me/plans", json={"week_start": WEEK.isoformat()}, headers=headers,
        params={"replace": "true"},
    )  # fmt: skip
    assert replaced.status_code == 201, replaced.text
    kept, _, last = replaced.json()["sessions"]
    assert (kept["id"], kept["status"], kept["kind"]) == (first["id"], "done", "strength")
    assert kept["exercises"] == first["exercises"]
    # The week is still strength, class, strength, and the templates still alternate.
    assert kinds(replaced.json()) == ["strength", "class", "strength"]
    assert (kept["template"], last["template"]) == ("A", "B")
    # A workout logged on Thursday without the plan: Friday's strength session must move.
    thursday = WEEK + timedelta(days=3)
    clock.now = datetime.combine(thursday, time(19), tzinfo=UTC)
    await post_workout(client, headers, completed_at=f"{thursday}T18:00:00Z")
    response = await client.post(
        f"/v1/me/plans/{plan['id']}/replan", json={"today": thursday.isoformat()}, headers=headers
    )
    assert response.status_code == 200, response.text
    after = {s["id"]: s for s in response.json()["plan"]["sessions"]}
    friday = after[last["id"]]
    assert friday["kind"] == "strength"
    assert friday["exercises"] == last["exercises"]
    assert friday["status"] == "missed" or friday["date"] >= (thursday + timedelta(2)).isoformat()
