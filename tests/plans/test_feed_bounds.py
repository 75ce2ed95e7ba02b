"""The calendar feed covers a bounded window, revalidates with 304, and plans stay near.

An account could once create plans up to 2099 and make its feed megabytes long and seconds to
build; the feed now covers the last 12 weeks and the next 8, and plans may not start further
ahead than that.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from icalendar import Calendar
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.classes.models import WorkoutClass
from app.config import Settings
from app.plans.models import Plan, PlannedSession
from tests.factories import auth_headers, make_user

pytestmark = pytest.mark.anyio


def this_monday() -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday())


def feed_dates(document: bytes) -> set[date]:
    events: list[Any] = Calendar.from_ical(document).walk("VEVENT")
    return {event["dtstart"].dt for event in events}


@pytest.fixture
async def headers(db_session: AsyncSession, settings: Settings) -> dict[str, str]:
    user = await make_user(db_session, equipment=["mat", "dumbbells"])
    return auth_headers(user, settings)


async def create(client: AsyncClient, headers: dict[str, str], week: date) -> int:
    response = await client.post(
        "/v1/me/plans", json={"week_start": week.isoformat()}, headers=headers
    )
    assert response.status_code == 201, response.text
    plan_id: int = response.json()["id"]
    return plan_id


async def test_plans_start_at_most_eight_weeks_ahead(
    client: AsyncClient, headers: dict[str, str]
) -> None:
    await create(client, headers, this_monday() + timedelta(weeks=8))
    too_far = this_monday() + timedelta(weeks=9)
    response = await client.post(
        "/v1/me/plans", json={"week_start": too_far.isoformat()}, headers=headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "week_start" in response.text


async def test_the_feed_covers_twelve_weeks_back_and_eight_ahead(
    client: AsyncClient, headers: dict[str, str], db_session: AsyncSession
) -> None:
    monday = this_monday()
    inside = [monday - timedelta(weeks=12), monday, monday + timedelta(weeks=8)]
    for week in [monday - timedelta(weeks=13), *inside]:
        await create(client, headers, week)
    me = (await client.get("/v1/me", headers=headers)).json()
    # A far-future plan stored before plans were bounded still stays out of the feed.
    far = Plan(
        user_id=me["id"],
        week_start=date(2099, 12, 28),
        experience_level="beginner",
        sessions_per_week=1,
    )
    db_session.add(far)
    await db_session.flush()
    some_class = (await db_session.exec(select(WorkoutClass))).first()
    assert far.id is not None
    assert some_class is not None
    assert some_class.id is not None
    db_session.add(
        PlannedSession(
            plan_id=far.id, position=0, scheduled_date=far.week_start, class_id=some_class.id
        )
    )
    await db_session.commit()
    url = (await client.get("/v1/me/calendar", headers=headers)).json()["url"]
    feed = await client.get(url)
    assert feed.status_code == 200
    weeks = {day - timedelta(days=day.weekday()) for day in feed_dates(feed.content)}
    assert weeks == set(inside)


async def test_the_feed_answers_304_until_a_plan_changes(
    client: AsyncClient, headers: dict[str, str]
) -> None:
    await create(client, headers, this_monday())
    url = (await client.get("/v1/me/calendar", headers=headers)).json()["url"]
    first = await client.get(url)
    assert first.headers["etag"]
    assert first.headers["last-modified"].endswith("GMT")
    unchanged = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == first.headers["etag"]

    await create(client, headers, this_monday() + timedelta(weeks=1))
    changed = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200
    assert changed.headers["etag"] != first.headers["etag"]
