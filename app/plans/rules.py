"""The plan rules' numbers, names and words: the one place every other module reads them from.

Pure: no imports from the web framework or the database, so the generator, the services and
the workouts feature can all share it without cycles.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Literal, get_args

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Rule 1: sessions a week by level, the default first.
LEVEL_FREQUENCIES: dict[str, tuple[int, ...]] = {
    "beginner": (1,),
    "intermediate": (2, 3),
    "advanced": (3, 2),
}
# Rule 4 and rule 13: the difficulties a level may do, nearest to the level first.
LEVEL_DIFFICULTIES: dict[str, tuple[str, ...]] = {
    "beginner": ("easy",),
    "intermediate": ("intermediate", "easy"),
    "advanced": ("advanced", "intermediate", "easy"),
}
# Rule 5: what "gentle" means, and what counts as pain.
GENTLE_FOCUS = frozenset({"pain-relief", "mobility"})
PAIN_THRESHOLD = 5
PAIN_WINDOW = dt.timedelta(days=14)
# Rule 2: sessions at least this many days apart (one rest day between them).
MIN_DAYS_APART = 2
# Rule 9: complete weeks in a row before a beginner is told to progress; also how far back
# rotation looks.
WEEKS_BEFORE_PROGRESS = 4

SEE_PHYSIO = "see-physio"
LIGHTEN_LOAD = "lighten-load"
PART_OF_WIDER_PROGRAM = "part-of-wider-program"
READY_TO_PROGRESS = "ready-to-progress"
ONE_CLASS_REPEATS = "one-class-repeats"
ADVICE: dict[str, str] = {
    SEE_PHYSIO: "Back pain needs a professional look: see a physiotherapist before starting or "
    "carrying on with any routine, and stop any exercise that hurts.",
    LIGHTEN_LOAD: "Pain can mean the weight is too heavy or the exercise too advanced for now: "
    "go lighter or pick an easier variation.",
    PART_OF_WIDER_PROGRAM: "Train your back once a week as one part of a wider programme "
    "for your whole body.",
    READY_TO_PROGRESS: f"You completed every session for {WEEKS_BEFORE_PROGRESS} weeks or more; "
    "consider moving to intermediate with two back sessions a week.",
}


def is_painful(pain: int | None) -> bool:
    """Whether a logged pain score triggers the pain rule."""
    return pain is not None and pain >= PAIN_THRESHOLD


def in_pain_window(pain_dates: Iterable[dt.date], *, before: dt.date) -> bool:
    """Whether pain was logged on one of the 14 days just before ``before``."""
    return any(before - PAIN_WINDOW <= day < before for day in pain_dates)


def too_close(day: dt.date, other: dt.date) -> bool:
    """Whether two sessions on these days would break the rest-day rule."""
    return abs((day - other).days) < MIN_DAYS_APART


def week_fully_completed(planned: int, completed: int) -> bool:
    """A week with planned sessions in which as many were completed (linked or not)."""
    return planned > 0 and completed >= planned


def level_distance(level: str, difficulty: str) -> int:
    """How far a class's difficulty is from the user's level (0: it is the level's own)."""
    return LEVEL_DIFFICULTIES[level].index(difficulty)


def one_class_repeats_message(title: str, times: int, wideners: Iterable[str]) -> str:
    """The advisory for a week in which the only eligible class is planned more than once."""
    ways = list(wideners)
    widen = (
        f" To widen the choice: {'; or '.join(ways)}."
        if ways
        else " No change of equipment or session length would add another class."
    )
    return f"Only '{title}' fits your profile, so it is planned {times} times this week.{widen}"
