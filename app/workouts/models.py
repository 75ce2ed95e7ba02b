"""Logged workouts: what someone did, when, how hard and whether it hurt."""

from datetime import date, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import ConfigDict, StringConstraints
from pydantic.config import JsonDict
from sqlmodel import Field, SQLModel

from app.api_types import MAX_ID, RESPONSE_SCHEMA, STRICT_BODY, SentTimestamp
from app.db import UTCDateTime, utc_now
from app.exercises.models import Slug
from app.field_errors import explained_pattern

IdempotencyKey = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=255,
        pattern=explained_pattern(
            r"^[\x21-\x7e]+$", "Use printable ASCII characters without spaces, such as a UUID."
        ),
    ),
]

WORKOUT_EXAMPLE: JsonDict = {
    "class_slug": "revitalise-your-spine",
    "completed_at": "2026-11-23T18:30:00+01:00",
    "duration_minutes": 30,
    "rpe": 6,
    "pain": 2,
    "notes": "Felt loose afterwards.",
    "exercises": [{"exercise_slug": "glute-bridge", "sets": [{"reps": 12}, {"reps": 10}]}],
}


class Advisory(SQLModel):
    """Guidance attached to a response, with a stable machine-readable code."""

    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    code: str
    message: str


class SetLog(SQLModel):
    model_config = ConfigDict(**RESPONSE_SCHEMA, **STRICT_BODY)  # type: ignore[assignment]

    reps: int | None = Field(default=None, ge=0, le=1000)
    weight_kg: float | None = Field(default=None, ge=0, le=1000)
    seconds: int | None = Field(default=None, ge=0, le=24 * 3600)
    rpe: int | None = Field(
        default=None, ge=1, le=10, description="How hard this set felt, 1 to 10 (RPE)."
    )


class ExerciseLog(SQLModel):
    model_config = ConfigDict(**RESPONSE_SCHEMA, **STRICT_BODY)  # type: ignore[assignment]

    exercise_slug: Slug
    sets: list[SetLog] = Field(min_length=1, max_length=50)


class WorkoutBase(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    completed_at: datetime = Field(sa_type=UTCDateTime)
    duration_minutes: int = Field(ge=1, le=24 * 60)
    rpe: int | None = Field(default=None, ge=1, le=10, description="Rate of perceived exertion.")
    pain: int | None = Field(default=None, ge=0, le=10, description="Back pain felt, 0 to 10.")
    notes: str | None = Field(default=None, max_length=2000, sa_type=sa.Text)


class Workout(WorkoutBase, table=True):
    __table_args__ = (
        sa.Index(None, "user_id", "completed_at", "id"),
        sa.Index(None, "user_id", "local_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    )
    class_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("workout_class.id", ondelete="SET NULL"), index=True),
    )
    # Stored as written (validated ExerciseLog dumps): read back whole, never queried into.
    plan_session_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("planned_session.id", ondelete="SET NULL"), index=True),
    )
    exercises: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    # completed_at is stored as the UTC instant; these keep what the client meant by it:
    # the offset it wrote (answered back as sent) and the day it fell on for the user.
    utc_offset_minutes: int = 0
    local_date: date


class WorkoutCreate(WorkoutBase):
    model_config = ConfigDict(**STRICT_BODY, json_schema_extra={"examples": [WORKOUT_EXAMPLE]})

    completed_at: SentTimestamp = Field(
        description="When it ended, RFC 3339 with an offset; at most a few minutes ahead of "
        "the server's clock. A UTC time (Z) counts on its date in your profile's time zone."
    )
    class_slug: Slug | None = None
    plan_session_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="A planned session of yours that this workout completes.",
    )
    exercises: list[ExerciseLog] = Field(default_factory=list, max_length=100)


class WorkoutPublic(WorkoutBase):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **WORKOUT_EXAMPLE,
                    "id": 41,
                    "completed_at": "2026-11-23T17:30:00Z",
                    "local_date": "2026-11-23",
                    "plan_session_id": None,
                    "exercises": [
                        {
                            "exercise_slug": "glute-bridge",
                            "sets": [
                                {"reps": 12, "weight_kg": None, "seconds": None, "rpe": 7},
                                {"reps": 10, "weight_kg": None, "seconds": None, "rpe": 8},
                            ],
                        }
                    ],
                    "advisories": [],
                    "created_at": "2026-11-23T17:31:02Z",
                }
            ]
        }
    )

    completed_at: datetime = Field(description="When it ended, in the offset it was sent with.")
    local_date: date = Field(description="The day it counts on, in your local time.")
    id: int
    class_slug: str | None
    plan_session_id: int | None
    exercises: list[ExerciseLog]
    advisories: list[Advisory]
    created_at: datetime


class WeekStats(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    week_start: date = Field(description="The Monday that starts the week, in your time zone.")
    planned: int
    completed: int
    minutes: int
    hard_sets: dict[str, int] = Field(
        default_factory=dict,
        description="Hard sets (strength sets at RPE 7 or more) per muscle worked this week.",
    )


class Stats(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    weeks: list[WeekStats]
    adherence: float | None = Field(
        description="Share of planned sessions done in these weeks; null when none was planned."
    )
    current_streak_weeks: int = Field(
        description="Weeks in a row, up to this one, in which every planned session was done."
    )
    total_sessions: int
    total_minutes: int


class IdempotencyRecord(SQLModel, table=True):
    """A workout POST's key and its stored response, replayed for a retry."""

    __tablename__ = "idempotency_record"

    user_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    key: str = Field(max_length=255, primary_key=True)
    request_hash: str = Field(max_length=64)
    response_body: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
