"""Plans: the catalog they choose from, previews, and stored plans as the API shows them."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import TrainingProfile
from app.classes.models import WorkoutClass
from app.errors import PlanRuleViolation, ProfileFix
from app.exercises.models import Exercise
from app.local_time import local_today
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
    SessionStatus,
    StrengthTarget,
)
from app.plans.rules import in_pain_window
from app.plans.strength import StrengthExercise
from app.plans.strength_log import (
    StrengthHistory,
    session_targets,
    stored_strength,
)
from app.plans.strength_week import StrengthChoice
from app.plans.ways_out import FIXABLE_RULES
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
    *,
    today: date,
    strength: StrengthChoice | None,
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
            today=today,
            strength=strength,
        )
    except PlanRuleError as error:
        raise rule_violation(error) from error


def in_pain(profile: TrainingProfile, history: History, *, before: date) -> bool:
    """The pain rule for a plan whose first planned day is ``before``."""
    return profile.back_pain or in_pain_window(history.pain_dates, before=before)


def stored_strengths(
    draft: PlanDraft, catalog: Catalog, strength: StrengthHistory
) -> list[dict[str, Any] | None]:
    """Each session's strength session as stored, with targets from the log (or None)."""
    return [
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


def session_public(
    *,
    id: int,
    day: date,
    class_id: int | None,
    strength: dict[str, Any] | None,
    status: SessionStatus,
    reasons: list[str],
    catalog: Catalog,
) -> PlannedSessionPublic:
    """A stored session as the API shows it, its class as the catalog has it."""
    planned_class = (
        None if class_id is None else catalog.planned_class(catalog.slug_by_id[class_id])
    )
    return PlannedSessionPublic(
        id=id, date=day, **_kind_fields(planned_class, strength), status=status, reasons=reasons
    )


def advisories_public(advisories: Iterable[DraftAdvisory]) -> list[Advisory]:
    """The generator's advice as the API shows it."""
    return [Advisory(code=item.code, message=item.message) for item in advisories]


def preview_plan(*, request: PlanPreviewRequest, catalog: Catalog, now: datetime) -> PlanPreview:
    """A plan for an anonymous profile with no history; nothing is stored or read."""
    draft = draft_plan(
        request,
        catalog,
        request.week_start,
        request.sessions_per_week,
        History(),
        today=local_today(now, request.time_zone),
        strength=StrengthChoice(catalog.strength_exercises),
    )
    strength = stored_strengths(draft, catalog, StrengthHistory())
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
        advisories=advisories_public(draft.advisories),
    )


def preview_json(*, request: PlanPreviewRequest, catalog: Catalog, now: datetime) -> bytes:
    """The preview's response body."""
    # Serialised here: the model was built from validated parts, so validating it again as
    # the route's response model would only repeat it (same bytes: aliases as that model).
    preview = preview_plan(request=request, catalog=catalog, now=now)
    return preview.model_dump_json(by_alias=True).encode()


async def plan_public(session: AsyncSession, plan: Plan) -> PlanPublic:
    """A stored plan with its sessions and their classes."""
    return (await plans_public(session, [plan]))[0]


async def plans_public(session: AsyncSession, plans: Sequence[Plan]) -> list[PlanPublic]:
    """Stored plans with their sessions, read in one query."""
    rows = await session.exec(
        select(PlannedSession, WorkoutClass)
        .outerjoin(WorkoutClass, col(WorkoutClass.id) == PlannedSession.class_id)
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
