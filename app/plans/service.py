"""Plans: generated from profile, catalog and history; stored per week; replanned as weeks go."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import cast

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import TrainingProfile, User
from app.classes.models import WorkoutClass
from app.db import utc_now
from app.errors import Conflict, PlanRuleViolation
from app.metrics import PLANS_GENERATED
from app.pagination import MalformedCursor, Page, decode_cursor, encode_cursor
from app.plans.generator import (
    ClassOption,
    History,
    PlanDraft,
    PlanRuleError,
    Profile,
    SessionDraft,
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
)
from app.workouts.models import Advisory


class Catalog:
    """The classes a plan can choose from, by slug and by id."""

    def __init__(self, rows: Iterable[WorkoutClass]) -> None:
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

    def planned_class(self, slug: str) -> PlannedClass:
        return PlannedClass.model_validate(self.by_slug[slug])


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
) -> PlanDraft:
    try:
        return generate_plan(
            profile=profile_of(profile),
            catalog=catalog.options,
            week_start=week_start,
            sessions_per_week=sessions_per_week,
            history=history,
        )
    except PlanRuleError as error:
        raise PlanRuleViolation(error.rule, error.detail) from error


def _advisories(draft: PlanDraft) -> list[Advisory]:
    return [Advisory(code=item.code, message=item.message) for item in draft.advisories]


def preview_plan(*, request: PlanPreviewRequest, catalog: Catalog) -> PlanPreview:
    """A plan for an anonymous profile with no history; nothing is stored or read."""
    draft = _draft(request, catalog, request.week_start, request.sessions_per_week, History())
    PLANS_GENERATED.labels("preview").inc()
    return PlanPreview(
        week_start=draft.week_start,
        experience_level=draft.experience_level,
        sessions_per_week=draft.sessions_per_week,
        sessions=[
            PlannedSessionPreview(
                date=item.date,
                planned_class=catalog.planned_class(item.class_slug),
                status="planned",
                reasons=list(item.reasons),
            )
            for item in draft.sessions
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
        .join(WorkoutClass, col(WorkoutClass.id) == PlannedSession.class_id)
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
                planned_class=PlannedClass.model_validate(workout_class),
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
    session: AsyncSession, *, user: User, request: PlanCreate, replace: bool, catalog: Catalog
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
    history = await history_before(
        session, user_id=user.id, week_start=request.week_start, now=utc_now()
    )
    draft = _draft(user, catalog, request.week_start, request.sessions_per_week, history)
    PLANS_GENERATED.labels("saved").inc()
    if existing is not None:
        await session.exec(delete(Plan).where(col(Plan.id) == existing))
    plan = Plan(
        # A replaced plan keeps its id: links and calendar URLs to it stay valid.
        id=existing,
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
            class_id=catalog.id_by_slug[item.class_slug],
            reasons=list(item.reasons),
        )
        for position, item in enumerate(draft.sessions)
    )
    await session.flush()
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


async def replan(
    session: AsyncSession, *, user: User, plan: Plan, today: date | None, catalog: Catalog
) -> ReplanResult:
    """Mark past planned sessions missed and move the rest onto safe days still ahead."""
    assert user.id is not None
    assert plan.id is not None
    today = today or utc_now().date()
    stored = await _stored_sessions(session, plan.id)
    before = PlanDraft(
        week_start=plan.week_start,
        experience_level=plan.experience_level,
        sessions_per_week=plan.sessions_per_week,
        sessions=tuple(
            SessionDraft(row.scheduled_date, catalog.slug_by_id[row.class_id], tuple(row.reasons))
            for row in stored
        ),
        advisories=(),
    )
    history = await history_before(
        session, user_id=user.id, week_start=plan.week_start, now=utc_now()
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

    moves, missed = [], []
    for row, new, status in zip(stored, after.sessions, after.statuses, strict=True):
        assert row.id is not None
        if new.date != row.scheduled_date:
            moves.append(
                SessionMove(session_id=row.id, from_date=row.scheduled_date, to_date=new.date)
            )
        if status == "missed" and row.status != "missed":
            missed.append(row.id)
        class_id = catalog.id_by_slug[new.class_slug]
        if (new.date, status, class_id) != (row.scheduled_date, row.status, row.class_id):
            row.sequence += 1
        row.scheduled_date, row.reasons, row.class_id = new.date, list(new.reasons), class_id
        row.status = cast(SessionStatus, status)
    plan.updated_at = utc_now()
    session.add(plan)
    await session.flush()
    return ReplanResult(plan=await plan_public(session, plan), moved=moves, missed=missed)
