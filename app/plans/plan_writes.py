"""A saved plan written at once: the plan row, its sessions and the sync log's record.

PostgreSQL runs the parts as one statement (data-modifying CTEs), atomic on its own, so the
request needs no BEGIN or COMMIT round trips. SQLite has no data-modifying CTEs: it runs the
same parts one by one, inside the request's write transaction. The sessions travel as one JSON
document either way, so each statement keeps one shape whatever the number of sessions.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Conflict
from app.sync.changes import CHANGED_AT, change_recorded_with, record_change


@dataclass(frozen=True)
class SessionWrite:
    """One session to store: a new one (``id`` None), a reused row, or a row to delete."""

    id: int | None
    position: int
    scheduled_date: date
    class_id: int | None
    strength: dict[str, Any] | None
    reasons: list[str]
    changed: bool  # a reused row's calendar event changed: its SEQUENCE goes up
    gone: bool = False


# The sessions document as rows ``s``, and the written plan as a relation ``p`` with its id.
_SESSIONS = {
    "postgresql": "json_to_recordset(CAST(:sessions AS json)) AS s(id int, position int, "
    "scheduled_date date, class_id int, strength json, reasons json, changed boolean, "
    "gone boolean)",
    "sqlite": "(SELECT value ->> 'id' AS id, value ->> 'position' AS position, "
    "value ->> 'scheduled_date' AS scheduled_date, value ->> 'class_id' AS class_id, "
    "value ->> 'strength' AS strength, value ->> 'reasons' AS reasons, "
    "value ->> 'changed' AS changed, value ->> 'gone' AS gone "
    "FROM json_each(:sessions)) AS s",
}
_PLAN = {"postgresql": "plan_row", "sqlite": "(SELECT :plan_id AS id)"}
_ADVISORIES = {"postgresql": "CAST(:advisories AS json)", "sqlite": ":advisories"}

# A new plan, or (``replace``) new contents for the stored one; no row when it exists and
# may not be replaced.
_UPSERT_PLAN = (
    "INSERT INTO plan (user_id, week_start, experience_level, sessions_per_week, advisories, "
    "created_at, updated_at) VALUES (:user_id, :week_start, :experience_level, "
    ":sessions_per_week, {advisories}, :changed_at, :changed_at) "
    "ON CONFLICT (user_id, week_start) DO UPDATE SET "
    "experience_level = excluded.experience_level, "
    "sessions_per_week = excluded.sessions_per_week, advisories = excluded.advisories, "
    "updated_at = excluded.updated_at WHERE :replace RETURNING id"
)
_UPDATE_SESSIONS = (
    "UPDATE planned_session SET scheduled_date = s.scheduled_date, class_id = s.class_id, "
    "status = 'planned', strength = s.strength, reasons = s.reasons, "
    "sequence = planned_session.sequence + CASE WHEN s.changed THEN 1 ELSE 0 END "
    "FROM {sessions} CROSS JOIN {plan} AS p "
    "WHERE planned_session.id = s.id AND planned_session.plan_id = p.id AND NOT s.gone"
)
_DELETE_SESSIONS = (
    "DELETE FROM planned_session WHERE plan_id IN (SELECT id FROM {plan}) "
    "AND id IN (SELECT s.id FROM {sessions} WHERE s.gone)"
)
_INSERT_SESSIONS = (
    "INSERT INTO planned_session (plan_id, position, scheduled_date, class_id, strength, "
    "status, reasons, sequence) SELECT p.id, s.position, s.scheduled_date, s.class_id, "
    "s.strength, 'planned', s.reasons, 0 FROM {sessions} CROSS JOIN {plan} AS p "
    "WHERE s.id IS NULL "
    "RETURNING id, position"
)


def _part(template: str, dialect: str) -> str:
    return template.format(
        sessions=_SESSIONS[dialect], plan=_PLAN[dialect], advisories=_ADVISORIES[dialect]
    )


_TYPED = (CHANGED_AT, sa.bindparam("week_start", type_=sa.Date))
_WRITE_ALL = sa.text(
    f"WITH plan_row AS ({_part(_UPSERT_PLAN, 'postgresql')}), "
    f"updated AS ({_part(_UPDATE_SESSIONS, 'postgresql')}), "
    f"deleted AS ({_part(_DELETE_SESSIONS, 'postgresql')}), "
    f"inserted AS ({_part(_INSERT_SESSIONS, 'postgresql')}), "
    f"{change_recorded_with('plan_row')} "
    "SELECT plan_row.id, inserted.id, inserted.position "
    "FROM plan_row LEFT JOIN inserted ON true"
).bindparams(*_TYPED)
_SQLITE_PLAN = sa.text(_part(_UPSERT_PLAN, "sqlite")).bindparams(*_TYPED)
_SQLITE_SESSIONS = {
    name: sa.text(_part(template, "sqlite"))
    for name, template in [
        ("update", _UPDATE_SESSIONS),
        ("delete", _DELETE_SESSIONS),
        ("insert", _INSERT_SESSIONS),
    ]
}


@dataclass(frozen=True)
class PlanWrite:
    """A week's plan as it is to be stored."""

    user_id: int
    week_start: date
    experience_level: str
    sessions_per_week: int
    advisories: list[dict[str, str]]
    sessions: list[SessionWrite]


