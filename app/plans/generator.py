"""Weekly back-training plan rules: frequency, recovery, availability, fit, pain and variety."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from app.plans.days import WEEKDAYS, most_spread_days, safe_days
from app.plans.strength import StrengthSession

LEVEL_FREQUENCIES: dict[str, tuple[int, ...]] = {
    "beginner": (1,),
    "intermediate": (2, 3),
    "advanced": (3, 2),
}
ALLOWED_DIFFICULTIES: dict[str, frozenset[str]] = {
    "beginner": frozenset({"easy"}),
    "intermediate": frozenset({"easy", "intermediate"}),
    "advanced": frozenset({"easy", "intermediate", "advanced"}),
}
GENTLE_FOCUS = frozenset({"pain-relief", "mobility"})

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_STATUSES = frozenset({"planned", "done", "missed"})
_WEEKS_BEFORE_PROGRESS = 4
_ADVICE = {
    "see-physio": "See a physiotherapist before starting any new routine, "
    "and stop any exercise that hurts.",
    "part-of-wider-program": "Train your back once a week as one part of a wider programme "
    "for your whole body.",
    "ready-to-progress": f"You completed every session for {_WEEKS_BEFORE_PROGRESS} weeks or more; "
    "consider moving to intermediate with two back sessions a week.",
}


@dataclass(frozen=True)
class ClassOption:
    """One class of the catalog, as the generator sees it."""

    slug: str
    title: str
    difficulty: str
    duration_minutes: int
    equipment: frozenset[str]
    focus: frozenset[str]


@dataclass(frozen=True)
class Profile:
    """What the user told us about their level, equipment, time and back."""

    experience_level: str
    equipment: frozenset[str] = frozenset()
    available_days: frozenset[str] = frozenset(WEEKDAYS)
    max_session_minutes: int | None = None
    back_pain: bool = False


@dataclass(frozen=True)
class History:
    """What the caller derived from the user's previous weeks."""

    previous_session_date: dt.date | None = None
    recent_pain: bool = False
    recent_class_slugs: tuple[str, ...] = ()
    fully_completed_weeks: int = 0


@dataclass(frozen=True)
class Advisory:
    """A piece of advice shown alongside the plan."""

    code: str
    message: str


@dataclass(frozen=True)
class SessionDraft:
    """One scheduled back session and the plain-English reasons for it."""

    date: dt.date
    class_slug: str
    reasons: tuple[str, ...]
    # Set when app.plans.strength_week placed a strength session here instead of the class.
    strength: StrengthSession | None = None


@dataclass(frozen=True)
class PlanDraft:
    """A week of back sessions, Monday to Sunday."""

    week_start: dt.date
    experience_level: str
    sessions_per_week: int
    sessions: tuple[SessionDraft, ...]
    advisories: tuple[Advisory, ...]


@dataclass(frozen=True)
class ReplanDraft:
    """The rest of a week re-placed after some sessions were done or missed."""

    sessions: tuple[SessionDraft, ...]
    statuses: tuple[str, ...]
    moved: tuple[int, ...]


class PlanRuleError(Exception):
    """A plan rule that the profile, catalog, history or week cannot satisfy."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(f"{rule}: {detail}")
        self.rule = rule
        self.detail = detail


def weekly_frequency(level: str, requested: int | None) -> int:
    """Sessions per week: the level's default, or the requested count when the level allows it."""
    allowed = LEVEL_FREQUENCIES.get(level)
    if allowed is None:
        raise PlanRuleError("frequency", _unknown_level(level))
    if requested is None:
        return allowed[0]
    if requested not in allowed:
        counts = _or_list(str(count) for count in sorted(allowed))
        detail = f"Sessions a week for the {level} level: {counts}; you asked for {requested}."
        raise PlanRuleError("frequency", detail)
    return requested


