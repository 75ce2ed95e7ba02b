"""What strength planning knows about a user: recent strength sessions and logged sets."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from app.plans.progression import LastLog, LoggedSet, PreviousTarget, Target, target_for
from app.plans.strength import StrengthExercise, StrengthSession, Template

# Targets follow sets logged this recently; older logs start the exercise afresh.
LOG_LOOKBACK = timedelta(weeks=8)


@dataclass(frozen=True)
class StrengthHistory:
    """The latest template planned, previous targets and logged sets per exercise."""

    last_template: Template | None = None
    previous: Mapping[str, PreviousTarget] = field(default_factory=dict)
    last_logs: Mapping[str, LastLog] = field(default_factory=dict)


def strength_history_from(
    planned: Iterable[Mapping[str, Any]], workouts: Iterable[tuple[date, int | None, Any]]
) -> StrengthHistory:
    """The strength history from the user's planned strength sessions (latest first) and
    their workouts as (local date, pain, exercises logged), latest first."""
    last_template: Template | None = None
    previous: dict[str, PreviousTarget] = {}
    for strength in planned:
        last_template = last_template or cast(Template, strength["template"])
        for item in strength["exercises"]:
            previous.setdefault(item["slug"], _previous_target(item))
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
