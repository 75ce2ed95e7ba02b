"""EXPLAIN the hot queries exactly as the service sends them.

The service's own functions run against the database with a listener that records every
SELECT they send (SQL and parameters, as the driver gets them); each is then explained with
the same parameters: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN plus a timed
run on SQLite. Nothing here restates the service's SQL, so the plans cannot drift from it.
"""

import asyncio
import re
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, insert
from sqlmodel.ext.asyncio.session import AsyncSession

import app.models  # noqa: F401  (every table, so the ORM can map relations)
from app.accounts.models import SignInThrottle
from app.accounts.throttle import reserve_attempt
from app.config import Settings
from app.db import create_engine, create_sessionmaker, utc_now
from app.plans.history import history_before
from app.workouts.service import list_workouts, weekly_stats
from bench.databases import DatabaseKind

# A sign-in attack in progress: this many failures in the last minute, spread over these.
LOGIN_FAILURES = 3000
FAILING_ADDRESSES = 300
FAILING_EMAILS = 1000
EXECUTION_TIME = re.compile(r"Execution Time: ([0-9.]+) ms")
SQLITE_TIMED_RUNS = 5
POSTGRES_EXPLAIN_RUNS = 3


@dataclass(frozen=True)
class ExplainedQuery:
    """One statement the service sent, and how the database ran it."""

    label: str
    sql: str
    parameters: str
    plan: str
    execution_ms: float | None


@dataclass(frozen=True)
class HotQueryInputs:
    """Whose data the hot queries read."""

    user_id: int
    email: str
    deep_cursor: str
    plan_week_start: date


ServiceCall = Callable[[AsyncSession], Awaitable[object]]


def _service_calls(inputs: HotQueryInputs) -> list[tuple[str, ServiceCall]]:
    now = utc_now()
    user_id = inputs.user_id
    return [
        ("history page, first", lambda s: list_workouts(s, user_id=user_id, limit=20)),
        (
            "history page, deep keyset",
            lambda s: list_workouts(s, user_id=user_id, limit=20, cursor=inputs.deep_cursor),
        ),
        ("stats, weeks=52", lambda s: weekly_stats(s, user_id=user_id, weeks=52)),
        (
            "history for plans",
            lambda s: history_before(
                s, user_id=user_id, week_start=inputs.plan_week_start, now=now
            ),
        ),
        (
            "login throttle",
            lambda s: reserve_attempt(s, email=inputs.email, client_address="203.0.113.7", now=now),
        ),
    ]


def _failure_rows() -> list[dict[str, Any]]:
    now = utc_now()
    return [
        {
            "key": f"{index:064x}",
            "window_started_at": now - timedelta(seconds=60 * index / LOGIN_FAILURES),
            "attempts": 1 + index % 10,
        }
        for index in range(LOGIN_FAILURES)
    ]


async def _explain_all(
    database_url: str, store: DatabaseKind, inputs: HotQueryInputs
) -> list[ExplainedQuery]:
    engine = create_engine(Settings(database_url=database_url))
    captured: list[tuple[str, str, Any]] = []
    label = ""

    def record(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((label, statement, parameters))

    try:
        async with engine.begin() as connection:
            await connection.execute(insert(SignInThrottle), _failure_rows())
        event.listen(engine.sync_engine, "before_cursor_execute", record)
        async with create_sessionmaker(engine)() as session:
            for label, call in _service_calls(inputs):  # noqa: B007  (read by record)
                await call(session)
            await session.rollback()
        event.remove(engine.sync_engine, "before_cursor_execute", record)
        explained = []
        async with engine.connect() as connection:
            counts: dict[str, int] = {}
            for query_label, statement, parameters in captured:
                counts[query_label] = counts.get(query_label, 0) + 1
                total = sum(1 for entry in captured if entry[0] == query_label)
                name = query_label + (f" ({counts[query_label]}/{total})" if total > 1 else "")
                explained.append(await _explain(connection, store, name, statement, parameters))
        return explained
    finally:
        await engine.dispose()


async def _explain(
    connection: Any, store: DatabaseKind, name: str, statement: str, parameters: Any
) -> ExplainedQuery:
    if store == "postgres":
        # The fastest of a few: the first run can pay for loading catalog caches.
        explained = []
        for _ in range(POSTGRES_EXPLAIN_RUNS):
            result = await connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
            )
            text = "\n".join(str(row[0]) for row in result)
            found = EXECUTION_TIME.search(text)
            explained.append((float(found.group(1)) if found else float("inf"), text))
        fastest, plan = min(explained)
        execution_ms = fastest if fastest != float("inf") else None
    else:
        result = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        plan = "\n".join(f"{row[1]:>3} {row[2]:>3}  {row[3]}" for row in result)
        runs = []
        for _ in range(SQLITE_TIMED_RUNS):
            started = time.perf_counter()
            (await connection.exec_driver_sql(statement, parameters)).fetchall()
            runs.append((time.perf_counter() - started) * 1000)
        execution_ms = statistics.median(runs)
    return ExplainedQuery(name, statement, repr(parameters), plan, execution_ms)


def explain_hot_queries(
    database_url: str, store: DatabaseKind, inputs: HotQueryInputs
) -> list[ExplainedQuery]:
    """The hot queries of history, stats, plan history and sign-in throttling, explained."""
    return asyncio.run(_explain_all(database_url, store, inputs))
