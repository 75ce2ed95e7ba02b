"""Planned sessions as logged workouts see them: reopened, counted per week.

A logged workout marks its session done as it is stored (app.workouts.store).
"""

from datetime import date

from sqlmodel import case, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.plans.models import Plan, PlannedSession
from app.workouts.models import Workout


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


async def planned_per_week(
    session: AsyncSession, *, user_id: int, first_week: date
) -> dict[date, tuple[int, int]]:
    """(planned, done) session counts per plan week from ``first_week`` on."""
    rows = await session.exec(
        select(
            col(Plan.week_start),
            func.count(),
            func.sum(case((col(PlannedSession.status) == "done", 1), else_=0)),
        )
        .join(PlannedSession, col(PlannedSession.plan_id) == Plan.id)
        .where(Plan.user_id == user_id, col(Plan.week_start) >= first_week)
        .group_by(col(Plan.week_start))
    )
    return {week: (planned, done) for week, planned, done in rows}
