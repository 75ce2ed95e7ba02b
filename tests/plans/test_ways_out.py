"""Rule 12 and 13 through HTTP: every fix in a 422 gives a plan; choice follows the level."""

from itertools import product
from typing import Any

import pytest
from httpx import AsyncClient

from tests.plans.support import class_slugs, codes

pytestmark = pytest.mark.anyio

WEEK = "2026-11-02"
FIX_FIELDS = {"equipment", "available_days", "max_session_minutes", "sessions_per_week"}


async def preview(client: AsyncClient, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = await client.post("/v1/plans/preview", json={"week_start": WEEK, **body})
    assert response.status_code in {200, 422}, response.text
    result: dict[str, Any] = response.json()
    return response.status_code, result


def applied(body: dict[str, Any], fix: dict[str, Any]) -> dict[str, Any]:
    """The request body with one fix applied."""
    field = fix["field"]
    if "add" in fix:
        current = body.get(field, [] if field == "equipment" else None)
        if current is None:  # available_days defaults to every day
            current = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        return {**body, field: sorted({*current, *fix["add"]})}
    return {**body, field: fix["value"]}


async def assert_every_fix_works(client: AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    status, problem = await preview(client, body)
    assert status == 422
    assert problem["rule"] in {"fit", "pain", "recovery"}
    for fix in problem["fixes"]:
        assert fix["field"] in FIX_FIELDS
        assert ("add" in fix) != ("value" in fix)
        fixed_status, plan = await preview(client, applied(body, fix))
        assert fixed_status == 200, (body, fix, plan)
        assert plan["sessions"]
    return problem


@pytest.mark.parametrize(
    ("body", "fixes"),
    [
        # 20 minutes would only unlock a class the pain rule excludes: 30 is the way out.
        (
            {"experience_level": "advanced", "equipment": ["mat"], "max_session_minutes": 10,
             "back_pain": True},
            [{"field": "max_session_minutes", "value": 30}],
        ),
        # Adding a mat alone unlocks only a 30-minute class: the 10-minute one needs more.
        (
            {"experience_level": "beginner", "equipment": ["stepper"], "max_session_minutes": 10},
            [{"field": "equipment", "add": ["dumbbells", "mat"]}],
        ),
        # With pain a mat unlocks Revitalise (gentle), not The back fit workout.
        (
            {"experience_level": "intermediate", "equipment": ["dumbbells", "stepper"],
             "back_pain": True},
            [{"field": "equipment", "add": ["mat"]}],
        ),
        (
            {"experience_level": "advanced", "equipment": ["mat"],
             "available_days": ["mon", "tue", "wed"]},
            [*({"field": "available_days", "add": [day]} for day in ("fri", "sat", "sun")),
             {"field": "sessions_per_week", "value": 2}],
        ),
    ],
)  # fmt: skip
async def test_the_issues_examples_get_fixes_that_work(
    client: AsyncClient, body: dict[str, Any], fixes: list[dict[str, Any]]
) -> None:
    problem = await assert_every_fix_works(client, body)
    assert problem["fixes"] == fixes
    assert "Way out:" in problem["detail"]


async def test_every_fix_of_every_refused_profile_yields_a_plan(client: AsyncClient) -> None:
    refused = 0
    for level, kit, minutes, pain, days in product(
        ("beginner", "intermediate", "advanced"),
        ([], ["stepper"], ["mat"], ["dumbbells", "stepper"]),
        (None, 10, 20),
        (False, True),
        (None, ["mon", "tue"], ["sat", "sun"], ["wed"]),
    ):
        body: dict[str, Any] = {"experience_level": level, "equipment": kit, "back_pain": pain}
        if minutes is not None:
            body["max_session_minutes"] = minutes
        if days is not None:
            body["available_days"] = days
        status, problem = await preview(client, body)
        if status == 422:
            refused += 1
            await assert_every_fix_works(client, body)
            fixes = problem["fixes"]
            assert ("Way out:" in problem["detail"]) == bool(fixes)
    assert refused > 100


async def test_an_advanced_user_gets_the_class_nearest_the_level_first(client: AsyncClient) -> None:
    status, plan = await preview(client, {"experience_level": "advanced", "equipment": ["mat"]})
    assert status == 200
    assert class_slugs(plan) == [
        "zahras-core-workout",
        "revitalise-your-spine",
        "zahras-core-workout",
    ]
    easy = plan["sessions"][1]["reasons"]
    assert not any("suits the advanced level" in reason for reason in easy)
    assert any("nearer your level are already in this week's plan" in r for r in easy)


async def test_a_lone_class_repeating_is_said_with_what_would_widen_the_choice(
    client: AsyncClient,
) -> None:
    status, plan = await preview(
        client, {"experience_level": "advanced", "equipment": ["mat"], "back_pain": True}
    )
    assert status == 200
    assert class_slugs(plan) == ["revitalise-your-spine"] * 3
    assert codes(plan) == ["see-physio", "one-class-repeats"]
    assert "planned 3 times" in plan["advisories"][1]["message"]
    status, short = await preview(
        client,
        {"experience_level": "intermediate", "equipment": ["mat"], "max_session_minutes": 20},
    )
    assert class_slugs(short) == ["zahras-core-workout"] * 2
    message = short["advisories"][-1]["message"]
    assert "raise max_session_minutes to 30" in message
