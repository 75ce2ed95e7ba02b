"""Saved plans: generated for a week, replaced without losing what happened, replanned.

Planned sessions are calendar events: a row keeps its id (the event's UID) for as long as it
can, and its `sequence` only ever goes up, so subscribed calendars update in place.
"""

from collections.abc import Sequence
from datetime import date
from typing import cast

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.db import utc_now
from app.errors import Conflict
from app.metrics import PLANS_GENERATED
from app.plans.drafts import PlanDraft, PlanRuleError, SessionDraft
from app.plans.generator import replan_week
from app.plans.history import history_around
from app.plans.models import (
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
    plan_public,
    profile_of,
    rule_violation,
)


async def _stored_sessions(session: AsyncSession, plan_id: int) -> list[PlannedSession]:
    return list(
        await session.exec(
            select(PlannedSession)
            .where(PlannedSession.plan_id == plan_id)
            .order_by(col(PlannedSession.position))
        )
    )


def _as_draft(row: PlannedSession, catalog: Catalog) -> SessionDraft:
    return SessionDraft(row.scheduled_date, catalog.slug_by_id[row.class_id], tuple(row.reasons))


def _update_row(
    row: PlannedSession, new: SessionDraft, status: SessionStatus, catalog: Catalog
) -> None:
    """Write a session's new day, class, status and reasons; a changed event gets a new SEQUENCE."""
    class_id = catalog.id_by_slug[new.class_slug]
    if (new.date, status, class_id) != (row.scheduled_date, row.status, row.class_id):
        row.sequence += 1
    row.scheduled_date, row.class_id, row.status = new.date, class_id, status
    row.reasons = list(new.reasons)


async def create_plan(
    session: AsyncSession, *, user: User, request: PlanCreate, replace: bool, catalog: Catalog
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
    history = await history_around(
        session, user_id=user.id, week_start=week_start, pain_before=week_start
    )
    rows = [] if plan is None or plan.id is None else await _stored_sessions(session, plan.id)
    done = [row for row in rows if row.status == "done"]
    draft = draft_plan(
        user,
        catalog,
        week_start,
        request.sessions_per_week,
        history,
        [_as_draft(row, catalog) for row in done],
    )
    PLANS_GENERATED.labels("saved").inc()
    if plan is None:
        plan = await _new_plan(session, user_id=user.id, draft=draft)
    else:
        plan.experience_level = draft.experience_level
        plan.sessions_per_week = draft.sessions_per_week
        plan.advisories = [item.model_dump() for item in advisories_public(draft.advisories)]
        plan.updated_at = utc_now()
        session.add(plan)
    assert plan.id is not None
    await _write_sessions(
        session,
        plan.id,
        [row for row in rows if row.status != "done"],
        draft,
        next_position=max((row.position for row in rows), default=-1) + 1,
        catalog=catalog,
    )
    await session.flush()
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
    draft: PlanDraft,
    *,
    next_position: int,
    catalog: Catalog,
) -> None:
    """Store the draft's sessions, reusing the rows (and calendar UIDs) of the replaced ones."""
    new = sorted(draft.sessions, key=lambda item: item.date)
    for row, item in zip(reusable, new, strict=False):
        _update_row(row, item, "planned", catalog)
        session.add(row)
    for row in reusable[len(new) :]:
        await session.delete(row)
    session.add_all(
        PlannedSession(
            plan_id=plan_id,
            position=next_position + index,
            scheduled_date=item.date,
            class_id=catalog.id_by_slug[item.class_slug],
            reasons=list(item.reasons),
        )
        for index, item in enumerate(new[len(reusable) :])
    )


async def replan(
    session: AsyncSession, *, user: User, plan: Plan, today: date | None, catalog: Catalog
) -> ReplanResult:
    """Mark past planned sessions missed and move only those no longer safe; advice anew."""
    assert user.id is not None
    assert plan.id is not None
    today = today or utc_now().date()
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
        _update_row(row, new, cast(SessionStatus, status), catalog)
        session.add(row)
    plan.advisories = [item.model_dump() for item in advisories_public(after.advisories)]
    plan.updated_at = utc_now()
    session.add(plan)
    await session.flush()
    return ReplanResult(plan=await plan_public(session, plan), moved=moves, missed=missed)
