"""Plans as iCalendar: one all-day VEVENT per planned session, with a UID that never changes."""

import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from email.utils import format_datetime
from typing import Any

from icalendar import Calendar, Event
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.classes.models import BlockPublic, WorkoutClass
from app.classes.service import blocks_by_class
from app.plans.models import PLANNING_HORIZON, Plan, PlannedSession

CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"
# The feed covers this much of the past (calendars keep what they already imported) and all
# of the future plans may reach, so its size stays bounded however many plans an account has.
FEED_HISTORY = timedelta(weeks=12)


def session_uid(planned_session_id: int) -> str:
    """The event's UID: fixed for the session's life, so calendars update it in place."""
    return f"planned-session-{planned_session_id}@backfit"


def _step_text(step_name: str, reps: int | None, sets: int | None, rest: int | None,
               seconds: int | None) -> str:  # fmt: skip
    if reps is not None:
        dose = f"{reps} x {sets or 1} sets" + (f", rest {rest} s" if rest is not None else "")
        return f"{step_name} ({dose})"
    if seconds is not None:
        return f"{step_name} ({seconds} s)"
    return step_name


def describe_blocks(blocks: Sequence[BlockPublic]) -> str:
    """The class as plain text: one line per block, its steps in order."""
    return "\n".join(
        f"{block.name}: "
        + "; ".join(
            _step_text(
                step.exercise.name,
                step.reps,
                step.sets,
                step.rest_seconds,
                step.duration_seconds,
            )
            for step in block.steps
        )
        for block in blocks
    )


def describe_strength(strength: dict[str, Any]) -> str:
    """A strength session as plain text: one line per exercise with its target and why."""
    lines = []
    for item in strength["exercises"]:
        load = []
        if item.get("target_weight_kg") is not None:
            load.append(f"at {item['target_weight_kg']:g} kg")
        if item.get("variation"):
            load.append(item["variation"])
        dose = f"{item['sets']} x {item['reps_min']}-{item['reps_max']} reps"
        lines.append(
            f"{item['slug']}: {' '.join([dose, *load])}, rest {item['rest_seconds']} s"
            f" ({item['reason']})"
        )
    return "\n".join(lines)


async def plans_calendar(session: AsyncSession, plans: Sequence[Plan], name: str) -> bytes:
    """An iCalendar document with every session of ``plans``."""
    rows = list(
        await session.exec(
            select(PlannedSession, WorkoutClass)
            .outerjoin(WorkoutClass, col(WorkoutClass.id) == PlannedSession.class_id)
            .where(col(PlannedSession.plan_id).in_([plan.id for plan in plans]))
            .order_by(col(PlannedSession.scheduled_date), col(PlannedSession.id))
        )
    )
    blocks = await blocks_by_class(
        session,
        sorted(
            {workout_class.id for _, workout_class in rows if workout_class and workout_class.id}
        ),
    )
    stamps = {plan.id: plan.updated_at for plan in plans}
    calendar = Calendar()
    calendar.add("prodid", "-//Backfit//Weekly back plans//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for planned, workout_class in rows:
        assert planned.id is not None
        event = Event()
        event.add("uid", session_uid(planned.id))
        event.add("sequence", planned.sequence)
        event.add("dtstamp", stamps[planned.plan_id])
        event.add("dtstart", planned.scheduled_date)
        event.add("dtend", planned.scheduled_date + timedelta(days=1))
        status = {"done": " (done)", "missed": " (missed)"}.get(planned.status, "")
        if workout_class is None:
            assert planned.strength is not None
            minutes = planned.strength["estimated_minutes"]
            title = f"Strength session {planned.strength['template']}"
            description = f"About {minutes} minutes.\n" + describe_strength(planned.strength)
        else:
            assert workout_class.id is not None
            title, minutes = workout_class.title, workout_class.duration_minutes
            description = f"{minutes} minutes, {workout_class.difficulty}.\n" + describe_blocks(
                blocks[workout_class.id]
            )
        event.add("summary", f"Back session: {title}, {minutes} min{status}")
        event.add("description", description)
        event.add("status", "CANCELLED" if planned.status == "missed" else "CONFIRMED")
        calendar.add_component(event)
    document: bytes = calendar.to_ical()
    return document


async def feed_plans(session: AsyncSession, *, user_id: int, today: date) -> list[Plan]:
    """The user's plans of the last 12 weeks and as far ahead as plans may start."""
    monday = today - timedelta(days=today.weekday())
    return list(
        await session.exec(
            select(Plan).where(
                Plan.user_id == user_id,
                col(Plan.week_start) >= monday - FEED_HISTORY,
                col(Plan.week_start) <= monday + PLANNING_HORIZON,
            )
        )
    )


def last_modified(plans: Sequence[Plan]) -> str | None:
    """The HTTP date of the latest plan change, None without plans."""
    if not plans:
        return None
    return format_datetime(max(plan.updated_at for plan in plans), usegmt=True)


async def calendar_token(session: AsyncSession, *, user: User, rotate: bool) -> str:
    """The user's feed secret, created on first use; ``rotate`` replaces it."""
    if user.calendar_token is None or rotate:
        user.calendar_token = secrets.token_urlsafe(32)
        session.add(user)
        await session.flush()
    return user.calendar_token


async def user_by_calendar_token(session: AsyncSession, *, token: str) -> User | None:
    """The user whose feed URL holds ``token``."""
    return (await session.exec(select(User).where(User.calendar_token == token))).first()
