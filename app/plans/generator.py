"""Weekly back-training plans: frequency, recovery, availability, fit, pain, variety and rhythm.

Pure functions of plain values. "Today" and the week are explicit inputs and the history is
given as local dates, so the caller decides what a user's day is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from app.plans.class_choice import choose_classes, eligible_classes, unknown_level
from app.plans.days import most_spread_days, safe_days
from app.plans.drafts import (
    ClassOption,
    History,
    PlanDraft,
    PlanRuleError,
    Profile,
    ReplanDraft,
    SessionDraft,
)
from app.plans.reasons import WeekFacts, advisories, recovery_detail
from app.plans.rules import (
    DAY_NAMES,
    LEVEL_FREQUENCIES,
    WEEKDAYS,
    in_pain_window,
    too_close,
)
from app.plans.strength_week import (
    STRENGTH_SLUG,
    StrengthChoice,
    kept_strength_reasons,
    strength_allowed,
    strength_reasons,
    strength_slots,
)
from app.plans.ways_out import with_ways_out
from app.plans.words import or_list

_STATUSES = frozenset({"planned", "done", "missed"})
NO_HISTORY = History()


def weekly_frequency(level: str, requested: int | None) -> int:
    """Sessions per week: the level's default, or the requested count when the level allows it."""
    allowed = LEVEL_FREQUENCIES.get(level)
    if allowed is None:
        raise PlanRuleError("frequency", unknown_level(level))
    if requested is None:
        return allowed[0]
    if requested not in allowed:
        counts = or_list(str(count) for count in sorted(allowed))
        detail = f"Sessions a week for the {level} level: {counts}; you asked for {requested}."
        raise PlanRuleError("frequency", detail)
    return requested


def generate_plan(
    *,
    profile: Profile,
    catalog: Sequence[ClassOption],
    week_start: dt.date,
    sessions_per_week: int | None = None,
    history: History = NO_HISTORY,
    done: Sequence[SessionDraft] = (),
    today: dt.date | None = None,
    strength: StrengthChoice | None = None,
) -> PlanDraft:
    """Schedule the week starting on Monday `week_start` under every plan rule.

    `done` holds sessions of this week that already happened and are kept as they are (a
    replaced plan): they count towards the week and the new sessions are placed around them.
    `today` is the user's local date: a week under way gets no new session on a day already
    past, and its pain window ends there (see `first_day_to_plan`). With `strength`, the
    sessions strength_week picks are strength sessions built from it; the others get classes.
    """

    def attempt(changed: Profile, requested: int | None) -> PlanDraft:
        return _generate(changed, catalog, week_start, requested, history, done, today, strength)

    try:
        return attempt(profile, sessions_per_week)
    except PlanRuleError as error:
        raise with_ways_out(
            error,
            attempt,
            profile=profile,
            requested=sessions_per_week,
            catalog=catalog,
            count_can_change=True,
        ) from None


def first_day_to_plan(week_start: dt.date, today: dt.date | None) -> dt.date:
    """The first day a new plan may use: today while its week is under way, else its Monday.

    Past weeks stay plannable from their Monday, for people back-filling their log. The pain
    window is the 14 days before this day: before the plan's week, or, for the week under way
    (planned from today on, as a replan would), before today.
    """
    if today is not None and week_start <= today <= week_start + dt.timedelta(days=6):
        return today
    return week_start


def replan_week(
    *,
    plan: PlanDraft,
    statuses: Sequence[str],
    today: dt.date,
    profile: Profile,
    catalog: Sequence[ClassOption],
    history: History = NO_HISTORY,
) -> ReplanDraft:
    """Mark past planned sessions missed; move only the ones no longer safe, from `today` on."""
    if len(statuses) != len(plan.sessions) or not set(statuses) <= _STATUSES:
        raise ValueError("statuses must hold planned, done or missed for each session of the plan")

    def attempt(changed: Profile, _requested: int | None) -> ReplanDraft:
        return _replan(plan, statuses, today, changed, catalog, history)

    try:
        return attempt(profile, None)
    except PlanRuleError as error:
        raise with_ways_out(
            error, attempt, profile=profile, requested=None, catalog=catalog, count_can_change=False
        ) from None


