"""Plans: generated from profile, catalog and history; stored per week; replanned as weeks go."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import TrainingProfile, User
from app.classes.models import WorkoutClass
from app.errors import Conflict, PlanRuleViolation, Unprocessable
from app.exercises.models import Exercise
from app.local_time import local_today, todays_on_earth
from app.metrics import PLANS_GENERATED
from app.pagination import MalformedCursor, Page, decode_cursor, encode_cursor
from app.plans.generator import (
    ClassOption,
    History,
    PlanDraft,
    PlanRuleError,
    Profile,
    SessionDraft,
    first_day_to_plan,
    generate_plan,
    replan_week,
)
from app.plans.history import history_before
from app.plans.models import (
    Plan,
    PlanCreate,
    PlannedClass,
    PlannedSession,
    PlannedSessionPreview,
    PlannedSessionPublic,
    PlanPreview,
    PlanPreviewRequest,
    PlanPublic,
    ReplanResult,
    SessionMove,
    SessionStatus,
    StrengthTarget,
)
from app.plans.strength import StrengthExercise
from app.plans.strength_log import (
    StrengthHistory,
    session_targets,
    stored_strength,
    strength_history,
)
from app.plans.strength_week import replanned_reasons, strength_allowed, with_strength_sessions
from app.sync.changes import record_change
from app.workouts.models import Advisory


class Catalog:
    """The classes a plan can choose from, by slug and by id, and the exercises strength uses."""

    def __init__(self, rows: Iterable[WorkoutClass], exercises: Iterable[Exercise] = ()) -> None:
        rows = tuple(rows)
        self.options = [
            ClassOption(
                slug=row.slug,
                title=row.title,
                difficulty=row.difficulty,
                duration_minutes=row.duration_minutes,
                equipment=frozenset(row.equipment),
                focus=frozenset(row.focus),
            )
            for row in rows
        ]
        self.by_slug = {row.slug: row for row in rows}
        self.id_by_slug = {row.slug: row.id for row in rows if row.id is not None}
        self.slug_by_id = {row.id: row.slug for row in rows}
        self.strength_exercises = {
            row.slug: StrengthExercise(row.slug, frozenset(row.equipment)) for row in exercises
        }
        self._planned: dict[str, PlannedClass] = {}

    def planned_class(self, slug: str) -> PlannedClass:
        # Validated once per class: a catalog lives as long as its catalog version.
        planned = self._planned.get(slug)
        if planned is None:
            planned = self._planned[slug] = PlannedClass.model_validate(self.by_slug[slug])
        return planned


def profile_of(profile: TrainingProfile) -> Profile:
    """The generator's view of a stored or previewed training profile."""
    return Profile(
        experience_level=profile.experience_level,
        equipment=frozenset(profile.equipment),
        available_days=frozenset(profile.available_days),
        max_session_minutes=profile.max_session_minutes,
        back_pain=profile.back_pain,
    )


def _draft(
    profile: TrainingProfile,
    catalog: Catalog,
    week_start: date,
    sessions_per_week: int | None,
    history: History,
    today: date,
) -> PlanDraft:
    try:
        return generate_plan(
            profile=profile_of(profile),
            catalog=catalog.options,
            week_start=week_start,
            sessions_per_week=sessions_per_week,
            history=history,
            today=today,
        )
    except PlanRuleError as error:
        raise PlanRuleViolation(error.rule, error.detail) from error


def _with_strength(
    draft: PlanDraft,
    profile: TrainingProfile,
    catalog: Catalog,
    history: History,
    strength: StrengthHistory,
) -> tuple[PlanDraft, list[dict[str, Any] | None]]:
    """The draft with its strength sessions, and each session's stored strength (or None)."""
    draft = with_strength_sessions(
        draft,
        profile=profile_of(profile),
        in_pain=profile.back_pain or history.recent_pain,
        exercises=catalog.strength_exercises,
        last_template=strength.last_template,
    )
    stored = [
        None
        if item.strength is None
        else stored_strength(
            item.strength,
            session_targets(
                item.strength,
                day=item.date,
                exercises=catalog.strength_exercises,
                history=strength,
            ),
        )
        for item in draft.sessions
    ]
    return draft, stored


def _kind_fields(
    planned_class: PlannedClass | None, strength: dict[str, Any] | None
) -> dict[str, Any]:
    """The fields that say what a session holds: its class, or its strength exercises."""
    if strength is None:
        return {"kind": "class", "planned_class": planned_class}
    return {
        "kind": "strength",
        "template": strength["template"],
        "exercises": [StrengthTarget.model_validate(item) for item in strength["exercises"]],
        "estimated_minutes": strength["estimated_minutes"],
    }


