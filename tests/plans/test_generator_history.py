"""Plan rules 10-13 against real history: one example per reported defect."""

import datetime as dt

import pytest

from app.plans.drafts import History, PlanRuleError, Profile
from app.plans.generator import replan_week
from tests.plans.examples import (
    BAND_ROWS,
    CATALOG,
    EASY_CORE,
    EQUIPMENT,
    GENTLE_STRETCH,
    HEAVY_PULLS,
    MONDAY,
    back_class,
    plan_days,
    plan_for,
)

LAST_MONDAY = MONDAY - dt.timedelta(weeks=1)


@pytest.mark.parametrize(
    ("level", "last_week", "expected"),
    [
        ("beginner", (0,), ["mon"]),
        ("intermediate", (0, 3), ["mon", "thu"]),
        ("advanced", (0, 2, 4), ["mon", "wed", "fri"]),
    ],
)
def test_last_weeks_days_are_kept_not_drifted_to_sunday(
    level: str, last_week: tuple[int, ...], expected: list[str]
) -> None:
    dates = frozenset(LAST_MONDAY + dt.timedelta(days=offset) for offset in last_week)
    plan = plan_for(Profile(level), history=History(session_dates=dates))
    assert plan_days(plan) == expected


def test_next_weeks_monday_keeps_this_sunday_free() -> None:
    profile = Profile("beginner", available_days=frozenset({"sun", "sat"}))
    next_monday = MONDAY + dt.timedelta(weeks=1)
    plan = plan_for(profile, history=History(session_dates=frozenset({next_monday})))
    assert plan_days(plan) == ["sat"]


def test_a_workout_mid_week_keeps_the_days_around_it_free() -> None:
    wednesday = MONDAY + dt.timedelta(days=2)
    plan = plan_for(Profile("intermediate"), history=History(session_dates=frozenset({wednesday})))
    assert plan_days(plan) == ["mon", "fri"]


def test_replan_moves_only_the_session_next_to_a_new_workout_and_never_earlier() -> None:
    plan = plan_for(Profile("advanced"))
    wednesday = MONDAY + dt.timedelta(days=2)
    replan = replan_week(
        plan=plan,
        statuses=("done", "planned", "planned"),
        today=wednesday,
        profile=Profile("advanced"),
        catalog=CATALOG,
        history=History(session_dates=frozenset({wednesday})),
    )
    # Wednesday now holds a workout logged without the plan: that session moves, to the only
    # day with a rest day either side; Friday is still safe and stays.
    assert replan.moved == (1,)
    assert replan.sessions[1].date == MONDAY + dt.timedelta(days=6)
    assert replan.sessions[2].date == plan.sessions[2].date
    assert "Moved from Wednesday to Sunday" in replan.sessions[1].reasons[-2]


@pytest.mark.parametrize(
    ("pain_day", "applies"),
    [(MONDAY - dt.timedelta(days=1), True), (MONDAY - dt.timedelta(days=14), True),
     (MONDAY - dt.timedelta(days=15), False), (MONDAY, False)],
)  # fmt: skip
def test_the_pain_window_is_the_fourteen_days_before_the_week(
    pain_day: dt.date, applies: bool
) -> None:
    plan = plan_for(Profile("advanced"), history=History(pain_dates=frozenset({pain_day})))
    assert ("see-physio" in [a.code for a in plan.advisories]) == applies


def test_replan_advice_follows_pain_before_today() -> None:
    plan = plan_for(Profile("intermediate"))
    replan = replan_week(
        plan=plan,
        statuses=("done", "planned"),
        today=MONDAY + dt.timedelta(days=2),
        profile=Profile("intermediate"),
        catalog=CATALOG,
        history=History(pain_dates=frozenset({MONDAY})),
    )
    assert [a.code for a in replan.advisories] == ["see-physio"]
    assert replan.sessions[1].class_slug == "gentle-stretch"


def test_an_advanced_user_gets_advanced_classes_first() -> None:
    catalog = (EASY_CORE, GENTLE_STRETCH, BAND_ROWS, HEAVY_PULLS)
    profile = Profile("advanced", equipment=frozenset(EQUIPMENT))
    slugs = [s.class_slug for s in plan_for(profile, catalog=catalog).sessions]
    assert slugs == ["heavy-pulls", "band-rows", "easy-core"]


def test_a_fix_is_offered_only_when_it_gives_a_plan() -> None:
    # 20 minutes unlocks only a class the pain rule excludes; 30 would not help either.
    catalog = (EASY_CORE, back_class("long-stretch", minutes=40, focus=("mobility",)))
    profile = Profile("beginner", max_session_minutes=10, back_pain=True)
    with pytest.raises(PlanRuleError) as caught:
        plan_for(profile, catalog=catalog)
    assert [(f.field, f.value) for f in caught.value.fixes] == [("max_session_minutes", 40)]
    assert caught.value.detail.endswith("Way out: raise max_session_minutes to 40.")


def test_a_replan_that_needs_a_class_offers_fixes_that_work() -> None:
    mat_stretch = back_class("mat-stretch", minutes=15, equipment=("mat",), focus=("mobility",))
    catalog = (EASY_CORE, mat_stretch)
    plan = plan_for(Profile("intermediate"), catalog=catalog)
    in_pain = Profile("intermediate", back_pain=True)
    with pytest.raises(PlanRuleError) as caught:
        replan_week(
            plan=plan,
            statuses=("planned", "planned"),
            today=MONDAY,
            profile=in_pain,
            catalog=catalog,
        )
    assert caught.value.rule == "pain"
    (fix,) = caught.value.fixes
    assert (fix.field, fix.add) == ("equipment", ("mat",))
    fixed = Profile("intermediate", equipment=frozenset({"mat"}), back_pain=True)
    replan = replan_week(
        plan=plan, statuses=("planned", "planned"), today=MONDAY, profile=fixed, catalog=catalog
    )
    assert {s.class_slug for s in replan.sessions} == {"mat-stretch"}
    assert replan.moved == ()


def test_a_session_whose_day_went_away_moves_later_not_earlier() -> None:
    plan = plan_for(Profile("intermediate"))
    assert plan_days(plan) == ["mon", "thu"]
    profile = Profile("intermediate", available_days=frozenset({"mon", "wed", "sat", "sun"}))
    replan = replan_week(
        plan=plan, statuses=("planned", "planned"), today=MONDAY, profile=profile, catalog=CATALOG
    )
    # Wednesday would spread as evenly as Saturday, but it would pull the session forward.
    assert [s.date.weekday() for s in replan.sessions] == [0, 5]
    assert replan.moved == (1,)
