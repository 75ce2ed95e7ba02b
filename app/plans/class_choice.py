"""Which classes a week may use (fit and pain), and which class each session gets (level, variety).

`choose_classes` is the one place a session's content is picked: other kinds of session plug
in there.
"""

from collections import Counter
from collections.abc import Iterable, Sequence

from app.plans.drafts import ClassOption, PlanRuleError, Profile
from app.plans.rules import GENTLE_FOCUS, LEVEL_DIFFICULTIES, LEVEL_FREQUENCIES, level_distance
from app.plans.words import or_list, plural


def eligible_classes(
    profile: Profile, catalog: Sequence[ClassOption], *, in_pain: bool
) -> tuple[ClassOption, ...]:
    """Catalog classes that fit the profile (and are gentle when in pain), sorted by slug."""
    level, limit = profile.experience_level, profile.max_session_minutes
    allowed = LEVEL_DIFFICULTIES.get(level)
    if allowed is None:
        raise PlanRuleError("fit", unknown_level(level))
    by_level = [option for option in catalog if option.difficulty in allowed]
    if not by_level:
        kinds = or_list(sorted(allowed))
        raise PlanRuleError(
            "fit", f"The catalog has no {kinds} class, which the {level} level needs."
        )
    owned = [option for option in by_level if option.equipment <= profile.equipment]
    if not owned:
        raise PlanRuleError(
            "fit", f"Every {level}-level class needs equipment you have not listed."
        )
    timed = [option for option in owned if limit is None or option.duration_minutes <= limit]
    if not timed:
        raise PlanRuleError(
            "fit",
            f"Every class that fits your level and equipment takes longer than {limit} minutes.",
        )
    gentle = [option for option in timed if option.focus & GENTLE_FOCUS] if in_pain else timed
    if not gentle:
        raise PlanRuleError(
            "pain",
            "With back pain only pain-relief or mobility classes are allowed, and none of your "
            f"{plural(len(timed), 'fitting class')} has that focus. See a physiotherapist.",
        )
    return tuple(sorted(gentle, key=lambda option: option.slug))


def choose_classes(
    eligible: Sequence[ClassOption],
    count: int,
    *,
    level: str,
    recent_slugs: Sequence[str],
    this_week: Iterable[str] = (),
) -> list[tuple[ClassOption, str]]:
    """A class for each of `count` sessions, with the reason it was picked.

    Each pick takes the class used least this week (variety), then the one nearest the
    user's level, then the one used least in recent weeks and longest ago (rotation), then
    by slug (determinism). `this_week` holds the classes of sessions already done this week.
    """
    uses = Counter(this_week)

    def key(option: ClassOption) -> tuple[int, int, int, int, str]:
        recent = recent_slugs.count(option.slug)
        last_used = recent_slugs.index(option.slug) if recent else 0  # 0 is the latest week
        distance = level_distance(level, option.difficulty)
        return uses[option.slug], distance, recent, -last_used, option.slug

    picks = []
    for _ in range(count):
        option = min(eligible, key=key)
        picks.append((option, _choice_reason(option, eligible, uses, level, recent_slugs)))
        uses[option.slug] += 1
    return picks


def _choice_reason(
    option: ClassOption,
    eligible: Sequence[ClassOption],
    uses: Counter[str],
    level: str,
    recent_slugs: Sequence[str],
) -> str:
    """Why the pick is this class: first use this week or a repeat, and its level."""
    if uses[option.slug]:
        return f"Repeated: only {plural(len(eligible), 'eligible class')} for this week's sessions."
    recent = recent_slugs.count(option.slug)
    variety = (
        "Not used this week or in your recent weeks."
        if recent == 0
        else f"Not used yet this week; used {plural(recent, 'time')} in your recent weeks."
    )
    distance = level_distance(level, option.difficulty)
    if distance == 0:
        return variety
    nearer = [o for o in eligible if level_distance(level, o.difficulty) < distance]
    if nearer:
        return f"{variety} The classes nearer your level are already in this week's plan."
    return f"{variety} No eligible class is nearer your {level} level."


def unknown_level(level: str) -> str:
    """Detail for an experience level the rules do not know."""
    return f"Unknown experience level {level!r}; use {or_list(LEVEL_FREQUENCIES)}."
