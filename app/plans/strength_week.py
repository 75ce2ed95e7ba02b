"""Where a week's strength sessions go: the hook between the class plan and the templates.

Pure. The generator places the week's sessions on days under every rule; for intermediate and
advanced users out of the pain rule whose kit and minutes allow, every other session (the
first, the third) becomes a strength session, so a week mixes strength and classes and the
days, frequency and recovery stay exactly as the generator chose them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace

from app.plans.generator import PlanDraft, Profile, SessionDraft
from app.plans.strength import (
    STRENGTH_LEVELS,
    StrengthExercise,
    StrengthSession,
    Template,
    build_session,
    next_template,
)

# How many of the generator's day-placement reasons (frequency, availability, recovery) a
# strength session keeps; the class's fit and variety reasons give way to the strength ones.
_PLACEMENT_REASONS = 3


def with_strength_sessions(
    draft: PlanDraft,
    *,
    profile: Profile,
    in_pain: bool,
    exercises: Mapping[str, StrengthExercise],
    last_template: Template | None,
) -> PlanDraft:
    """``draft`` with strength sessions on its even positions when the user may have them."""
    if not strength_allowed(profile, in_pain=in_pain):
        return draft
    sessions, template = list(draft.sessions), last_template
    for index in range(0, len(sessions), 2):
        strength = _next_session(template, profile, exercises)
        if strength is None:
            break
        template = strength.template
        sessions[index] = _as_strength(sessions[index], strength, profile)
    return replace(draft, sessions=tuple(sessions))


def strength_allowed(profile: Profile, *, in_pain: bool) -> bool:
    """Strength sessions are for intermediate and advanced users, never under the pain rule."""
    return not in_pain and profile.experience_level in STRENGTH_LEVELS


def replanned_reasons(placed: Sequence[str], planned: Sequence[str]) -> tuple[str, ...]:
    """A moved strength session: the new day's placement reasons, its own strength reasons."""
    return (*placed[:_PLACEMENT_REASONS], *planned[_PLACEMENT_REASONS:])


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


def _as_strength(
    session: SessionDraft, strength: StrengthSession, profile: Profile
) -> SessionDraft:
    first = strength.exercises[0].dose
    limit = profile.max_session_minutes
    time = "" if limit is None else f", within your {limit} minutes"
    reasons = (
        *session.reasons[:_PLACEMENT_REASONS],
        f"Strength session {strength.template}: a hinge, a horizontal pull and a vertical pull "
        f"or press from the article's best back exercises, {profile.experience_level} "
        f"programming ({first.sets} sets of {first.reps_min}-{first.reps_max}).",
        f"Needs only equipment you have and takes about "
        f"{strength.estimated_minutes} minutes{time}.",
        "Templates A and B alternate so consecutive strength sessions differ; "
        "the week mixes strength with classes.",
    )
    return replace(session, reasons=reasons, strength=strength)
