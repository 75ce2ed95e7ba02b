"""Weekly plan rules: one example per rule, then properties over arbitrary inputs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from itertools import combinations, pairwise
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.plans.days import WEEKDAYS
from app.plans.generator import (
    ClassOption,
    History,
    PlanDraft,
    PlanRuleError,
    Profile,
    ReplanDraft,
    eligible_classes,
    generate_plan,
    replan_week,
    weekly_frequency,
)

T = TypeVar("T")
MONDAY = dt.date(2024, 6, 3)
SUNDAY_BEFORE = MONDAY - dt.timedelta(days=1)
RULES = frozenset({"frequency", "recovery", "availability", "fit", "pain", "week_start"})
# Written out again rather than imported, so the properties check the module against the contract.
FREQUENCIES = {"beginner": (1,), "intermediate": (2, 3), "advanced": (3, 2)}
DIFFICULTIES = {
    "beginner": {"easy"},
    "intermediate": {"easy", "intermediate"},
    "advanced": {"easy", "intermediate", "advanced"},
}
EQUIPMENT = ("mat", "band", "foam-roller", "dumbbell")
FOCUSES = ("pain-relief", "mobility", "strength", "posture")
NO_HISTORY = History()
SLUGS = ("bird-dog", "cat-cow", "dead-bug", "plank", "rows", "superman", "bridge", "twist")


def back_class(
    slug: str,
    difficulty: str = "easy",
    minutes: int = 20,
    equipment: tuple[str, ...] = (),
    focus: tuple[str, ...] = ("strength",),
) -> ClassOption:
    """A catalog class with sensible defaults for examples."""
    return ClassOption(
        slug=slug,
        title=slug.replace("-", " ").title(),
        difficulty=difficulty,
        duration_minutes=minutes,
        equipment=frozenset(equipment),
        focus=frozenset(focus),
    )


EASY_CORE = back_class("easy-core")
GENTLE_STRETCH = back_class("gentle-stretch", minutes=15, focus=("mobility", "pain-relief"))
BAND_ROWS = back_class("band-rows", "intermediate", 30, equipment=("band",))
HEAVY_PULLS = back_class("heavy-pulls", "advanced", 45, equipment=("dumbbell",))
CATALOG = (EASY_CORE, GENTLE_STRETCH, BAND_ROWS, HEAVY_PULLS)


def plan_days(plan: PlanDraft) -> list[str]:
    """Weekday names of the plan's sessions, in order."""
    return [WEEKDAYS[session.date.weekday()] for session in plan.sessions]


def plan_for(
    profile: Profile,
    catalog: tuple[ClassOption, ...] = CATALOG,
    sessions_per_week: int | None = None,
    history: History = NO_HISTORY,
) -> PlanDraft:
    """The plan for the week of MONDAY."""
    return generate_plan(
        profile=profile,
        catalog=catalog,
        week_start=MONDAY,
        sessions_per_week=sessions_per_week,
        history=history,
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
    history = History(previous_session_date=SUNDAY_BEFORE)
    plan = plan_for(Profile("intermediate"), history=history)
    assert "mon" not in plan_days(plan)
    # Gaps 4 (Sun-Thu), 3 (Thu-Sun) and 4 (wrap) beat any spread that includes earlier days.
    assert plan_days(plan) == ["thu", "sun"]


def test_beginner_after_a_sunday_session_trains_a_week_later() -> None:
    plan = plan_for(Profile("beginner"), history=History(previous_session_date=SUNDAY_BEFORE))
    assert plan_days(plan) == ["sun"]
    assert "6 rest days since your previous session." in plan.sessions[0].reasons


def test_not_enough_rest_days_raises_recovery() -> None:
    profile = Profile("advanced", available_days=frozenset({"mon", "tue", "wed"}))
    with pytest.raises(PlanRuleError) as caught:
        plan_for(profile)
    assert caught.value.rule == "recovery"
    assert "you have mon, tue, wed" in caught.value.detail
    assert "ask for fewer sessions" in caught.value.detail


def test_only_monday_after_a_sunday_session_raises_recovery_without_fewer_sessions() -> None:
    profile = Profile("beginner", available_days=frozenset({"mon"}))
    with pytest.raises(PlanRuleError) as caught:
        plan_for(profile, history=History(previous_session_date=SUNDAY_BEFORE))
    assert caught.value.rule == "recovery"
    assert "Monday" in caught.value.detail
    assert "fewer sessions" not in caught.value.detail


# Rule 3: availability


def test_sessions_only_on_available_days() -> None:
    plan = plan_for(Profile("intermediate", available_days=frozenset({"tue", "thu", "sat"})))
    assert plan_days(plan) == ["tue", "sat"]
    assert "Saturday is one of your available days." in plan.sessions[1].reasons


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
        "Intermediate 30-minute class that suits the intermediate level, uses only your band "
        "and fits your 30 minutes." in plan.sessions[0].reasons
    )


