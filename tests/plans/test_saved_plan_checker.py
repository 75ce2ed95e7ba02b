"""A randomized user of saved plans over many weeks; after every step the plan rules hold.

Random profiles plan week after week, log linked, unlinked and painful workouts, skip
sessions, replan and replace; a 422 is answered by applying one of its fixes, which must
then give a plan. Checked each time a plan is written: recovery against every real session,
availability, pain, kept history, and calendar SEQUENCEs that never go down.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from tests.conftest import PinnableClock
from tests.factories import auth_headers, make_user
from tests.plans.support import log, sequences

pytestmark = pytest.mark.anyio

FIRST_WEEK = date(2026, 8, 3)  # a Monday, far enough back for every workout to be past
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
COUNTS = {"beginner": [1], "intermediate": [2, 3], "advanced": [2, 3]}
GENTLE = {"revitalise-your-spine"}
# Class kit, and the kit strength sessions need, so some weeks mix strength with classes.
KIT = ["mat", "dumbbells", "stepper", "barbell", "bench", "pull-up-bar"]
ZONES = ["UTC", "Pacific/Auckland", "Pacific/Honolulu", "Europe/London", "America/New_York"]


class Checker:
    """One user's requests, and the checks run after each plan write."""

    def __init__(
        self,
        client: AsyncClient,
        headers: dict[str, str],
        chance: random.Random,
        clock: PinnableClock,
    ) -> None:
        self.client, self.headers, self.chance, self.clock = client, headers, chance, clock
        self.sequences: dict[str, int] = {}
        self.done: dict[int, str] = {}  # done session id -> its date

    async def get(self, path: str) -> Any:
        response = await self.client.get(path, headers=self.headers, params={"limit": 100})
        assert response.status_code == 200, response.text
        return response.json()

    async def write_plan(self, week: date, replace: bool) -> dict[str, Any] | None:
        level = (await self.get("/v1/me"))["experience_level"]
        body: dict[str, Any] = {"week_start": week.isoformat()}
        if self.chance.random() < 0.3:
            body["sessions_per_week"] = self.chance.choice(COUNTS[level])
        params = {"replace": "true"} if replace else {}
        response = await self.client.post(
            "/v1/me/plans", json=body, headers=self.headers, params=params
        )
        if response.status_code == 422:
            problem = response.json()
            if problem["rule"] not in {"fit", "pain", "recovery"}:
                return None
            if not problem["fixes"]:
                assert "No single change" in problem["detail"]
                return None
            await self.apply(self.chance.choice(problem["fixes"]), body)
            response = await self.client.post(
                "/v1/me/plans", json=body, headers=self.headers, params=params
            )
        assert response.status_code == 201, response.text
        plan: dict[str, Any] = response.json()
        await self.check(plan, pain_before=week)
        return plan

    async def apply(self, fix: dict[str, Any], body: dict[str, Any]) -> None:
        """Apply one fix: to the profile, or to the request's session count."""
        assert fix["field"] in {
            "equipment",
            "available_days",
            "max_session_minutes",
            "sessions_per_week",
        }
        if fix["field"] == "sessions_per_week":
            body["sessions_per_week"] = fix["value"]
            return
        me = await self.get("/v1/me")
        value = sorted({*me[fix["field"]], *fix["add"]}) if "add" in fix else fix["value"]
        response = await self.client.patch(
            "/v1/me", json={fix["field"]: value}, headers=self.headers
        )
        assert response.status_code == 200, response.text

    async def replan(self, plan: dict[str, Any], today: date) -> dict[str, Any]:
        # The replan runs on that day (an explicit today must be a real one), then time goes on.
        self.clock.now = datetime.combine(today, time(12), tzinfo=UTC)
        try:
            response = await self.client.post(
                f"/v1/me/plans/{plan['id']}/replan",
                json={"today": today.isoformat()},
                headers=self.headers,
            )
        finally:
            self.clock.now = None
        if response.status_code == 422:
            problem = response.json()
            assert problem["rule"] in {"fit", "pain"}
            for fix in problem["fixes"]:
                assert fix["field"] != "sessions_per_week"
            return plan
        assert response.status_code == 200, response.text
        replanned: dict[str, Any] = response.json()["plan"]
        for before, after in zip(plan["sessions"], replanned["sessions"], strict=True):
            if before["status"] == "planned" and before["date"] >= today.isoformat():
                assert after["date"] >= today.isoformat() or after["status"] == "missed"
        await self.check(replanned, pain_before=today)
        return replanned

    async def check(self, plan: dict[str, Any], *, pain_before: date) -> None:
        me = await self.get("/v1/me")
        plans = (await self.get("/v1/me/plans"))["items"]
        workouts = (await self.get("/v1/me/workouts"))["items"]
        in_pain = me["back_pain"] or any(
            (w["pain"] or 0) >= 5
            and 0 < (pain_before - date.fromisoformat(w["local_date"])).days <= 14
            for w in workouts
        )
        real = {date.fromisoformat(w["local_date"]) for w in workouts}
        real |= {
            date.fromisoformat(s["date"])
            for other in plans
            if other["id"] != plan["id"]
            for s in other["sessions"]
            if s["status"] != "missed"
        }
        mine = [s for s in plan["sessions"] if s["status"] != "missed"]
        for session in mine:
            if session["status"] != "planned":
                continue
            day = date.fromisoformat(session["date"])
            others = real | {date.fromisoformat(s["date"]) for s in mine if s is not session}
            assert all(abs((day - other).days) >= 2 for other in others), (session, sorted(others))
            assert DAYS[day.weekday()] in me["available_days"]
            if in_pain:
                assert session["kind"] == "class"
                assert session["class"]["slug"] in GENTLE
        assert ("see-physio" in [a["code"] for a in plan["advisories"]]) == in_pain
        statuses = {s["id"]: s for s in plan["sessions"]}
        for session_id, done_on in self.done.items():
            if session_id in statuses:
                kept = statuses[session_id]
                assert (kept["status"], kept["date"]) == ("done", done_on)
        for other in plans:
            for uid, sequence in (await sequences(self.client, self.headers, other)).items():
                assert sequence >= self.sequences.get(uid, 0), uid
                self.sequences[uid] = sequence

    async def live_the_week(self, plan: dict[str, Any], week: date) -> None:
        for session in plan["sessions"]:
            roll = self.chance.random()
            if session["status"] == "planned" and roll < 0.6:
                pain = self.chance.choice([None, 0, 2, 6])
                logged = await log(
                    self.client,
                    self.headers,
                    session["date"],
                    plan_session_id=session["id"],
                    pain=pain,
                )
                assert logged["plan_session_id"] == session["id"]
                self.done[session["id"]] = session["date"]
            elif roll < 0.75:
                await log(
                    self.client, self.headers, week + timedelta(days=self.chance.randrange(7))
                )


