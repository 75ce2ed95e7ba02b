"""Logging workouts (idempotently) and deleting them; reading them back is in history.py."""

import hashlib
from datetime import date, datetime

from pydantic import TypeAdapter
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.api_types import EARLIEST_DATE, LATEST_DATE
from app.catalog.cache import CatalogCache
from app.classes.models import WorkoutClass
from app.errors import Conflict, NotFound, Unprocessable
from app.exercises.models import Exercise
from app.local_time import (
    MAX_CLOCK_SKEW,
    local_date_of,
    sent_offset_minutes,
)
from app.metrics import WORKOUTS_LOGGED
from app.plans.rules import ADVICE, LIGHTEN_LOAD, SEE_PHYSIO, is_painful
from app.plans.sessions import reopen_planned_session
from app.sync.changes import record_change, record_plan_change
from app.weeks import monday_of
from app.workouts.models import (
    Advisory,
    ExerciseLog,
    Workout,
    WorkoutCreate,
    WorkoutPublic,
)
from app.workouts.store import KeyTaken, store_workout, stored_response

_EXERCISE_LOGS = TypeAdapter(list[ExerciseLog])
PAIN_ADVISORIES = tuple(
    Advisory(code=code, message=ADVICE[code]) for code in (SEE_PHYSIO, LIGHTEN_LOAD)
)


def advisories_for(pain: int | None) -> list[Advisory]:
    """What to tell someone who logged this much pain."""
    if is_painful(pain):
        return list(PAIN_ADVISORIES)
    return []


def _workout_day(completed_at: datetime, *, time_zone: str, now: datetime) -> date:
    """The user's local date of a workout that has ended (within a few minutes of skew)."""
    if completed_at > now + MAX_CLOCK_SKEW:
        raise Unprocessable(
            f"completed_at {completed_at.isoformat()} is in the future (it is "
            f"{now.astimezone(completed_at.tzinfo).isoformat(timespec='seconds')} now): "
            "log a workout once it has ended."
        )
    day = local_date_of(completed_at, time_zone)
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise Unprocessable(
            f"completed_at falls on {day} in your time zone ({time_zone}); workouts are "
            f"kept from {EARLIEST_DATE} to {LATEST_DATE}."
        )
    return day


async def _class_id(session: AsyncSession, slug: str | None, catalog: CatalogCache) -> int | None:
    if slug is None:
        return None
    # Known classes come from the catalog cache; a miss asks the database, in case the class
    # was created since the cache last read the catalog.
    cached = {row.slug: row.id for row in await catalog.classes(session)}.get(slug)
    class_id = (
        cached
        or (await session.exec(select(WorkoutClass.id).where(WorkoutClass.slug == slug))).first()
    )
    if class_id is None:
        raise Unprocessable(
            f"No class with slug '{slug}': class_slug must name a catalog class.",
            field="class_slug",
            code="unknown_class",
        )
    return class_id


async def _check_exercises_exist(
    session: AsyncSession, logs: list[ExerciseLog], catalog: CatalogCache
) -> None:
    if not logs:
        return
    known = {row.slug for row in await catalog.exercises(session)}
    slugs = {log.exercise_slug for log in logs} - known
    if not slugs:
        return
    # Not in the cache: perhaps created since it last read the catalog.
    found = set(await session.exec(select(Exercise.slug).where(col(Exercise.slug).in_(slugs))))
    unknown = sorted(slugs - found)
    if unknown:
        first = next(at for at, log in enumerate(logs) if log.exercise_slug in unknown)
        raise Unprocessable(
            f"Unknown exercise(s) in exercises: {', '.join(unknown)}.",
            field=["exercises", first, "exercise_slug"],
            code="unknown_exercise",
        )


def request_fingerprint(draft: WorkoutCreate) -> str:
    """A digest of the body, to tell a true retry from a reused key."""
    return hashlib.sha256(draft.model_dump_json().encode()).hexdigest()


async def _replay(
    session: AsyncSession, *, user_id: int, key: str, fingerprint: str
) -> WorkoutPublic:
    """The response stored for ``key``: a retry gets it again; another body is refused."""
    record = await stored_response(await session.connection(), {"user_id": user_id, "key": key})
    if record is None or record.response_body is None:
        raise Conflict("A request with this Idempotency-Key is still in progress.")
    if record.request_hash != fingerprint:
        raise Unprocessable("This Idempotency-Key was used with a different body; use a new key.")
    return WorkoutPublic.model_validate_json(record.response_body)


async def log_workout(
    session: AsyncSession,
    *,
    user: User,
    draft: WorkoutCreate,
    idempotency_key: str | None,
    now: datetime,
    catalog: CatalogCache,
) -> WorkoutPublic:
    """Store a completed workout; a retry with the same key replays the first response.

    The key is claimed with the work (app.workouts.store), so a retry does none of it again
    and its response is stored in the same unit of work as the workout.
    """
    assert user.id is not None
    local_date = _workout_day(draft.completed_at, time_zone=user.time_zone, now=now)
    await _check_exercises_exist(session, draft.exercises, catalog)
    class_id = await _class_id(session, draft.class_slug, catalog)
    fingerprint = request_fingerprint(draft) if idempotency_key is not None else None
    sent = draft.model_dump(exclude={"class_slug", "plan_session_id", "exercises"})
    row = {
        **sent,
        "exercises": _EXERCISE_LOGS.dump_json(draft.exercises, exclude_none=True).decode(),
        "utc_offset_minutes": sent_offset_minutes(draft.completed_at),
        "user_id": user.id,
        "class_id": class_id,
        "class_slug": draft.class_slug,
        "plan_session_id": draft.plan_session_id,
        "local_date": local_date,
        "week_start": monday_of(local_date),
        "key": idempotency_key,
        "request_hash": fingerprint,
        "created_at": now,
    }
    # What the store fills in (id, planned session, class slug) is set by it.
    answer = WorkoutPublic(
        **sent,
        local_date=local_date,
        id=0,
        class_slug=None,
        plan_session_id=None,
        exercises=draft.exercises,
        advisories=advisories_for(draft.pain),
        created_at=now,
    )
    try:
        public = await store_workout(session, row=row, answer=answer)
    except KeyTaken:
        assert idempotency_key is not None
        assert fingerprint is not None
        return await _replay(session, user_id=user.id, key=idempotency_key, fingerprint=fingerprint)
    WORKOUTS_LOGGED.inc()
    return public


async def delete_workout(session: AsyncSession, *, user_id: int, workout_id: int) -> None:
    """Delete one of the user's workouts (reopening its planned session); else NotFound."""
    workout = (
        await session.exec(
            select(Workout).where(Workout.id == workout_id, Workout.user_id == user_id)
        )
    ).first()
    if workout is None:
        raise NotFound("workout", workout_id)
    await session.delete(workout)
    await session.flush()
    await record_change(
        session, user_id=user_id, entity="workout", entity_id=workout_id, op="delete"
    )
    if workout.plan_session_id is not None:
        await reopen_planned_session(session, planned_session_id=workout.plan_session_id)
        await record_plan_change(
            session, user_id=user_id, planned_session_id=workout.plan_session_id
        )
