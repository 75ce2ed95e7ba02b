"""The words of a plan: each session's reasons, the week's advisories, the recovery detail."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from app.plans.class_choice import eligible_classes
from app.plans.days import safe_days
from app.plans.drafts import (
    Advisory,
    ClassOption,
    History,
    PlanRuleError,
    Profile,
    SessionDraft,
)
from app.plans.rules import (
    ADVICE,
    DAY_NAMES,
    GENTLE_FOCUS,
    MIN_DAYS_APART,
    ONE_CLASS_REPEATS,
    PART_OF_WIDER_PROGRAM,
    READY_TO_PROGRESS,
    SEE_PHYSIO,
    WEEKDAYS,
    WEEKS_BEFORE_PROGRESS,
    level_distance,
    one_class_repeats_message,
)
from app.plans.ways_out import apply_fix, describe_fix, equipment_fixes, minutes_fixes
from app.plans.words import plural


@dataclass(frozen=True)
class WeekFacts:
    """The facts about one week that every session's reasons refer to."""

    start: dt.date
    level: str
    count: int
    profile: Profile
    in_pain: bool
    timeline: tuple[int, ...]  # day offsets of every real session in play, other weeks too
    rhythm: frozenset[int]  # weekdays (offsets) with a session last week

    def placement(self, offset: int, *, chosen: bool = True) -> tuple[str, str, str]:
        """Why a session is on the day `offset` days into the week: frequency, availability,
        recovery. Every session's reasons open with these, whatever it holds.

        `chosen`: the day was picked now (not kept from before), so the spread rule placed it.
        """
        profile, day = self.profile, DAY_NAMES[offset]
        if chosen and profile.available_days >= frozenset(WEEKDAYS):
            availability = f"You are free every day; {day} spreads the sessions most evenly."
        elif chosen:
            availability = (
                f"{day} is one of your available days; it spreads the sessions most evenly."
            )
        else:
            availability = f"{day} is one of your available days."
        if chosen and offset in self.rhythm:
            availability += f" You trained on a {day} last week too."
        earlier = [other for other in self.timeline if other < offset]
        recovery = "No earlier session to recover from."
        if earlier:
            rest = plural(offset - max(earlier) - 1, "rest day")
            recovery = f"{rest} since your previous session."
        frequency = f"{self.level.capitalize()} level: {plural(self.count, 'back session')}"
        return f"{frequency} this week.", availability, recovery

    def session(
        self, offset: int, option: ClassOption, choice: Sequence[str], *, chosen: bool = True
    ) -> SessionDraft:
        """The class session `offset` days into the week, with the reasons that placed it."""
        profile = self.profile
        kit = ", ".join(sorted(option.equipment))
        limit = profile.max_session_minutes
        equipment = f"uses only your {kit}" if kit else "needs no equipment"
        time = "" if limit is None else f" and fits your {limit} minutes"
        level = profile.experience_level
        suits = (
            f"at your {level} level"
            if level_distance(level, option.difficulty) == 0
            else f"allowed at the {level} level"
        )
        fit = (
            f"{option.difficulty.capitalize()} {option.duration_minutes}-minute class {suits}, "
            f"{equipment}{time}."
        )
        reasons = [*self.placement(offset, chosen=chosen), fit]
        if self.in_pain:
            source = "Back pain in your profile" if profile.back_pain else "Pain of 5+ logged"
            if not profile.back_pain:
                source += " in the 14 days before"
            focus = " and ".join(sorted(option.focus & GENTLE_FOCUS))
            reasons.append(f"{source}: gentle {focus} work only.")
        return SessionDraft(self.day(offset), option.slug, (*reasons, *choice))

    def day(self, offset: int) -> dt.date:
        return self.start + dt.timedelta(days=offset)


def advisories(
    week: WeekFacts,
    history: History,
    eligible: Sequence[ClassOption],
    slugs: Sequence[str],
    catalog: Sequence[ClassOption],
) -> tuple[Advisory, ...]:
    """The week's advice: pain, the beginner's wider programme and progress, a lone class."""
    notes = [Advisory(SEE_PHYSIO, ADVICE[SEE_PHYSIO])] if week.in_pain else []
    if week.level == "beginner":
        notes.append(Advisory(PART_OF_WIDER_PROGRAM, ADVICE[PART_OF_WIDER_PROGRAM]))
        if history.fully_completed_weeks >= WEEKS_BEFORE_PROGRESS:
            notes.append(Advisory(READY_TO_PROGRESS, ADVICE[READY_TO_PROGRESS]))
    if len(eligible) == 1 and slugs.count(eligible[0].slug) >= 2:
        (only,) = eligible
        message = one_class_repeats_message(
            only.title, slugs.count(only.slug), _wideners(week, catalog)
        )
        notes.append(Advisory(ONE_CLASS_REPEATS, message))
    return tuple(notes)


def _wideners(week: WeekFacts, catalog: Sequence[ClassOption]) -> list[str]:
    """Single changes of equipment or session length that make another class eligible."""
    ways = []
    for fix in [*equipment_fixes(week.profile, catalog), *minutes_fixes(week.profile, catalog)]:
        changed, _ = apply_fix(week.profile, None, fix)
        try:
            more = eligible_classes(changed, catalog, in_pain=week.in_pain)
        except PlanRuleError:
            continue
        if len(more) > 1:
            titles = ", ".join(f"'{option.title}'" for option in more)
            ways.append(f"{describe_fix(fix)} (then {titles} fit)")
    return ways


def recovery_detail(profile: Profile, count: int, busy: Sequence[int], first: int = 0) -> str:
    """Why `count` sessions do not fit the available days (from offset `first` on)."""
    have = ", ".join(day for day in WEEKDAYS if day in profile.available_days) or "no days"
    need = (
        "an available day" if count == 1 else f"{count} available days with a rest day between each"
    )
    verb = "needs" if count == 1 else "need"
    detail = f"{plural(count, 'session')} {verb} {need}; you have {have}."
    too_soon = [
        DAY_NAMES[offset]
        for offset in safe_days(profile.available_days, 0, ())
        if any(abs(offset - other) < MIN_DAYS_APART for other in busy)
    ]
    if too_soon:
        detail += f" Too close to a session you already have: {', '.join(too_soon)}."
    if first > 0:
        detail += f" This week is under way: days before {DAY_NAMES[first]} have passed."
    return detail
