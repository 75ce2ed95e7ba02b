"""What the generator needs to know about a user's past: read from their plans and workouts."""

from datetime import UTC, date, datetime, timedelta

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


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


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
    session: AsyncSession, *, user_id: int, week_start: date, now: datetime
) -> History:
    """The user's recent past as of the week starting ``week_start``."""
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
    last_workout_at = (
        await session.exec(
            select(func.max(Workout.completed_at)).where(
                Workout.user_id == user_id,
                col(Workout.completed_at) >= _midnight(window_start),
                col(Workout.completed_at) < _midnight(week_start),
            )
        )
    ).one()
    recent_pain = (
        await session.exec(
            select(Workout.id)
            .where(
                Workout.user_id == user_id,
                col(Workout.pain) >= PAIN_THRESHOLD,
                col(Workout.completed_at) >= now - PAIN_LOOKBACK,
            )
            .limit(1)
        )
    ).first() is not None

    sessions_by_week: dict[date, list[str]] = {}
    for plan_week, _, status, _ in recent_sessions:
        sessions_by_week.setdefault(plan_week, []).append(status)
    trained_dates = [day for _, day, status, _ in recent_sessions if status != "missed"]
    if last_workout_at is not None:
        trained_dates.append(last_workout_at.astimezone(UTC).date())
    return History(
        previous_session_date=max(trained_dates, default=None),
        recent_pain=recent_pain,
        recent_class_slugs=tuple(slug for *_, slug in recent_sessions if slug is not None),
        fully_completed_weeks=_fully_completed_weeks(week_start, sessions_by_week),
    )
