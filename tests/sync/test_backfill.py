"""Upgrading a database with users, plans and workouts: a first sync still gets all of them."""

import asyncio
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.conftest import migrate

BEFORE_SYNC = "0005"
EXISTING = [
    """INSERT INTO "user" (id, email, password_hash, role, experience_level, equipment,
       available_days, back_pain, created_at)
       VALUES (1, 'a@example.com', 'x', 'user', 'beginner', '[]', '["mon"]', false,
               '2026-11-01 10:00:00'),
              (2, 'b@example.com', 'x', 'user', 'beginner', '[]', '["mon"]', false,
               '2026-11-01 10:00:00')""",
    """INSERT INTO plan (id, user_id, week_start, experience_level, sessions_per_week,
       advisories, created_at, updated_at)
       VALUES (5, 2, '2026-11-23', 'beginner', 1, '[]', '2026-11-01 10:00:00',
               '2026-11-01 10:00:00')""",
    """INSERT INTO workout (id, user_id, completed_at, duration_minutes, exercises, created_at)
       VALUES (7, 2, '2026-11-23 10:00:00', 20, '[]', '2026-11-23 10:00:00'),
              (8, 2, '2026-11-24 10:00:00', 20, '[]', '2026-11-24 10:00:00')""",
]


def run(url: str, statements: list[str]) -> list[Any]:
    async def go() -> list[Any]:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.begin() as connection:
            for statement in statements[:-1]:
                await connection.execute(text(statement))
            rows = list(await connection.execute(text(statements[-1])))
        await engine.dispose()
        return rows

    return asyncio.run(go())


def test_existing_rows_become_numbered_upserts(scratch_database_url: str) -> None:
    migrate(scratch_database_url, BEFORE_SYNC)
    run(scratch_database_url, [*EXISTING, "SELECT 1"])
    migrate(scratch_database_url)
    changes = run(
        scratch_database_url,
        ["SELECT user_id, seq, entity, entity_id, op FROM sync_change ORDER BY user_id, seq"],
    )
    counters = run(
        scratch_database_url, ["SELECT user_id, last_seq FROM sync_counter ORDER BY user_id"]
    )
    assert [tuple(row) for row in changes] == [
        (1, 1, "profile", 1, "upsert"),
        (2, 1, "profile", 2, "upsert"),
        (2, 2, "plan", 5, "upsert"),
        (2, 3, "workout", 7, "upsert"),
        (2, 4, "workout", 8, "upsert"),
    ]
    assert [tuple(row) for row in counters] == [(1, 1), (2, 4)]
