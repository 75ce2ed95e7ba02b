"""Which of a week's sessions are strength sessions, and what they say about themselves.

Pure. The generator places the week's sessions on days under every rule (recovery against real
sessions, rhythm, availability) and then fills them: for intermediate and advanced users out of
the pain rule whose kit and minutes allow, the week's first and third sessions (a replaced
plan's done ones keep what they were) are strength sessions, and
`class_choice.choose_classes` picks the classes of the others. A replan
keeps a strength session a strength session on its day (or its new one), or, once strength is
no longer allowed, gives it a class like any session whose class no longer fits.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.plans.drafts import Profile
from app.plans.strength import (
    STRENGTH_LEVELS,
    StrengthExercise,
    StrengthSession,
    Template,
    build_session,
    next_template,
)

# The class slug the generator gives a strength session: no class of the catalog, so it never
# counts towards a class's variety and a replan that must swap it picks a class instead.
STRENGTH_SLUG = "strength-session"
# How many reasons `strength_reasons` gives (after the placement ones).
_STRENGTH_REASONS = 3


@dataclass(frozen=True)
class StrengthChoice:
    """What the week's strength sessions are built from: the catalog's exercises, and the
    template of the user's last strength session (so A and B alternate across weeks)."""

    exercises: Mapping[str, StrengthExercise]
    last_template: Template | None = None


def strength_allowed(profile: Profile, *, in_pain: bool) -> bool:
    """Strength sessions are for intermediate and advanced users, never under the pain rule."""
    return not in_pain and profile.experience_level in STRENGTH_LEVELS


def strength_slots(
    positions: Sequence[int], *, profile: Profile, in_pain: bool, choice: StrengthChoice | None
) -> list[StrengthSession | None]:
    """For each new session, by its position in the week (done sessions count): its strength
    session, or None (a class). The week's first and third sessions are strength sessions."""
    slots: list[StrengthSession | None] = [None] * len(positions)
    if choice is None or not strength_allowed(profile, in_pain=in_pain):
        return slots
    template = choice.last_template
    for index, position in enumerate(positions):
        if position % 2:
            continue
        strength = _next_session(template, profile, choice.exercises)
        if strength is None:
            break
        template = strength.template
        slots[index] = strength
    return slots


def strength_reasons(strength: StrengthSession, profile: Profile) -> tuple[str, ...]:
    """Why a strength session holds what it holds: its movements, kit and minutes, template."""
    first = strength.exercises[0].dose
    limit = profile.max_session_minutes
    time = "" if limit is None else f", within your {limit} minutes"
    return (
        f"Strength session {strength.template}: a hinge, a horizontal pull and a vertical pull "
        f"or press from the article's best back exercises, {profile.experience_level} "
        f"programming ({first.sets} sets of {first.reps_min}-{first.reps_max}).",
        f"Needs only equipment you have and takes about "
        f"{strength.estimated_minutes} minutes{time}.",
        "Templates A and B alternate so consecutive strength sessions differ; "
        "the week mixes strength with classes.",
    )


def kept_strength_reasons(reasons: Sequence[str]) -> tuple[str, ...]:
    """A stored strength session's own reasons: the last ones, after where it was placed."""
    return tuple(reasons[-_STRENGTH_REASONS:])


def _next_session(
    last: Template | None, profile: Profile, exercises: Mapping[str, StrengthExercise]
) -> StrengthSession | None:
    """The template after ``last`` when the kit and minutes allow it, else the other one."""
    first = next_template(last)
    for template in (first, next_template(first)):
        session = build_session(
            template,
            level=profile.experience_level,
            equipment=profile.equipment,
            exercises=exercises,
            max_minutes=profile.max_session_minutes,
        )
        if session is not None:
            return session
    return None
