"""Workouts keep the offset they were sent with, fall on the user's local day, and never
end in the future; profiles and previews carry a time zone; replan's today is a real one.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from httpx import AsyncClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.weeks import monday_of
from tests.conftest import PinnableClock
from tests.factories import auth_headers, make_user, post_workout

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)  # a Tuesday
# From UTC-10 to UTC+14, with half- and quarter-hour offsets and two DST rules.
PROFILE_ZONES = [
    "Pacific/Honolulu", "America/New_York", "UTC", "Europe/London", "Asia/Kolkata",
    "Pacific/Chatham", "Pacific/Auckland", "Pacific/Kiritimati",
]  # fmt: skip


@pytest.fixture
def pinned(clock: PinnableClock) -> PinnableClock:
    clock.now = NOW
    return clock


async def headers_for(db_session: AsyncSession, app_settings: Settings, **profile: Any) -> Any:
    return auth_headers(await make_user(db_session, **profile), app_settings)


async def test_auckland_monday_morning_keeps_its_offset_and_its_week(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, pinned: PinnableClock
) -> None:
    headers = await headers_for(db_session, settings, time_zone="Pacific/Auckland")
    sent = "2026-11-30T08:00:00+13:00"  # Sunday 19:00 in UTC
    workout = await post_workout(client, headers, completed_at=sent)
    assert (workout["completed_at"], workout["local_date"]) == (sent, "2026-11-30")
    fetched = (await client.get(f"/v1/me/workouts/{workout['id']}", headers=headers)).json()
    assert (fetched["completed_at"], fetched["local_date"]) == (sent, "2026-11-30")
    # Sent in UTC, the same instant is read in the profile's zone: still Monday.
    in_utc = await post_workout(client, headers, completed_at="2026-11-29T19:00:00Z")
    assert (in_utc["completed_at"], in_utc["local_date"]) == ("2026-11-29T19:00:00Z", "2026-11-30")
    stats = (await client.get("/v1/me/stats", params={"weeks": 2}, headers=headers)).json()
    assert [(w["week_start"], w["completed"]) for w in stats["weeks"]] == [
        ("2026-11-23", 0),
        ("2026-11-30", 2),
    ]


async def test_the_offset_sent_wins_over_the_profile_zone(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, pinned: PinnableClock
) -> None:
    headers = await headers_for(db_session, settings, time_zone="Pacific/Auckland")
    # Someone travelling: 22:00 in Honolulu on Sunday is their Sunday, whatever the profile.
    workout = await post_workout(client, headers, completed_at="2026-11-29T22:00:00-10:00")
    assert workout["local_date"] == "2026-11-29"


@pytest.mark.parametrize(
    ("completed_at", "status"),
    [
        ((NOW + timedelta(minutes=4)).isoformat(), 201),
        ((NOW + timedelta(minutes=6)).isoformat(), 422),
        ((NOW + timedelta(minutes=6)).astimezone(ZoneInfo("Pacific/Kiritimati")).isoformat(), 422),
        ("2030-01-01T00:00:00Z", 422),
    ],
)
async def test_a_workout_cannot_end_in_the_future(
    client: AsyncClient,
    db_session: AsyncSession,
    settings: Settings,
    pinned: PinnableClock,
    completed_at: str,
    status: int,
) -> None:
    headers = await headers_for(db_session, settings)
    body = {"completed_at": completed_at, "duration_minutes": 20}
    response = await client.post("/v1/me/workouts", json=body, headers=headers)
    assert response.status_code == status, response.text
    if status == 422:
        assert "in the future" in response.json()["detail"]


async def test_the_last_moment_of_sunday_counts_in_its_week(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, pinned: PinnableClock
) -> None:
    headers = await headers_for(db_session, settings)
    await post_workout(client, headers, completed_at="2026-11-29T23:59:59.9996Z")
    stats = (await client.get("/v1/me/stats", params={"weeks": 2}, headers=headers)).json()
    assert [w["completed"] for w in stats["weeks"]] == [1, 0]
    sunday = await client.get(
        "/v1/me/workouts", params={"from": "2026-11-29", "to": "2026-11-29"}, headers=headers
    )
    assert len(sunday.json()["items"]) == 1


@pytest.mark.parametrize(
    "moment", ["2099-12-31T23:59:59-12:00", "2100-01-01T05:00:00+13:00", "1999-12-31T23:00:00Z"]
)
async def test_times_outside_the_service_years_are_refused_after_conversion(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, moment: str
) -> None:
    headers = await headers_for(db_session, settings)
    for params in ({"from": moment}, {"to": moment}):
        response = await client.get("/v1/me/workouts", params=params, headers=headers)
        assert response.status_code == 422, params
    body = {"completed_at": moment, "duration_minutes": 20}
    assert (await client.post("/v1/me/workouts", json=body, headers=headers)).status_code == 422


async def test_a_local_date_before_2000_is_refused(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    headers = await headers_for(db_session, settings, time_zone="Pacific/Honolulu")
    body = {"completed_at": "2000-01-01T05:00:00Z", "duration_minutes": 20}  # 1999 in Honolulu
    response = await client.post("/v1/me/workouts", json=body, headers=headers)
    assert response.status_code == 422
    assert "1999-12-31" in response.json()["detail"]


async def test_profile_time_zone_defaults_to_utc_and_must_be_iana(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    headers = await headers_for(db_session, settings)
    assert (await client.get("/v1/me", headers=headers)).json()["time_zone"] == "UTC"
    changed = await client.patch("/v1/me", json={"time_zone": "Pacific/Honolulu"}, headers=headers)
    assert changed.status_code == 200
    assert (await client.get("/v1/me", headers=headers)).json()["time_zone"] == "Pacific/Honolulu"
    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", "", "utc+13"):
        refused = await client.patch("/v1/me", json={"time_zone": bad}, headers=headers)
        assert refused.status_code == 422, bad
        assert refused.json()["errors"][0]["loc"][-1] == "time_zone"
    assert (await client.get("/v1/me", headers=headers)).json()["time_zone"] == "Pacific/Honolulu"


@pytest.mark.parametrize(
    ("time_zone", "first_day"), [("UTC", "2026-12-01"), ("Pacific/Auckland", "2026-12-02")]
)
async def test_preview_takes_the_zone_for_a_week_under_way(
    client: AsyncClient, pinned: PinnableClock, time_zone: str, first_day: str
) -> None:
    # 12:00 UTC on Tuesday is already Wednesday 01:00 in Auckland.
    body = {"week_start": "2026-11-30", "equipment": ["mat"], "time_zone": time_zone}
    plan = (await client.post("/v1/plans/preview", json=body)).json()
    assert [session["date"] for session in plan["sessions"]] == [first_day]
    refused = await client.post("/v1/plans/preview", json={**body, "time_zone": "Nowhere"})
    assert refused.status_code == 422


@pytest.mark.parametrize(
    ("today", "status"),
    [("2026-11-29", 422), ("2026-11-30", 200), ("2026-12-02", 200), ("2026-12-03", 422)],
)
async def test_replan_today_must_be_today_somewhere(
    client: AsyncClient,
    db_session: AsyncSession,
    settings: Settings,
    pinned: PinnableClock,
    today: str,
    status: int,
) -> None:
    headers = await headers_for(db_session, settings, equipment=["mat"])
    plan = await client.post("/v1/me/plans", json={"week_start": "2026-11-30"}, headers=headers)
    response = await client.post(
        f"/v1/me/plans/{plan.json()['id']}/replan", json={"today": today}, headers=headers
    )
    assert response.status_code == status, response.text


@given(
    time_zone=st.sampled_from(PROFILE_ZONES),
    moment=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2026, 11, 30), timezones=st.just(UTC)
    ),
    sent_zone=st.one_of(st.just(UTC), st.timezones()),
)
@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
async def test_the_week_a_workout_counts_in_is_the_monday_of_its_local_date(
    client: AsyncClient,
    db_session: AsyncSession,
    settings: Settings,
    pinned: PinnableClock,
    time_zone: str,
    moment: datetime,
    sent_zone: Any,
) -> None:
    headers = await headers_for(db_session, settings, time_zone=time_zone)
    sent = moment.astimezone(sent_zone)
    workout = await post_workout(client, headers, completed_at=sent.isoformat())
    offset = sent.utcoffset()
    reading_zone = ZoneInfo(time_zone) if offset == timedelta(0) else sent.tzinfo
    local_day = moment.astimezone(reading_zone).date()
    assert date.fromisoformat(workout["local_date"]) == local_day
    stats = (await client.get("/v1/me/stats", params={"weeks": 104}, headers=headers)).json()
    counted = [week["week_start"] for week in stats["weeks"] if week["completed"]]
    assert counted == [monday_of(local_day).isoformat()]
