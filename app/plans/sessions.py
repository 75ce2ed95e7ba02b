"""Planned sessions as logged workouts see them: marked done, reopened, counted per week."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy import BindParameter, Select
from sqlmodel import case, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.plans.models import Plan, PlannedSession
from app.sync.changes import record_change
from app.weeks import monday_of
from app.workouts.models import Workout


async def _mark_done(session: AsyncSession, planned: PlannedSession, *, user_id: int) -> None:
    if planned.status != "done":
        planned.status = "done"
        planned.sequence += 1
        session.add(planned)
        await record_change(session, user_id=user_id, entity="plan", entity_id=planned.plan_id)


async def complete_planned_session(
    session: AsyncSession, *, user_id: int, planned_session_id: int
) -> int | None:
    """Mark one of the user's planned sessions done and return its class id; else NotFound."""
    planned = (
        await session.exec(
            select(PlannedSession)
            .join(Plan, col(Plan.id) == PlannedSession.plan_id)
            .where(PlannedSession.id == planned_session_id, Plan.user_id == user_id)
        )
    ).first()
    if planned is None:
        raise NotFound("planned session", planned_session_id)
    await _mark_done(session, planned, user_id=user_id)
    return planned.class_id


async def complete_session_on(
    session: AsyncSession, *, user_id: int, local_date: date, class_id: int | None
) -> PlannedSession | None:
    """Mark done the user's open planned session on their ``local_date`` (of ``class_id``
    when given), for a workout logged without naming one; None when there is none.
    """
    query = (
        select(PlannedSession)
        .join(Plan, col(Plan.id) == PlannedSession.plan_id)
        .where(
            Plan.user_id == user_id,
            Plan.week_start == monday_of(local_date),
            PlannedSession.scheduled_date == local_date,
            PlannedSession.status != "done",
        )
        .order_by(col(PlannedSession.position))
        .limit(1)
    )
    if class_id is not None:
        query = query.where(PlannedSession.class_id == class_id)
    planned = (await session.exec(query)).first()
    if planned is not None:
        await _mark_done(session, planned, user_id=user_id)
    return planned


async def reopen_planned_session(session: AsyncSession, *, planned_session_id: int) -> None:
    """Back to planned once no logged workout completes the session any more."""
    still_done = (
        await session.exec(select(Workout.id).where(Workout.plan_session_id == planned_session_id))
    ).first()
    planned = await session.get(PlannedSession, planned_session_id)
    if still_done is None and planned is not None and planned.status == "done":
        planned.status = "planned"
        planned.sequence += 1
        session.add(planned)


def planned_per_week(
    *, user_id: BindParameter[int], first_week: BindParameter[date]
) -> Select[date, int, int]:
    """Rows (plan week, planned sessions, done sessions) for each plan week from ``first_week``."""
    return (
        sa.select(
            col(Plan.week_start),
            func.count().label("planned"),
            func.sum(case((col(PlannedSession.status) == "done", 1), else_=0)).label("done"),
        )
        .join(PlannedSession, col(PlannedSession.plan_id) == Plan.id)
        .where(col(Plan.user_id) == user_id, col(Plan.week_start) >= first_week)
        .group_by(col(Plan.week_start))
    )