def _advisories(draft: PlanDraft) -> list[Advisory]:
    return [Advisory(code=item.code, message=item.message) for item in draft.advisories]


def preview_plan(*, request: PlanPreviewRequest, catalog: Catalog, now: datetime) -> PlanPreview:
    """A plan for an anonymous profile with no history; nothing is stored or read."""
    today = local_today(now, request.time_zone)
    draft = _draft(
        request, catalog, request.week_start, request.sessions_per_week, History(), today
    )
    draft, strength = _with_strength(draft, request, catalog, History(), StrengthHistory())
    PLANS_GENERATED.labels("preview").inc()
    return PlanPreview(
        week_start=draft.week_start,
        experience_level=draft.experience_level,
        sessions_per_week=draft.sessions_per_week,
        sessions=[
            PlannedSessionPreview(
                date=item.date,
                **_kind_fields(None if stored else catalog.planned_class(item.class_slug), stored),
                status="planned",
                reasons=list(item.reasons),
            )
            for item, stored in zip(draft.sessions, strength, strict=True)
        ],
        advisories=_advisories(draft),
    )


async def plan_public(session: AsyncSession, plan: Plan) -> PlanPublic:
    """A stored plan with its sessions and their classes."""
    return (await plans_public(session, [plan]))[0]


async def plans_public(session: AsyncSession, plans: Sequence[Plan]) -> list[PlanPublic]:
    """Stored plans with their sessions, read in one query."""
    rows = await session.exec(
        select(PlannedSession, WorkoutClass)
        .outerjoin(WorkoutClass, col(WorkoutClass.id) == PlannedSession.class_id)
        .where(col(PlannedSession.plan_id).in_([plan.id for plan in plans]))
        .order_by(col(PlannedSession.plan_id), col(PlannedSession.position))
    )
    sessions: dict[int, list[PlannedSessionPublic]] = {}
    for planned, workout_class in rows:
        assert planned.id is not None
        sessions.setdefault(planned.plan_id, []).append(
            PlannedSessionPublic(
                id=planned.id,
                date=planned.scheduled_date,
                **_kind_fields(
                    None if workout_class is None else PlannedClass.model_validate(workout_class),
                    planned.strength,
                ),
                status=planned.status,
                reasons=planned.reasons,
            )
        )
    return [
        PlanPublic(
            id=plan.id,
            week_start=plan.week_start,
            experience_level=plan.experience_level,
            sessions_per_week=plan.sessions_per_week,
            sessions=sessions.get(plan.id, []),
            advisories=[Advisory.model_validate(item) for item in plan.advisories],
        )
        for plan in plans
        if plan.id is not None
    ]


async def create_plan(
    session: AsyncSession,
    *,
    user: User,
    request: PlanCreate,
    replace: bool,
    catalog: Catalog,
    now: datetime,
) -> PlanPublic:
    """Generate and store the user's plan for a week; one plan per week unless replacing."""
    assert user.id is not None
    existing = (
        await session.exec(
            select(Plan.id).where(Plan.user_id == user.id, Plan.week_start == request.week_start)
        )
    ).first()
    if existing is not None and not replace:
        raise Conflict(
            f"You already have a plan for the week of {request.week_start} (id {existing}); "
            "send ?replace=true to generate it again."
        )
    today = local_today(now, user.time_zone)
    history = await history_before(
        session,
        user_id=user.id,
        week_start=request.week_start,
        pain_until=first_day_to_plan(request.week_start, today),
    )
    draft = _draft(user, catalog, request.week_start, request.sessions_per_week, history, today)
    # Only users who may get strength sessions pay for reading their strength history.
    lifting = strength_allowed(profile_of(user), in_pain=user.back_pain or history.recent_pain)
    draft, strength = _with_strength(
        draft,
        user,
        catalog,
        history,
        await strength_history(session, user_id=user.id, before=request.week_start)
        if lifting
        else StrengthHistory(),
    )
    PLANS_GENERATED.labels("saved").inc()
    if existing is not None:
        await session.exec(delete(Plan).where(col(Plan.id) == existing))
        await record_change(
            session, user_id=user.id, entity="plan", entity_id=existing, op="delete"
        )
    plan = Plan(
        user_id=user.id,
        week_start=draft.week_start,
        experience_level=draft.experience_level,
        sessions_per_week=draft.sessions_per_week,
        advisories=[advisory.model_dump() for advisory in _advisories(draft)],
    )
    try:
        async with session.begin_nested():
            session.add(plan)
    except IntegrityError as error:  # a concurrent request stored this week's plan first
        raise Conflict(f"You already have a plan for the week of {request.week_start}.") from error
    assert plan.id is not None
    session.add_all(
        PlannedSession(
            plan_id=plan.id,
            position=position,
            scheduled_date=item.date,
            class_id=None if stored else catalog.id_by_slug[item.class_slug],
            strength=stored,
            reasons=list(item.reasons),
        )
        for position, (item, stored) in enumerate(zip(draft.sessions, strength, strict=True))
    )
    await session.flush()
    await record_change(session, user_id=user.id, entity="plan", entity_id=plan.id)
    return await plan_public(session, plan)


