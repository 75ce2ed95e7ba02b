"""Queries per request stay fixed as the data grows: no N+1 can creep back in.

Each endpoint is called for one item, then for several (more of the user's rows, a larger
page); both calls must run the same number of SQL statements, within the budget here.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.config import Settings
from tests.factories import auth_headers, make_user, make_workout

pytestmark = pytest.mark.anyio

FIRST_MONDAY = date(2026, 6, 1)


@contextmanager
def counted_statements(connection: AsyncConnection) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*arguments: Any) -> None:
        statement = arguments[2]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(connection.sync_connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection.sync_connection, "before_cursor_execute", record)


async def grow(
    client: AsyncClient,
    db_session: AsyncSession,
    headers: dict[str, str],
    user: User,
    weeks: range,
) -> None:
    """Give ``user`` a plan and a workout in each of ``weeks`` (counted from June 2026)."""
    for week in weeks:
        monday = FIRST_MONDAY + timedelta(weeks=week)
        response = await client.post(
            "/v1/me/plans", json={"week_start": monday.isoformat()}, headers=headers
        )
        assert response.status_code == 201, response.text
        moment = datetime.combine(monday, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
        await make_workout(db_session, user, completed_at=moment)


ENDPOINTS = {
    # path: statements allowed (user lookup included)
    "/v1/me/workouts": 2,
    "/v1/me/plans": 3,
    "/v1/me/stats?weeks=52": 2,  # one statement: per week, planned, hard sets, totals
    "/v1/me": 1,
    "/v1/classes": 2,
    "/v1/exercises?q=row": 1,
}


@pytest.mark.parametrize(("path", "budget"), ENDPOINTS.items())
async def test_statements_per_request_do_not_grow(
    client: AsyncClient,
    connection: AsyncConnection,
    db_session: AsyncSession,
    settings: Settings,
    path: str,
    budget: int,
) -> None:
    user = await make_user(db_session, experience_level="beginner", equipment=["mat"])
    headers = auth_headers(user, settings)
    # The catalog cache rereads the catalog version once a second: do that before counting.
    await client.get(path, headers=headers)
    counts = []
    # One item a page, then every item on one page; a new query string also means a catalog
    # page is rendered, not served from the cache.
    for weeks, limit in ((range(1), 1), (range(1, 6), 20)):
        await grow(client, db_session, headers, user, weeks)
        separator = "&" if "?" in path else "?"
        with counted_statements(connection) as statements:
            response = await client.get(f"{path}{separator}limit={limit}", headers=headers)
        assert response.status_code == 200, response.text
        counts.append(len(statements))
    if path.startswith("/v1/me/plans"):
        assert len(response.json()["items"]) == 6
    assert counts[0] == counts[1], f"{path}: {counts[0]} statements with 1 row, {counts[1]} with 6"
    assert counts[0] <= budget, f"{path}: {counts[0]} statements, budget {budget}"


async def test_plan_creation_reads_history_in_fixed_queries(
    client: AsyncClient, connection: AsyncConnection, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(db_session, experience_level="beginner", equipment=["mat"])
    headers = auth_headers(user, settings)
    target = {"week_start": (FIRST_MONDAY + timedelta(weeks=10)).isoformat()}
    # Both counted calls replace an existing plan, so both do the same work.
    assert (await client.post("/v1/me/plans", json=target, headers=headers)).status_code == 201
    counts = []
    for weeks in (range(1), range(1, 6)):
        await grow(client, db_session, headers, user, weeks)
        with counted_statements(connection) as statements:
            response = await client.post(
                "/v1/me/plans", json=target, params={"replace": "true"}, headers=headers
            )
        assert response.status_code == 201, response.text
        counts.append(len(statements))
    assert counts[0] == counts[1]
    # The user, one read of everything the generator needs, and on PostgreSQL one statement
    # writing the plan, its sessions and the sync log (SQLite: the plan, the sessions, the log).
    assert counts[0] <= 5


async def test_logging_a_workout_takes_fixed_queries(
    client: AsyncClient, connection: AsyncConnection, db_session: AsyncSession, settings: Settings
) -> None:
    headers = auth_headers(await make_user(db_session), settings)
    body = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20, "pain": 6}
    counts = []
    for key in ("first", "second"):
        with counted_statements(connection) as statements:
            response = await client.post(
                "/v1/me/workouts", json=body, headers={**headers, "Idempotency-Key": key}
            )
        assert response.status_code == 201
        counts.append(len(statements))
    assert counts[0] == counts[1]
    # User and sign-in, key claim, the planned session on that local day, insert, sync log,
    # the stored response.
    assert counts[0] <= 6


async def test_a_workout_naming_a_class_and_exercises_costs_no_more_queries(
    client: AsyncClient, connection: AsyncConnection, db_session: AsyncSession, settings: Settings
) -> None:
    headers = auth_headers(await make_user(db_session), settings)
    plain = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20}
    named = {
        **plain,
        "class_slug": "revitalise-your-spine",
        "exercises": [
            {"exercise_slug": "deadlift", "sets": [{"reps": 8, "weight_kg": 60}]},
            {"exercise_slug": "glute-bridge", "sets": [{"reps": 12}]},
        ],
    }
    counts = []
    # The first request warms the catalog cache; the slugs are then checked against it.
    for key, body in (("warm", named), ("plain", plain), ("named", named)):
        with counted_statements(connection) as statements:
            response = await client.post(
                "/v1/me/workouts", json=body, headers={**headers, "Idempotency-Key": key}
            )
        assert response.status_code == 201, response.text
        counts.append(len(statements))
    assert counts[1] == counts[2]
