"""Saved plans replanned: past sessions missed, the rest moved onto safe days still ahead.

Planned sessions are calendar events: a row keeps its id (the event's UID) for as long as it
can, and its `sequence` only ever goes up, so subscribed calendars update in place.
"""

from datetime import date, datetime
from typing import Any, cast

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.errors import Unprocessable
from app.local_time import local_today, todays_on_earth
from app.metrics import PLANS_GENERATED
from app.plans.drafts import PlanDraft, PlanRuleError, SessionDraft
from app.plans.generator import replan_week
from app.plans.history import history_around
from app.plans.models import (
    Plan,
    PlannedSession,
    ReplanResult,
    SessionMove,
    SessionStatus,
)
from app.plans.plan_inputs import StoredSession
from app.plans.service import (
    Catalog,
    advisories_public,
    plan_public,
    profile_of,
    rule_violation,
)
from app.plans.strength_week import STRENGTH_SLUG
from app.sync.changes import record_change


async def _stored_sessions(session: AsyncSession, plan_id: int) -> list[PlannedSession]:
    return list(
        await session.exec(
            select(PlannedSession)
            .where(PlannedSession.plan_id == plan_id)
            .order_by(col(PlannedSession.position))
        )
    )


def as_draft(row: PlannedSession | StoredSession, catalog: Catalog) -> SessionDraft:
    """A stored session as the generator sees it; a strength session holds no class."""
    slug = STRENGTH_SLUG if row.class_id is None else catalog.slug_by_id[row.class_id]
    return SessionDraft(row.scheduled_date, slug, tuple(row.reasons))


def class_of(new: SessionDraft, strength: dict[str, Any] | None, catalog: Catalog) -> int | None:
    """The class a session holds; a strength session holds none."""
    return None if strength is not None else catalog.id_by_slug[new.class_slug]


def event_changed(
    row: PlannedSession | StoredSession,
    new: SessionDraft,
    status: SessionStatus,
    class_id: int | None,
    strength: dict[str, Any] | None,
) -> bool:
    """Whether a session's calendar event changes (and so gets a new SEQUENCE)."""
    changed = (new.date, status, class_id, strength)
    return changed != (row.scheduled_date, row.status, row.class_id, row.strength)


def _update_row(
    row: PlannedSession,
    new: SessionDraft,
    status: SessionStatus,
    catalog: Catalog,
    strength: dict[str, Any] | None,
) -> None:
    """Write a session's new day, content, status and reasons; a changed event gets a new
    SEQUENCE."""
    class_id = class_of(new, strength, catalog)
    row.sequence += event_changed(row, new, status, class_id, strength)
    row.scheduled_date, row.class_id, row.status = new.date, class_id, status
    row.strength, row.reasons = strength, list(new.reasons)


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
        sessions=tuple(as_draft(row, catalog) for row in stored),
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