@pytest.mark.parametrize(
    ("profile", "catalog", "hint"),
    [
        (Profile("beginner"), (BAND_ROWS, HEAVY_PULLS), "easy"),
        (Profile("intermediate"), (BAND_ROWS,), "add band to your equipment"),
        (Profile("beginner", max_session_minutes=10), (EASY_CORE,), "at least 20"),
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
        (Profile("advanced"), History(recent_pain=True)),
    ],
)
def test_pain_allows_only_gentle_classes_and_advises_a_physio(
    profile: Profile, history: History
) -> None:
    plan = plan_for(profile, history=history)
    assert {session.class_slug for session in plan.sessions} == {"gentle-stretch"}
    assert [advisory.code for advisory in plan.advisories] == ["see-physio"]
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
    assert "Not used yet this week; used 2 times lately, fewest of those left." in (
        plan.sessions[2].reasons
    )


def test_too_few_classes_cycle_in_rotation_order() -> None:
    history = History(recent_class_slugs=("easy-core",))
    plan = plan_for(Profile("advanced"), catalog=(EASY_CORE, GENTLE_STRETCH), history=history)
    assert [s.class_slug for s in plan.sessions] == [
        "gentle-stretch",
        "easy-core",
        "gentle-stretch",
    ]
    assert "Repeated: 2 eligible classes for 3 sessions." in plan.sessions[2].reasons


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
    history = History(fully_completed_weeks=4, recent_pain=True)
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


def test_replan_marks_past_sessions_missed_and_moves_the_rest_from_today() -> None:
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
    # Thursday and Friday tie on spread from Monday's done session; the earlier day wins.
    assert replan.sessions[2].date == thursday
    assert replan.sessions[2].class_slug == plan.sessions[2].class_slug
    assert replan.moved == (2,)


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
    assert "Replaces 'easy-core', which no longer fits your profile." in replan.sessions[0].reasons
    assert "Keeps the class it was planned with." in replan.sessions[1].reasons
    assert replan.moved == ()


def test_replan_rejects_statuses_that_do_not_match_the_plan() -> None:
    plan = plan_for(Profile("intermediate"))
    with pytest.raises(ValueError, match="statuses"):
        replan_week(
            plan=plan, statuses=("done",), today=MONDAY, profile=Profile("intermediate"), catalog=()
        )


# Properties


@dataclass(frozen=True)
class PlanScenario:
    """Everything generate_plan needs for one week."""

    profile: Profile
    catalog: tuple[ClassOption, ...]
    week_start: dt.date
    sessions_per_week: int | None
    history: History

    def generate(self, catalog: tuple[ClassOption, ...] | None = None) -> PlanDraft:
        """The plan for this scenario, optionally with the catalog in another order."""
        return generate_plan(
            profile=self.profile,
            catalog=self.catalog if catalog is None else catalog,
            week_start=self.week_start,
            sessions_per_week=self.sessions_per_week,
            history=self.history,
        )

    @property
    def in_pain(self) -> bool:
        """Whether the pain rule applies."""
        return self.profile.back_pain or self.history.recent_pain

    @property
    def previous_offset(self) -> int | None:
        """Days from week_start to the previous session, if any."""
        previous = self.history.previous_session_date
        return None if previous is None else (previous - self.week_start).days


