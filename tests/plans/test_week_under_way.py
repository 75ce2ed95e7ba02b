"""A plan for the week under way starts on the user's today; other weeks use every day."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from app.plans.drafts import ClassOption, PlanDraft, PlanRuleError, Profile
from app.plans.generator import generate_plan
from app.plans.rules import WEEKDAYS

MONDAY = dt.date(2026, 11, 23)
CATALOG = [
    ClassOption("gentle", "Gentle", "easy", 20, frozenset(), frozenset({"mobility"})),
    ClassOption("strong", "Strong", "intermediate", 30, frozenset(), frozenset({"strength"})),
]


def plan_or_refusal(profile: Profile, today: dt.date | None) -> PlanDraft | PlanRuleError:
    try:
        return generate_plan(profile=profile, catalog=CATALOG, week_start=MONDAY, today=today)
    except PlanRuleError as error:
        return error


@given(
    level=st.sampled_from(["beginner", "intermediate", "advanced"]),
    available=st.frozensets(st.sampled_from(WEEKDAYS), min_size=1),
    today_offset=st.integers(-10, 16),
)
def test_no_session_before_today_in_the_week_under_way(
    level: str, available: frozenset[str], today_offset: int
) -> None:
    today = MONDAY + dt.timedelta(days=today_offset)
    profile = Profile(level, available_days=available)
    plan = plan_or_refusal(profile, today)
    under_way = 0 < today_offset <= 6
    if isinstance(plan, PlanRuleError):
        assert plan.rule == "recovery"
        assert ("under way" in plan.detail) == under_way
        return
    first_allowed = today if under_way else MONDAY
    assert all(session.date >= first_allowed for session in plan.sessions)
    if not under_way:
        # Past and future weeks (and a Monday today) plan exactly as without a today.
        assert plan == plan_or_refusal(profile, None)
