"""Everything a saved plan is generated from, read in one statement.

The user's plans around the week (the week's own plan among them, and for lifters their
strength sessions of the last weeks) and their workouts around it come back as one UNION ALL:
a request that then writes in one statement needs no transaction to see them together.
"""

from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlmodel import and_, col, or_
from sqlmodel.ext.asyncio.session import AsyncSession

from app.classes.models import WorkoutClass
from app.db import UTCDateTime
from app.plans.drafts import History
from app.plans.history import WEEK, history_from, history_weeks
from app.plans.models import Plan, PlannedSession, SessionStatus
from app.plans.strength_log import LOG_LOOKBACK, StrengthHistory, strength_history_from
from app.workouts.models import Workout


@dataclass(frozen=True)
class StoredSession:
    """A session of the week's plan as stored."""

    id: int
    position: int
    scheduled_date: date
    class_id: int | None
    status: SessionStatus
    strength: dict[str, Any] | None
    reasons: list[str]
    sequence: int


@dataclass(frozen=True)
class PlanInputs:
    """The week's plan (id and sessions by position, if it has one) and the user's history."""

    plan_id: int | None
    sessions: list[StoredSession]
    history: History
    strength: StrengthHistory | None  # None when not asked for


def _nothing(type_: Any, name: str) -> Any:
    return sa.type_coerce(sa.null(), type_).label(name)


def _day(name: str) -> Any:
    return sa.bindparam(name, type_=sa.Date)


def _statement(*, with_strength: bool) -> sa.CompoundSelect[*tuple[Any, ...]]:
    weeks = and_(
        col(Plan.week_start) >= _day("first_week"), col(Plan.week_start) <= _day("last_week")
    )
    strength = and_(
        col(PlannedSession.strength).is_not(None),
        col(PlannedSession.scheduled_date) >= _day("log_since"),
        col(PlannedSession.scheduled_date) < _day("first_day"),
    )
    # Columns line up by position: a plan's session, then a workout (its plan id null).
    planned: sa.Select[*tuple[Any, ...]] = (
        sa.select(
            col(Plan.id).label("plan_id"),
            col(Plan.week_start),
            col(PlannedSession.id),
            col(PlannedSession.position),
            col(PlannedSession.scheduled_date).label("day"),
            col(PlannedSession.class_id),
            col(PlannedSession.status),
            col(PlannedSession.strength).label("content"),
            col(PlannedSession.reasons),
            col(PlannedSession.sequence),
            col(WorkoutClass.slug),
            _nothing(sa.Integer, "pain"),
            _nothing(UTCDateTime, "completed_at"),
        )
        .select_from(Plan)
        .outerjoin(PlannedSession, col(PlannedSession.plan_id) == Plan.id)
        .outerjoin(WorkoutClass, col(WorkoutClass.id) == PlannedSession.class_id)
        .where(
            col(Plan.user_id) == sa.bindparam("user_id"),
            or_(weeks, strength) if with_strength else weeks,
        )
    )
    workouts = sa.select(
        sa.null(),
        sa.null(),
        col(Workout.id),
        sa.null(),
        col(Workout.local_date),
        col(Workout.plan_session_id),
        sa.null(),
        col(Workout.exercises) if with_strength else sa.null(),
        sa.null(),
        sa.null(),
        sa.null(),
        col(Workout.pain),
        col(Workout.completed_at),
    ).where(
        col(Workout.user_id) == sa.bindparam("user_id"),
        col(Workout.local_date) >= _day("workouts_from"),
        col(Workout.local_date) < _day("workouts_before"),
    )
    return sa.union_all(planned, workouts)


# Built once: building the statement and its cache key costs more than the rest of the read.
_READS = {with_strength: _statement(with_strength=with_strength) for with_strength in (False, True)}


async def read_plan_inputs(
    session: AsyncSession, *, user_id: int, week_start: date, first_day: date, with_strength: bool
) -> PlanInputs:
    """The week's plan and the user's history around it; their strength history too when
    ``with_strength`` (for the weeks before ``first_day``, the first day planned)."""
    first_week, last_week = history_weeks(week_start)
    log_since = first_day - LOG_LOOKBACK
    parameters = {
        "user_id": user_id,
        "first_week": first_week,
        "last_week": last_week,
        "log_since": log_since,
        "first_day": first_day,
        "workouts_from": min(first_week, log_since) if with_strength else first_week,
        "workouts_before": week_start + 2 * WEEK,
    }
    result = await (await session.connection()).execute(_READS[with_strength], parameters)
    plan_id, own, planned, workouts = None, [], [], []
    strength_sessions: list[tuple[date, int, dict[str, Any]]] = []
    for row in result.all():
        plan, week, id_, position, day, class_id, status, content, reasons, sequence, slug = row[
            :11
        ]
        if plan is None:  # a workout: its day, planned session linked, exercises, pain, time
            workouts.append((day, row.pain, class_id, content, row.completed_at, id_))
            continue
        if week == week_start:
            plan_id = plan
            if id_ is not None:
                own.append(
                    StoredSession(id_, position, day, class_id, status, content, reasons, sequence)
                )
        elif id_ is not None:
            planned.append((week, position, day, status, slug))
        if content is not None and log_since <= day < first_day:
            strength_sessions.append((day, id_, content))
    planned.sort(key=lambda item: (-item[0].toordinal(), item[1]))
    history = history_from(
        week_start=week_start,
        pain_before=first_day,
        planned_rows=[(week, day, status, slug) for week, _, day, status, slug in planned],
        workouts=[(day, pain, linked) for day, pain, linked, *_ in workouts],
    )
    strength = None
    if with_strength:
        strength_sessions.sort(key=itemgetter(0, 1), reverse=True)
        workouts.sort(key=itemgetter(4, 5), reverse=True)
        strength = strength_history_from(
            [content for *_, content in strength_sessions],
            [
                (day, pain, exercises)
                for day, pain, _, exercises, *_ in workouts
                if log_since <= day < first_day
            ],
        )
    own.sort(key=lambda item: item.position)
    return PlanInputs(plan_id, own, history, strength)