class_options = st.builds(
    ClassOption,
    slug=st.sampled_from(SLUGS),
    title=st.just("Back class"),
    difficulty=st.sampled_from(("easy", "easy", "intermediate", "advanced")),
    duration_minutes=st.integers(5, 45),
    equipment=st.frozensets(st.sampled_from(EQUIPMENT), max_size=1),
    focus=st.frozensets(st.sampled_from(FOCUSES), max_size=2),
)
catalogs = st.lists(
    class_options, min_size=1, max_size=8, unique_by=lambda option: option.slug
).map(tuple)
mondays = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)).map(
    lambda day: day - dt.timedelta(days=day.weekday())
)


def usually(
    draw: st.DrawFn, valid: st.SearchStrategy[T], invalid: st.SearchStrategy[T], *, broken: bool
) -> T:
    """A valid value, or one time in eight an invalid one when broken inputs are wanted."""
    if broken and draw(st.integers(0, 7)) == 7:
        return draw(invalid)
    return draw(valid)


@st.composite
def plan_scenarios(draw: st.DrawFn, *, valid: bool = False) -> PlanScenario:
    """Arbitrary inputs, or (valid=True) inputs whose plan every rule allows on all days."""
    broken = not valid
    level = usually(draw, st.sampled_from(tuple(FREQUENCIES)), st.just("expert"), broken=broken)
    some_days = st.just(frozenset(WEEKDAYS)) | st.frozensets(st.sampled_from(WEEKDAYS), min_size=2)
    if valid:
        some_days = st.just(frozenset(WEEKDAYS))
    profile = Profile(
        experience_level=level,
        equipment=draw(st.frozensets(st.sampled_from(EQUIPMENT))),
        available_days=usually(draw, some_days, st.just(frozenset({"mon", "x"})), broken=broken),
        max_session_minutes=draw(st.none() | st.integers(10, 60)),
        back_pain=draw(st.booleans()) and draw(st.booleans()),
    )
    catalog = draw(catalogs)
    if valid:
        catalog = (*catalog, back_class("always-fits", minutes=5, focus=("mobility",)))
    week_start = usually(draw, mondays, st.dates(dt.date(2020, 1, 1)), broken=broken)
    previous = draw(st.none() | st.integers(-10, -1))
    history = History(
        previous_session_date=None if previous is None else week_start + dt.timedelta(previous),
        recent_pain=draw(st.booleans()) and draw(st.booleans()),
        recent_class_slugs=tuple(draw(st.lists(st.sampled_from(SLUGS), max_size=6))),
        fully_completed_weeks=draw(st.integers(0, 6)),
    )
    requested = None
    if draw(st.booleans()):
        allowed = st.sampled_from(FREQUENCIES.get(level, (1,)))
        requested = usually(draw, allowed, st.integers(0, 4), broken=broken)
    return PlanScenario(profile, catalog, week_start, requested, history)


def fits(option: ClassOption, profile: Profile) -> bool:
    """Rule 4, restated."""
    limit = profile.max_session_minutes
    return (
        option.difficulty in DIFFICULTIES.get(profile.experience_level, set())
        and option.equipment <= profile.equipment
        and (limit is None or option.duration_minutes <= limit)
    )


def is_gentle(option: ClassOption) -> bool:
    """Rule 5, restated."""
    return bool(option.focus & {"pain-relief", "mobility"})


def reference_eligible(scenario: PlanScenario) -> list[ClassOption]:
    """Catalog classes allowed by rules 4 and 5."""
    return [
        option
        for option in scenario.catalog
        if fits(option, scenario.profile) and (is_gentle(option) or not scenario.in_pain)
    ]


def reference_count(scenario: PlanScenario) -> int | None:
    """Rule 1, restated: the session count, or None when the request is not allowed."""
    allowed = FREQUENCIES.get(scenario.profile.experience_level)
    if allowed is None:
        return None
    requested = scenario.sessions_per_week
    if requested is None:
        return allowed[0]
    return requested if requested in allowed else None