def eligible_classes(
    profile: Profile, catalog: Sequence[ClassOption], *, in_pain: bool
) -> tuple[ClassOption, ...]:
    """Catalog classes that fit the profile (and are gentle when in pain), sorted by slug."""
    level, limit = profile.experience_level, profile.max_session_minutes
    allowed = ALLOWED_DIFFICULTIES.get(level)
    if allowed is None:
        raise PlanRuleError("fit", _unknown_level(level))
    by_level = [option for option in catalog if option.difficulty in allowed]
    if not by_level:
        raise PlanRuleError(
            "fit",
            f"The catalog has no {_or_list(sorted(allowed))} class, which the {level} level "
            "needs; ask for one to be added.",
        )
    owned = [option for option in by_level if option.equipment <= profile.equipment]
    if not owned:
        closest = min(by_level, key=lambda o: (len(o.equipment - profile.equipment), o.slug))
        missing = ", ".join(sorted(closest.equipment - profile.equipment))
        raise PlanRuleError(
            "fit",
            f"Every {level}-level class needs equipment you have not listed; "
            f"add {missing} to your equipment to unlock '{closest.title}'.",
        )
    timed = [option for option in owned if limit is None or option.duration_minutes <= limit]
    if not timed:
        shortest = min(option.duration_minutes for option in owned)
        raise PlanRuleError(
            "fit",
            f"Every class that fits your level and equipment takes longer than {limit} "
            f"minutes; raise max_session_minutes to at least {shortest}.",
        )
    gentle = [option for option in timed if option.focus & GENTLE_FOCUS] if in_pain else timed
    if not gentle:
        raise PlanRuleError(
            "pain",
            "With back pain only pain-relief or mobility classes are allowed, and none of your "
            f"{_plural(len(timed), 'fitting class')} has that focus. See a physiotherapist, and "
            "add equipment or minutes so a gentle class fits.",
        )
    return tuple(sorted(gentle, key=lambda option: option.slug))


def generate_plan(
    *,
    profile: Profile,
    catalog: Sequence[ClassOption],
    week_start: dt.date,
    sessions_per_week: int | None = None,
    history: History = History(),
    today: dt.date | None = None,
) -> PlanDraft:
    """Schedule the week starting on Monday `week_start` under every plan rule.

    `today` is the user's local date: a week under way gets no session on a day already past.
    """
    if week_start.weekday() != 0:
        day = _DAY_NAMES[week_start.weekday()]
        raise PlanRuleError(
            "week_start", f"A plan week starts on a Monday; {week_start} is a {day}."
        )
    level = profile.experience_level
    count = weekly_frequency(level, sessions_per_week)
    _check_day_names(profile.available_days)
    in_pain = profile.back_pain or history.recent_pain
    eligible = eligible_classes(profile, catalog, in_pain=in_pain)
    rotation = _rotation_order(eligible, history.recent_class_slugs)
    fixed = _previous_offsets(history, week_start)
    first = (first_day_to_plan(week_start, today) - week_start).days
    days = most_spread_days(safe_days(profile.available_days, first, fixed), count, fixed)
    if len(days) < count:
        raise PlanRuleError("recovery", _recovery_detail(profile, count, fixed, first))
    week = _Week(week_start, level, count, profile, history, (*fixed, *days))
    sessions = tuple(
        week.session(
            offset, rotation[index % len(rotation)], _variety_reason(index, rotation, week)
        )
        for index, offset in enumerate(days)
    )
    codes = ["see-physio"] if in_pain else []
    if level == "beginner":
        codes.append("part-of-wider-program")
        if history.fully_completed_weeks >= _WEEKS_BEFORE_PROGRESS:
            codes.append("ready-to-progress")
    advisories = tuple(Advisory(code, _ADVICE[code]) for code in codes)
    return PlanDraft(week_start, level, count, sessions, advisories)


