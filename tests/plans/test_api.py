"""Plan rules 1-9 through HTTP: previews, saved plans, history, replanning."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from tests.conftest import PinnableClock
from tests.factories import auth_headers, make_user, post_workout
from tests.plans.support import EVERYTHING, class_slugs, codes, dates, save_plan

pytestmark = pytest.mark.anyio

WEEK = date(2026, 11, 2)  # a Monday


async def preview(client: AsyncClient, **fields: Any) -> dict[str, Any]:
    body = {"week_start": WEEK.isoformat(), "equipment": EVERYTHING, **fields}
    response = await client.post("/v1/plans/preview", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def refused(client: AsyncClient, rule: str, **fields: Any) -> dict[str, Any]:
    body = {"week_start": WEEK.isoformat(), "equipment": EVERYTHING, **fields}
    response = await client.post("/v1/plans/preview", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["rule"] == rule
    assert rule in problem["detail"]
    return problem


@pytest.mark.parametrize(
    ("level", "requested", "count"),
    [
        ("beginner", None, 1),
        ("beginner", 1, 1),
        ("intermediate", None, 2),
        ("intermediate", 3, 3),
        ("advanced", None, 3),
        ("advanced", 2, 2),
    ],
)
async def test_rule_1_frequency(
    client: AsyncClient, level: str, requested: int | None, count: int
) -> None:
    plan = await preview(client, experience_level=level, sessions_per_week=requested)
    assert plan["sessions_per_week"] == count
    assert len(plan["sessions"]) == count


@pytest.mark.parametrize(
    ("level", "requested"),
    [("beginner", 2), ("intermediate", 1), ("intermediate", 4), ("advanced", 0), ("advanced", 7)],
)
async def test_rule_1_other_counts_are_422(client: AsyncClient, level: str, requested: int) -> None:
    await refused(client, "frequency", experience_level=level, sessions_per_week=requested)


async def test_rule_2_and_3_spread_over_available_days_never_consecutive(
    client: AsyncClient,
) -> None:
    plan = await preview(client, experience_level="advanced")
    assert dates(plan) == [WEEK, WEEK + timedelta(days=2), WEEK + timedelta(days=4)]
    chosen = await preview(
        client, experience_level="intermediate", available_days=["tue", "wed", "sat"]
    )
    assert dates(chosen) == [WEEK + timedelta(days=1), WEEK + timedelta(days=5)]


async def test_rule_8_not_enough_rest_days_is_422(client: AsyncClient) -> None:
    problem = await refused(
        client, "recovery", experience_level="intermediate", available_days=["mon", "tue"]
    )
    assert "Way out: add wed to your available days" in problem["detail"]
    assert {"field": "available_days", "add": ["wed"]} in problem["fixes"]


async def test_rule_4_fit_by_level_equipment_and_time(client: AsyncClient) -> None:
    beginner = await preview(client, experience_level="beginner", equipment=["mat"])
    assert class_slugs(beginner) == ["revitalise-your-spine"]
    short = await preview(
        client, experience_level="intermediate", equipment=["mat"], max_session_minutes=20
    )
    assert set(class_slugs(short)) == {"zahras-core-workout"}
    problem = await refused(client, "fit", experience_level="beginner", equipment=[])
    assert "mat" in problem["detail"]
    await refused(client, "fit", experience_level="beginner", max_session_minutes=5)


async def test_rule_5_back_pain_means_gentle_classes_and_see_physio(client: AsyncClient) -> None:
    plan = await preview(client, experience_level="advanced", back_pain=True)
    assert set(class_slugs(plan)) == {"revitalise-your-spine"}
    assert codes(plan) == ["see-physio", "one-class-repeats"]
    problem = await refused(
        client, "pain", experience_level="intermediate", back_pain=True, max_session_minutes=20
    )
    assert "physiotherapist" in problem["detail"]


async def test_rule_6_and_7_variety_and_determinism(client: AsyncClient) -> None:
    plan = await preview(client, experience_level="intermediate", equipment=["mat"])
    assert sorted(class_slugs(plan)) == ["revitalise-your-spine", "zahras-core-workout"]
    assert await preview(client, experience_level="intermediate", equipment=["mat"]) == plan


async def test_rule_9_beginners_are_told_it_is_part_of_a_wider_program(
    client: AsyncClient,
) -> None:
    assert codes(await preview(client, experience_level="beginner")) == ["part-of-wider-program"]
    assert codes(await preview(client, experience_level="intermediate")) == []


async def test_week_must_start_on_monday(client: AsyncClient) -> None:
    await refused(client, "week_start", week_start="2026-11-03", experience_level="beginner")


@pytest.fixture
async def user_headers(db_session: AsyncSession, settings: Settings) -> dict[str, str]:
    user = await make_user(db_session, experience_level="intermediate", equipment=["mat"])
    return auth_headers(user, settings)


async def test_one_plan_per_week_unless_replaced(
    client: AsyncClient, user_headers: dict[str, str]
) -> None:
    first = await save_plan(client, user_headers, WEEK)
    again = await client.post(
        "/v1/me/plans", json={"week_start": WEEK.isoformat()}, headers=user_headers
    )
    assert again.status_code == 409
    assert "replace=true" in again.json()["detail"]
    replaced = await save_plan(client, user_headers, WEEK, replace="true")
    assert replaced["week_start"] == first["week_start"]
    past = await save_plan(client, user_headers, WEEK - timedelta(weeks=30))
    listed = (await client.get("/v1/me/plans", headers=user_headers)).json()
    assert [plan["id"] for plan in listed["items"]] == [replaced["id"], past["id"]]
    one = await client.get(f"/v1/me/plans/{past['id']}", headers=user_headers)
    assert one.json() == past


async def test_rule_2_last_weeks_sunday_keeps_monday_free(
    client: AsyncClient, user_headers: dict[str, str]
) -> None:
    sunday_before = WEEK - timedelta(days=1)
    await post_workout(client, user_headers, completed_at=f"{sunday_before}T18:00:00Z")
    plan = await save_plan(client, user_headers, WEEK)
    assert WEEK not in dates(plan)
    assert all(later - earlier >= timedelta(days=2) for earlier, later in pairwise(dates(plan)))


async def test_rule_5_pain_logged_in_the_last_fortnight(
    client: AsyncClient, user_headers: dict[str, str]
) -> None:
    # The window is the 14 local days before the plan's week: 15 days before is outside it.
    fifteen_days_before = WEEK - timedelta(days=15)
    await post_workout(client, user_headers, completed_at=f"{fifteen_days_before}T12:00Z", pain=6)
    assert "see-physio" not in codes(await save_plan(client, user_headers, WEEK))
    fortnight_before = WEEK - timedelta(days=14)
    await post_workout(client, user_headers, completed_at=f"{fortnight_before}T12:00Z", pain=6)
    plan = await save_plan(client, user_headers, WEEK, replace="true")
    assert set(class_slugs(plan)) == {"revitalise-your-spine"}
    assert codes(plan) == ["see-physio", "one-class-repeats"]
    assert any("Pain of 5+" in reason for reason in plan["sessions"][0]["reasons"])


async def test_rule_6_rotation_across_weeks(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(db_session, experience_level="beginner", equipment=EVERYTHING)
    headers = auth_headers(user, settings)
    weekly = [
        class_slugs(await save_plan(client, headers, WEEK + timedelta(weeks=n)))[0]
        for n in range(4)
    ]
    assert weekly == [
        "back-fit-workout",
        "revitalise-your-spine",
        "back-fit-workout",
        "revitalise-your-spine",
    ]


async def test_rule_9_ready_to_progress_after_four_complete_weeks(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(db_session, experience_level="beginner", equipment=["mat"])
    headers = auth_headers(user, settings)
    for back in range(4, 0, -1):
        plan = await save_plan(client, headers, WEEK - timedelta(weeks=back))
        assert codes(plan) == ["part-of-wider-program"]
        session = plan["sessions"][0]
        await post_workout(
            client,
            headers,
            completed_at=f"{session['date']}T18:00:00Z",
            plan_session_id=session["id"],
        )
    assert codes(await save_plan(client, headers, WEEK)) == [
        "part-of-wider-program",
        "ready-to-progress",
    ]


async def test_logging_a_planned_session_marks_it_done_and_counts_in_stats(
    client: AsyncClient, user_headers: dict[str, str], clock: PinnableClock
) -> None:
    this_week = WEEK + timedelta(weeks=4)
    clock.now = datetime.combine(this_week, time(7), tzinfo=UTC)
    plan = await save_plan(client, user_headers, this_week)
    first = plan["sessions"][0]
    workout = await post_workout(client, user_headers, plan_session_id=first["id"])
    assert workout["plan_session_id"] == first["id"]
    assert workout["class_slug"] == first["class"]["slug"]
    stored = (await client.get(f"/v1/me/plans/{plan['id']}", headers=user_headers)).json()
    assert [s["status"] for s in stored["sessions"]] == ["done", "planned"]
    stats = (await client.get("/v1/me/stats", params={"weeks": 1}, headers=user_headers)).json()
    assert (stats["weeks"][0]["planned"], stats["adherence"]) == (2, 0.5)

    await client.delete(f"/v1/me/workouts/{workout['id']}", headers=user_headers)
    reopened = (await client.get(f"/v1/me/plans/{plan['id']}", headers=user_headers)).json()
    assert reopened["sessions"][0]["status"] == "planned"


async def test_replan_marks_missed_and_moves_the_rest(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, clock: PinnableClock
) -> None:
    user = await make_user(db_session, experience_level="advanced", equipment=EVERYTHING)
    headers = auth_headers(user, settings)
    plan = await save_plan(client, headers, WEEK)
    assert dates(plan) == [WEEK, WEEK + timedelta(days=2), WEEK + timedelta(days=4)]
    wednesday = WEEK + timedelta(days=2)
    clock.now = datetime.combine(wednesday, time(12), tzinfo=UTC)
    response = await client.post(
        f"/v1/me/plans/{plan['id']}/replan", json={"today": wednesday.isoformat()}, headers=headers
    )
    assert response.status_code == 200, response.text
    result = response.json()
    monday_id = plan["sessions"][0]["id"]
    assert result["missed"] == [monday_id]
    statuses = [s["status"] for s in result["plan"]["sessions"]]
    assert statuses == ["missed", "planned", "planned"]
    new_dates = dates(result["plan"])[1:]
    assert all(day >= wednesday for day in new_dates)
    assert new_dates[1] - new_dates[0] >= timedelta(days=2)
    assert {move["session_id"] for move in result["moved"]} <= {s["id"] for s in plan["sessions"]}
    for move in result["moved"]:
        assert move["to_date"] in [day.isoformat() for day in new_dates]


async def test_plans_of_others_are_404(
    client: AsyncClient, user_headers: dict[str, str], db_session: AsyncSession, settings: Settings
) -> None:
    plan = await save_plan(client, user_headers, WEEK)
    intruder = auth_headers(await make_user(db_session), settings)
    for method, path in [
        ("GET", f"/v1/me/plans/{plan['id']}"),
        ("GET", f"/v1/me/plans/{plan['id']}.ics"),
        ("POST", f"/v1/me/plans/{plan['id']}/replan"),
    ]:
        response = await client.request(method, path, headers=intruder)
        assert response.status_code == 404, path
    assert (await client.get("/v1/me/plans", headers=intruder)).json()["items"] == []
    linked = await client.post(
        "/v1/me/workouts",
        json={
            "completed_at": "2026-11-02T10:00:00Z",
            "duration_minutes": 10,
            "plan_session_id": plan["sessions"][0]["id"],
        },
        headers=intruder,
    )
    assert linked.status_code == 404
    mine = (await client.get(f"/v1/me/plans/{plan['id']}", headers=user_headers)).json()
    assert mine["sessions"][0]["status"] == "planned"


async def test_plans_choose_from_the_catalog_as_it_is_now(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    await refused(client, "fit", experience_level="beginner", equipment=[])
    admin = auth_headers(await make_user(db_session, role="admin"), settings)
    desk_break = {
        "slug": "desk-break",
        "title": "Desk break",
        "difficulty": "easy",
        "duration_minutes": 5,
        "equipment": [],
        "focus": ["mobility"],
        "blocks": [{"name": "Move", "kind": "main", "steps": [{"exercise": "shoulder-rolls"}]}],
    }
    assert (await client.post("/v1/classes", json=desk_break, headers=admin)).status_code == 201
    plan = await preview(client, experience_level="beginner", equipment=[])
    assert class_slugs(plan) == ["desk-break"]