def safe_day_sets(scenario: PlanScenario, count: int) -> list[tuple[int, ...]]:
    """Every choice of `count` available week offsets that rules 2 and 3 allow."""
    previous = scenario.previous_offset
    available = [
        offset
        for offset in range(7)
        if WEEKDAYS[offset] in scenario.profile.available_days
        and (previous is None or abs(offset - previous) >= 2)
    ]
    return [
        days
        for days in combinations(available, count)
        if all(later - earlier >= 2 for earlier, later in pairwise(days))
    ]


def smallest_gap(days: tuple[int, ...], previous: int | None) -> int:
    """Rule 2's spread objective, first term: the smallest gap including wrap-around."""
    timeline = ([] if previous is None else [previous]) + list(days)
    gaps = [later - earlier for earlier, later in pairwise(timeline)]
    return min([*gaps, days[0] + 7 - days[-1]])


def assert_error_is_justified(scenario: PlanScenario, error: PlanRuleError) -> None:
    """The raised rule really is broken by the scenario."""
    assert error.rule in RULES
    assert error.detail
    profile = scenario.profile
    if error.rule == "week_start":
        assert scenario.week_start.weekday() != 0
    elif error.rule == "frequency":
        assert reference_count(scenario) is None
    elif error.rule == "availability":
        assert not profile.available_days <= set(WEEKDAYS)
    elif error.rule == "fit":
        assert not any(fits(option, profile) for option in scenario.catalog)
    elif error.rule == "pain":
        assert scenario.in_pain
        assert any(fits(option, profile) for option in scenario.catalog)
        assert not reference_eligible(scenario)
    else:
        count = reference_count(scenario)
        assert count is not None
        assert not safe_day_sets(scenario, count)


def plan_or_error(scenario: PlanScenario) -> PlanDraft | PlanRuleError:
    """The scenario's plan, or the rule error it raises."""
    try:
        return scenario.generate()
    except PlanRuleError as error:
        return error


@settings(max_examples=400, deadline=None)
@given(plan_scenarios())
def test_every_plan_obeys_every_rule_or_names_the_broken_one(scenario: PlanScenario) -> None:
    plan = plan_or_error(scenario)
    if isinstance(plan, PlanRuleError):
        assert_error_is_justified(scenario, plan)
        again = plan_or_error(scenario)
        assert isinstance(again, PlanRuleError)
        assert (again.rule, again.detail) == (plan.rule, plan.detail)
        return
    count = reference_count(scenario)
    assert count == plan.sessions_per_week == len(plan.sessions)
    assert plan.week_start == scenario.week_start
    offsets = tuple((session.date - scenario.week_start).days for session in plan.sessions)
    assert all(0 <= offset <= 6 for offset in offsets)
    assert all(WEEKDAYS[offset] in scenario.profile.available_days for offset in offsets)
    assert all(later - earlier >= 2 for earlier, later in pairwise(offsets))
    previous = scenario.previous_offset
    assert previous is None or offsets[0] - previous >= 2
    best = max(smallest_gap(days, previous) for days in safe_day_sets(scenario, count))
    assert smallest_gap(offsets, previous) == best
    eligible = {option.slug for option in reference_eligible(scenario)}
    slugs = [session.class_slug for session in plan.sessions]
    assert set(slugs) <= eligible
    if len(eligible) >= count:
        assert len(set(slugs)) == len(slugs)
    else:
        assert set(slugs) == eligible
    codes = [advisory.code for advisory in plan.advisories]
    beginner = scenario.profile.experience_level == "beginner"
    expected = [
        code
        for code, applies in (
            ("see-physio", scenario.in_pain),
            ("part-of-wider-program", beginner),
            ("ready-to-progress", beginner and scenario.history.fully_completed_weeks >= 4),
        )
        if applies
    ]
    assert codes == expected
    assert all(session.reasons for session in plan.sessions)
    assert scenario.generate() == plan
    assert scenario.generate(catalog=scenario.catalog[::-1]) == plan


ReplanCase = tuple[PlanScenario, PlanDraft, tuple[str, ...], dt.date, Profile]


