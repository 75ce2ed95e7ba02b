"""Strength sessions under the plan engine's replan, replace and lone-class rules (pure)."""

import datetime as dt

from app.plans.drafts import ClassOption, History, PlanDraft, Profile, SessionDraft
from app.plans.generator import generate_plan, replan_week
from app.plans.rules import ONE_CLASS_REPEATS
from app.plans.strength_week import STRENGTH_SLUG, StrengthChoice
from app.vocabulary import EQUIPMENT
from tests.plans.test_strength_week import CLASSES, EXERCISES

MONDAY = dt.date(2026, 11, 2)
FULL_GYM = Profile("advanced", equipment=frozenset(EQUIPMENT))
LIFTING = StrengthChoice(EXERCISES)


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


def week(
    profile: Profile = FULL_GYM, done: tuple[SessionDraft, ...] = (), count: int | None = None
) -> PlanDraft:
    return generate_plan(
        profile=profile,
        catalog=CLASSES,
        week_start=MONDAY,
        sessions_per_week=count,
        done=done,
        strength=LIFTING,
    )


def stored(plan: PlanDraft) -> PlanDraft:
    """The plan as a replan reads it back: strength sessions hold no class and no session."""
    return PlanDraft(
        plan.week_start,
        plan.experience_level,
        plan.sessions_per_week,
        tuple(SessionDraft(s.date, s.class_slug, s.reasons) for s in plan.sessions),
        (),
    )


def test_strength_sessions_take_the_generators_days_and_classes_fill_the_rest() -> None:
    plan = week()
    assert [s.date for s in plan.sessions] == [day(0), day(2), day(4)]
    assert [s.class_slug == STRENGTH_SLUG for s in plan.sessions] == [True, False, True]
    # The one class is the one nearest the advanced level (the seed has no advanced class).
    (lone,) = [s for s in plan.sessions if s.strength is None]
    assert next(c for c in CLASSES if c.slug == lone.class_slug).difficulty == "intermediate"


def test_replan_moves_an_unsafe_strength_session_as_strength_and_keeps_the_safe_class() -> None:
    profile = Profile("intermediate", equipment=frozenset(EQUIPMENT))
    plan = stored(week(profile))
    assert [(s.date, s.class_slug == STRENGTH_SLUG) for s in plan.sessions] == [
        (day(0), True),
        (day(3), False),
    ]
    replan = replan_week(
        plan=plan,
        statuses=("planned", "planned"),
        today=day(0),
        profile=profile,
        catalog=CLASSES,
        history=History(session_dates=frozenset({day(1)})),  # a workout on Tuesday, no link
    )
    moved, kept = replan.sessions
    assert replan.moved == (0,)
    assert (moved.date, moved.class_slug) == (day(6), STRENGTH_SLUG)
    assert any(reason.startswith("Moved from Monday to Sunday") for reason in moved.reasons)
    assert moved.reasons[-3:] == plan.sessions[0].reasons[-3:]  # its own strength reasons
    assert moved.reasons[-3].startswith("Strength session")
    assert (kept.date, kept.class_slug) == (day(3), plan.sessions[1].class_slug)
    assert "keeps its day" in " ".join(kept.reasons)


def test_replan_under_pain_turns_strength_into_a_gentle_class() -> None:
    plan = stored(week())
    replan = replan_week(
        plan=plan,
        statuses=("planned", "planned", "planned"),
        today=day(0),
        profile=FULL_GYM,
        catalog=CLASSES,
        history=History(pain_dates=frozenset({day(-1)})),
    )
    assert STRENGTH_SLUG not in [s.class_slug for s in replan.sessions]
    gentle = {c.slug for c in CLASSES if c.focus & {"pain-relief", "mobility"}}
    assert {s.class_slug for s in replan.sessions} <= gentle
    assert "see-physio" in [a.code for a in replan.advisories]
    assert any("Replaces its strength session" in r for r in replan.sessions[0].reasons)


def test_the_lone_class_advice_counts_only_classes_actually_planned() -> None:
    only = ClassOption("only", "Only", "easy", 20, frozenset(), frozenset({"core"}))
    profile = Profile("advanced", equipment=frozenset(EQUIPMENT))
    classes_only = generate_plan(profile=profile, catalog=[only], week_start=MONDAY)
    assert ONE_CLASS_REPEATS in [a.code for a in classes_only.advisories]
    mixed = generate_plan(profile=profile, catalog=[only], week_start=MONDAY, strength=LIFTING)
    assert [s.class_slug for s in mixed.sessions].count("only") == 1
    assert ONE_CLASS_REPEATS not in [a.code for a in mixed.advisories]


def test_replacing_keeps_a_done_strength_session_and_fills_around_it() -> None:
    first = week()
    done = SessionDraft(first.sessions[0].date, STRENGTH_SLUG, first.sessions[0].reasons)
    again = week(done=(done,), count=3)
    assert len(again.sessions) == 2
    assert all((s.date - done.date).days >= 2 for s in again.sessions)
    # The done strength session holds the week's first place: the next new one is a class.
    assert [s.class_slug == STRENGTH_SLUG for s in again.sessions] == [False, True]
