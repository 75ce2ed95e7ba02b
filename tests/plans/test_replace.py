"""Rule 13 through HTTP: ?replace=true keeps what happened; calendar SEQUENCEs never go down."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.vocabulary import EQUIPMENT
from tests.conftest import PinnableClock
from tests.factories import auth_headers, make_user
from tests.plans.support import EVERYTHING, codes, dates, log, replan, save_plan, sequences

pytestmark = pytest.mark.anyio

WEEK = date(2026, 11, 2)


async def test_replace_keeps_done_sessions_links_and_adherence(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, clock: PinnableClock
) -> None:
    user = await make_user(db_session, experience_level="intermediate", equipment=EVERYTHING)
    headers = auth_headers(user, settings)
    plan = await save_plan(client, headers, WEEK)
    done = plan["sessions"][0]
    workout = await log(client, headers, done["date"], plan_session_id=done["id"])
    before = await sequences(client, headers, plan)

    replaced = await save_plan(client, headers, WEEK, replace="true", sessions_per_week=3)
    assert replaced["id"] == plan["id"]
    kept = replaced["sessions"][0]
    assert (kept["id"], kept["status"], kept["date"]) == (done["id"], "done", done["date"])
    assert [s["status"] for s in replaced["sessions"]] == ["done", "planned", "planned"]
    assert all(b - a >= timedelta(days=2) for a, b in pairwise(dates(replaced)))
    linked = (await client.get(f"/v1/me/workouts/{workout['id']}", headers=headers)).json()
    assert linked["plan_session_id"] == done["id"]
    stats = (await client.get("/v1/me/stats", params={"weeks": 12}, headers=headers)).json()
    assert stats["adherence"] == round(1 / 3, 4)

    after = await sequences(client, headers, replaced)
    assert set(before) <= set(after)  # the replaced session keeps its event UID
    assert all(after[uid] >= before[uid] for uid in before)
    moved = await replan(client, headers, replaced, WEEK + timedelta(days=6), clock)
    later = await sequences(client, headers, moved["plan"])
    assert all(later[uid] >= after[uid] for uid in after)
    assert later != after  # sessions that became missed were updated


async def test_replacing_a_past_week_keeps_a_beginner_ready_to_progress(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(db_session, experience_level="beginner", equipment=["mat"])
    headers = auth_headers(user, settings)
    for back in range(4, 0, -1):
        plan = await save_plan(client, headers, WEEK - timedelta(weeks=back))
        session = plan["sessions"][0]
        await log(client, headers, session["date"], plan_session_id=session["id"])
    again = await save_plan(client, headers, WEEK - timedelta(weeks=1), replace="true")
    assert [s["status"] for s in again["sessions"]] == ["done"]
    assert codes(await save_plan(client, headers, WEEK)) == [
        "part-of-wider-program",
        "ready-to-progress",
    ]


async def test_the_plan_answered_is_the_plan_stored(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    # The answer is built from what was written, not read back: it must match a later read.
    user = await make_user(db_session, experience_level="advanced", equipment=list(EQUIPMENT))
    headers = auth_headers(user, settings)
    plan = await save_plan(client, headers, WEEK, sessions_per_week=2)
    done = plan["sessions"][0]
    await log(client, headers, done["date"], plan_session_id=done["id"])
    for sessions_per_week in (3, 2):  # reuses a row and adds one, then deletes the surplus
        body = {"week_start": WEEK.isoformat(), "sessions_per_week": sessions_per_week}
        answer = await client.post(
            "/v1/me/plans", json=body, params={"replace": "true"}, headers=headers
        )
        assert answer.status_code == 201, answer.text
        assert {"done", "planned"} == {s["status"] for s in answer.json()["sessions"]}
        assert {"class", "strength"} <= {s["kind"] for s in answer.json()["sessions"]}
        stored = await client.get(f"/v1/me/plans/{plan['id']}", headers=headers)
        assert answer.content == stored.content
