"""How long the pure plan generator takes, alone, on the catalog the service seeded."""

import asyncio
import statistics
import timeit
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import select

import app.models  # noqa: F401  (every table, so the ORM can map the catalog's relations)
from app.classes.models import WorkoutClass
from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.plans.drafts import ClassOption, History, Profile
from app.plans.generator import generate_plan

WEEK_START = date(2026, 11, 23)  # a Monday
REPEATS = 7
# Each level plans a different number of sessions; the history makes rotation and recovery
# rules do their work, as they do for a signed-in user.
PROFILES = {
    "beginner": Profile("beginner", frozenset({"mat"})),
    "intermediate": Profile("intermediate", frozenset({"mat"})),
    "advanced": Profile("advanced", frozenset({"mat", "dumbbells", "stepper"})),
}
HISTORY = History(
    session_dates=frozenset({WEEK_START - timedelta(days=1)}),
    recent_class_slugs=("revitalise-your-spine", "back-fit-workout"),
    fully_completed_weeks=2,
)


@dataclass(frozen=True)
class GeneratorTiming:
    """Median time per ``generate_plan`` call, by experience level, in milliseconds."""

    classes: int
    milliseconds_by_level: dict[str, float]

    @property
    def slowest_milliseconds(self) -> float:
        return max(self.milliseconds_by_level.values())


async def _seeded_catalog(database_url: str) -> list[ClassOption]:
    """Every class, as the generator sees it (what the service hands it, too)."""
    engine = create_engine(Settings(database_url=database_url))
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.exec(select(WorkoutClass).order_by(WorkoutClass.slug))
            return [
                ClassOption(
                    slug=row.slug,
                    title=row.title,
                    difficulty=row.difficulty,
                    duration_minutes=row.duration_minutes,
                    equipment=frozenset(row.equipment),
                    focus=frozenset(row.focus),
                )
                for row in rows
            ]
    finally:
        await engine.dispose()


def time_generator(database_url: str) -> GeneratorTiming:
    """Time ``generate_plan`` for each level on the catalog in ``database_url``."""
    catalog = asyncio.run(_seeded_catalog(database_url))
    milliseconds: dict[str, float] = {}
    for level, profile in PROFILES.items():

        def plan_once(profile: Profile = profile) -> None:
            generate_plan(profile=profile, catalog=catalog, week_start=WEEK_START, history=HISTORY)

        timer = timeit.Timer(plan_once)
        calls, _ = timer.autorange()
        runs = timer.repeat(repeat=REPEATS, number=calls)
        milliseconds[level] = statistics.median(runs) / calls * 1000
    return GeneratorTiming(len(catalog), milliseconds)
