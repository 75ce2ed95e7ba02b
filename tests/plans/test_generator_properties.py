"""Plan rules as properties: for arbitrary profiles, catalogs and histories, every rule holds.

The rules are restated here from the contract rather than imported, so the properties check
the generator against the contract and not against itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from itertools import combinations, pairwise
from typing import TypeVar

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.plans.drafts import ClassOption, History, PlanDraft, PlanRuleError, Profile, ProfileFix
from app.plans.generator import generate_plan, replan_week
from app.plans.ways_out import apply_fix, describe_fix

T = TypeVar("T")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RULES = frozenset({"frequency", "recovery", "availability", "fit", "pain", "week_start"})
FIXABLE = frozenset({"fit", "pain", "recovery"})
FIX_FIELDS = frozenset({"equipment", "available_days", "max_session_minutes", "sessions_per_week"})
FREQUENCIES = {"beginner": (1,), "intermediate": (2, 3), "advanced": (3, 2)}
NEAREST_FIRST = {
    "beginner": ("easy",),
    "intermediate": ("intermediate", "easy"),
    "advanced": ("advanced", "intermediate", "easy"),
}
EQUIPMENT = ("mat", "band", "foam-roller", "dumbbell")
FOCUSES = ("pain-relief", "mobility", "strength", "posture")
SLUGS = ("bird-dog", "cat-cow", "dead-bug", "plank", "rows", "superman", "bridge", "twist")


@dataclass(frozen=True)
class Scenario:
    """Everything generate_plan needs for one week."""

    profile: Profile
    catalog: tuple[ClassOption, ...]
    week_start: dt.date
    sessions_per_week: int | None
    history: History

    def generate(self, catalog: tuple[ClassOption, ...] | None = None) -> PlanDraft:
        return generate_plan(
            profile=self.profile,
            catalog=self.catalog if catalog is None else catalog,
            week_start=self.week_start,
            sessions_per_week=self.sessions_per_week,
            history=self.history,
        )

    def offsets(self, days: frozenset[dt.date]) -> list[int]:
        return sorted((day - self.week_start).days for day in days)


def pain_before(history: History, day: dt.date) -> bool:
    """Rule 5/13: pain of 5+ on one of the 14 days before ``day``."""
    return any(0 < (day - pain).days <= 14 for pain in history.pain_dates)


def in_pain(scenario: Scenario) -> bool:
    return scenario.profile.back_pain or pain_before(scenario.history, scenario.week_start)


class_options = st.builds(
    ClassOption,
    slug=st.sampled_from(SLUGS),
    title=st.just("Back class"),
    difficulty=st.sampled_from(("easy", "easy", "intermediate", "advanced")),
    duration_minutes=st.integers(5, 45),
    equipment=st.frozensets(st.sampled_from(EQUIPMENT), max_size=2),
    focus=st.frozensets(st.sampled_from(FOCUSES), max_size=2),
)
catalogs = st.lists(class_options, min_size=1, max_size=6, unique_by=lambda o: o.slug).map(tuple)
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
def scenarios(draw: st.DrawFn, *, valid: bool = False) -> Scenario:
    """Arbitrary inputs, or (valid=True) inputs with a 5-minute gentle class and a free week."""
    broken = not valid
    level = usually(draw, st.sampled_from(tuple(FREQUENCIES)), st.just("expert"), broken=broken)
    some_days = st.just(frozenset(DAYS)) | st.frozensets(st.sampled_from(DAYS), min_size=1)
    profile = Profile(
        experience_level=level,
        equipment=draw(st.frozensets(st.sampled_from(EQUIPMENT))),
        available_days=frozenset(DAYS)
        if valid
        else usually(draw, some_days, st.just(frozenset({"mon", "x"})), broken=broken),
        max_session_minutes=draw(st.none() | st.integers(10, 60)),
        back_pain=draw(st.booleans()) and draw(st.booleans()),
    )
    catalog = draw(catalogs)
    if valid:
        always = ClassOption(
            "always-fits", "Always", "easy", 5, frozenset(), frozenset({"mobility"})
        )
        catalog = (*catalog, always)
    week_start = usually(draw, mondays, st.dates(dt.date(2020, 1, 1)), broken=broken)
    session_offsets = st.integers(-10, 13) if not valid else st.sampled_from((-7, -3, 8, 12))
    history = History(
        session_dates=frozenset(
            week_start + dt.timedelta(days=offset)
            for offset in draw(st.lists(session_offsets, max_size=4))
        ),
        pain_dates=frozenset(
            week_start + dt.timedelta(days=offset)
            for offset in draw(st.lists(st.integers(-20, 6), max_size=2))
        ),
        recent_class_slugs=tuple(draw(st.lists(st.sampled_from(SLUGS), max_size=6))),
        fully_completed_weeks=draw(st.integers(0, 6)),
    )
    requested = None
    if draw(st.booleans()):
        allowed = st.sampled_from(FREQUENCIES.get(level, (1,)))
        requested = usually(draw, allowed, st.integers(0, 4), broken=broken)
    return Scenario(profile, catalog, week_start, requested, history)


def fits(option: ClassOption, profile: Profile) -> bool:
    """Rule 4, restated."""
    limit = profile.max_session_minutes
    return (
        option.difficulty in NEAREST_FIRST.get(profile.experience_level, ())
        and option.equipment <= profile.equipment
        and (limit is None or option.duration_minutes <= limit)
    )


def eligible(scenario: Scenario) -> list[ClassOption]:
    """Rules 4 and 5, restated."""
    gentle, pain = {"pain-relief", "mobility"}, in_pain(scenario)
    return [
        o for o in scenario.catalog if fits(o, scenario.profile) and (o.focus & gentle or not pain)
    ]


def session_count(scenario: Scenario) -> int | None:
    """Rule 1, restated: the session count, or None when the request is not allowed."""
    allowed = FREQUENCIES.get(scenario.profile.experience_level)
    if allowed is None:
        return None
    requested = scenario.sessions_per_week
    if requested is None:
        return allowed[0]
    return requested if requested in allowed else None


def safe_day_sets(scenario: Scenario, count: int) -> list[tuple[int, ...]]:
    """Rules 2, 3 and 10: available days, a rest day between sessions and to every real one."""
    busy = scenario.offsets(scenario.history.session_dates)
    free = [
        offset
        for offset in range(7)
        if DAYS[offset] in scenario.profile.available_days
        and all(abs(offset - other) >= 2 for other in busy)
    ]
    return [
        days
        for days in combinations(free, count)
        if all(later - earlier >= 2 for earlier, later in pairwise(days))
    ]


def evenness(days: tuple[int, ...]) -> list[int]:
    """Rule 2's spread as the week repeats: gaps including the wrap-around, smallest first."""
    return sorted([*(b - a for a, b in pairwise(days)), days[0] + 7 - days[-1]])