async def write_plan(
    session: AsyncSession, plan: PlanWrite, *, replace: bool, now: datetime
) -> tuple[int, dict[int, int]]:
    """Store the plan (over the stored one when ``replace``) with its sessions, and note the
    change; its id and the ids of the new sessions by position. Conflict when the week has a
    plan that may not be replaced."""
    document = json.dumps(
        [
            {**item.__dict__, "scheduled_date": item.scheduled_date.isoformat()}
            for item in plan.sessions
        ]
    )
    parameters = {
        "user_id": plan.user_id,
        "week_start": plan.week_start,
        "experience_level": plan.experience_level,
        "sessions_per_week": plan.sessions_per_week,
        "advisories": json.dumps(plan.advisories),
        "replace": replace,
        "entity": "plan",
        "changed_at": now,
        "sessions": document,
    }
    connection = await session.connection()
    try:
        if connection.dialect.name == "postgresql":
            rows = (await connection.execute(_WRITE_ALL, parameters)).all()
            plan_id = rows[0][0] if rows else None
            inserted = [(row[1], row[2]) for row in rows if row[1] is not None]
        else:
            plan_id = (await connection.execute(_SQLITE_PLAN, parameters)).scalar()
            inserted = []
            if plan_id is not None:
                inserted = await _write_sessions_one_by_one(
                    session, plan, {**parameters, "plan_id": plan_id}
                )
    except IntegrityError as error:
        raise _conflict(plan.week_start) from error
    if plan_id is None:
        raise _conflict(plan.week_start)
    return plan_id, {position: id_ for id_, position in inserted}


async def _write_sessions_one_by_one(
    session: AsyncSession, plan: PlanWrite, parameters: dict[str, Any]
) -> list[tuple[int, int]]:
    connection = await session.connection()
    if any(item.id is not None and not item.gone for item in plan.sessions):
        await connection.execute(_SQLITE_SESSIONS["update"], parameters)
    if any(item.gone for item in plan.sessions):
        await connection.execute(_SQLITE_SESSIONS["delete"], parameters)
    inserted: list[tuple[int, int]] = []
    if any(item.id is None for item in plan.sessions):
        result = await connection.execute(_SQLITE_SESSIONS["insert"], parameters)
        inserted = [(id_, position) for id_, position in result.all()]
    await record_change(
        session,
        user_id=plan.user_id,
        entity="plan",
        entity_id=parameters["plan_id"],
        now=parameters["changed_at"],
    )
    return inserted


def _conflict(week_start: date) -> Conflict:
    return Conflict(
        f"You already have a plan for the week of {week_start}; "
        "send ?replace=true to generate it again."
    )
