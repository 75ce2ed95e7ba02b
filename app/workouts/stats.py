"""Weekly stats: sessions, minutes, plan adherence, streak and hard sets, in one statement."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import CompoundSelect, Dialect
from sqlmodel import case, col, func
from sqlmodel.ext.asyncio.session import AsyncSession

from app.local_time import local_today
from app.plans.rules import week_fully_completed
from app.plans.sessions import planned_per_week
from app.weeks import monday_of, week_start_of
from app.workouts.models import Stats, WeekStats, Workout
from app.workouts.volume import hard_sets_per_week

USER_ID = sa.bindparam("user_id", type_=sa.Integer())
SINCE = sa.bindparam("since", type_=sa.Date())

# Built once per dialect: the statement is the same for every request, only its values change.
_STATEMENTS: dict[str, CompoundSelect[str, date, str, int, int, int]] = {}


def _kind(name: str) -> sa.ColumnElement[str]:
    return sa.literal_column(f"'{name}'", sa.String()).label("kind")


def _stats_statement(dialect: Dialect) -> CompoundSelect[str, date, str, int, int, int]:
    """Rows (kind, week, muscle, three counts) of every figure the stats need.

    One round trip instead of four: each branch is a range scan of the user's rows in one
    index (workouts by local date, plans by week, all workouts for the totals).
    """
    statement = _STATEMENTS.get(dialect.name)
    if statement is not None:
        return statement
    zero = sa.literal_column("0", sa.Integer())
    week = week_start_of(col(Workout.local_date))
    per_week = (
        sa.select(
            _kind("done"),
            week.label("week"),
            sa.null().label("muscle"),
            func.count(),
            func.coalesce(func.sum(Workout.duration_minutes), 0),
            func.sum(case((col(Workout.plan_session_id).is_(None), 1), else_=0)),
        )
        .where(col(Workout.user_id) == USER_ID, col(Workout.local_date) >= SINCE)
        .group_by(week)
    )
    planned = planned_per_week(user_id=USER_ID, first_week=SINCE).subquery()
    hard = hard_sets_per_week(dialect, user_id=USER_ID, since=SINCE).subquery()
    totals = sa.select(
        _kind("total"),
        sa.null(),
        sa.null(),
        func.count(),
        func.coalesce(func.sum(Workout.duration_minutes), 0),
        zero,
    ).where(col(Workout.user_id) == USER_ID)
    union = sa.union_all(
        per_week,
        sa.select(
            _kind("planned"),
            planned.c.week_start,
            sa.null(),
            planned.c.planned,
            planned.c.done,
            zero,
        ),
        sa.select(_kind("hard"), hard.c.week, hard.c.muscle, hard.c.sets, zero, zero),
        totals,
    )
    # Hard sets come out by muscle within each week, as the response lists them.
    statement = _STATEMENTS[dialect.name] = union.order_by(union.selected_columns.muscle)
    return statement


async def weekly_stats(
    session: AsyncSession, *, user_id: int, time_zone: str, weeks: int, now: datetime
) -> Stats:
    """Per-week counts and minutes for the last ``weeks`` local weeks, with streak and totals."""
    this_monday = monday_of(local_today(now, time_zone))
    mondays = [this_monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    connection = await session.connection()  # Core rows: no ORM work for plain counts
    rows = await connection.execute(
        _stats_statement(connection.dialect), {"user_id": user_id, "since": mondays[0]}
    )
    done: dict[date, tuple[int, int]] = {}
    unlinked: dict[date, int] = {}
    planned: dict[date, tuple[int, int]] = {}
    hard_sets: dict[date, dict[str, int]] = {}
    total_sessions = total_minutes = 0
    for kind, monday, muscle, first, second, third in rows:
        if kind == "done":
            done[monday], unlinked[monday] = (first, second), third
        elif kind == "planned":
            planned[monday] = (first, second)
        elif kind == "hard":
            hard_sets.setdefault(monday, {})[muscle] = first
        else:
            total_sessions, total_minutes = first, second
    week_rows = [
        WeekStats(
            week_start=monday,
            planned=planned.get(monday, (0, 0))[0],
            completed=done.get(monday, (0, 0))[0],
            minutes=done.get(monday, (0, 0))[1],
            hard_sets=hard_sets.get(monday, {}),
        )
        for monday in mondays
    ]
    planned_total = sum(planned.get(monday, (0, 0))[0] for monday in mondays)
    planned_done = sum(planned.get(monday, (0, 0))[1] for monday in mondays)
    return Stats(
        weeks=week_rows,
        adherence=round(planned_done / planned_total, 4) if planned_total else None,
        current_streak_weeks=_streak(mondays, planned, unlinked),
        total_sessions=total_sessions,
        total_minutes=total_minutes,
    )


def _streak(
    mondays: list[date], planned: dict[date, tuple[int, int]], unlinked: dict[date, int]
) -> int:
    """Weeks in a row, newest first, whose every planned session was completed (linked or not).

    The week under way adds to a streak once met, but does not break one before it ends.
    """
    streak = 0
    for position, monday in enumerate(reversed(mondays)):
        planned_count, done_count = planned.get(monday, (0, 0))
        if week_fully_completed(planned_count, done_count + unlinked.get(monday, 0)):
            streak += 1
        elif position > 0:
            break
    return streak