def _generate(
    profile: Profile,
    catalog: Sequence[ClassOption],
    week_start: dt.date,
    requested: int | None,
    history: History,
    done: Sequence[SessionDraft],
    today: dt.date | None,
    strength: StrengthChoice | None,
) -> PlanDraft:
    if week_start.weekday() != 0:
        day = DAY_NAMES[week_start.weekday()]
        raise PlanRuleError(
            "week_start", f"A plan week starts on a Monday; {week_start} is a {day}."
        )
    level = profile.experience_level
    count = weekly_frequency(level, requested)
    _check_day_names(profile.available_days)
    first_day = first_day_to_plan(week_start, today)
    in_pain = profile.back_pain or in_pain_window(history.pain_dates, before=first_day)
    eligible = eligible_classes(profile, catalog, in_pain=in_pain)
    fixed = [_offset(week_start, session.date) for session in done]
    busy = [*_offsets(week_start, history.session_dates), *fixed]
    wanted = max(count - len(done), 0)
    first = _offset(week_start, first_day)
    candidates = safe_days(profile.available_days, first, busy)
    rhythm = _rhythm(week_start, history)
    days = most_spread_days(candidates, wanted, fixed, rhythm)
    if len(days) < wanted:
        raise PlanRuleError("recovery", recovery_detail(profile, count, busy, first))
    week = WeekFacts(week_start, level, count, profile, in_pain, (*busy, *days), rhythm)
    week_days = sorted([*fixed, *days])
    slots = strength_slots(
        [week_days.index(offset) for offset in days],
        profile=profile,
        in_pain=in_pain,
        choice=strength,
    )
    picks = iter(
        choose_classes(
            eligible,
            slots.count(None),
            level=level,
            recent_slugs=history.recent_class_slugs,
            this_week=[session.class_slug for session in done],
        )
    )
    sessions: list[SessionDraft] = []
    for offset, lifting in zip(days, slots, strict=True):
        if lifting is None:
            option, why = next(picks)
            sessions.append(week.session(offset, option, (why,)))
        else:
            reasons = (*week.placement(offset), *strength_reasons(lifting, profile))
            sessions.append(SessionDraft(week.day(offset), STRENGTH_SLUG, reasons, lifting))
    slugs = [*(session.class_slug for session in done), *(s.class_slug for s in sessions)]
    notes = advisories(week, history, eligible, slugs, catalog)
    return PlanDraft(week_start, level, count, tuple(sessions), notes)


def _replan(
    plan: PlanDraft,
    statuses: Sequence[str],
    today: dt.date,
    profile: Profile,
    catalog: Sequence[ClassOption],
    history: History,
) -> ReplanDraft:
    _check_day_names(profile.available_days)
    start = plan.week_start
    in_pain = profile.back_pain or in_pain_window(history.pain_dates, before=today)
    done = [i for i, status in enumerate(statuses) if status == "done"]
    done_offsets = [_offset(start, plan.sessions[i].date) for i in done]
    busy = [*_offsets(start, history.session_dates), *done_offsets]
    sessions, new_statuses = list(plan.sessions), list(statuses)
    passed, kept, to_move = _still_planned(plan, statuses, today, profile, busy)
    taken = [*busy, *kept.values()]
    rhythm = _rhythm(start, history)
    fixed = [*done_offsets, *kept.values()]
    days: tuple[int, ...] = ()
    # Moving sessions never pulls them earlier while days on or after their own are enough.
    firsts = [min(_offset(start, plan.sessions[i].date) for i in to_move)] if to_move else []
    for first in dict.fromkeys([*firsts, _offset(start, today)]):
        candidates = safe_days(profile.available_days, first, taken)
        days = max(days, most_spread_days(candidates, len(to_move), fixed, rhythm), key=len)
    placed = {**kept, **dict(zip(to_move, days, strict=False))}
    for index in passed:
        day = DAY_NAMES[plan.sessions[index].date.weekday()]
        why = f"{day} passed and this session was not done."
        sessions[index], new_statuses[index] = replace(sessions[index], reasons=(why,)), "missed"
    for index in to_move[len(days) :]:
        why = "No recovery-safe available day is left this week for this session."
        sessions[index], new_statuses[index] = replace(sessions[index], reasons=(why,)), "missed"
    week = WeekFacts(
        start,
        plan.experience_level,
        plan.sessions_per_week,
        profile,
        in_pain,
        (*taken, *days),
        rhythm,
    )
    lifting = strength_allowed(profile, in_pain=in_pain)
    classes: dict[int, int] = {}  # the placed sessions that hold (or now get) a class
    for index, offset in placed.items():
        session = plan.sessions[index]
        if not (lifting and session.class_slug == STRENGTH_SLUG):
            classes[index] = offset
            continue
        # Still a strength session: the day's reasons anew, its own strength reasons kept.
        move = _move_reason(session.date, offset, index in kept)
        own = kept_strength_reasons(session.reasons)
        reasons = (*week.placement(offset, chosen=index not in kept), move, *own)
        sessions[index] = replace(session, date=week.day(offset), reasons=reasons)
    eligible: tuple[ClassOption, ...] = ()
    if classes:
        eligible = eligible_classes(profile, catalog, in_pain=in_pain)
        done_slugs = [plan.sessions[i].class_slug for i in done]
        for index, (option, why) in _keep_or_replace_classes(
            plan, classes, eligible, done_slugs, week, history
        ).items():
            move = _move_reason(plan.sessions[index].date, placed[index], index in kept)
            chosen = index not in kept
            sessions[index] = week.session(placed[index], option, (move, why), chosen=chosen)
    slugs = [
        s.class_slug for s, status in zip(sessions, new_statuses, strict=True) if status != "missed"
    ]
    notes = advisories(week, history, eligible, slugs, catalog)
    moved = tuple(i for i, session in enumerate(sessions) if session.date != plan.sessions[i].date)
    return ReplanDraft(tuple(sessions), tuple(new_statuses), moved, notes)