@st.composite
def replan_cases(draw: st.DrawFn) -> ReplanCase:
    """A valid plan, statuses for its sessions, a day in or around its week, a changed profile."""
    scenario = draw(plan_scenarios(valid=True))
    plan = scenario.generate()
    count = len(plan.sessions)
    status = st.sampled_from(("planned", "planned", "done", "missed"))
    statuses = tuple(draw(st.lists(status, min_size=count, max_size=count)))
    today = scenario.week_start + dt.timedelta(days=draw(st.integers(-1, 7)))
    some_days = st.just(frozenset(WEEKDAYS)) | st.frozensets(st.sampled_from(WEEKDAYS))
    profile = replace(
        scenario.profile, available_days=draw(some_days), back_pain=draw(st.booleans())
    )
    return scenario, plan, statuses, today, profile


def replan(case: ReplanCase) -> ReplanDraft:
    """Replan the case's plan with the case's statuses, day and profile."""
    scenario, plan, statuses, today, profile = case
    return replan_week(
        plan=plan,
        statuses=statuses,
        today=today,
        profile=profile,
        catalog=scenario.catalog,
        history=scenario.history,
    )


@settings(max_examples=300, deadline=None)
@given(replan_cases())
def test_replan_keeps_every_rule(case: ReplanCase) -> None:
    scenario, plan, statuses, today, profile = case
    result = replan(case)
    assert replan(case) == result
    count = len(plan.sessions)
    assert len(result.sessions) == len(result.statuses) == count
    sunday = scenario.week_start + dt.timedelta(days=6)
    for old, new, before, after in zip(
        plan.sessions, result.sessions, statuses, result.statuses, strict=True
    ):
        if before != "planned":
            assert (new, after) == (old, before)
        elif old.date < today:
            assert (new.date, after) == (old.date, "missed")
            assert "passed" in new.reasons[0]
        elif after == "missed":
            assert new.date == old.date
            assert "No recovery-safe" in new.reasons[0]
        else:
            assert after == "planned"
            assert today <= new.date <= sunday
            assert WEEKDAYS[new.date.weekday()] in profile.available_days
    assert result.moved == tuple(
        i for i in range(count) if result.sessions[i].date != plan.sessions[i].date
    )
    eligible = {option.slug for option in reference_eligible(replace(scenario, profile=profile))}
    for old, new, after in zip(plan.sessions, result.sessions, result.statuses, strict=True):
        if after == "planned":
            assert new.class_slug == old.class_slug or old.class_slug not in eligible
            assert new.class_slug in eligible
    taken = [
        session.date
        for session, after in zip(result.sessions, result.statuses, strict=True)
        if after in {"planned", "done"}
    ]
    previous = scenario.history.previous_session_date
    fixed = taken if previous is None else [*taken, previous]
    for session, after in zip(result.sessions, result.statuses, strict=True):
        if after == "planned":
            others = list(fixed)
            others.remove(session.date)
            assert all(abs((session.date - other).days) >= 2 for other in others)
    unplaced = [
        i
        for i in range(count)
        if statuses[i] == "planned"
        and plan.sessions[i].date >= today
        and result.statuses[i] == "missed"
    ]
    if unplaced:
        free_days = [
            day
            for day in (scenario.week_start + dt.timedelta(days=offset) for offset in range(7))
            if day >= today
            and WEEKDAYS[day.weekday()] in profile.available_days
            and all(abs((day - other).days) >= 2 for other in fixed)
        ]
        assert free_days == []


@settings(max_examples=100, deadline=None)
@given(plan_scenarios(valid=True))
def test_replanning_an_untouched_week_changes_nothing(scenario: PlanScenario) -> None:
    plan = scenario.generate()
    result = replan_week(
        plan=plan,
        statuses=["planned"] * len(plan.sessions),
        today=scenario.week_start,
        profile=scenario.profile,
        catalog=scenario.catalog,
        history=scenario.history,
    )
    assert result.moved == ()
    assert result.statuses == ("planned",) * len(plan.sessions)
    assert [s.class_slug for s in result.sessions] == [s.class_slug for s in plan.sessions]
