"""Workouts logged before local time was kept migrate as UTC: offset zero, their UTC date;
their stored idempotent responses still replay.
"""

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.workouts.models import WorkoutPublic
from tests.conftest import migrate

USER = (
    'INSERT INTO "user" (id, experience_level, equipment, available_days, back_pain, email, '
    "password_hash, role, created_at) VALUES (1, 'beginner', '[]', '[]', false, "
    "'old@example.com', 'x', 'user', :at)"
)
WORKOUT = (
    "INSERT INTO workout (completed_at, duration_minutes, user_id, exercises, created_at) "
    "VALUES (:at, 20, 1, '[]', :at)"
)
RECORD = (
    "INSERT INTO idempotency_record (user_id, key, request_hash, response_body, created_at) "
    "VALUES (1, 'old-key', 'hash', :body, :at)"
)
OLD_RESPONSE = (
    '{"completed_at":"2026-11-29T23:59:59.999600Z","duration_minutes":20,"rpe":null,'
    '"pain":null,"notes":null,"id":1,"class_slug":null,"plan_session_id":null,"exercises":[],'
    '"advisories":[],"created_at":"2026-11-29T23:59:59.999600Z"}'
)
# The last moment of a Sunday, which date() on SQLite would round into Monday.
LAST_MOMENT_OF_SUNDAY = datetime(2026, 11, 29, 23, 59, 59, 999600, tzinfo=UTC)


def stored(moment: datetime, *, sqlite: bool) -> object:
    """A timestamp as the store's column takes it (SQLite: the app's UTC text)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else moment


def run(url: str, *statements: tuple[str, dict[str, object]]) -> list[tuple[object, ...]]:
    async def execute() -> list[tuple[object, ...]]:
        engine = create_async_engine(url, poolclass=NullPool)
        rows: list[tuple[object, ...]] = []
        async with engine.begin() as connection:
            for sql, params in statements:
                result = await connection.execute(text(sql), params)
                rows = [tuple(row) for row in result] if result.returns_rows else rows
        await engine.dispose()
        return rows

    return asyncio.run(execute())


def test_existing_workouts_get_utc_offset_and_utc_date(scratch_database_url: str) -> None:
    migrate(scratch_database_url, "0005")
    at = stored(LAST_MOMENT_OF_SUNDAY, sqlite=scratch_database_url.startswith("sqlite"))
    run(
        scratch_database_url,
        (USER, {"at": at}),
        (WORKOUT, {"at": at}),
        (RECORD, {"at": at, "body": OLD_RESPONSE}),
    )
    migrate(scratch_database_url)
    rows = run(
        scratch_database_url,
        ("SELECT utc_offset_minutes, CAST(local_date AS VARCHAR(10)) FROM workout", {}),
    )
    assert rows == [(0, "2026-11-29")]
    profile = run(scratch_database_url, ('SELECT time_zone FROM "user"', {}))
    assert profile == [("UTC",)]
    (body,) = run(scratch_database_url, ("SELECT response_body FROM idempotency_record", {}))[0]
    replayed = WorkoutPublic.model_validate_json(str(body))
    assert replayed.local_date == date(2026, 11, 29)