async def list_plans(
    session: AsyncSession, *, user_id: int, limit: int, cursor: str | None
) -> Page[PlanPublic]:
    """The user's plans, newest week first."""
    query = (
        select(Plan)
        .where(Plan.user_id == user_id)
        .order_by(col(Plan.week_start).desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        (before,) = decode_cursor(cursor, shape=(str,))
        try:
            query = query.where(col(Plan.week_start) < date.fromisoformat(str(before)))
        except ValueError:
            raise MalformedCursor from None
    plans = list(await session.exec(query))
    page = plans[:limit]
    return Page(
        items=await plans_public(session, page) if page else [],
        next_cursor=encode_cursor([page[-1].week_start.isoformat()])
        if len(plans) > limit
        else None,
    )


async def _stored_sessions(session: AsyncSession, plan_id: int) -> list[PlannedSession]:
    return list(
        await session.exec(
            select(PlannedSession)
            .where(PlannedSession.plan_id == plan_id)
            .order_by(col(PlannedSession.position))
        )
    )


def _checked_today(today: date | None, *, time_zone: str, now: datetime) -> date:
    """The client's "today", which must be today somewhere on Earth; else the user's own."""
    if today is None:
        return local_today(now, time_zone)
    earliest, latest = todays_on_earth(now)
    if not earliest <= today <= latest:
        raise Unprocessable(
            f"today {today} is not today anywhere on Earth (that is {earliest} to {latest}): "
            "send your local date, or leave today out to use your profile's time zone."
        )
    return today


async def replan(
    session: AsyncSession,
    *,
    user: User,
    plan: Plan,
    today: date | None,
    catalog: Catalog,
    now: datetime,
) -> ReplanResult:
    """Mark past planned sessions missed and move the rest onto safe days still ahead."""
    assert user.id is not None
    assert plan.id is not None
    today = _checked_today(today, time_zone=user.time_zone, now=now)
    stored = await _stored_sessions(session, plan.id)
    before = PlanDraft(
        week_start=plan.week_start,
        experience_level=plan.experience_level,
        sessions_per_week=plan.sessions_per_week,
        sessions=tuple(
            SessionDraft(row.scheduled_date, _replan_slug(row, catalog), tuple(row.reasons))
            for row in stored
        ),
        advisories=(),
    )
    history = await history_before(
        session, user_id=user.id, week_start=plan.week_start, pain_until=today
    )
    try:
        after = replan_week(
            plan=before,
            statuses=[row.status for row in stored],
            today=today,
            profile=profile_of(user),
            catalog=catalog.options,
            history=history,
        )
    except PlanRuleError as error:
        raise PlanRuleViolation(error.rule, error.detail) from error
    PLANS_GENERATED.labels("replan").inc()
    profile, in_pain = profile_of(user), user.back_pain or history.recent_pain

    moves, missed = [], []
    for row, new, status in zip(stored, after.sessions, after.statuses, strict=True):
        assert row.id is not None
        if new.date != row.scheduled_date:
            moves.append(
                SessionMove(session_id=row.id, from_date=row.scheduled_date, to_date=new.date)
            )
        if status == "missed" and row.status != "missed":
            missed.append(row.id)
        reasons = list(new.reasons)
        if row.strength is not None and (
            new.class_slug not in catalog.id_by_slug or strength_allowed(profile, in_pain=in_pain)
        ):
            class_id = None  # still a strength session, on its new day
            if status == "planned":
                reasons = list(replanned_reasons(new.reasons, row.reasons))
        else:
            class_id, row.strength = catalog.id_by_slug[new.class_slug], None
        if (new.date, status, class_id) != (row.scheduled_date, row.status, row.class_id):
            row.sequence += 1
        row.scheduled_date, row.reasons, row.class_id = new.date, reasons, class_id
        row.status = cast(SessionStatus, status)
    plan.updated_at = now
    session.add(plan)
    await session.flush()
    await record_change(session, user_id=user.id, entity="plan", entity_id=plan.id)
    return ReplanResult(plan=await plan_public(session, plan), moved=moves, missed=missed)


def _replan_slug(row: PlannedSession, catalog: Catalog) -> str:
    """The class slug the replanner sees; a strength session's is no class, so it may be swapped
    for a class when strength no longer fits."""
    if row.class_id is None:
        return "strength-session"
    return catalog.slug_by_id[row.class_id]