def first_day_to_plan(week_start: dt.date, today: dt.date | None) -> dt.date:
    """The first day a new plan may use: today while its week is under way, else its Monday.

    Past weeks stay plannable from their Monday, for people back-filling their log.
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
    history: History = History(),
) -> ReplanDraft:
    """Mark past planned sessions missed and re-place the others on safe days from `today` on."""
    if len(statuses) != len(plan.sessions) or not set(statuses) <= _STATUSES:
        raise ValueError("statuses must hold planned, done or missed for each session of the plan")
    _check_day_names(profile.available_days)
    offsets = [(session.date - plan.week_start).days for session in plan.sessions]
    done = [offset for offset, status in zip(offsets, statuses, strict=True) if status == "done"]
    fixed = (*_previous_offsets(history, plan.week_start), *done)
    pending = [
        i
        for i in sorted(range(len(offsets)), key=lambda i: (offsets[i], i))
        if statuses[i] == "planned" and plan.sessions[i].date >= today
    ]
    first = (today - plan.week_start).days
    days = most_spread_days(safe_days(profile.available_days, first, fixed), len(pending), fixed)
    placed = dict(zip(pending[: len(days)], days, strict=True))
    sessions, new_statuses = list(plan.sessions), list(statuses)
    for index, session in enumerate(plan.sessions):
        if statuses[index] == "planned" and index not in placed:
            if session.date < today:
                why = f"{_DAY_NAMES[session.date.weekday()]} passed and this session was not done."
            else:
                why = "No recovery-safe available day is left this week for this session."
            sessions[index], new_statuses[index] = replace(session, reasons=(why,)), "missed"
    week = _Week(
        plan.week_start,
        plan.experience_level,
        plan.sessions_per_week,
        profile,
        history,
        (*fixed, *days),
    )
    for index, (option, variety) in _placed_classes(plan, statuses, placed, catalog, week).items():
        sessions[index] = week.session(placed[index], option, variety)
    moved = tuple(i for i, session in enumerate(sessions) if session.date != plan.sessions[i].date)
    return ReplanDraft(tuple(sessions), tuple(new_statuses), moved)


@dataclass(frozen=True)
class _Week:
    """The facts about one week that every session's reasons refer to."""

    start: dt.date
    level: str
    count: int
    profile: Profile
    history: History
    timeline: tuple[int, ...]  # day offsets of every session in play, including fixed ones

    def session(self, offset: int, option: ClassOption, variety: str) -> SessionDraft:
        """The session `offset` days into the week, with the reasons that placed it there."""
        profile, day = self.profile, _DAY_NAMES[offset]
        if profile.available_days >= frozenset(WEEKDAYS):
            availability = f"You are free every day; {day} spreads the sessions most evenly."
        else:
            availability = f"{day} is one of your available days."
        earlier = [other for other in self.timeline if other < offset]
        recovery = "No earlier session to recover from."
        if earlier:
            rest = _plural(offset - max(earlier) - 1, "rest day")
            recovery = f"{rest} since your previous session."
        kit = ", ".join(sorted(option.equipment))
        limit = profile.max_session_minutes
        equipment = f"uses only your {kit}" if kit else "needs no equipment"
        time = "" if limit is None else f" and fits your {limit} minutes"
        fit = (
            f"{option.difficulty.capitalize()} {option.duration_minutes}-minute class that suits "
            f"the {profile.experience_level} level, {equipment}{time}."
        )
        frequency = f"{self.level.capitalize()} level: {_plural(self.count, 'back session')}"
        reasons = [f"{frequency} this week.", availability, recovery, fit]
        if profile.back_pain or self.history.recent_pain:
            source = "Back pain in your profile"
            if not profile.back_pain:
                source = "Pain of 5+ logged in the last 14 days"
            focus = " and ".join(sorted(option.focus & GENTLE_FOCUS))
            reasons.append(f"{source}: gentle {focus} work only.")
        date = self.start + dt.timedelta(days=offset)
        return SessionDraft(date, option.slug, (*reasons, variety))


