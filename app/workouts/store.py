"""Storing a logged workout in as few statements as each store allows.

What a workout POST writes: its Idempotency-Key with the response (replayed for a retry),
the planned session it completes (the one named, or the user's open one on that local day),
the workout, and the sync log. On PostgreSQL that is one statement, atomic on its own, run
in autocommit: a racing twin's claim of the same key waits for it to commit and then finds
the key taken. SQLite has no data-modifying CTEs: the same steps run one by one, inside its
write transaction.
"""

import re
from typing import Any

from sqlalchemy import Date, Integer, String, bindparam, text
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import TextClause
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import UTCDateTime
from app.errors import NotFound
from app.sync.changes import RECORD_CHANGED, record_change
from app.workouts.models import WorkoutPublic

# The planned session a workout completes, with its class: the one named (if the user's), or
# else the user's first open one on that local day (of the workout's class, when it names one).
_PLANNED = (
    "SELECT planned_session.id, planned_session.class_id, planned_session.plan_id, "
    "planned_session.status, workout_class.slug AS class_slug FROM planned_session "
    "JOIN plan ON plan.id = planned_session.plan_id "
    "LEFT JOIN workout_class ON workout_class.id = planned_session.class_id "
    "WHERE plan.user_id = :user_id AND "
)
_NAMED = "planned_session.id = :plan_session_id"
_ON_THE_DAY = (
    "plan.week_start = :week_start AND planned_session.scheduled_date = :local_date "
    "AND planned_session.status <> 'done' "
    "AND (:class_id IS NULL OR planned_session.class_id = :class_id) "
    "ORDER BY planned_session.position LIMIT 1"
)
_WORKOUT_COLUMNS = (
    "user_id, class_id, plan_session_id, completed_at, duration_minutes, rpe, pain, notes, "
    "exercises, created_at, utc_offset_minutes, local_date"
)
_WORKOUT_VALUES = (
    ":completed_at, :duration_minutes, :rpe, :pain, :notes, :exercises, :created_at, "
    ":utc_offset_minutes, :local_date"
)
_TYPES = (
    bindparam("user_id", type_=Integer),
    bindparam("key", type_=String),
    bindparam("class_id", type_=Integer),
    bindparam("completed_at", type_=UTCDateTime),
    bindparam("created_at", type_=UTCDateTime),
    bindparam("local_date", type_=Date),
    bindparam("week_start", type_=Date),
)


def _typed(sql: str) -> TextClause:
    named = set(re.findall(r"(?<![:\w]):(\w+)", sql))
    return text(sql).bindparams(*(typed for typed in _TYPES if typed.key in named))


def _postgres_statement(*, named: bool) -> TextClause:
    """Claim the key, complete the planned session, store the workout, log both; answer the
    workout's id, planned session and class slug, and whether it was stored."""
    # A named session that is not the user's leaves no row: nothing is stored.
    chosen = "FROM chosen" if named else "FROM (SELECT) AS one LEFT JOIN chosen ON true"
    return _typed(
        f"WITH chosen AS ({_PLANNED}{_NAMED if named else _ON_THE_DAY}), "
        # nextval first: the stored response carries the id of the workout it stores.
        "new AS (SELECT nextval(pg_get_serial_sequence('workout', 'id')) AS id, "
        "chosen.id AS plan_session_id, COALESCE(:class_id, chosen.class_id) AS class_id, "
        "COALESCE(CAST(:class_slug AS varchar), chosen.class_slug) AS class_slug "
        f"{chosen}), "
        "claim AS (INSERT INTO idempotency_record "
        "(user_id, key, request_hash, created_at, response_body) "
        "SELECT :user_id, :key, :request_hash, :created_at, CAST(CAST(:response AS jsonb) || "
        "jsonb_build_object('id', id, 'plan_session_id', plan_session_id, "
        "'class_slug', class_slug) AS text) FROM new WHERE :key IS NOT NULL "
        "ON CONFLICT DO NOTHING RETURNING key), "
        "go AS (SELECT * FROM new WHERE :key IS NULL OR EXISTS (SELECT FROM claim)), "
        "done AS (UPDATE planned_session SET status = 'done', sequence = sequence + 1 "
        "FROM go WHERE planned_session.id = go.plan_session_id "
        "AND planned_session.status <> 'done' RETURNING planned_session.plan_id), "
        f"stored AS (INSERT INTO workout (id, {_WORKOUT_COLUMNS}) "
        f"SELECT id, :user_id, class_id, plan_session_id, {_WORKOUT_VALUES} FROM go "
        "RETURNING id), "
        "changed (position, user_id, entity, entity_id, op, changed_at) AS ("
        "SELECT 1, :user_id, 'plan', plan_id, 'upsert', :created_at FROM done UNION ALL "
        "SELECT 2, :user_id, 'workout', id, 'upsert', :created_at FROM stored), "
        f"{RECORD_CHANGED} "
        "SELECT id, plan_session_id, class_slug, EXISTS (SELECT FROM go) AS stored FROM new"
    )


