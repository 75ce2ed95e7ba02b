"""Per-exercise targets for a strength session, from the user's last logged sets of it.

Pure and deterministic. Top of the rep range at RPE 8 or less on every prescribed set → the
smallest load step (bodyweight moves: a rep, then a harder variation); reps missed or two sets
at RPE 9+ → hold; pain of 5+ → no increase and a lighter target. Every target says why.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from app.plans.rules import is_painful
from app.plans.strength import Dose, Prescription

Decision = Literal["start", "raise", "hold", "lighten"]
HARD_RPE = 9  # RPE at which a set was at or near failure
HARD_SETS_TO_HOLD = 2
EASY_ENOUGH_RPE = 8  # top of the range at this RPE or less leaves reps in reserve: progress
LIGHTER_FACTOR = 0.9  # after pain: about 10 % off, rounded down to a load step
EXTRA_REPS_BEFORE_VARIATION = 2  # bodyweight: reps above the range before a harder variation

# The smallest load step by the kit that carries the load (per dumbbell for dumbbells).
LOAD_STEPS_KG: dict[str, float] = {"barbell": 2.5, "dumbbells": 2.0, "cable-machine": 2.5}

# Bodyweight moves progress through variations, easiest first.
VARIATIONS: dict[str, tuple[str, ...]] = {
    "pull-ups": ("Pull-up", "Pull-up, 3-second lowering", "Pull-up, 2-second pause at the top"),
    "dips": ("Dip", "Dip, 3-second lowering", "Dip, 2-second pause at the bottom"),
    "suspended-row": (
        "Suspended row, body at 45 degrees",
        "Suspended row, body near horizontal",
        "Suspended row, feet raised",
    ),
    "bench-dips": ("Bench dip, knees bent", "Bench dip, legs straight", "Bench dip, feet raised"),
}
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class LoggedSet:
    """One logged set: reps done, the load, and how hard it felt (1-10)."""

    reps: int | None
    weight_kg: float | None = None
    rpe: int | None = None


@dataclass(frozen=True)
class LastLog:
    """The user's latest logged sets of one exercise, with the workout's date and pain."""

    day: dt.date
    sets: tuple[LoggedSet, ...]
    pain: int | None = None


@dataclass(frozen=True)
class PreviousTarget:
    """What the user's previous plan asked for on this exercise (the variation they did)."""

    reps_min: int
    reps_max: int
    target_weight_kg: float | None = None
    variation: str | None = None


@dataclass(frozen=True)
class Target:
    """What to do on one exercise next time, and why."""

    slug: str
    sets: int
    reps_min: int
    reps_max: int
    rest_seconds: int
    target_weight_kg: float | None
    variation: str | None
    reason: str
    decision: Decision


def load_step_kg(equipment: frozenset[str]) -> float | None:
    """The smallest load step for an exercise's kit; None for bodyweight moves."""
    return next((step for kit, step in LOAD_STEPS_KG.items() if kit in equipment), None)


def target_for(
    prescription: Prescription,
    *,
    equipment: frozenset[str],
    last: LastLog | None,
    previous: PreviousTarget | None,
    session_date: dt.date,
) -> Target:
    """The target for ``prescription`` on ``session_date`` given what was logged last time."""
    dose, step = prescription.dose, load_step_kg(equipment)
    ladder = VARIATIONS.get(prescription.slug, ()) if step is None else ()
    variation = ladder[0] if ladder else None
    reps_min, reps_max = dose.reps_min, dose.reps_max
    if previous is not None and ladder:
        variation = previous.variation if previous.variation in ladder else variation
        reps_min, reps_max = previous.reps_min, previous.reps_max
    target = _TargetDraft(prescription.slug, dose, reps_min, reps_max, None, variation)
    if last is None or not last.sets:
        kit = f"{variation}: " if variation else ""
        return target.done(
            "start",
            f"No logged sets yet: {kit}pick a load you can do {reps_max} times with 2-3 reps "
            "to spare (RPE 7-8).",
        )
    logged = f"{_when(last.day, session_date)}: {_summary(last.sets)}"
    weight = max((s.weight_kg for s in last.sets if s.weight_kg is not None), default=None)
    target = target.with_weight(weight)
    if is_painful(last.pain):
        return _lighter(target, step, ladder, f"{logged}, pain {last.pain}")
    hard_sets = sum(1 for s in last.sets if s.rpe is not None and s.rpe >= HARD_RPE)
    if any(s.reps is None or s.reps < reps_min for s in last.sets):
        return target.done("hold", f"{logged}: reps missed → hold {target.load()}.")
    if hard_sets >= HARD_SETS_TO_HOLD:
        return target.done("hold", f"{logged}: {hard_sets} sets at RPE 9+ → hold {target.load()}.")
    topped = len(last.sets) >= dose.sets and all(
        s.reps is not None and s.reps >= reps_max and s.rpe is not None and s.rpe <= EASY_ENOUGH_RPE
        for s in last.sets
    )
    if not topped:
        return target.done(
            "hold",
            f"{logged} → hold {target.load()}; {dose.sets}x{reps_max} at RPE 8 or less "
            "earns the next step.",
        )
    if step is not None:
        if weight is None:
            return target.done("hold", f"{logged}: log the weight used so the load can go up.")
        raised = target.with_weight(weight + step)
        return raised.done("raise", f"{logged} → {_kg(weight + step)}.")
    return _harder(target, ladder, logged)


