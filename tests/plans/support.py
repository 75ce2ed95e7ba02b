"""Small HTTP steps that plan tests repeat: save, replan, log, read back."""

from datetime import UTC, date, datetime, time
from typing import Any

from httpx import AsyncClient
from icalendar import Calendar

from tests.conftest import PinnableClock

EVERYTHING = ["dumbbells", "mat", "stepper"]


async def save_plan(
    client: AsyncClient,
    headers: dict[str, str],
    week: date,
    sessions_per_week: int | None = None,
    **params: Any,
) -> dict[str, Any]:
    body = {"week_start": week.isoformat(), "sessions_per_week": sessions_per_week}
    response = await client.post("/v1/me/plans", json=body, headers=headers, params=params)
    assert response.status_code == 201, response.text
    plan: dict[str, Any] = response.json()
    return plan


async def replan(
    client: AsyncClient,
    headers: dict[str, str],
    plan: dict[str, Any],
    today: date,
    clock: PinnableClock,
) -> dict[str, Any]:
    """Replan on ``today``, with the app's clock at noon UTC that day (a real "today")."""
    previous, clock.now = clock.now, datetime.combine(today, time(12), tzinfo=UTC)
    try:
        response = await client.post(
            f"/v1/me/plans/{plan['id']}/replan", json={"today": today.isoformat()}, headers=headers
        )
    finally:
        clock.now = previous
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def stored(
    client: AsyncClient, headers: dict[str, str], plan: dict[str, Any]
) -> dict[str, Any]:
    response = await client.get(f"/v1/me/plans/{plan['id']}", headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def log(
    client: AsyncClient, headers: dict[str, str], day: date | str, **body: Any
) -> dict[str, Any]:
    """Log a workout at 18:00 UTC on ``day``."""
    payload = {"completed_at": f"{day}T18:00:00Z", "duration_minutes": 20, **body}
    response = await client.post("/v1/me/workouts", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def sequences(
    client: AsyncClient, headers: dict[str, str], plan: dict[str, Any]
) -> dict[str, int]:
    """SEQUENCE per event UID of the plan's calendar."""
    response = await client.get(f"/v1/me/plans/{plan['id']}.ics", headers=headers)
    assert response.status_code == 200, response.text
    calendar = Calendar.from_ical(response.content)
    return {str(event["uid"]): int(str(event["sequence"])) for event in calendar.walk("VEVENT")}


def dates(plan: dict[str, Any]) -> list[date]:
    return [date.fromisoformat(session["date"]) for session in plan["sessions"]]


def weekdays(plan: dict[str, Any]) -> list[int]:
    return [day.weekday() for day in dates(plan)]


def class_slugs(plan: dict[str, Any]) -> list[str]:
    return [session["class"]["slug"] for session in plan["sessions"]]


def codes(plan: dict[str, Any]) -> list[str]:
    return [advisory["code"] for advisory in plan["advisories"]]