def assert_error_is_justified(scenario: Scenario, error: PlanRuleError) -> None:
    """The raised rule really is broken by the scenario; its fixes each give a plan."""
    assert error.rule in RULES
    profile = scenario.profile
    if error.rule == "week_start":
        assert scenario.week_start.weekday() != 0
    elif error.rule == "frequency":
        assert session_count(scenario) is None
    elif error.rule == "availability":
        assert not profile.available_days <= set(DAYS)
    elif error.rule == "fit":
        assert not any(fits(option, profile) for option in scenario.catalog)
    elif error.rule == "pain":
        assert in_pain(scenario)
        assert any(fits(option, profile) for option in scenario.catalog)
        assert not eligible(scenario)
    else:
        count = session_count(scenario)
        assert count is not None
        assert not safe_day_sets(scenario, count)
    if error.rule in FIXABLE:
        assert_fixes_work(scenario, error)
    else:
        assert error.fixes == ()


def assert_fixes_work(scenario: Scenario, error: PlanRuleError) -> None:
    """Rule 12: each fix is one allowed change that alone gives a plan, and the detail says so."""
    for fix in error.fixes:
        assert fix.field in FIX_FIELDS
        assert (fix.value is None) != (fix.add is None)
        assert describe_fix(fix) in error.detail
        profile, requested = apply_fix(scenario.profile, scenario.sessions_per_week, fix)
        assert profile.back_pain == scenario.profile.back_pain
        assert profile.experience_level == scenario.profile.experience_level
        fixed = replace(scenario, profile=profile, sessions_per_week=requested)
        assert isinstance(fixed.generate(), PlanDraft)
    if not error.fixes:
        assert "No single change" in error.detail
    for minutes in {option.duration_minutes for option in scenario.catalog}:
        # Completeness for session length: a limit that would work is offered, or a lower one.
        longer = ProfileFix("max_session_minutes", value=minutes)
        limit = scenario.profile.max_session_minutes
        if error.rule != "recovery" and limit is not None and minutes > limit:
            profile, _ = apply_fix(scenario.profile, None, longer)
            try:
                replace(scenario, profile=profile).generate()
            except PlanRuleError:
                continue
            offered = [f.value for f in error.fixes if f.field == "max_session_minutes"]
            assert any(value is not None and value <= minutes for value in offered)


