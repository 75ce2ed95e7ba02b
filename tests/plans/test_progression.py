"""Progression from the log: raise, hold, lighten — properties and a 12-week simulated lifter."""

import datetime as dt
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from app.plans.progression import (
    VARIATIONS,
    LastLog,
    LoggedSet,
    PreviousTarget,
    Target,
    target_for,
)
from app.plans.strength import DOSES, Prescription

MONDAY = dt.date(2026, 11, 23)
NEXT_MONDAY = MONDAY + dt.timedelta(weeks=1)
BARBELL = frozenset({"barbell"})
DUMBBELLS = frozenset({"dumbbells"})
BODYWEIGHT = frozenset({"pull-up-bar"})
DEADLIFT = Prescription("deadlift", "hinge", DOSES[("intermediate", True)])
PULL_UPS = Prescription("pull-ups", "vertical-pull-or-press", DOSES[("advanced", True)])

loaded_kits = st.sampled_from([BARBELL, DUMBBELLS])
weights = st.integers(min_value=4, max_value=200).map(lambda w: w * 2.5)
logged_sets = st.lists(
    st.builds(
        LoggedSet,
        reps=st.integers(min_value=0, max_value=20),
        weight_kg=weights,
        rpe=st.none() | st.integers(min_value=1, max_value=10),
    ),
    min_size=1,
    max_size=6,
)


def plan(
    sets: list[LoggedSet],
    *,
    kit: frozenset[str] = BARBELL,
    pain: int | None = None,
    prescription: Prescription = DEADLIFT,
    previous: PreviousTarget | None = None,
) -> Target:
    return target_for(
        prescription,
        equipment=kit,
        last=LastLog(MONDAY, tuple(sets), pain),
        previous=previous,
        session_date=NEXT_MONDAY,
    )


def heaviest(sets: list[LoggedSet]) -> float:
    return max(s.weight_kg for s in sets if s.weight_kg is not None)


@given(sets=logged_sets, kit=loaded_kits, pain=st.integers(min_value=5, max_value=10))
def test_never_raises_after_pain(sets: list[LoggedSet], kit: frozenset[str], pain: int) -> None:
    target = plan(sets, kit=kit, pain=pain)
    assert target.decision == "lighten"
    assert target.target_weight_kg is not None
    assert target.target_weight_kg < heaviest(sets)


@given(sets=logged_sets, kit=loaded_kits, pain=st.none() | st.integers(min_value=0, max_value=4))
def test_never_raises_after_rpe_9(
    sets: list[LoggedSet], kit: frozenset[str], pain: int | None
) -> None:
    sets = [*sets[:-1], LoggedSet(sets[-1].reps, sets[-1].weight_kg, 9)]
    target = plan(sets, kit=kit, pain=pain)
    assert target.decision != "raise"
    assert target.target_weight_kg == heaviest(sets)


@given(
    weight=weights,
    kit=loaded_kits,
    extra_reps=st.lists(st.integers(min_value=0, max_value=3), min_size=3, max_size=3),
    rpes=st.lists(st.integers(min_value=1, max_value=8), min_size=3, max_size=3),
)
def test_always_raises_after_the_top_of_the_range_at_rpe_8_or_less(
    weight: float, kit: frozenset[str], extra_reps: list[int], rpes: list[int]
) -> None:
    top = DEADLIFT.dose.reps_max
    sets = [
        LoggedSet(top + extra, weight, rpe) for extra, rpe in zip(extra_reps, rpes, strict=True)
    ]
    target = plan(sets, kit=kit)
    step = 2.5 if kit == BARBELL else 2.0
    assert target.decision == "raise"
    assert target.target_weight_kg == weight + step


@given(sets=logged_sets, kit=loaded_kits, pain=st.none() | st.integers(min_value=0, max_value=10))
def test_deterministic(sets: list[LoggedSet], kit: frozenset[str], pain: int | None) -> None:
    assert plan(sets, kit=kit, pain=pain) == plan(list(sets), kit=kit, pain=pain)


def test_reason_reads_like_a_coach() -> None:
    target = plan([LoggedSet(12, 60, 7)] * 3)
    assert target.reason == "last Monday: 3x12 at 60 kg, RPE 7 → 62.5 kg."
    held = plan([LoggedSet(12, 60, 9), LoggedSet(11, 60, 9), LoggedSet(10, 60, 8)])
    assert held.decision == "hold"
    assert held.reason == (
        "last Monday: 3 sets of 12/11/10 at 60 kg, RPE 9/9/8: 2 sets at RPE 9+ → hold at 60 kg."
    )
    missed = plan([LoggedSet(8, 60, 7), LoggedSet(6, 60, 8)])
    assert (missed.decision, missed.target_weight_kg) == ("hold", 60)


def test_bodyweight_adds_a_rep_then_a_harder_variation() -> None:
    dose = PULL_UPS.dose
    previous: PreviousTarget | None = None
    seen = []
    for _ in range(4):
        reps = previous.reps_max if previous else dose.reps_max
        target = plan(
            [LoggedSet(reps, None, 7)] * dose.sets,
            kit=BODYWEIGHT,
            prescription=PULL_UPS,
            previous=previous,
        )
        assert target.decision == "raise"
        seen.append((target.variation, target.reps_max))
        previous = PreviousTarget(target.reps_min, target.reps_max, None, target.variation)
    first, second = VARIATIONS["pull-ups"][:2]
    top = dose.reps_max
    assert seen == [(first, top + 1), (first, top + 2), (second, top), (second, top + 1)]


def test_no_log_starts_with_an_rpe_guide() -> None:
    target = target_for(
        DEADLIFT, equipment=BARBELL, last=None, previous=None, session_date=NEXT_MONDAY
    )
    assert target.decision == "start"
    assert target.target_weight_kg is None
    assert "RPE 7-8" in target.reason


def test_a_simulated_lifter_progresses_steadily_for_12_weeks() -> None:
    """Twice a week a lifter does the target; RPE follows load against a slowly rising 1-rep max."""
    dose, one_rep_max, weight = DEADLIFT.dose, 100.0, 60.0
    day, loads = MONDAY, [weight]
    for session in range(24):
        # Epley: reps possible at a load; RPE = 10 - reps in reserve, kept within 6..10.
        possible = max(0.0, 30 * (one_rep_max / weight - 1))
        reps = min(dose.reps_max, int(possible))
        rpe = max(6, min(10, round(10 - (possible - reps))))
        last = LastLog(day, tuple(LoggedSet(reps, weight, rpe) for _ in range(dose.sets)))
        day += dt.timedelta(days=3 if session % 2 == 0 else 4)
        target = target_for(DEADLIFT, equipment=BARBELL, last=last, previous=None, session_date=day)
        assert target.target_weight_kg is not None
        assert 0 <= target.target_weight_kg - weight <= 2.5  # never more than one step
        weight = target.target_weight_kg
        loads.append(weight)
        one_rep_max += 0.75  # the lifter gets a little stronger every session
    gained = loads[-1] - loads[0]
    assert 5 <= gained <= 24 * 2.5
    raises = sum(1 for a, b in pairwise(loads) if b > a)
    assert raises >= 4  # steady: several steps, not one jump
