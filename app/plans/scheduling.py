"""Saved plans: generated for a week, replaced without losing what happened, replanned.

Planned sessions are calendar events: a row keeps its id (the event's UID) for as long as it
can, and its `sequence` only ever goes up, so subscribed calendars update in place.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.errors import Conflict, Unprocessable
from app.local_time import local_today, todays_on_earth
from app.metrics import PLANS_GENERATED
from app.plans.drafts import PlanDraft, PlanRuleError, SessionDraft
from app.plans.generator import first_day_to_plan, replan_week
from app.plans.history import history_around
from app.plans.models import (
    PLANNING_HORIZON,
    Plan,
    PlanCreate,
    PlannedSession,
    PlanPublic,
    ReplanResult,
    SessionMove,
    SessionStatus,
)
from app.plans.service import (
    Catalog,
    advisories_public,
    draft_plan,
    in_pain,
    plan_public,
    profile_of,
    rule_violation,
    stored_strengths,
)
from app.plans.strength_log import StrengthHistory, strength_history
from app.plans.strength_week import STRENGTH_SLUG, StrengthChoice, strength_allowed
from app.sync.changes import record_change
from app.weeks import monday_of


async def _stored_sessions(session: AsyncSession, plan_id: int) -> list[PlannedSession]:
    return list(
        await session.exec(
            select(PlannedSession)
            .where(PlannedSession.plan_id == plan_id)
            .order_by(col(PlannedSession.position))
        )
    )


def _as_draft(row: PlannedSession, catalog: Catalog) -> SessionDraft:
    """A stored session as the generator sees it; a strength session holds no class."""
    slug = STRENGTH_SLUG if row.class_id is None else catalog.slug_by_id[row.class_id]
    return SessionDraft(row.scheduled_date, slug, tuple(row.reasons))


def _update_row(
    row: PlannedSession,
    new: SessionDraft,
    status: SessionStatus,
    catalog: Catalog,
    strength: dict[str, Any] | None,
) -> None:
    """Write a session's new day, content, status and reasons; a changed event gets a new
    SEQUENCE."""
    class_id = None if strength is not None else catalog.id_by_slug[new.class_slug]
    changed = (new.date, status, class_id, strength)
    if changed != (row.scheduled_date, row.status, row.class_id, row.strength):
        row.sequence += 1
    row.scheduled_date, row.class_id, row.status = new.date, class_id, status
    row.strength, row.reasons = strength, list(new.reasons)


async def create_plan(
    session: AsyncSession,
    *,
    user: User,
    request: PlanCreate,
    replace: bool,
    catalog: Catalog,
    now: datetime,
) -> PlanPublic:
    """Generate and store the user's plan for a week; replacing keeps the sessions done."""
    assert user.id is not None
    week_start = request.week_start
    plan = (
        await session.exec(
            select(Plan).where(Plan.user_id == user.id, Plan.week_start == week_start)
        )
    ).first()
    if plan is not None and not replace:
        raise Conflict(
            f"You already have a plan for the week of {week_start} (id {plan.id}); "
            "send ?replace=true to generate it again."
        )
    today = local_today(now, user.time_zone)
    if week_start > monday_of(today) + PLANNING_HORIZON:
        raise Unprocessable(
            f"A plan may start at most {PLANNING_HORIZON.days // 7} weeks after this week's "
            f"Monday ({monday_of(today)}), in your time zone.",
            field="week_start",
            code="beyond_planning_horizon",
        )
    first_day = first_day_to_plan(week_start, today)
    history = await history_around(
        session, user_id=user.id, week_start=week_start, pain_before=first_day
    )
    rows = [] if plan is None or plan.id is None else await _stored_sessions(session, plan.id)
    done = [row for row in rows if row.status == "done"]
    # Only users who may get strength sessions pay for reading their strength history.
    lifting = strength_allowed(profile_of(user), in_pain=in_pain(user, history, before=first_day))
    # The log up to the first day planned; a replaced plan's done strength sessions came last.
    log = (
        await strength_history(session, user_id=user.id, before=first_day)
        if lifting
        else StrengthHistory()
    )
    done_templates = [
        row.strength["template"]
        for row in sorted(done, key=lambda row: row.scheduled_date)
        if row.strength is not None
    ]
    last_template = done_templates[-1] if done_templates else log.last_template
    draft = draft_plan(
        user,
        catalog,
        week_start,
        request.sessions_per_week,
        history,
        [_as_draft(row, catalog) for row in done],
        today=today,
        strength=StrengthChoice(catalog.strength_exercises, last_template),
    )
    strength = stored_strengths(draft, catalog, log)
    PLANS_GENERATED.labels("saved").inc()
    if plan is None:
        plan = await _new_plan(session, user_id=user.id, draft=draft)
    else:
        plan.experience_level = draft.experience_level
        plan.sessions_per_week = draft.sessions_per_week
        plan.advisories = [item.model_dump() for item in advisories_public(draft.advisories)]
        plan.updated_at = now
        session.add(plan)
    assert plan.id is not None
    await _write_sessions(
        session,
        plan.id,
        [row for row in rows if row.status != "done"],
        list(zip(draft.sessions, strength, strict=True)),
        next_position=max((row.position for row in rows), default=-1) + 1,
        catalog=catalog,
    )
    await session.flush()
    await record_change(session, user_id=user.id, entity="plan", entity_id=plan.id)
    return await plan_public(session, plan)


