"""What the generator needs to know about a user's past: read from their plans and workouts."""

from datetime import date, timedelta

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.classes.models import WorkoutClass
from app.plans.generator import History
from app.plans.models import Plan, PlannedSession
from app.workouts.models import Workout

# Rotation and the ready-to-progress advisory look this many weeks back.
WEEKS_OF_HISTORY = 4
PAIN_LOOKBACK = timedelta(days=14)
PAIN_THRESHOLD = 5


def _fully_completed_weeks(week_start: date, sessions_by_week: dict[date, list[str]]) -> int:
    """Consecutive weeks just before ``week_start`` in which every planned session was done."""
    streak = 0
    for back in range(1, WEEKS_OF_HISTORY + 1):
        statuses = sessions_by_week.get(week_start - timedelta(weeks=back), [])
        if not statuses or any(status != "done" for status in statuses):
            break
        streak += 1
    return streak


async def history_before(
    session: AsyncSession, *, user_id: int, week_start: date, pain_until: date
) -> History:
    """The user's recent past as of the week starting ``week_start``.

    Every day here is a local date: workouts count on the day they fell on for the user.
    Pain counts in the 14 local days before ``pain_until`` (the first day being planned),
    and on that day itself when a painful workout is already logged on it.
    """
    window_start = week_start - timedelta(weeks=WEEKS_OF_HISTORY)
    recent_sessions = list(
        await session.exec(
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
                col(Plan.week_start) >= window_start,
                col(Plan.week_start) < week_start,
            )
            .order_by(col(Plan.week_start).desc(), col(PlannedSession.position))
        )
    )
    last_workout_date = (
        await session.exec(
            select(func.max(Workout.local_date)).where(
                Workout.user_id == user_id,
                col(Workout.local_date) >= window_start,
                col(Workout.local_date) < week_start,
            )
        )
    ).one()
    recent_pain = (
        await session.exec(
            select(Workout.id)
            .where(
                Workout.user_id == user_id,
                col(Workout.pain) >= PAIN_THRESHOLD,
                col(Workout.local_date) >= pain_until - PAIN_LOOKBACK,
                col(Workout.local_date) <= pain_until,
            )
            .limit(1)
        )
    ).first() is not None

    sessions_by_week: dict[date, list[str]] = {}
    for plan_week, _, status, _ in recent_sessions:
        sessions_by_week.setdefault(plan_week, []).append(status)
    trained_dates = [day for _, day, status, _ in recent_sessions if status != "missed"]
    if last_workout_date is not None:
        trained_dates.append(last_workout_date)
    return History(
        previous_session_date=max(trained_dates, default=None),
        recent_pain=recent_pain,
        recent_class_slugs=tuple(slug for *_, slug in recent_sessions if slug is not None),
        fully_completed_weeks=_fully_completed_weeks(week_start, sessions_by_week),
    )
