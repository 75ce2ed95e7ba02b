"""Weekly plan rules 1-9 and replanning: one example per rule (properties live next door)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.plans.class_choice import eligible_classes
from app.plans.drafts import ClassOption, History, PlanRuleError, Profile
from app.plans.generator import generate_plan, replan_week, weekly_frequency
from tests.plans.examples import (
    BAND_ROWS,
    CATALOG,
    EASY_CORE,
    EQUIPMENT,
    GENTLE_STRETCH,
    HEAVY_PULLS,
    MONDAY,
    SUNDAY_BEFORE,
    back_class,
    plan_days,
    plan_for,
)

# Rule 1: frequency


@pytest.mark.parametrize(
    ("level", "requested", "expected"),
    [
        ("beginner", None, 1),
        ("beginner", 1, 1),
        ("intermediate", None, 2),
        ("intermediate", 3, 3),
        ("advanced", None, 3),
        ("advanced", 2, 2),
    ],
)
def test_weekly_frequency_follows_the_level(
    level: str, requested: int | None, expected: int
) -> None:
    assert weekly_frequency(level, requested) == expected


@pytest.mark.parametrize(
    ("level", "requested"),
    [("beginner", 2), ("intermediate", 1), ("intermediate", 4), ("advanced", 4), ("expert", None)],
)
def test_weekly_frequency_rejects_counts_the_level_does_not_allow(
    level: str, requested: int | None
) -> None:
    with pytest.raises(PlanRuleError) as caught:
        weekly_frequency(level, requested)
    assert caught.value.rule == "frequency"
    assert level in caught.value.detail


def test_beginner_gets_exactly_one_session() -> None:
    plan = plan_for(Profile("beginner"))
    assert plan.sessions_per_week == 1
    assert len(plan.sessions) == 1


# Rule 2: recovery and spread; rule 8: too few safe days


def test_intermediate_default_is_monday_and_thursday() -> None:
    plan = plan_for(Profile("intermediate"))
    assert plan_days(plan) == ["mon", "thu"]
    assert "Intermediate level: 2 back sessions this week." in plan.sessions[0].reasons
    assert "2 rest days since your previous session." in plan.sessions[1].reasons


def test_advanced_default_is_monday_wednesday_friday() -> None:
    assert plan_days(plan_for(Profile("advanced"))) == ["mon", "wed", "fri"]


def test_session_on_the_sunday_before_keeps_monday_free() -> None:
    history = History(session_dates=frozenset({SUNDAY_BEFORE}))
    plan = plan_for(Profile("intermediate"), history=history)
    # Wednesday and Sunday are as even (4 and 3 days apart) as Tuesday and Friday, and keep
    # last week's Sunday.
    assert plan_days(plan) == ["wed", "sun"]


def test_beginner_after_a_sunday_session_keeps_sunday() -> None:
    plan = plan_for(Profile("beginner"), history=History(session_dates=frozenset({SUNDAY_BEFORE})))
    assert plan_days(plan) == ["sun"]
    assert "6 rest days since your previous session." in plan.sessions[0].reasons


def test_not_enough_rest_days_raises_recovery() -> None:
    profile = Profile("advanced", available_days=frozenset({"mon", "tue", "wed"}))
    with pytest.raises(PlanRuleError) as caught:
        plan_for(profile)
    assert caught.value.rule == "recovery"
    assert "you have mon, tue, wed" in caught.value.detail
    # Thursday would sit next to Wednesday: only a day from Friday on makes room.
    assert [fix.add or fix.value for fix in caught.value.fixes] == [("fri",), ("sat",), ("sun",), 2]
    assert "add fri to your available days" in caught.value.detail
    assert "ask for 2 sessions a week" in caught.value.detail


def test_only_monday_after_a_sunday_session_raises_recovery_without_fewer_sessions() -> None:
    profile = Profile("beginner", available_days=frozenset({"mon"}))
    with pytest.raises(PlanRuleError) as caught:
        plan_for(profile, history=History(session_dates=frozenset({SUNDAY_BEFORE})))
    assert caught.value.rule == "recovery"
    assert "Monday" in caught.value.detail
    assert "fewer sessions" not in caught.value.detail


# Rule 3: availability


def test_sessions_only_on_available_days() -> None:
    plan = plan_for(Profile("intermediate", available_days=frozenset({"tue", "thu", "sat"})))
    assert plan_days(plan) == ["tue", "sat"]
    assert (
        "Saturday is one of your available days; it spreads the sessions most evenly."
        in plan.sessions[1].reasons
    )


def test_unknown_day_name_raises_availability() -> None:
    with pytest.raises(PlanRuleError) as caught:
        plan_for(Profile("beginner", available_days=frozenset({"monday"})))
    assert caught.value.rule == "availability"
    assert "monday" in caught.value.detail


# Rule 4: fit; rule 8: no eligible class


def test_level_equipment_and_time_filter_the_catalog() -> None:
    beginner = Profile("beginner", equipment=frozenset({"band", "dumbbell"}))
    assert eligible_classes(beginner, CATALOG, in_pain=False) == (EASY_CORE, GENTLE_STRETCH)
    no_kit = Profile("advanced")
    assert eligible_classes(no_kit, CATALOG, in_pain=False) == (EASY_CORE, GENTLE_STRETCH)
    short = Profile("advanced", equipment=frozenset(EQUIPMENT), max_session_minutes=30)
    assert eligible_classes(short, CATALOG, in_pain=False) == (BAND_ROWS, EASY_CORE, GENTLE_STRETCH)


def test_fit_reason_names_level_equipment_and_time() -> None:
    profile = Profile("intermediate", equipment=frozenset({"band"}), max_session_minutes=30)
    plan = plan_for(profile, catalog=(BAND_ROWS,), sessions_per_week=2)
    assert (
        "Intermediate 30-minute class at your intermediate level, uses only your band "
        "and fits your 30 minutes." in plan.sessions[0].reasons
    )


@pytest.mark.parametrize(
    ("profile", "catalog", "hint"),
    [
        (Profile("beginner"), (BAND_ROWS, HEAVY_PULLS), "easy"),
        (Profile("intermediate"), (BAND_ROWS,), "add band to your equipment"),
        (Profile("beginner", max_session_minutes=10), (EASY_CORE,), "max_session_minutes to 20"),
        (Profile("beginner"), (), "easy"),
    ],
)
def test_no_eligible_class_raises_fit_naming_the_way_out(
    profile: Profile, catalog: tuple[ClassOption, ...], hint: str
) -> None:
    with pytest.raises(PlanRuleError) as caught:
        plan_for(profile, catalog=catalog)
    assert caught.value.rule == "fit"
    assert hint in caught.value.detail


# Rule 5: pain


@pytest.mark.parametrize(
    ("profile", "history"),
    [
        (Profile("advanced", back_pain=True), History()),
        (Profile("advanced"), History(pain_dates=frozenset({SUNDAY_BEFORE}))),
    ],
)
def test_pain_allows_only_gentle_classes_and_advises_a_physio(
    profile: Profile, history: History
) -> None:
    plan = plan_for(profile, history=history)
    assert {session.class_slug for session in plan.sessions} == {"gentle-stretch"}
    assert [advisory.code for advisory in plan.advisories] == ["see-physio", "one-class-repeats"]
    assert any("gentle mobility and pain-relief work only" in r for r in plan.sessions[0].reasons)


def test_pain_filter_removing_the_last_class_raises_pain() -> None:
    with pytest.raises(PlanRuleError) as caught:
        plan_for(Profile("beginner", back_pain=True), catalog=(EASY_CORE,))
    assert caught.value.rule == "pain"
    assert "physiotherapist" in caught.value.detail


# Rule 6: variety


def test_two_classes_for_two_sessions_are_both_used() -> None:
    plan = plan_for(Profile("intermediate"), catalog=(EASY_CORE, GENTLE_STRETCH))
    assert [s.class_slug for s in plan.sessions] == ["easy-core", "gentle-stretch"]


def test_rotation_prefers_classes_used_least_then_longest_ago() -> None:
    catalog = (EASY_CORE, GENTLE_STRETCH, back_class("plank"))
    history = History(recent_class_slugs=("plank", "easy-core", "easy-core", "gentle-stretch"))
    plan = plan_for(Profile("advanced"), catalog=catalog, history=history)
    # gentle-stretch and plank were used once each, plank more recently; easy-core twice.
    assert [s.class_slug for s in plan.sessions] == ["gentle-stretch", "plank", "easy-core"]
    assert plan.sessions[2].reasons[-1] == (
        "Not used yet this week; used 2 times in your recent weeks. "
        "No eligible class is nearer your advanced level."
    )


def test_too_few_classes_cycle_in_rotation_order() -> None:
    history = History(recent_class_slugs=("easy-core",))
    plan = plan_for(Profile("advanced"), catalog=(EASY_CORE, GENTLE_STRETCH), history=history)
    assert [s.class_slug for s in plan.sessions] == [
        "gentle-stretch",
        "easy-core",
        "gentle-stretch",
    ]
    assert "Repeated: only 2 eligible classes for this week's sessions." in plan.sessions[2].reasons


# Rule 7: determinism


def test_same_inputs_give_the_same_plan_whatever_the_catalog_order() -> None:
    profile = Profile("advanced", equipment=frozenset(EQUIPMENT))
    history = History(recent_class_slugs=("band-rows",))
    plan = plan_for(profile, history=history)
    assert plan_for(profile, history=history) == plan
    assert plan_for(profile, catalog=CATALOG[::-1], history=history) == plan


# Rule 9: advisories and the week_start check


def test_beginner_advisories_in_contract_order() -> None:
    assert [a.code for a in plan_for(Profile("beginner")).advisories] == ["part-of-wider-program"]
    history = History(fully_completed_weeks=4, pain_dates=frozenset({SUNDAY_BEFORE}))
    codes = [a.code for a in plan_for(Profile("beginner"), history=history).advisories]
    assert codes == ["see-physio", "part-of-wider-program", "ready-to-progress"]
    three_weeks = History(fully_completed_weeks=3)
    assert len(plan_for(Profile("beginner"), history=three_weeks).advisories) == 1
    assert (
        plan_for(Profile("intermediate"), history=History(fully_completed_weeks=9)).advisories == ()
    )


def test_week_start_must_be_a_monday() -> None:
    with pytest.raises(PlanRuleError) as caught:
        generate_plan(
            profile=Profile("beginner"), catalog=CATALOG, week_start=MONDAY + dt.timedelta(1)
        )
    assert caught.value.rule == "week_start"
    assert "Tuesday" in caught.value.detail


# Replanning


def test_replan_marks_past_sessions_missed_and_keeps_safe_ones_on_their_day() -> None:
    plan = plan_for(Profile("advanced"))
    thursday = MONDAY + dt.timedelta(days=3)
    replan = replan_week(
        plan=plan,
        statuses=("done", "planned", "planned"),
        today=thursday,
        profile=Profile("advanced"),
        catalog=CATALOG,
    )
    assert replan.statuses == ("done", "missed", "planned")
    assert replan.sessions[0] == plan.sessions[0]
    assert replan.sessions[1].date == plan.sessions[1].date
    # Friday is still safe: it is not pulled forward to today.
    assert replan.sessions[2].date == plan.sessions[2].date
    assert replan.sessions[2].class_slug == plan.sessions[2].class_slug
    assert replan.moved == ()


def test_replan_leaves_a_session_missed_when_no_safe_day_is_left() -> None:
    plan = plan_for(Profile("advanced"))
    replan = replan_week(
        plan=plan,
        statuses=("done", "done", "planned"),
        today=MONDAY + dt.timedelta(days=3),
        profile=Profile("advanced", available_days=frozenset({"thu"})),
        catalog=CATALOG,
    )
    assert replan.statuses == ("done", "done", "missed")
    assert replan.sessions[2].date == plan.sessions[2].date
    assert replan.sessions[2].reasons == (
        "No recovery-safe available day is left this week for this session.",
    )
    assert replan.moved == ()


def test_replan_replaces_a_class_that_no_longer_fits() -> None:
    plan = plan_for(Profile("intermediate"), catalog=(EASY_CORE, GENTLE_STRETCH))
    assert [s.class_slug for s in plan.sessions] == ["easy-core", "gentle-stretch"]
    replan = replan_week(
        plan=plan,
        statuses=("planned", "planned"),
        today=MONDAY,
        profile=Profile("intermediate", back_pain=True),
        catalog=(EASY_CORE, GENTLE_STRETCH),
    )
    # Only the gentle class is left, so it repeats; Thursday's session keeps its own class.
    assert [s.class_slug for s in replan.sessions] == ["gentle-stretch", "gentle-stretch"]
    assert any(
        "Replaces 'easy-core', which no longer fits your profile." in reason
        for reason in replan.sessions[0].reasons
    )
    assert "Keeps the class it was planned with." in replan.sessions[1].reasons
    assert replan.moved == ()


def test_replan_rejects_statuses_that_do_not_match_the_plan() -> None:
    plan = plan_for(Profile("intermediate"))
    with pytest.raises(ValueError, match="statuses"):
        replan_week(
            plan=plan, statuses=("done",), today=MONDAY, profile=Profile("intermediate"), catalog=()
        )
