"""What strength planning reads about a user: recent strength sessions and logged sets."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.plans.models import Plan, PlannedSession
from app.plans.progression import LastLog, LoggedSet, PreviousTarget, Target, target_for
from app.plans.strength import StrengthExercise, StrengthSession, Template
from app.workouts.models import Workout

# Targets follow sets logged this recently; older logs start the exercise afresh.
LOG_LOOKBACK = timedelta(weeks=8)


@dataclass(frozen=True)
class StrengthHistory:
    """The latest template planned, previous targets and logged sets per exercise."""

    last_template: Template | None = None
    previous: Mapping[str, PreviousTarget] = field(default_factory=dict)
    last_logs: Mapping[str, LastLog] = field(default_factory=dict)


async def strength_history(session: AsyncSession, *, user_id: int, before: date) -> StrengthHistory:
    """The user's strength sessions and logged sets in the weeks before ``before``."""
    since = before - LOG_LOOKBACK
    planned = await session.exec(
        select(PlannedSession.strength)
        .join(Plan, col(Plan.id) == PlannedSession.plan_id)
        .where(
            Plan.user_id == user_id,
            col(PlannedSession.strength).is_not(None),
            col(PlannedSession.scheduled_date) >= since,
            col(PlannedSession.scheduled_date) < before,
        )
        .order_by(col(PlannedSession.scheduled_date).desc(), col(PlannedSession.id).desc())
    )
    last_template: Template | None = None
    previous: dict[str, PreviousTarget] = {}
    for strength in planned:
        assert strength is not None
        last_template = last_template or cast(Template, strength["template"])
        for item in strength["exercises"]:
            previous.setdefault(item["slug"], _previous_target(item))
    workouts = await session.exec(
        select(col(Workout.local_date), Workout.pain, Workout.exercises)
        .where(
            Workout.user_id == user_id,
            col(Workout.local_date) >= since,
            col(Workout.local_date) < before,
        )
        .order_by(col(Workout.completed_at).desc(), col(Workout.id).desc())
    )
    last_logs: dict[str, LastLog] = {}
    for local_date, pain, exercises in workouts:
        for logged in exercises:
            sets = tuple(
                LoggedSet(item.get("reps"), item.get("weight_kg"), item.get("rpe"))
                for item in logged["sets"]
            )
            last_logs.setdefault(logged["exercise_slug"], LastLog(local_date, sets, pain))
    return StrengthHistory(last_template, previous, last_logs)


def session_targets(
    strength: StrengthSession,
    *,
    day: date,
    exercises: Mapping[str, StrengthExercise],
    history: StrengthHistory,
) -> list[Target]:
    """Each exercise's target for the session on ``day``."""
    return [
        target_for(
            item,
            equipment=exercises[item.slug].equipment,
            last=history.last_logs.get(item.slug),
            previous=history.previous.get(item.slug),
            session_date=day,
        )
        for item in strength.exercises
    ]


def stored_strength(strength: StrengthSession, targets: list[Target]) -> dict[str, Any]:
    """A strength session as stored and shown: template, exercises with targets, minutes."""
    return {
        "template": strength.template,
        "exercises": [
            {
                "slug": target.slug,
                "sets": target.sets,
                "reps_min": target.reps_min,
                "reps_max": target.reps_max,
                "rest_seconds": target.rest_seconds,
                "target_weight_kg": target.target_weight_kg,
                "variation": target.variation,
                "reason": target.reason,
            }
            for target in targets
        ],
        "estimated_minutes": strength.estimated_minutes,
    }


def _previous_target(item: Mapping[str, Any]) -> PreviousTarget:
    return PreviousTarget(
        item["reps_min"], item["reps_max"], item.get("target_weight_kg"), item.get("variation")
    )
