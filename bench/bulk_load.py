"""Loading the growth bench's rows with the raw driver, never through the API.

PostgreSQL: binary COPY with asyncpg, then VACUUM ANALYZE (as autovacuum would soon do), so
the planner and the visibility map look like a database in steady state. SQLite: one
transaction of executemany per table; no ANALYZE, since the service never runs one.
"""

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg  # type: ignore[import-untyped]  # no stubs in the project's dev tools

from app.accounts.security import password_hash
from bench.bench_users import BENCH_PASSWORD
from bench.databases import DatabaseKind
from bench.errors import BenchError
from bench.growth_rows import (
    PLAN_COLUMNS,
    PLANNED_SESSION_COLUMNS,
    SESSIONS_PER_PLAN,
    USER_COLUMNS,
    WORKOUT_COLUMNS,
    GrowthRows,
    GrowthShape,
    Row,
)
from bench.rows import postgres_dsn, rows_for, sqlite_path

CLASS_IDS_QUERY = "SELECT id FROM workout_class ORDER BY id"


@dataclass(frozen=True)
class LoadedTables:
    """Row counts after a load, and how long the load took."""

    users: int
    plans: int
    planned_sessions: int
    workouts: int
    seconds: float


def _tables(rows: GrowthRows) -> list[tuple[str, Sequence[str], Callable[[], Iterator[Row]]]]:
    return [
        ("user", USER_COLUMNS, rows.users),
        ("plan", PLAN_COLUMNS, rows.plans),
        ("planned_session", PLANNED_SESSION_COLUMNS, rows.planned_sessions),
        ("workout", WORKOUT_COLUMNS, rows.workouts),
    ]


def _check_fresh_ids(table: str, lowest: int | None, highest: int | None, count: int) -> None:
    # Rows refer to each other by id (plan → user, session → plan): ids must be 1..count.
    if count and (lowest, highest) != (1, count):
        raise BenchError(f"{table}: ids {lowest}..{highest} for {count} rows; not a fresh table")


async def _load_postgres(database_url: str, shape: GrowthShape, now: datetime) -> None:
    connection = await asyncpg.connect(postgres_dsn(database_url))
    try:
        class_ids = [int(row["id"]) for row in await connection.fetch(CLASS_IDS_QUERY)]
        rows = GrowthRows(
            shape, now=now, class_ids=class_ids, password_hash=password_hash.hash(BENCH_PASSWORD)
        )
        for table, columns, generate in _tables(rows):
            await connection.copy_records_to_table(table, records=generate(), columns=columns)
            lowest, highest, count = await connection.fetchrow(
                f'SELECT min(id), max(id), count(*) FROM "{table}"'
            )
            _check_fresh_ids(table, lowest, highest, count)
    finally:
        await connection.close()


def vacuum_analyze_postgres(database_url: str) -> None:
    """VACUUM ANALYZE the whole database (statistics and visibility map up to date)."""

    async def run() -> None:
        connection = await asyncpg.connect(postgres_dsn(database_url))
        try:
            await connection.execute("VACUUM ANALYZE")
        finally:
            await connection.close()

    asyncio.run(run())


def _load_sqlite(database_url: str, shape: GrowthShape, now: datetime) -> None:
    connection = sqlite3.connect(sqlite_path(database_url), isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=OFF")  # a bulk load: durable once it is done
        class_ids = [row[0] for row in connection.execute(CLASS_IDS_QUERY)]
        rows = GrowthRows(
            shape, now=now, class_ids=class_ids, password_hash=password_hash.hash(BENCH_PASSWORD)
        )
        connection.execute("BEGIN")
        for table, columns, generate in _tables(rows):
            placeholders = ", ".join("?" for _ in columns)
            connection.executemany(
                f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({placeholders})',
                rows_for("sqlite", generate()),
            )
            lowest, highest, count = connection.execute(
                f'SELECT min(id), max(id), count(*) FROM "{table}"'
            ).fetchone()
            _check_fresh_ids(table, lowest, highest, count)
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def bulk_load(
    store: DatabaseKind, database_url: str, shape: GrowthShape, now: datetime
) -> LoadedTables:
    """Fill a migrated, seeded, otherwise empty database with ``shape``'s rows."""
    started = time.monotonic()
    if store == "postgres":
        asyncio.run(_load_postgres(database_url, shape, now))
    else:
        _load_sqlite(database_url, shape, now)
    return LoadedTables(
        users=shape.users,
        plans=shape.plans,
        planned_sessions=shape.plans * SESSIONS_PER_PLAN,
        workouts=shape.workouts,
        seconds=time.monotonic() - started,
    )