@pytest.mark.parametrize("seed", range(10))
async def test_random_users_over_many_weeks_never_break_a_rule(
    client: AsyncClient,
    db_session: AsyncSession,
    settings: Settings,
    clock: PinnableClock,
    seed: int,
) -> None:
    chance = random.Random(seed)
    level = chance.choice(list(COUNTS))
    user = await make_user(
        db_session,
        experience_level=level,
        equipment=chance.sample(KIT, chance.randrange(len(KIT) + 1)),
        available_days=sorted(chance.sample(DAYS, chance.randrange(1, 8)), key=DAYS.index),
        max_session_minutes=chance.choice([None, 10, 20, 30, 60]),
        back_pain=chance.random() < 0.2,
        time_zone=chance.choice(ZONES),
    )
    checker = Checker(client, auth_headers(user, settings), chance, clock)
    weeks = [FIRST_WEEK + timedelta(weeks=n) for n in range(8)]
    chance.shuffle(weeks[2:])  # some weeks are back-filled before the ones after them
    for week in weeks:
        plan = await checker.write_plan(week, replace=False)
        if plan is None:
            continue
        await checker.live_the_week(plan, week)
        if chance.random() < 0.5:
            plan = await checker.replan(plan, week + timedelta(days=chance.randrange(7)))
        if chance.random() < 0.4:
            await checker.write_plan(week, replace=True)