def _placed_classes(
    plan: PlanDraft,
    statuses: Sequence[str],
    placed: dict[int, int],
    catalog: Sequence[ClassOption],
    week: _Week,
) -> dict[int, tuple[ClassOption, str]]:
    """Class and variety reason per placed session: its own class while eligible, else the next."""
    if not placed:
        return {}
    in_pain = week.profile.back_pain or week.history.recent_pain
    eligible = eligible_classes(week.profile, catalog, in_pain=in_pain)
    by_slug = {option.slug: option for option in eligible}
    week_uses = Counter(
        session.class_slug
        for i, session in enumerate(plan.sessions)
        if statuses[i] == "done" or (i in placed and session.class_slug in by_slug)
    )
    rotation = _rotation_order(eligible, week.history.recent_class_slugs)
    classes: dict[int, tuple[ClassOption, str]] = {}
    for index in placed:
        slug = plan.sessions[index].class_slug
        if slug in by_slug:
            classes[index] = (by_slug[slug], "Keeps the class it was planned with.")
            continue
        # Fewest uses this week first, so a class repeats only once every class is in use.
        option = min(rotation, key=lambda candidate: week_uses[candidate.slug])
        week_uses[option.slug] += 1
        classes[index] = (option, f"Replaces '{slug}', which no longer fits your profile.")
    return classes


def _rotation_order(
    options: Sequence[ClassOption], recent_slugs: Sequence[str]
) -> tuple[ClassOption, ...]:
    """Classes used least in recent weeks first, then those used longest ago, then by slug."""

    def key(option: ClassOption) -> tuple[int, int, str]:
        uses = recent_slugs.count(option.slug)
        last_used = recent_slugs.index(option.slug) if uses else 0  # 0 is the latest week
        return uses, -last_used, option.slug

    return tuple(sorted(options, key=key))


def _variety_reason(index: int, rotation: Sequence[ClassOption], week: _Week) -> str:
    """Why the rotation picked this class: first use this week, recent use, or too few classes."""
    if index >= len(rotation):
        return f"Repeated: {_plural(len(rotation), 'eligible class')} for {week.count} sessions."
    uses = week.history.recent_class_slugs.count(rotation[index].slug)
    if uses == 0:
        return "Not used this week or in your recent weeks."
    return f"Not used yet this week; used {_plural(uses, 'time')} lately, fewest of those left."


def _previous_offsets(history: History, week_start: dt.date) -> tuple[int, ...]:
    """Day offset of the previous session from week_start, if there is one."""
    if history.previous_session_date is None:
        return ()
    return ((history.previous_session_date - week_start).days,)


def _check_day_names(available: frozenset[str]) -> None:
    """Reject day names other than mon..sun."""
    if unknown := sorted(available - frozenset(WEEKDAYS)):
        raise PlanRuleError(
            "availability", f"Unknown day {', '.join(unknown)}; use {', '.join(WEEKDAYS)}."
        )


def _recovery_detail(profile: Profile, count: int, fixed: Sequence[int], first: int) -> str:
    """Why `count` sessions do not fit the available days, and the way out."""
    have = ", ".join(day for day in WEEKDAYS if day in profile.available_days) or "no days"
    need = (
        "an available day" if count == 1 else f"{count} available days with a rest day between each"
    )
    verb = "needs" if count == 1 else "need"
    detail = f"{_plural(count, 'session')} {verb} {need}; you have {have}."
    too_soon = [
        _DAY_NAMES[offset]
        for offset in safe_days(profile.available_days, 0, ())
        if any(abs(offset - other) < 2 for other in fixed)
    ]
    if too_soon:
        detail += f" Too soon after your previous session: {', '.join(too_soon)}."
    if first > 0:
        detail += f" This week is under way: days before {_DAY_NAMES[first]} have passed."
    fewer = count > min(LEVEL_FREQUENCIES[profile.experience_level])
    return detail + (
        " Add available days or ask for fewer sessions." if fewer else " Add available days."
    )


def _unknown_level(level: str) -> str:
    """Detail for an experience level the rules do not know."""
    return f"Unknown experience level {level!r}; use {_or_list(LEVEL_FREQUENCIES)}."


def _or_list(words: Iterable[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    *rest, last = words
    return f"{', '.join(rest)} or {last}" if rest else last


def _plural(count: int, noun: str) -> str:
    """'1 class', '2 classes', '0 rest days'."""
    return (
        f"{count} {noun}" if count == 1 else f"{count} {noun}{'es' if noun.endswith('s') else 's'}"
    )