async def _new_plan(session: AsyncSession, *, user_id: int, draft: PlanDraft) -> Plan:
    plan = Plan(
        user_id=user_id,
        week_start=draft.week_start,
        experience_level=draft.experience_level,
        sessions_per_week=draft.sessions_per_week,
        advisories=[item.model_dump() for item in advisories_public(draft.advisories)],
    )
    try:
        async with session.begin_nested():
            session.add(plan)
    except IntegrityError as error:  # a concurrent request stored this week's plan first
        raise Conflict(f"You already have a plan for the week of {draft.week_start}.") from error
    return plan


async def _write_sessions(
    session: AsyncSession,
    plan_id: int,
    reusable: Sequence[PlannedSession],
    drafts: Sequence[tuple[SessionDraft, dict[str, Any] | None]],
    *,
    next_position: int,
    catalog: Catalog,
) -> None:
    """Store the draft's sessions (each with its stored strength, if any), reusing the rows
    (and calendar UIDs) of the replaced ones."""
    new = sorted(drafts, key=lambda pair: pair[0].date)
    for row, (item, strength) in zip(reusable, new, strict=False):
        _update_row(row, item, "planned", catalog, strength)
        session.add(row)
    for row in reusable[len(new) :]:
        await session.delete(row)
    session.add_all(
        PlannedSession(
            plan_id=plan_id,
            position=next_position + index,
            scheduled_date=item.date,
            class_id=None if strength else catalog.id_by_slug[item.class_slug],
            strength=strength,
            reasons=list(item.reasons),
        )
        for index, (item, strength) in enumerate(new[len(reusable) :])
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
    """Mark past planned sessions missed and move only those no longer safe; advice anew."""
    assert user.id is not None
    assert plan.id is not None
    today = _checked_today(today, time_zone=user.time_zone, now=now)
    stored = await _stored_sessions(session, plan.id)
    before = PlanDraft(
        week_start=plan.week_start,
        experience_level=plan.experience_level,
        sessions_per_week=plan.sessions_per_week,
        sessions=tuple(_as_draft(row, catalog) for row in stored),
        advisories=(),
    )
    history = await history_around(
        session, user_id=user.id, week_start=plan.week_start, pain_before=today
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
        raise rule_violation(error) from error
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
        # A session the generator kept as strength keeps its exercises and targets.
        strength = row.strength if new.class_slug == STRENGTH_SLUG else None
        _update_row(row, new, cast(SessionStatus, status), catalog, strength)
        session.add(row)
    plan.advisories = [item.model_dump() for item in advisories_public(after.advisories)]
    plan.updated_at = now
    session.add(plan)
    await session.flush()
    await record_change(session, user_id=user.id, entity="plan", entity_id=plan.id)
    return ReplanResult(plan=await plan_public(session, plan), moved=moves, missed=missed)