def plan_or_error(scenario: Scenario) -> PlanDraft | PlanRuleError:
    try:
        return scenario.generate()
    except PlanRuleError as error:
        return error


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_every_plan_obeys_every_rule_or_names_the_broken_one(scenario: Scenario) -> None:
    plan = plan_or_error(scenario)
    if isinstance(plan, PlanRuleError):
        assert_error_is_justified(scenario, plan)
        again = plan_or_error(scenario)
        assert isinstance(again, PlanRuleError)
        assert (again.rule, again.detail, again.fixes) == (plan.rule, plan.detail, plan.fixes)
        return
    count = session_count(scenario)
    assert count == plan.sessions_per_week == len(plan.sessions)
    offsets = tuple((session.date - scenario.week_start).days for session in plan.sessions)
    options = safe_day_sets(scenario, len(offsets))
    assert offsets in options
    best = max(evenness(days) for days in options)
    assert evenness(offsets) == best
    # Rule 11: among equally even choices, last week's weekdays, then the earliest days.
    last_week = {o + 7 for o in scenario.offsets(scenario.history.session_dates) if -7 <= o < 0}
    even = [days for days in options if evenness(days) == best]
    most_kept = max(len(set(days) & last_week) for days in even)
    assert offsets == min(days for days in even if len(set(days) & last_week) == most_kept)
    allowed = eligible(scenario)
    slugs = [session.class_slug for session in plan.sessions]
    assert set(slugs) <= {option.slug for option in allowed}
    if len(allowed) >= count:
        assert len(set(slugs)) == len(slugs)
    else:
        assert set(slugs) == {option.slug for option in allowed}
    # Rule 13: the classes nearest the user's level come first.
    order = NEAREST_FIRST[scenario.profile.experience_level]
    used = [order.index(o.difficulty) for o in allowed if o.slug in slugs]
    unused = [order.index(o.difficulty) for o in allowed if o.slug not in slugs]
    assert not unused or max(used) <= min(unused)
    beginner = scenario.profile.experience_level == "beginner"
    expected = [
        code
        for code, applies in (
            ("see-physio", in_pain(scenario)),
            ("part-of-wider-program", beginner),
            ("ready-to-progress", beginner and scenario.history.fully_completed_weeks >= 4),
            ("one-class-repeats", len(allowed) == 1 and count >= 2),
        )
        if applies
    ]
    assert [advisory.code for advisory in plan.advisories] == expected
    assert all(session.reasons for session in plan.sessions)
    assert scenario.generate(catalog=scenario.catalog[::-1]) == plan


