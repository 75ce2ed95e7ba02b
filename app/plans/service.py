"""Plans: the catalog they choose from, previews, and stored plans as the API shows them."""

from collections.abc import Iterable, Sequence
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import TrainingProfile
from app.classes.models import WorkoutClass
from app.errors import PlanRuleViolation, ProfileFix
from app.metrics import PLANS_GENERATED
from app.pagination import MalformedCursor, Page, decode_cursor, encode_cursor
from app.plans.drafts import Advisory as DraftAdvisory
from app.plans.drafts import (
    ClassOption,
    History,
    PlanDraft,
    PlanRuleError,
    Profile,
    SessionDraft,
)
from app.plans.generator import generate_plan
from app.plans.models import (
    Plan,
    PlannedClass,
    PlannedSession,
    PlannedSessionPreview,
    PlannedSessionPublic,
    PlanPreview,
    PlanPreviewRequest,
    PlanPublic,
)
from app.plans.ways_out import FIXABLE_RULES
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


def rule_violation(error: PlanRuleError) -> PlanRuleViolation:
    """The generator's rule error as a 422 problem, with its fixes when the rule has them."""
    fixes = None
    if error.rule in FIXABLE_RULES:
        fixes = [
            ProfileFix(
                field=fix.field, value=fix.value, add=None if fix.add is None else [*fix.add]
            )
            for fix in error.fixes
        ]
    return PlanRuleViolation(error.rule, error.detail, fixes)


def draft_plan(
    profile: TrainingProfile,
    catalog: Catalog,
    week_start: date,
    sessions_per_week: int | None,
    history: History,
    done: Sequence[SessionDraft] = (),
) -> PlanDraft:
    """The generator's plan for a profile, its rule errors as 422 problems."""
    try:
        return generate_plan(
            profile=profile_of(profile),
            catalog=catalog.options,
            week_start=week_start,
            sessions_per_week=sessions_per_week,
            history=history,
            done=done,
        )
    except PlanRuleError as error:
        raise rule_violation(error) from error


def advisories_public(advisories: Iterable[DraftAdvisory]) -> list[Advisory]:
    """The generator's advice as the API shows it."""
    return [Advisory(code=item.code, message=item.message) for item in advisories]


def preview_plan(*, request: PlanPreviewRequest, catalog: Catalog) -> PlanPreview:
    """A plan for an anonymous profile with no history; nothing is stored or read."""
    draft = draft_plan(request, catalog, request.week_start, request.sessions_per_week, History())
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
        advisories=advisories_public(draft.advisories),
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
        .order_by(
            col(PlannedSession.plan_id),
            col(PlannedSession.scheduled_date),
            col(PlannedSession.position),
        )
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
