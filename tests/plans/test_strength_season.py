"""Twelve weeks of a simulated lifter: plans with targets, logged as done, feed the next plans.

Pure: the generator, the strength hook and the targets, with the log kept in memory. The
lifter's strength rises a little every week; each set's RPE follows the load against it.
"""

import datetime as dt
import json
import math
from collections import defaultdict
from itertools import pairwise

from app.config import PROJECT_ROOT
from app.plans.drafts import ClassOption, Profile
from app.plans.generator import generate_plan
from app.plans.progression import LastLog, LoggedSet, PreviousTarget, load_step_kg
from app.plans.strength import StrengthExercise, Template
from app.plans.strength_log import StrengthHistory, session_targets
from app.plans.strength_week import StrengthChoice
from app.vocabulary import EQUIPMENT

FIRST_WEEK = dt.date(2026, 9, 7)
WEEKS = 12
_SEED = PROJECT_ROOT / "seed"
EXERCISES = {
    item["slug"]: StrengthExercise(item["slug"], frozenset(item["equipment"]))
    for item in json.loads((_SEED / "exercises.json").read_text())
}
CLASSES = tuple(
    ClassOption(
        item["slug"],
        item["title"],
        item["difficulty"],
        item["duration_minutes"],
        frozenset(item["equipment"]),
        frozenset(item["focus"]),
    )
    for item in json.loads((_SEED / "classes.json").read_text())
)
# Starting estimated one-rep maxes (kg) for the loaded lifts.
STARTING_MAX = {
    "deadlift": 120.0, "romanian-deadlift": 100.0, "bent-over-row": 80.0, "seated-row": 75.0,
    "cable-row": 75.0, "dumbbell-lateral-raise": 14.0,
}  # fmt: skip
WEEKLY_GAIN = 0.01  # 1 % stronger each week


def reps_in_reserve_rpe(load: float, one_rep_max: float, reps: int) -> int:
    """RPE of a set of ``reps`` at ``load`` (Epley's reps-to-failure; RPE = 10 - reserve)."""
    possible = 30 * (one_rep_max / load - 1)
    return max(5, min(10, round(10 - (possible - reps))))


def first_load(one_rep_max: float, reps: int, exercise: StrengthExercise) -> float:
    """The "no log yet" advice: a load for ``reps`` with about 2.5 to spare, on the kit's steps."""
    step = load_step_kg(exercise.equipment) or 1.0
    return math.floor(one_rep_max / (1 + (reps + 2.5) / 30) / step) * step


def test_twelve_weeks_of_steady_bounded_progress() -> None:
    profile = Profile(experience_level="advanced", equipment=frozenset(EQUIPMENT))
    maxes = dict(STARTING_MAX)
    logs: dict[str, LastLog] = {}
    previous: dict[str, PreviousTarget] = {}
    last_template: Template | None = None
    loads: dict[str, list[float]] = defaultdict(list)
    strength_per_week = []
    for week in range(WEEKS):
        start = FIRST_WEEK + dt.timedelta(weeks=week)
        plan = generate_plan(
            profile=profile,
            catalog=CLASSES,
            week_start=start,
            strength=StrengthChoice(EXERCISES, last_template),
        )
        history = StrengthHistory(last_template, dict(previous), dict(logs))
        sessions = [s for s in plan.sessions if s.strength is not None]
        strength_per_week.append(len(sessions))
        for session in sessions:
            assert session.strength is not None
            last_template = session.strength.template
            for target in session_targets(
                session.strength, day=session.date, exercises=EXERCISES, history=history
            ):
                previous[target.slug] = PreviousTarget(
                    target.reps_min, target.reps_max, target.target_weight_kg, target.variation
                )
                one_rep_max = maxes.get(target.slug)
                if one_rep_max is None:  # bodyweight: the lifter does the target reps at RPE 8
                    sets = (LoggedSet(target.reps_max, None, 8),) * target.sets
                else:
                    load = target.target_weight_kg or first_load(
                        one_rep_max, target.reps_max, EXERCISES[target.slug]
                    )
                    loads[target.slug].append(load)
                    rpe = reps_in_reserve_rpe(load, one_rep_max, target.reps_max)
                    sets = (LoggedSet(target.reps_max, load, rpe),) * target.sets
                logs[target.slug] = LastLog(session.date, sets)
        maxes = {slug: value * (1 + WEEKLY_GAIN) for slug, value in maxes.items()}

    assert strength_per_week == [2] * WEEKS  # every week: strength, class, strength
    for slug, series in loads.items():
        step = load_step_kg(EXERCISES[slug].equipment)
        assert step is not None
        rises = [later - earlier for earlier, later in pairwise(series)]
        # Bounded: never more than one load step between sessions, never a drop without pain.
        assert all(0 <= rise <= step for rise in rises), (slug, series)
        # Steady: the load ends higher; the big lifts in several small steps, not one jump.
        assert series[-1] > series[0], (slug, series)
        if step == 2.5:
            assert sum(1 for rise in rises if rise > 0) >= 3, (slug, series)
        # Bounded by strength: the last load still allows the range's top at RPE 9 or less.
        final_max = STARTING_MAX[slug] * (1 + WEEKLY_GAIN) ** WEEKS
        assert reps_in_reserve_rpe(series[-1], final_max, 10 if step == 2.5 else 15) <= 9, slug
