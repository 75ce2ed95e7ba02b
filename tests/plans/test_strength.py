"""Strength templates: movement coverage, kit, minutes, A/B difference (pure, property-based)."""

import json

from hypothesis import given
from hypothesis import strategies as st

from app.config import PROJECT_ROOT
from app.plans.strength import (
    MAX_EXERCISES,
    MIN_EXERCISES,
    REQUIRED_MOVEMENTS,
    TEMPLATES,
    StrengthExercise,
    Template,
    build_session,
    next_template,
)
from app.vocabulary import EQUIPMENT

SEEDED = {
    item["slug"]: StrengthExercise(item["slug"], frozenset(item["equipment"]))
    for item in json.loads((PROJECT_ROOT / "seed" / "exercises.json").read_text())
}
FEATURED = {
    item["slug"]
    for item in json.loads((PROJECT_ROOT / "seed" / "exercises.json").read_text())
    if item["featured"]
}
FULL_GYM = frozenset(EQUIPMENT)

templates: st.SearchStrategy[Template] = st.sampled_from(TEMPLATES)
kits = st.frozensets(st.sampled_from(EQUIPMENT))
levels = st.sampled_from(["intermediate", "advanced"])
minutes = st.none() | st.integers(min_value=10, max_value=120)


@given(template=templates, level=levels, kit=kits, limit=minutes)
def test_every_session_covers_the_movements_and_fits_kit_and_minutes(
    template: Template, level: str, kit: frozenset[str], limit: int | None
) -> None:
    session = build_session(
        template,
        level=level,
        equipment=kit,
        exercises=SEEDED,
        max_minutes=limit,
    )
    if session is None:
        return
    movements = {item.movement for item in session.exercises}
    assert set(REQUIRED_MOVEMENTS) <= movements
    assert MIN_EXERCISES <= len(session.exercises) <= MAX_EXERCISES
    assert len({item.slug for item in session.exercises}) == len(session.exercises)
    assert all(SEEDED[item.slug].equipment <= kit for item in session.exercises)
    assert limit is None or session.estimated_minutes <= limit


@given(template=templates, level=levels)
def test_a_full_gym_gets_the_featured_lifts(template: Template, level: str) -> None:
    session = build_session(
        template,
        level=level,
        equipment=FULL_GYM,
        exercises=SEEDED,
        max_minutes=None,
    )
    assert session is not None
    assert {item.slug for item in session.exercises} <= FEATURED
    assert len(session.exercises) == MAX_EXERCISES


def test_templates_alternate_and_differ_for_a_full_gym() -> None:
    assert next_template(None) == "A"
    assert next_template("A") == "B"
    assert next_template("B") == "A"
    a, b = (
        build_session(t, level="advanced", equipment=FULL_GYM, exercises=SEEDED, max_minutes=None)
        for t in TEMPLATES
    )
    assert a is not None
    assert b is not None
    assert [item.slug for item in a.exercises] != [item.slug for item in b.exercises]
    assert a.exercises[0].slug == "deadlift"
    assert b.exercises[0].slug == "romanian-deadlift"


def test_dumbbells_stand_in_for_the_barbell() -> None:
    session = build_session(
        "A",
        level="intermediate",
        equipment=frozenset({"dumbbells", "bench"}),
        exercises=SEEDED,
        max_minutes=None,
    )
    assert session is not None
    assert [item.slug for item in session.exercises] == [
        "dumbbell-romanian-deadlift",
        "dumbbell-row",
        "bench-dips",
        "dumbbell-lateral-raise",
    ]


def test_beginners_and_missing_kit_get_no_session() -> None:
    assert (
        build_session("A", level="beginner", equipment=FULL_GYM, exercises=SEEDED, max_minutes=None)
        is None
    )
    assert (
        build_session(
            "A", level="advanced", equipment=frozenset({"mat"}), exercises=SEEDED, max_minutes=None
        )
        is None
    )


def test_fewer_minutes_drop_optional_exercises_first() -> None:
    full = build_session(
        "A", level="advanced", equipment=FULL_GYM, exercises=SEEDED, max_minutes=None
    )
    assert full is not None
    short = build_session(
        "A", level="advanced", equipment=FULL_GYM, exercises=SEEDED, max_minutes=55
    )
    assert short is not None
    assert [item.slug for item in short.exercises] == [
        item.slug for item in full.exercises[: len(short.exercises)]
    ]
    assert short.estimated_minutes <= 55 < full.estimated_minutes
    assert (
        build_session("A", level="advanced", equipment=FULL_GYM, exercises=SEEDED, max_minutes=30)
        is None
    )