def _still_planned(
    plan: PlanDraft,
    statuses: Sequence[str],
    today: dt.date,
    profile: Profile,
    busy: Sequence[int],
) -> tuple[list[int], dict[int, int], list[int]]:
    """Planned sessions sorted out: passed; safe, so kept (index to offset); to move.

    In date order, so each one kept also guards the days of the later ones.
    """
    passed: list[int] = []
    kept: dict[int, int] = {}
    to_move: list[int] = []
    planned = [i for i, status in enumerate(statuses) if status == "planned"]
    for index in sorted(planned, key=lambda i: (plan.sessions[i].date, i)):
        day = plan.sessions[index].date
        others = [plan.week_start + dt.timedelta(days=o) for o in [*busy, *kept.values()]]
        if day < today:
            passed.append(index)
        elif WEEKDAYS[day.weekday()] in profile.available_days and not any(
            too_close(day, other) for other in others
        ):
            kept[index] = _offset(plan.week_start, day)
        else:
            to_move.append(index)
    return passed, kept, to_move


def _keep_or_replace_classes(
    plan: PlanDraft,
    placed: dict[int, int],
    eligible: Sequence[ClassOption],
    done_slugs: Sequence[str],
    week: WeekFacts,
    history: History,
) -> dict[int, tuple[ClassOption, str]]:
    """Each placed session keeps its class while eligible; the others get the next pick."""
    by_slug = {option.slug: option for option in eligible}
    classes: dict[int, tuple[ClassOption, str]] = {}
    staying = [*done_slugs]
    for index in placed:
        slug = plan.sessions[index].class_slug
        if slug in by_slug:
            classes[index] = (by_slug[slug], "Keeps the class it was planned with.")
            staying.append(slug)
    for index in sorted(set(placed) - set(classes)):
        slug = plan.sessions[index].class_slug
        ((option, why),) = choose_classes(
            eligible,
            1,
            level=week.profile.experience_level,
            recent_slugs=history.recent_class_slugs,
            this_week=staying,
        )
        staying.append(option.slug)
        replaced = (
            "Replaces its strength session: strength is not planned under the pain rule."
            if slug == STRENGTH_SLUG
            else f"Replaces '{slug}', which no longer fits your profile."
        )
        classes[index] = (option, f"{replaced} {why}")
    return classes


def _move_reason(old: dt.date, offset: int, kept: bool) -> str:
    """What the replan did with a session that is still planned."""
    if kept:
        return "Still recovery-safe on one of your available days: keeps its day."
    return (
        f"Moved from {DAY_NAMES[old.weekday()]} to {DAY_NAMES[offset]}: its day is no longer "
        "available or too close to another session."
    )


def _offset(week_start: dt.date, day: dt.date) -> int:
    return (day - week_start).days


def _offsets(week_start: dt.date, days: frozenset[dt.date]) -> list[int]:
    """Offsets of real sessions from the week's Monday, sorted (outside 0-6 for other weeks)."""
    return sorted(_offset(week_start, day) for day in days)


def _rhythm(week_start: dt.date, history: History) -> frozenset[int]:
    """The weekdays (as offsets) on which the user had a session last week."""
    return frozenset(
        offset + 7 for offset in _offsets(week_start, history.session_dates) if -7 <= offset < 0
    )


def _check_day_names(available: frozenset[str]) -> None:
    """Reject day names other than mon..sun."""
    if unknown := sorted(available - frozenset(WEEKDAYS)):
        raise PlanRuleError(
            "availability", f"Unknown day {', '.join(unknown)}; use {', '.join(WEEKDAYS)}."
        )
