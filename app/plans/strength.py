"""Strength sessions from the article's nine featured exercises: templates A and B, by level.

Pure: the caller passes the catalog's exercises (slug and equipment) and the user's kit.
The article names the exercises but gives no sets, reps or rests; the numbers below are the
project's programming, and docs/api.md ("Strength sessions") says where each one comes from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Movement = Literal["hinge", "horizontal-pull", "vertical-pull-or-press", "accessory"]
Template = Literal["A", "B"]
TEMPLATES: tuple[Template, Template] = ("A", "B")
STRENGTH_LEVELS = frozenset({"intermediate", "advanced"})
# Every session holds a hinge, a horizontal pull and a vertical pull or press.
REQUIRED_MOVEMENTS: tuple[Movement, ...] = ("hinge", "horizontal-pull", "vertical-pull-or-press")
MIN_EXERCISES, MAX_EXERCISES = 4, 6

# Time model for the estimate: a general warm-up, ~4 s per rep (2 s up, 2 s down),
# and a changeover between exercises (setting up the bar, moving to the next station).
WARM_UP_SECONDS = 300
SECONDS_PER_REP = 4
CHANGEOVER_SECONDS = 90


@dataclass(frozen=True)
class StrengthExercise:
    """An exercise of the catalog as the templates see it: what it needs."""

    slug: str
    equipment: frozenset[str]


@dataclass(frozen=True)
class Slot:
    """One place in a template: a movement and the exercises that can fill it, best first.

    The first choice is one of the article's nine; the later ones are alternatives for people
    without its equipment (a dumbbell row for the bent-over row without a barbell).
    """

    movement: Movement
    choices: tuple[str, ...]


_HINGE_A = ("deadlift", "romanian-deadlift", "dumbbell-romanian-deadlift")
_HINGE_B = ("romanian-deadlift", "dumbbell-romanian-deadlift", "deadlift")
# The first three slots are required; the rest are filled while the kit and the minutes allow.
TEMPLATE_SLOTS: dict[Template, tuple[Slot, ...]] = {
    "A": (
        Slot("hinge", _HINGE_A),
        Slot("horizontal-pull", ("bent-over-row", "dumbbell-row", "seated-row", "cable-row")),
        Slot("vertical-pull-or-press", ("pull-ups", "lat-pulldown", "dips", "bench-dips")),
        Slot("horizontal-pull", ("seated-row", "cable-row", "suspended-row", "dumbbell-row")),
        Slot("accessory", ("dumbbell-lateral-raise",)),
        Slot("vertical-pull-or-press", ("dips", "bench-dips")),
    ),
    "B": (
        Slot("hinge", _HINGE_B),
        Slot("horizontal-pull", ("cable-row", "seated-row", "suspended-row", "dumbbell-row")),
        Slot("vertical-pull-or-press", ("dips", "bench-dips", "pull-ups", "lat-pulldown")),
        Slot("horizontal-pull", ("suspended-row", "bent-over-row", "dumbbell-row", "seated-row")),
        Slot("accessory", ("dumbbell-lateral-raise",)),
        Slot("vertical-pull-or-press", ("pull-ups", "lat-pulldown")),
    ),
}


@dataclass(frozen=True)
class Dose:
    """Sets, a rep range and the rest between sets."""

    sets: int
    reps_min: int
    reps_max: int
    rest_seconds: int


# ACSM position stand (2009), "Progression models in resistance training for healthy adults":
# intermediate multiple sets of 6-12 reps with 1-2 min rest; advanced 3-6 sets, heavier
# loads and 2-3 min rest on the big lifts; small single-joint moves 10-15 reps, ~1 min rest.
DOSES: dict[tuple[str, bool], Dose] = {
    ("intermediate", True): Dose(sets=3, reps_min=8, reps_max=12, rest_seconds=90),
    ("intermediate", False): Dose(sets=3, reps_min=10, reps_max=15, rest_seconds=60),
    ("advanced", True): Dose(sets=4, reps_min=6, reps_max=10, rest_seconds=150),
    ("advanced", False): Dose(sets=3, reps_min=10, reps_max=15, rest_seconds=60),
}


@dataclass(frozen=True)
class Prescription:
    """One exercise of a strength session and its dose."""

    slug: str
    movement: Movement
    dose: Dose


@dataclass(frozen=True)
class StrengthSession:
    """A planned strength session: the template, its exercises in order, and its length."""

    template: Template
    exercises: tuple[Prescription, ...]
    estimated_minutes: int


def next_template(last: Template | None) -> Template:
    """The template after ``last``, so consecutive strength sessions differ."""
    return "B" if last == "A" else "A"


def estimated_minutes(exercises: Sequence[Prescription]) -> int:
    """Warm-up, every set's reps at the top of the range, rests between sets, changeovers."""
    seconds = WARM_UP_SECONDS + sum(
        item.dose.sets * item.dose.reps_max * SECONDS_PER_REP
        + (item.dose.sets - 1) * item.dose.rest_seconds
        + CHANGEOVER_SECONDS
        for item in exercises
    )
    return math.ceil(seconds / 60)


def build_session(
    template: Template,
    *,
    level: str,
    equipment: frozenset[str],
    exercises: Mapping[str, StrengthExercise],
    max_minutes: int | None,
) -> StrengthSession | None:
    """Template ``template`` for this level and kit within ``max_minutes``; None when it cannot.

    Each slot takes its first choice the kit allows and the session does not hold yet. Optional
    slots are dropped from the end until the session fits the minutes, keeping at least four.
    """
    if level not in STRENGTH_LEVELS:
        return None
    chosen: list[Prescription] = []
    for position, slot in enumerate(TEMPLATE_SLOTS[template]):
        taken = {item.slug for item in chosen}
        slug = next(
            (
                choice
                for choice in slot.choices
                if choice in exercises
                and choice not in taken
                and exercises[choice].equipment <= equipment
            ),
            None,
        )
        if slug is None:
            if position < len(REQUIRED_MOVEMENTS):
                return None
            continue
        compound = slot.movement != "accessory"
        chosen.append(Prescription(slug, slot.movement, DOSES[(level, compound)]))
    while len(chosen) > MIN_EXERCISES and not _fits(chosen, max_minutes):
        chosen.pop()
    if len(chosen) < MIN_EXERCISES or not _fits(chosen, max_minutes):
        return None
    return StrengthSession(template, tuple(chosen), estimated_minutes(chosen))


def _fits(exercises: Sequence[Prescription], max_minutes: int | None) -> bool:
    return max_minutes is None or estimated_minutes(exercises) <= max_minutes
