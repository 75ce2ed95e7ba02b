"""One local-time history replayed in five zones: same plans, stats, advice and feed in each.

The history, in the user's wall-clock time (sent as UTC, so the server must apply the
profile's zone): pain 15 and 14 days before last week; last week's two planned sessions
done just after and just before midnight; two workouts on last Sunday, the later one
painful, at 00:30 and 23:59:59.9996.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient
from icalendar import Calendar
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.plans.calendar import FEED_HISTORY
from tests.conftest import PinnableClock
from tests.factories import auth_headers, make_user
from tests.local_time_support import (
    JUST_AFTER_MIDNIGHT,
    JUST_BEFORE_MIDNIGHT,
    LAST_MOMENT,
    LOCAL_WEEKS,
    LocalWeek,
    as_utc_text,
)

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("week", LOCAL_WEEKS)]


@dataclass
class LocalUser:
    """A signed-in user of ``week``'s zone, and the test's clock in their wall time."""

    client: AsyncClient
    headers: dict[str, str]
    clock: PinnableClock
    week: LocalWeek

    def set_clock(self, day: date, wall_time: time) -> None:
        self.clock.now = self.week.at(day, wall_time)

    async def log(self, day: date, wall_time: time, **fields: Any) -> dict[str, Any]:
        body = {"completed_at": as_utc_text(self.week.at(day, wall_time)), "duration_minutes": 20}
        response = await self.client.post(
            "/v1/me/workouts", json={**body, **fields}, headers=self.headers
        )
        assert response.status_code == 201, response.text
        workout: dict[str, Any] = response.json()
        return workout

    async def plan(self, monday: date, **params: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/v1/me/plans", json={"week_start": monday.isoformat()}, headers=self.headers,
            params=params,
        )  # fmt: skip
        assert response.status_code == 201, response.text
        plan: dict[str, Any] = response.json()
        return plan

    async def get(self, path: str, **params: Any) -> Any:
        response = await self.client.get(path, params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def replan(self, plan: dict[str, Any]) -> dict[str, Any]:
        path = f"/v1/me/plans/{plan['id']}/replan"
        response = await self.client.post(path, headers=self.headers)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


def codes(plan: dict[str, Any]) -> list[str]:
    return [advisory["code"] for advisory in plan["advisories"]]


def dates(plan: dict[str, Any]) -> list[date]:
    return [date.fromisoformat(session["date"]) for session in plan["sessions"]]


@pytest.fixture
async def new_user(
    client: AsyncClient,
    db_session: AsyncSession,
    settings: Settings,
    clock: PinnableClock,
    week: LocalWeek,
) -> LocalUser:
    """An intermediate user of the week's zone, with a mat and no history."""
    account = await make_user(
        db_session, experience_level="intermediate", equipment=["mat"], time_zone=week.time_zone
    )
    return LocalUser(client, auth_headers(account, settings), clock, week)


@pytest.fixture
async def user(new_user: LocalUser, week: LocalWeek) -> LocalUser:
    """The user with the history above, logged by this week's Monday, 08:00."""
    user = new_user
    last_monday = week.day(-7)
    user.set_clock(last_monday, time(7))
    await user.log(last_monday - timedelta(days=15), JUST_BEFORE_MIDNIGHT, pain=6)
    assert "see-physio" not in codes(await user.plan(last_monday))
    await user.log(last_monday - timedelta(days=14), JUST_AFTER_MIDNIGHT, pain=6)
    last_week = await user.plan(last_monday, replace="true")
    assert codes(last_week) == ["see-physio", "one-class-repeats"]
    user.set_clock(week.monday, time(8))
    for session, wall_time in zip(
        last_week["sessions"], [JUST_AFTER_MIDNIGHT, JUST_BEFORE_MIDNIGHT], strict=True
    ):
        day = date.fromisoformat(session["date"])
        await user.log(day, wall_time, plan_session_id=session["id"], duration_minutes=30)
    await user.log(week.day(-1), JUST_AFTER_MIDNIGHT)
    await user.log(week.day(-1), LAST_MOMENT, pain=6)
    return user


async def test_stats_weeks_adherence_and_streak_are_local(user: LocalUser, week: LocalWeek) -> None:
    await user.plan(week.monday)
    stats = await user.get("/v1/me/stats", weeks=2)
    assert [
        (w["week_start"], w["planned"], w["completed"], w["minutes"]) for w in stats["weeks"]
    ] == [(week.day(-7).isoformat(), 2, 4, 100), (week.monday.isoformat(), 2, 0, 0)]
    assert stats["adherence"] == 0.5
    assert stats["current_streak_weeks"] == 1
    assert (stats["total_sessions"], stats["total_minutes"]) == (6, 140)


async def test_history_by_local_dates(user: LocalUser, week: LocalWeek) -> None:
    sunday = week.day(-1).isoformat()
    last_week = await user.get(
        "/v1/me/workouts", **{"from": week.day(-7).isoformat(), "to": sunday}
    )
    local_dates = [date.fromisoformat(item["local_date"]) for item in last_week["items"]]
    assert len(local_dates) == 4
    assert all(week.day(-7) <= day <= week.day(-1) for day in local_dates)
    only_sunday = (await user.get("/v1/me/workouts", **{"from": sunday, "to": sunday}))["items"]
    assert {item["local_date"] for item in only_sunday} == {sunday}
    # Newest first: the last moment of Sunday, then its first half hour.
    assert [item["pain"] for item in only_sunday[:2]] == [6, None]
    assert only_sunday[0]["completed_at"].endswith("Z")


