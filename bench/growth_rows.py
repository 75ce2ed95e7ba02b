"""The rows the growth bench loads: many users' plans and workouts, and one probe user's.

The probe user is the one measured. Their history is the same at every size (300 workouts
over two years, plans for the last 12 weeks with most sessions done), so a cost difference
between sizes comes from the tables around them, not from their own data. Everyone else's
workouts fill the table to the wanted size. Workouts are generated in time order, as they
arrive in real life, so the probe's rows are scattered over the heap like a real user's.
Everything is deterministic for a given ``now``: both sizes get the same probe rows.
"""

import heapq
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.rows import json_text

PROBE_EMAIL = "probe@bench.example"
PROBE_WORKOUTS = 300
PROBE_PLAN_WEEKS = 12
HISTORY_DAYS = 730
WORKOUTS_PER_BACKGROUND_PLAN = 5  # 1M workouts come with 200k plans
SESSIONS_PER_PLAN = 2
SESSION_DAY_OFFSETS = (1, 3)  # Tuesday and Thursday
RANDOM_SEED = 20261123

USER_COLUMNS = (
    "experience_level", "equipment", "available_days", "max_session_minutes", "back_pain",
    "email", "password_hash", "display_name", "role", "created_at", "calendar_token",
)  # fmt: skip
PLAN_COLUMNS = (
    "user_id", "week_start", "experience_level", "sessions_per_week", "advisories",
    "created_at", "updated_at",
)  # fmt: skip
PLANNED_SESSION_COLUMNS = (
    "plan_id", "position", "scheduled_date", "class_id", "status", "reasons", "sequence",
)  # fmt: skip
WORKOUT_COLUMNS = (
    "completed_at", "duration_minutes", "rpe", "pain", "notes", "user_id", "class_id",
    "exercises", "created_at", "plan_session_id", "local_date",
)  # fmt: skip

EXERCISES = json_text([{"exercise_slug": "glute-bridge", "sets": [{"reps": 12}, {"reps": 10}]}])
ALL_DAYS = json_text(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
REASONS = json_text(["Intermediate level: 2 back sessions this week."])
Row = tuple[Any, ...]


@dataclass(frozen=True)
class GrowthShape:
    """How big to make the tables."""

    users: int
    workouts: int  # the probe's included

    @property
    def background_plans(self) -> int:
        return self.workouts // WORKOUTS_PER_BACKGROUND_PLAN

    @property
    def plans(self) -> int:
        return PROBE_PLAN_WEEKS + self.background_plans


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class GrowthRows:
    """Row generators for each table, in insertion order (ids follow: 1, 2, 3…)."""

    def __init__(
        self, shape: GrowthShape, *, now: datetime, class_ids: Sequence[int], password_hash: str
    ) -> None:
        if shape.users < 2 or shape.workouts <= PROBE_WORKOUTS:
            raise ValueError(f"need 2+ users and more than {PROBE_WORKOUTS} workouts: {shape}")
        self.shape = shape
        self.now = now
        self.this_monday = monday_of(now.date())
        self.class_ids = list(class_ids)
        self.password_hash = password_hash

    def _plan_week(self, plan_index: int) -> tuple[int, date]:
        """User id and week of plan ``plan_index`` (0-based; the probe's come first)."""
        if plan_index < PROBE_PLAN_WEEKS:
            return 1, self.this_monday - timedelta(weeks=PROBE_PLAN_WEEKS - plan_index)
        background = plan_index - PROBE_PLAN_WEEKS
        others = self.shape.users - 1
        weeks_back = 1 + background // others
        return 2 + background % others, self.this_monday - timedelta(weeks=weeks_back)

    def _session_status(self, plan_index: int, position: int) -> str:
        if plan_index < PROBE_PLAN_WEEKS:  # one in five missed, as the scenario bench's reader
            return "missed" if (PROBE_PLAN_WEEKS - plan_index + position) % 5 == 0 else "done"
        return "missed" if (plan_index + position) % 3 == 0 else "done"

    def users(self) -> Iterator[Row]:
        created = self.now - timedelta(days=HISTORY_DAYS + 30)
        for number in range(1, self.shape.users + 1):
            email = PROBE_EMAIL if number == 1 else f"user{number}@bench.example"
            level = "intermediate" if number == 1 else ("beginner", "intermediate")[number % 2]
            yield (
                level, json_text(["mat"]), ALL_DAYS, None, False,
                email, self.password_hash, None, "user", created, None,
            )  # fmt: skip

    def plans(self) -> Iterator[Row]:
        for plan_index in range(self.shape.plans):
            user_id, week = self._plan_week(plan_index)
            created = datetime.combine(week, datetime.min.time(), tzinfo=UTC)
            yield (user_id, week, "intermediate", SESSIONS_PER_PLAN, "[]", created, created)

    def planned_sessions(self) -> Iterator[Row]:
        for plan_index in range(self.shape.plans):
            _, week = self._plan_week(plan_index)
            for position, offset in enumerate(SESSION_DAY_OFFSETS):
                yield (
                    plan_index + 1,
                    position,
                    week + timedelta(days=offset),
                    self.class_ids[(plan_index + position) % len(self.class_ids)],
                    self._session_status(plan_index, position),
                    REASONS,
                    1,
                )

    def _probe_workouts(self) -> list[Row]:
        rows: list[Row] = []
        for plan_index in range(PROBE_PLAN_WEEKS):
            _, week = self._plan_week(plan_index)
            for position, offset in enumerate(SESSION_DAY_OFFSETS):
                if self._session_status(plan_index, position) == "done":
                    session_id = plan_index * SESSIONS_PER_PLAN + position + 1
                    day = week + timedelta(days=offset)
                    rows.append(self._probe_workout(day, 18, session_id))
        first_week = self.this_monday - timedelta(weeks=PROBE_PLAN_WEEKS)
        free = PROBE_WORKOUTS - len(rows)
        span_days = HISTORY_DAYS - PROBE_PLAN_WEEKS * 7
        for index in range(free):
            rows.append(self._probe_workout(first_week - timedelta(1 + index * span_days // free)))
        return sorted(rows, key=lambda row: row[0])

    def _probe_workout(self, day: date, hour: int = 7, session_id: int | None = None) -> Row:
        completed = datetime(day.year, day.month, day.day, hour, 30, tzinfo=UTC)
        ordinal = day.toordinal()
        return (
            completed, 20 + ordinal % 20, 5 + ordinal % 4, ordinal % 4, None, 1,
            self.class_ids[ordinal % len(self.class_ids)], EXERCISES,
            completed + timedelta(minutes=5), session_id, completed.date(),
        )  # fmt: skip

    def _background_workouts(self) -> Iterator[Row]:
        count = self.shape.workouts - PROBE_WORKOUTS
        start = self.now - timedelta(days=HISTORY_DAYS)
        step = (self.now - timedelta(hours=1) - start) / count
        others = self.shape.users - 1
        draw = random.Random(RANDOM_SEED).randrange
        class_ids, class_count = self.class_ids, len(self.class_ids)
        five_minutes = timedelta(minutes=5)
        for index in range(count):
            completed = start + step * index
            yield (
                completed, 10 + index % 25, 1 + index % 10, index % 7, None, 2 + draw(others),
                class_ids[index % class_count], EXERCISES, completed + five_minutes, None,
                completed.date(),
            )  # fmt: skip

    def workouts(self) -> Iterator[Row]:
        """Everyone's workouts in time order, the probe's among them."""
        return heapq.merge(
            self._probe_workouts(), self._background_workouts(), key=lambda row: row[0]
        )
