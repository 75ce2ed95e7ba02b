"""Planned sessions as logged workouts see them: reopened, counted per week.

A logged workout marks its session done as it is stored (app.workouts.store).
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy import BindParameter, Select
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
