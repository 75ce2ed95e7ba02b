"""Plans as iCalendar: one event per session, stable UIDs, SEQUENCE raised when one moves."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from icalendar import Calendar
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from tests.conftest import PinnableClock
from tests.factories import auth_headers, make_user

pytestmark = pytest.mark.anyio

WEEK = date(2026, 11, 2)


def events(document: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(document)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
async def headers(db_session: AsyncSession, settings: Settings) -> dict[str, str]:
    user = await make_user(
        db_session, experience_level="advanced", equipment=["mat", "dumbbells", "stepper"]
    )
    return auth_headers(user, settings)


async def test_plan_calendar_follows_replans(
    client: AsyncClient, headers: dict[str, str], clock: PinnableClock
) -> None:
    clock.now = datetime.combine(WEEK - timedelta(days=1), time(9), tzinfo=UTC)
    plan = (
        await client.post("/v1/me/plans", json={"week_start": WEEK.isoformat()}, headers=headers)
    ).json()
    response = await client.get(f"/v1/me/plans/{plan['id']}.ics", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    before = events(response.content)
    assert len(before) == 3
    first = before[f"planned-session-{plan['sessions'][0]['id']}@backfit"]
    assert first["dtstart"].dt == WEEK
    assert int(first["sequence"]) == 0
    assert "min" in str(first["summary"])
    assert "Warm" in str(first["description"]) or "Block" in str(first["description"])
    assert "http" not in str(first["description"])

    clock.now = datetime.combine(WEEK + timedelta(days=3), time(9), tzinfo=UTC)
    replanned = await client.post(
        f"/v1/me/plans/{plan['id']}/replan",
        json={"today": (WEEK + timedelta(days=3)).isoformat()},
        headers=headers,
    )
    changed = {move["session_id"] for move in replanned.json()["moved"]} | set(
        replanned.json()["missed"]
    )
    after = events((await client.get(f"/v1/me/plans/{plan['id']}.ics", headers=headers)).content)
    assert set(after) == set(before)
    for session in plan["sessions"]:
        uid = f"planned-session-{session['id']}@backfit"
        expected = 1 if session["id"] in changed else 0
        assert int(after[uid]["sequence"]) == expected, uid
    monday = after[f"planned-session-{plan['sessions'][0]['id']}@backfit"]
    assert str(monday["status"]) == "CANCELLED"


async def test_secret_feed_url_serves_every_plan_until_rotated(
    client: AsyncClient, headers: dict[str, str]
) -> None:
    for week in (WEEK, WEEK + timedelta(weeks=1)):
        await client.post("/v1/me/plans", json={"week_start": week.isoformat()}, headers=headers)
    url = (await client.get("/v1/me/calendar", headers=headers)).json()["url"]
    assert url == (await client.get("/v1/me/calendar", headers=headers)).json()["url"]
    assert url.endswith(".ics")
    feed = await client.get(url)
    assert feed.status_code == 200
    assert len(events(feed.content)) == 6

    rotated = (await client.post("/v1/me/calendar/rotate", headers=headers)).json()["url"]
    assert rotated != url
    assert (await client.get(url)).status_code == 404
    assert (await client.get(rotated)).status_code == 200
    assert (await client.get("/v1/calendar/guess.ics")).status_code == 404
