"""Saved plans: generated for a week and stored, replaced without losing what happened.

A replaced plan keeps its done sessions and reuses the rows of its open ones, so their
calendar events keep their UIDs (see ``scheduling``).
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.errors import Conflict, Unprocessable
from app.local_time import local_today
from app.metrics import PLANS_GENERATED
from app.plans.drafts import SessionDraft
from app.plans.generator import first_day_to_plan
from app.plans.models import (
    PLANNING_HORIZON,
    PlanCreate,
    PlannedSessionPublic,
    PlanPublic,
    SessionStatus,
)
from app.plans.plan_inputs import StoredSession, read_plan_inputs
from app.plans.plan_writes import PlanWrite, SessionWrite, write_plan
from app.plans.scheduling import as_draft, class_of, event_changed
from app.plans.service import (
    Catalog,
    advisories_public,
    draft_plan,
    in_pain,
    profile_of,
    session_public,
    stored_strengths,
)
from app.plans.strength_log import StrengthHistory
from app.plans.strength_week import StrengthChoice, strength_allowed
from app.weeks import monday_of


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
    today = local_today(now, user.time_zone)
    if week_start > monday_of(today) + PLANNING_HORIZON:
        raise Unprocessable(
            f"A plan may start at most {PLANNING_HORIZON.days // 7} weeks after this week's "
            f"Monday ({monday_of(today)}), in your time zone.",
            field="week_start",
            code="beyond_planning_horizon",
        )
    first_day = first_day_to_plan(week_start, today)
    profile = profile_of(user)
    # Only users who may get strength sessions pay for reading their strength history.
    inputs = await read_plan_inputs(
        session,
        user_id=user.id,
        week_start=week_start,
        first_day=first_day,
        with_strength=strength_allowed(profile, in_pain=user.back_pain),
    )
    if inputs.plan_id is not None and not replace:
        raise Conflict(
            f"You already have a plan for the week of {week_start} (id {inputs.plan_id}); "
            "send ?replace=true to generate it again."
        )
    history = inputs.history
    done = [row for row in inputs.sessions if row.status == "done"]
    lifting = strength_allowed(profile, in_pain=in_pain(user, history, before=first_day))
    # The log up to the first day planned; a replaced plan's done strength sessions came last.
    log = inputs.strength if lifting and inputs.strength is not None else StrengthHistory()
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
        [as_draft(row, catalog) for row in done],
        today=today,
        strength=StrengthChoice(catalog.strength_exercises, last_template),
    )
    strength = stored_strengths(draft, catalog, log)
    PLANS_GENERATED.labels("saved").inc()
    advisories = advisories_public(draft.advisories)
    writes = _session_writes(
        inputs.sessions, list(zip(draft.sessions, strength, strict=True)), catalog=catalog
    )
    plan_id, new_ids = await write_plan(
        session,
        PlanWrite(
            user_id=user.id,
            week_start=week_start,
            experience_level=draft.experience_level,
            sessions_per_week=draft.sessions_per_week,
            advisories=[item.model_dump() for item in advisories],
            sessions=writes,
        ),
        replace=replace,
        now=now,
    )
    return PlanPublic(
        id=plan_id,
        week_start=week_start,
        experience_level=draft.experience_level,
        sessions_per_week=draft.sessions_per_week,
        sessions=_sessions_public(done, writes, new_ids, catalog),
        advisories=advisories,
    )


def _session_writes(
    stored: Sequence[StoredSession],
    drafts: Sequence[tuple[SessionDraft, dict[str, Any] | None]],
    *,
    catalog: Catalog,
) -> list[SessionWrite]:
    """The draft's sessions (each with its stored strength, if any) as rows to write: the
    replaced plan's open sessions are reused first (keeping their calendar UIDs), surplus ones
    deleted, the rest new; done sessions stay as they are."""
    reusable = [row for row in stored if row.status != "done"]
    new = sorted(drafts, key=lambda pair: pair[0].date)
    writes = []
    for row, (item, strength) in zip(reusable, new, strict=False):
        class_id = class_of(item, strength, catalog)
        changed = event_changed(row, item, "planned", class_id, strength)
        writes.append(
            SessionWrite(
                row.id, row.position, item.date, class_id, strength, list(item.reasons), changed
            )
        )
    writes.extend(
        SessionWrite(
            row.id,
            row.position,
            row.scheduled_date,
            row.class_id,
            row.strength,
            row.reasons,
            changed=False,
            gone=True,
        )
        for row in reusable[len(new) :]
    )
    next_position = max((row.position for row in stored), default=-1) + 1
    writes.extend(
        SessionWrite(
            None,
            next_position + index,
            item.date,
            class_of(item, strength, catalog),
            strength,
            list(item.reasons),
            changed=False,
        )
        for index, (item, strength) in enumerate(new[len(reusable) :])
    )
    return writes


def _sessions_public(
    done: Sequence[StoredSession],
    writes: Sequence[SessionWrite],
    new_ids: Mapping[int, int],
    catalog: Catalog,
) -> list[PlannedSessionPublic]:
    """The plan's sessions as written, by day: the done ones kept, the rest as drafted."""
    kept: list[tuple[int, StoredSession | SessionWrite, SessionStatus]] = [
        (row.id, row, row.status) for row in done
    ]
    kept += [
        (new_ids[item.position] if item.id is None else item.id, item, "planned")
        for item in writes
        if not item.gone
    ]
    kept.sort(key=lambda entry: (entry[1].scheduled_date, entry[1].position))
    return [
        session_public(
            id=id_,
            day=row.scheduled_date,
            class_id=row.class_id,
            strength=row.strength,
            status=status,
            reasons=row.reasons,
            catalog=catalog,
        )
        for id_, row, status in kept
    ]
