"""Recording a change: the one helper every service calls when a user's data changes.

Changes are numbered per user, and a user's changes must commit in number order, so that a
client that has read up to N never misses a later one. PostgreSQL takes the next number from
the user's counter row, whose lock holds until the transaction ends; SQLite has one writer
at a time, so the user's highest number plus one is already safe there. Either way recording
is one statement (a deletion adds one more, forgetting tombstones past their retention).
"""

from datetime import datetime

from sqlalchemy import Integer, String, bindparam, text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import UTCDateTime, utc_now
from app.sync.models import TOMBSTONE_RETENTION, ChangeOp, Entity

_COLUMNS = "sync_change (user_id, seq, entity, entity_id, op, changed_at)"
_KEEP_LATEST = (
    " ON CONFLICT (user_id, entity, entity_id) DO UPDATE "
    "SET seq = excluded.seq, op = excluded.op, changed_at = excluded.changed_at"
)
# PostgreSQL: two CTEs that record, numbered in ``position`` order, the changes one user's
# statement lists in its CTE ``changed (position, user_id, entity, entity_id, op,
# changed_at)``; none listed, nothing recorded. A statement that changes several things
# records them with its own work, in one round trip.
RECORD_CHANGED = (
    "next_seq AS (INSERT INTO sync_counter (user_id, last_seq) "
    "SELECT user_id, count(*) FROM changed GROUP BY user_id "
    "ON CONFLICT (user_id) DO UPDATE SET last_seq = sync_counter.last_seq + excluded.last_seq "
    "RETURNING last_seq), "
    f"recorded AS (INSERT INTO {_COLUMNS} SELECT user_id, "
    "last_seq - count(*) OVER () + row_number() OVER (ORDER BY position), "
    f"entity, entity_id, op, changed_at FROM changed, next_seq{_KEEP_LATEST})"
)
_RECORD = {
    "postgresql": text(
        "WITH changed (position, user_id, entity, entity_id, op, changed_at) AS ("
        "SELECT 1, :user_id, :entity, :entity_id, :op, :changed_at), "
        f"{RECORD_CHANGED} SELECT 1"
    ).bindparams(
        bindparam("user_id", type_=Integer),
        bindparam("entity", type_=String),
        bindparam("entity_id", type_=Integer),
        bindparam("op", type_=String),
        bindparam("changed_at", type_=UTCDateTime),
    ),
    "sqlite": text(
        f"INSERT INTO {_COLUMNS} SELECT :user_id, COALESCE(MAX(seq), 0) + 1, :entity, "
        ":entity_id, :op, :changed_at FROM sync_change WHERE user_id = :user_id" + _KEEP_LATEST
    ).bindparams(bindparam("changed_at", type_=UTCDateTime)),
}
# The user's latest change stays, so that SQLite's next number never goes back.
_FORGET_OLD_DELETES = text(
    "DELETE FROM sync_change WHERE user_id = :user_id AND op = 'delete' "
    "AND changed_at < :horizon "
    "AND seq < (SELECT MAX(seq) FROM sync_change WHERE user_id = :user_id)"
).bindparams(bindparam("horizon", type_=UTCDateTime))
_PLAN_OF_SESSION = text("SELECT plan_id FROM planned_session WHERE id = :planned_session_id")


async def record_change(
    session: AsyncSession,
    *,
    user_id: int | None,
    entity: Entity,
    entity_id: int | None,
    op: ChangeOp = "upsert",
    now: datetime | None = None,
) -> None:
    """Note that the user's ``entity`` was created or changed (upsert) or deleted."""
    assert user_id is not None
    assert entity_id is not None
    now = now or utc_now()
    values = {
        "user_id": user_id,
        "entity": entity,
        "entity_id": entity_id,
        "op": op,
        "changed_at": now,
    }
    connection = await session.connection()
    await connection.execute(_RECORD[connection.dialect.name], values)
    if op == "delete":
        horizon = now - TOMBSTONE_RETENTION
        await connection.execute(_FORGET_OLD_DELETES, {"user_id": user_id, "horizon": horizon})


async def record_plan_change(
    session: AsyncSession, *, user_id: int, planned_session_id: int
) -> None:
    """Note that the plan holding ``planned_session_id`` changed (its session did)."""
    connection = await session.connection()
    plan_id = (
        await connection.execute(_PLAN_OF_SESSION, {"planned_session_id": planned_session_id})
    ).scalar_one_or_none()
    if plan_id is not None:
        await record_change(session, user_id=user_id, entity="plan", entity_id=plan_id)


# How a statement from ``change_recorded_with`` binds ``changed_at``.
CHANGED_AT = bindparam("changed_at", type_=UTCDateTime)


def change_recorded_with(written: str) -> str:
    """PostgreSQL CTEs recording an upsert of the user's ``:entity`` in the statement that
    writes it, so the change commits with the write: ``written`` names the CTE returning the
    entity's ``id`` (no row, nothing recorded). Binds ``user_id``, ``entity``, ``changed_at``."""
    return (
        "changed (position, user_id, entity, entity_id, op, changed_at) AS ("
        f"SELECT 1, CAST(:user_id AS integer), CAST(:entity AS varchar), {written}.id, 'upsert', "
        f":changed_at FROM {written}), "
        f"{RECORD_CHANGED}"
    )
