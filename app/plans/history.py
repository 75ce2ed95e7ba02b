"""What the generator needs to know about a user's past and neighbouring weeks, as local dates."""

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.classes.models import WorkoutClass
from app.plans.drafts import History
from app.plans.models import Plan, PlannedSession
from app.plans.rules import (
    PAIN_THRESHOLD,
    PAIN_WINDOW,
    WEEKS_BEFORE_PROGRESS,
    is_painful,
    week_fully_completed,
)
from app.weeks import monday_of
from app.workouts.models import Workout

WEEK = timedelta(weeks=1)


def _fully_completed_weeks(
    week_start: date, completed: Counter[date], planned: Counter[date]
) -> int:
    """Weeks in a row just before ``week_start`` in which every planned session was completed."""
    streak = 0
    for back in range(1, WEEKS_BEFORE_PROGRESS + 1):
        monday = week_start - back * WEEK
        if not week_fully_completed(planned[monday], completed[monday]):
            break
        streak += 1
    return streak


PlannedRow = tuple[date, date, str, str | None]  # plan week, session day, status, class slug
WorkoutRow = tuple[date, int | None, int | None]  # local date, pain, planned session linked


def history_weeks(week_start: date) -> tuple[date, date]:
    """The first and last plan weeks whose sessions a plan for ``week_start`` looks at."""
    return week_start - WEEKS_BEFORE_PROGRESS * WEEK, week_start + WEEK


async def history_around(
    session: AsyncSession, *, user_id: int, week_start: date, pain_before: date
) -> History:
    """The user's real sessions around the week of ``week_start`` (its own plan left out)."""
    first_week, last_week = history_weeks(week_start)
    planned_rows = await session.exec(
        select(
            col(Plan.week_start),
            col(PlannedSession.scheduled_date),
            col(PlannedSession.status),
            col(WorkoutClass.slug),
        )
        .join(Plan, col(Plan.id) == PlannedSession.plan_id)
        .outerjoin(WorkoutClass, col(WorkoutClass.id) == PlannedSession.class_id)
        .where(
            Plan.user_id == user_id,
            col(Plan.week_start) >= first_week,
            col(Plan.week_start) <= last_week,
            col(Plan.week_start) != week_start,
        )
        .order_by(col(Plan.week_start).desc(), col(PlannedSession.position))
    )
    near = and_(
        col(Workout.local_date) >= first_week, col(Workout.local_date) < week_start + 2 * WEEK
    )
    painful = and_(
        col(Workout.pain) >= PAIN_THRESHOLD,
        col(Workout.local_date) >= pain_before - PAIN_WINDOW,
        col(Workout.local_date) < pain_before,
    )
    workouts = await session.exec(
        select(col(Workout.local_date), col(Workout.pain), col(Workout.plan_session_id)).where(
            Workout.user_id == user_id, or_(near, painful)
        )
    )
    return history_from(
        week_start=week_start,
        pain_before=pain_before,
        planned_rows=list(planned_rows),
        workouts=list(workouts),
    )


def history_from(
    *,
    week_start: date,
    pain_before: date,
    planned_rows: Iterable[PlannedRow],
    workouts: Iterable[WorkoutRow],
) -> History:
    """The history of the week of ``week_start`` from the user's rows (any others are left out).

    Sessions of the previous and the following week and every logged workout near the week
    are real sessions for recovery; the previous weeks' plans (``planned_rows`` latest week
    first, each week's by position) give rotation and completion; pain counts in the 14 days
    before ``pain_before``.
    """
    first_week, last_week = history_weeks(week_start)
    planned, done = Counter[date](), Counter[date]()
    session_dates: set[date] = set()
    recent_class_slugs: list[str] = []
    for plan_week, day, status, slug in planned_rows:
        if not first_week <= plan_week <= last_week or plan_week == week_start:
            continue
        planned[plan_week] += 1
        done[plan_week] += status == "done"
        if status != "missed" and abs(plan_week - week_start) == WEEK:
            session_dates.add(day)
        if plan_week < week_start and slug is not None:
            recent_class_slugs.append(slug)
    pain_dates: set[date] = set()
    for day, pain, plan_session_id in workouts:
        painful = is_painful(pain) and pain_before - PAIN_WINDOW <= day < pain_before
        if not (first_week <= day < week_start + 2 * WEEK or painful):
            continue
        if week_start - WEEK <= day < week_start + 2 * WEEK:
            session_dates.add(day)
        if is_painful(pain):
            pain_dates.add(day)
        if plan_session_id is None:
            done[monday_of(day)] += 1  # a workout done without its plan link still completes
    return History(
        session_dates=frozenset(session_dates),
        pain_dates=frozenset(pain_dates),
        recent_class_slugs=tuple(recent_class_slugs),
        fully_completed_weeks=_fully_completed_weeks(week_start, done, planned),
    )
