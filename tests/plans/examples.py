"""Example catalog classes and a plan-for-a-week helper shared by the generator's tests."""

import datetime as dt

from app.plans.drafts import ClassOption, History, PlanDraft, Profile
from app.plans.generator import generate_plan
from app.plans.rules import WEEKDAYS

MONDAY = dt.date(2024, 6, 3)
SUNDAY_BEFORE = MONDAY - dt.timedelta(days=1)
EQUIPMENT = ("mat", "band", "foam-roller", "dumbbell")
NO_HISTORY = History()


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