@settings(max_examples=60, deadline=None)
@given(scenarios(valid=True), st.data())
def test_a_steady_user_keeps_the_same_days_for_twelve_weeks(
    scenario: Scenario, data: st.DataObject
) -> None:
    first = replace(scenario, history=History()).generate()
    days = [session.date.weekday() for session in first.sessions]
    # A week whose last day touches next Monday cannot repeat; that user gets a 422 instead.
    assume(days[0] + 7 - days[-1] >= 2)
    plan, recent = first, [s.class_slug for s in first.sessions]
    for week in range(1, 12):
        history = History(
            session_dates=frozenset(s.date for s in plan.sessions),
            recent_class_slugs=tuple(recent),
            fully_completed_weeks=min(week, 4),
        )
        start = scenario.week_start + dt.timedelta(weeks=week)
        plan = replace(scenario, week_start=start, history=history).generate()
        assert [session.date.weekday() for session in plan.sessions] == days
        recent = [*(s.class_slug for s in plan.sessions), *recent][: 4 * len(days)]


ReplanCase = tuple[Scenario, PlanDraft, tuple[str, ...], dt.date, Profile, History]


@st.composite
def replan_cases(draw: st.DrawFn) -> ReplanCase:
    """A valid plan, statuses, a day in or around its week, a changed profile and new history."""
    scenario = draw(scenarios(valid=True))
    plan = scenario.generate()
    status = st.sampled_from(("planned", "planned", "done", "missed"))
    statuses = tuple(
        draw(st.lists(status, min_size=len(plan.sessions), max_size=len(plan.sessions)))
    )
    today = scenario.week_start + dt.timedelta(days=draw(st.integers(-1, 7)))
    days = st.just(frozenset(DAYS)) | st.frozensets(st.sampled_from(DAYS), min_size=1)
    profile = replace(scenario.profile, available_days=draw(days), back_pain=draw(st.booleans()))
    # Workouts logged since the plan was made (unlinked), on days up to today.
    logged = draw(st.lists(st.integers(-1, 6), max_size=2))
    new_dates = {scenario.week_start + dt.timedelta(days=o) for o in logged}
    history = replace(
        scenario.history,
        session_dates=scenario.history.session_dates | {d for d in new_dates if d <= today},
    )
    return scenario, plan, statuses, today, profile, history


@settings(max_examples=300, deadline=None)
@given(replan_cases())
def test_replan_moves_only_what_it_must_and_keeps_every_rule(
    case: ReplanCase,
) -> None:
    scenario, plan, statuses, today, profile, history = case
    result = replan_week(
        plan=plan,
        statuses=statuses,
        today=today,
        profile=profile,
        catalog=scenario.catalog,
        history=history,
    )
    sunday = scenario.week_start + dt.timedelta(days=6)
    real = set(history.session_dates) | {
        s.date for s, st_ in zip(plan.sessions, statuses, strict=True) if st_ == "done"
    }
    placed = [
        s.date
        for s, after in zip(result.sessions, result.statuses, strict=True)
        if after == "planned"
    ]
    for day in placed:
        others = [*real, *placed]
        others.remove(day)
        assert all(abs((day - other).days) >= 2 for other in others)
        assert available_on(profile, day)
    pairs = zip(plan.sessions, result.sessions, statuses, result.statuses, strict=True)
    for old, new, before, after in pairs:
        if before != "planned":
            assert (new, after) == (old, before)
        elif old.date < today:
            assert (new.date, after) == (old.date, "missed")
        elif after == "planned" and new.date != old.date:
            # Moved only because its day became unavailable or unsafe, and never into the past.
            assert today <= new.date <= sunday
            unsafe = not available_on(profile, old.date) or any(
                abs((old.date - other).days) < 2 for other in [*real, *placed] if other != new.date
            )
            assert unsafe
    pain = profile.back_pain or pain_before(history, today)
    codes = [advisory.code for advisory in result.advisories]
    assert ("see-physio" in codes) == pain
    assert result.moved == tuple(
        i for i, s in enumerate(result.sessions) if s.date != plan.sessions[i].date
    )


def available_on(profile: Profile, day: dt.date) -> bool:
    return DAYS[day.weekday()] in profile.available_days