@dataclass(frozen=True)
class _TargetDraft:
    slug: str
    dose: Dose
    reps_min: int
    reps_max: int
    weight_kg: float | None
    variation: str | None

    def with_weight(self, weight_kg: float | None) -> _TargetDraft:
        return _TargetDraft(
            self.slug, self.dose, self.reps_min, self.reps_max, weight_kg, self.variation
        )

    def with_reps(self, reps_min: int, reps_max: int, variation: str | None) -> _TargetDraft:
        return _TargetDraft(self.slug, self.dose, reps_min, reps_max, self.weight_kg, variation)

    def load(self) -> str:
        """The load in words: '60 kg', the variation, or the reps."""
        if self.weight_kg is not None:
            return f"at {_kg(self.weight_kg)}"
        reps = f"{self.reps_min}-{self.reps_max} reps"
        return f"{self.variation}, {reps}" if self.variation else reps

    def done(self, decision: Decision, reason: str) -> Target:
        return Target(
            slug=self.slug,
            sets=self.dose.sets,
            reps_min=self.reps_min,
            reps_max=self.reps_max,
            rest_seconds=self.dose.rest_seconds,
            target_weight_kg=self.weight_kg,
            variation=self.variation,
            reason=reason,
            decision=decision,
        )


def _lighter(
    target: _TargetDraft, step: float | None, ladder: Sequence[str], logged: str
) -> Target:
    """After pain: about 10 % less load, an easier variation, or fewer reps."""
    if step is not None and target.weight_kg is not None:
        lighter = math.floor(target.weight_kg * LIGHTER_FACTOR / step) * step
        return target.with_weight(lighter).done("lighten", f"{logged} → lighter: {_kg(lighter)}.")
    if target.variation is not None and target.variation in ladder[1:]:
        easier = ladder[ladder.index(target.variation) - 1]
        draft = target.with_reps(target.dose.reps_min, target.dose.reps_max, easier)
        return draft.done("lighten", f"{logged} → easier: {easier}.")
    reps_min, reps_max = max(1, target.reps_min - 2), max(1, target.reps_max - 2)
    draft = target.with_reps(reps_min, reps_max, target.variation)
    return draft.done("lighten", f"{logged} → lighter: {reps_min}-{reps_max} reps.")


def _harder(target: _TargetDraft, ladder: Sequence[str], logged: str) -> Target:
    """Bodyweight progress: a rep more, and past the extra reps the next harder variation."""
    at_cap = target.reps_max >= target.dose.reps_max + EXTRA_REPS_BEFORE_VARIATION
    position = ladder.index(target.variation) if target.variation in ladder else len(ladder)
    if at_cap and position + 1 < len(ladder):
        harder = ladder[position + 1]
        draft = target.with_reps(target.dose.reps_min, target.dose.reps_max, harder)
        return draft.done("raise", f"{logged} → harder: {harder}.")
    draft = target.with_reps(target.reps_min, target.reps_max + 1, target.variation)
    return draft.done("raise", f"{logged} → one more rep: {draft.load()}.")


def _when(day: dt.date, session_date: dt.date) -> str:
    """'last Monday' within a week before the session, else 'on Monday 2 Nov'."""
    name = _DAY_NAMES[day.weekday()]
    if 0 < (session_date - day).days <= 7:
        return f"last {name}"
    return f"on {name} {day.day} {day:%b}"


def _summary(sets: Sequence[LoggedSet]) -> str:
    """'3x10 at 60 kg, RPE 7' or '3 sets of 10/10/8 at 60 kg, RPE 7/8/9'."""
    reps = [s.reps if s.reps is not None else 0 for s in sets]
    text = (
        f"{len(sets)}x{reps[0]}"
        if len(set(reps)) == 1
        else (f"{len(sets)} sets of {'/'.join(str(r) for r in reps)}")
    )
    weights = sorted({s.weight_kg for s in sets if s.weight_kg is not None})
    if weights:
        text += (
            f" at {_kg(weights[0])}"
            if len(weights) == 1
            else (f" at {_kg(weights[0])}-{_kg(weights[-1])}")
        )
    rpes = [s.rpe for s in sets]
    if all(rpe is None for rpe in rpes):
        return f"{text}, no RPE logged"
    if len(set(rpes)) == 1:
        return f"{text}, RPE {rpes[0]}"
    return f"{text}, RPE {'/'.join('-' if r is None else str(r) for r in rpes)}"


def _kg(weight: float) -> str:
    """'60 kg', '62.5 kg'."""
    return f"{weight:g} kg"