_POSTGRES = {named: _postgres_statement(named=named) for named in (True, False)}
_SQLITE_PLANNED = {
    named: _typed(_PLANNED + (_NAMED if named else _ON_THE_DAY)) for named in (True, False)
}
_SQLITE_CLAIM = _typed(
    "INSERT INTO idempotency_record (user_id, key, request_hash, created_at) "
    "VALUES (:user_id, :key, :request_hash, :created_at) ON CONFLICT DO NOTHING RETURNING key"
)
_SQLITE_DONE = text(
    "UPDATE planned_session SET status = 'done', sequence = sequence + 1 WHERE id = :id"
)
_SQLITE_INSERT = _typed(
    f"INSERT INTO workout ({_WORKOUT_COLUMNS}) "
    f"VALUES (:user_id, :class_id, :plan_session_id, {_WORKOUT_VALUES}) RETURNING id"
)
_SQLITE_RESPONSE = text(
    "UPDATE idempotency_record SET response_body = :response "
    "WHERE user_id = :user_id AND key = :key"
)
_STORED_RESPONSE = text(
    "SELECT request_hash, response_body FROM idempotency_record "
    "WHERE user_id = :user_id AND key = :key"
)
# What the statements fill in: the rest of the answer is known before they run.
FILLED_IN = frozenset({"id", "plan_session_id", "class_slug"})


class KeyTaken(Exception):
    """An earlier request took the Idempotency-Key: replay what it stored."""


async def store_workout(
    session: AsyncSession, *, row: dict[str, Any], answer: WorkoutPublic
) -> WorkoutPublic:
    """Store the workout ``row`` describes (log_workout's parameters) and fill in ``answer``.

    KeyTaken when the key was taken before (judged first); NotFound when a named planned
    session is not the user's.
    """
    if session.get_bind().dialect.name == "postgresql":
        return await _store_on_postgres(await session.connection(), row=row, answer=answer)
    return await _store_on_sqlite(session, row=row, answer=answer)


async def _store_on_postgres(
    connection: AsyncConnection, *, row: dict[str, Any], answer: WorkoutPublic
) -> WorkoutPublic:
    named = row["plan_session_id"]
    response = answer.model_dump_json(exclude=set(FILLED_IN))
    result = (
        await connection.execute(_POSTGRES[named is not None], {**row, "response": response})
    ).first()
    if result is None:
        # Nothing ran: the key may still be an earlier request's, whose answer comes first.
        if row["key"] is not None and await stored_response(connection, row) is not None:
            raise KeyTaken
        raise NotFound("planned session", named)
    if not result.stored:
        raise KeyTaken
    return answer.model_copy(
        update={
            "id": result.id,
            "plan_session_id": result.plan_session_id,
            "class_slug": result.class_slug,
        }
    )


async def _store_on_sqlite(
    session: AsyncSession, *, row: dict[str, Any], answer: WorkoutPublic
) -> WorkoutPublic:
    connection = await session.connection()
    key, named = row["key"], row["plan_session_id"]
    if key is not None and (await connection.execute(_SQLITE_CLAIM, row)).first() is None:
        raise KeyTaken
    planned = (await connection.execute(_SQLITE_PLANNED[named is not None], row)).first()
    if planned is None and named is not None:
        raise NotFound("planned session", named)
    filled = {"plan_session_id": named, "class_slug": row["class_slug"]}
    class_id = row["class_id"]
    if planned is not None:
        filled["plan_session_id"] = planned.id
        if class_id is None:
            class_id, filled["class_slug"] = planned.class_id, planned.class_slug
        if planned.status != "done":
            await connection.execute(_SQLITE_DONE, {"id": planned.id})
            await record_change(
                session,
                user_id=row["user_id"],
                entity="plan",
                entity_id=planned.plan_id,
                now=row["created_at"],
            )
    filled["id"] = (
        await connection.execute(_SQLITE_INSERT, {**row, **filled, "class_id": class_id})
    ).scalar_one()
    await record_change(
        session,
        user_id=row["user_id"],
        entity="workout",
        entity_id=filled["id"],
        now=row["created_at"],
    )
    public = answer.model_copy(update=filled)
    if key is not None:
        await connection.execute(_SQLITE_RESPONSE, {**row, "response": public.model_dump_json()})
    return public


async def stored_response(connection: AsyncConnection, row: dict[str, Any]) -> Row[Any] | None:
    """The request hash and response stored for the row's user and key."""
    return (await connection.execute(_STORED_RESPONSE, row)).first()
