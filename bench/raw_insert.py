"""The baseline's workout POST: the same row the service stores, one INSERT with the bare driver.

No validation beyond parsing, no authentication, no idempotency record, no ORM: asyncpg on
PostgreSQL, aiosqlite on SQLite (the service's own drivers), one statement in autocommit. The
answer has the service's fields in the service's order, so both put about the same bytes on
the wire.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast

import aiosqlite
import asyncpg  # type: ignore[import-untyped]  # no stubs in the project's dev tools
import orjson
from fastapi import Request, Response

from app.local_time import local_date_of, sent_offset_minutes
from bench.baseline_spec import RawWorkoutInsert
from bench.rows import json_text, postgres_dsn, sqlite_path, sqlite_value

WORKOUT_COLUMNS = (
    "completed_at, duration_minutes, rpe, pain, notes, user_id, class_id, exercises, "
    "created_at, plan_session_id, utc_offset_minutes, local_date"
)
POSTGRES_INSERT = (
    f"INSERT INTO workout ({WORKOUT_COLUMNS}) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"
)
SQLITE_INSERT = (
    f"INSERT INTO workout ({WORKOUT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
CLASS_IDS_QUERY = "SELECT slug, id FROM workout_class"
# As many connections per worker as the service's pool (BACKFIT_DATABASE_POOL_SIZE default).
POSTGRES_POOL_SIZE = 10
SQLITE_BUSY_TIMEOUT_MS = 5000
SET_FIELDS = ("reps", "weight_kg", "seconds")


class WorkoutStore(Protocol):
    """Where the baseline writes workout rows."""

    class_ids: Mapping[str, int]

    async def insert(self, row: tuple[Any, ...]) -> int:
        """Store ``row`` (``WORKOUT_COLUMNS``, timestamps aware) and return its id."""
        ...

    async def close(self) -> None: ...


class PostgresWorkoutStore:
    def __init__(self, pool: Any, class_ids: Mapping[str, int]) -> None:
        self.pool = pool
        self.class_ids = class_ids

    @classmethod
    async def open(cls, database_url: str) -> "PostgresWorkoutStore":
        pool = await asyncpg.create_pool(
            postgres_dsn(database_url), min_size=POSTGRES_POOL_SIZE, max_size=POSTGRES_POOL_SIZE
        )
        rows = await pool.fetch(CLASS_IDS_QUERY)
        return cls(pool, {str(row["slug"]): int(row["id"]) for row in rows})

    async def insert(self, row: tuple[Any, ...]) -> int:
        return int(await self.pool.fetchval(POSTGRES_INSERT, *row))

    async def close(self) -> None:
        await self.pool.close()


class SqliteWorkoutStore:
    """One connection per worker, as SQLite takes one writer at a time anyway."""

    def __init__(self, connection: aiosqlite.Connection, class_ids: Mapping[str, int]) -> None:
        self.connection = connection
        self.class_ids = class_ids

    @classmethod
    async def open(cls, database_url: str) -> "SqliteWorkoutStore":
        connection = await aiosqlite.connect(sqlite_path(database_url), isolation_level=None)
        # The service's connection settings (app.db.configure_sqlite).
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
            "PRAGMA foreign_keys=ON",
        ):
            await connection.execute(pragma)
        rows = await connection.execute_fetchall(CLASS_IDS_QUERY)
        return cls(connection, {str(slug): int(class_id) for slug, class_id in rows})

    async def insert(self, row: tuple[Any, ...]) -> int:
        inserted = await self.connection.execute_insert(
            SQLITE_INSERT, tuple(sqlite_value(value) for value in row)
        )
        assert inserted is not None
        return int(inserted[0])

    async def close(self) -> None:
        await self.connection.close()


async def open_workout_store(database_url: str) -> WorkoutStore:
    """A store on the service's database, PostgreSQL or SQLite by the URL."""
    if database_url.startswith("sqlite"):
        return await SqliteWorkoutStore.open(database_url)
    return await PostgresWorkoutStore.open(database_url)


def _utc_text(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class RawWorkoutInsertRoute:
    """The endpoint for one ``RawWorkoutInsert``; ``store`` is opened in each worker's lifespan."""

    spec: RawWorkoutInsert
    store: WorkoutStore | None = None

    async def endpoint(self, request: Request) -> Response:
        assert self.store is not None, "the baseline's lifespan opens the store"
        draft = cast(dict[str, Any], orjson.loads(await request.body()))
        sent_at = datetime.fromisoformat(draft["completed_at"])
        completed_at = sent_at.astimezone(UTC)
        created_at = datetime.now(UTC)
        class_slug = draft.get("class_slug")
        # As the service answers them: every set with all its fields, null where not given.
        exercises = [
            {
                "exercise_slug": logged["exercise_slug"],
                "sets": [
                    {field: done.get(field) for field in SET_FIELDS} for done in logged["sets"]
                ],
            }
            for logged in draft.get("exercises", [])
        ]
        row = (
            completed_at,
            draft["duration_minutes"],
            draft.get("rpe"),
            draft.get("pain"),
            draft.get("notes"),
            self.spec.user_id,
            self.store.class_ids.get(class_slug) if class_slug else None,
            json_text(draft.get("exercises", [])),
            created_at,
            draft.get("plan_session_id"),
            sent_offset_minutes(sent_at),
            local_date_of(sent_at, "UTC"),
        )
        workout_id = await self.store.insert(row)
        answer = {
            "completed_at": _utc_text(completed_at),
            "duration_minutes": draft["duration_minutes"],
            "rpe": draft.get("rpe"),
            "pain": draft.get("pain"),
            "notes": draft.get("notes"),
            "id": workout_id,
            "class_slug": class_slug,
            "plan_session_id": draft.get("plan_session_id"),
            "exercises": exercises,
            "advisories": [],
            "created_at": _utc_text(created_at),
        }
        return Response(orjson.dumps(answer), status_code=201, media_type="application/json")