async def test_plan_keeps_rest_day_after_sunday_and_sees_sundays_pain(
    user: LocalUser, week: LocalWeek
) -> None:
    plan = await user.plan(week.monday)
    assert week.monday not in dates(plan)
    assert {session["class"]["slug"] for session in plan["sessions"]} == {"revitalise-your-spine"}
    assert codes(plan) == ["see-physio", "one-class-repeats"]


async def test_replan_today_is_the_local_date(user: LocalUser, week: LocalWeek) -> None:
    plan = await user.plan(week.monday)
    first = plan["sessions"][0]
    first_day = date.fromisoformat(first["date"])
    user.set_clock(first_day, JUST_BEFORE_MIDNIGHT)
    still_today = await user.replan(plan)
    assert still_today["missed"] == []
    user.set_clock(first_day + timedelta(days=1), JUST_AFTER_MIDNIGHT)
    next_day = await user.replan(plan)
    assert next_day["missed"] == [first["id"]]
    planned = [s for s in next_day["plan"]["sessions"] if s["status"] == "planned"]
    assert all(date.fromisoformat(s["date"]) > first_day for s in planned)
    # Sunday's pain is in the 14 local days before today, so the advice stays.
    assert codes(next_day["plan"]) == ["see-physio"]


async def test_feed_reaches_back_from_the_local_today(user: LocalUser, week: LocalWeek) -> None:
    oldest = await user.plan(week.monday - FEED_HISTORY)
    too_old = await user.plan(week.monday - FEED_HISTORY - timedelta(weeks=1))
    user.set_clock(week.monday, JUST_BEFORE_MIDNIGHT)
    url = (await user.get("/v1/me/calendar"))["url"]
    feed = await user.client.get(urlsplit(url).path)
    assert feed.status_code == 200
    uids = {str(event["uid"]) for event in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert f"planned-session-{oldest['sessions'][0]['id']}@backfit" in uids
    assert f"planned-session-{too_old['sessions'][0]['id']}@backfit" not in uids


async def test_a_plan_for_the_week_under_way_skips_past_local_days(
    new_user: LocalUser, week: LocalWeek
) -> None:
    # With no history the earliest days are chosen: the first is the first day not past.
    tuesday, wednesday = week.day(1), week.day(2)
    new_user.set_clock(tuesday, JUST_BEFORE_MIDNIGHT)
    assert dates(await new_user.plan(week.monday))[0] == tuesday
    new_user.set_clock(wednesday, JUST_AFTER_MIDNIGHT)
    assert dates(await new_user.plan(week.monday, replace="true"))[0] == wednesday
    # Back-filling a past week may use every day of it.
    assert dates(await new_user.plan(week.day(-14)))[0] == week.day(-14)


async def test_a_workout_on_a_planned_local_day_completes_that_session(
    new_user: LocalUser, week: LocalWeek
) -> None:
    new_user.set_clock(week.monday, time(7))
    plan = await new_user.plan(week.monday)
    first, second = plan["sessions"]
    new_user.set_clock(week.day(6), JUST_BEFORE_MIDNIGHT)
    early = await new_user.log(date.fromisoformat(first["date"]), JUST_AFTER_MIDNIGHT)
    late = await new_user.log(date.fromisoformat(second["date"]), JUST_BEFORE_MIDNIGHT)
    assert (early["plan_session_id"], late["plan_session_id"]) == (first["id"], second["id"])
    assert early["class_slug"] == first["class"]["slug"]
    stored = await new_user.get(f"/v1/me/plans/{plan['id']}")
    assert [session["status"] for session in stored["sessions"]] == ["done", "done"]
    stats = await new_user.get("/v1/me/stats", weeks=1)
    assert (stats["adherence"], stats["current_streak_weeks"]) == (1.0, 1)


async def test_ready_to_progress_counts_sessions_done_on_their_local_days(
    client: AsyncClient,
    db_session: AsyncSession,
    settings: Settings,
    clock: PinnableClock,
    week: LocalWeek,
) -> None:
    account = await make_user(
        db_session, experience_level="beginner", equipment=["mat"], time_zone=week.time_zone
    )
    beginner = LocalUser(client, auth_headers(account, settings), clock, week)
    beginner.set_clock(week.monday, time(8))
    for weeks_back, wall_time in zip(
        range(4, 0, -1), [JUST_AFTER_MIDNIGHT, JUST_BEFORE_MIDNIGHT] * 2, strict=True
    ):
        (session,) = (await beginner.plan(week.day(-7 * weeks_back)))["sessions"]
        await beginner.log(date.fromisoformat(session["date"]), wall_time)
    assert codes(await beginner.plan(week.monday)) == ["part-of-wider-program", "ready-to-progress"]
