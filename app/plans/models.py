"""Weekly plans and their planned sessions, as stored and as the API shows them."""

from datetime import date, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import ConfigDict
from pydantic.config import JsonDict
from sqlmodel import Field, SQLModel

from app.accounts.models import TrainingProfile
from app.api_types import RESPONSE_SCHEMA, STRICT_BODY, EquipmentName, IsoDate
from app.classes.models import Difficulty
from app.db import UTCDateTime, utc_now
from app.workouts.models import Advisory

SessionStatus = Literal["planned", "done", "missed"]
SessionKind = Literal["class", "strength"]

PLAN_EXAMPLE: JsonDict = {
    "id": 12,
    "week_start": "2026-11-23",
    "experience_level": "intermediate",
    "sessions_per_week": 2,
    "sessions": [
        {
            "id": 31,
            "date": "2026-11-23",
            "class": {
                "slug": "back-fit-workout",
                "title": "The back fit workout",
                "difficulty": "easy",
                "duration_minutes": 10,
            },
            "kind": "class",
            "status": "planned",
            "reasons": ["Intermediate level: 2 back sessions this week."],
        },
        {
            "id": 32,
            "date": "2026-11-26",
            "kind": "strength",
            "template": "A",
            "exercises": [
                {
                    "slug": "deadlift",
                    "sets": 3,
                    "reps_min": 8,
                    "reps_max": 12,
                    "rest_seconds": 90,
                    "target_weight_kg": 62.5,
                    "variation": None,
                    "reason": "last Monday: 3x12 at 60 kg, RPE 7 → 62.5 kg.",
                }
            ],
            "estimated_minutes": 40,
            "status": "planned",
            "reasons": ["Intermediate level: 2 back sessions this week."],
        },
    ],
    "advisories": [],
}


class Plan(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("user_id", "week_start"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    )
    week_start: date
    experience_level: str = Field(max_length=16)
    sessions_per_week: int
    advisories: list[dict[str, str]] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class PlannedSession(SQLModel, table=True):
    __tablename__ = "planned_session"
    __table_args__ = (sa.UniqueConstraint("plan_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    )
    position: int
    scheduled_date: date
    # RESTRICT: a class that people have planned cannot vanish from their calendars.
    # Null for a strength session, which is described whole by ``strength``.
    class_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.ForeignKey("workout_class.id", ondelete="RESTRICT"), nullable=True, index=True
        ),
    )
    # A strength session as planned: {"template", "exercises": [targets], "estimated_minutes"}.
    strength: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON(none_as_null=True))
    status: SessionStatus = Field(default="planned", sa_type=sa.String(8))
    reasons: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    # iCalendar SEQUENCE: raised whenever the session's event changes, so calendars update it.
    sequence: int = 0


class PlannedClass(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    slug: str
    title: str
    difficulty: Difficulty
    duration_minutes: int


class StrengthTarget(SQLModel):
    """One exercise of a strength session: its dose and the target the log suggests."""

    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    slug: str
    sets: int
    reps_min: int
    reps_max: int
    rest_seconds: int
    target_weight_kg: float | None = Field(
        default=None, description="Suggested load; null for bodyweight moves or with no log yet."
    )
    variation: str | None = Field(
        default=None, description="The variation of a bodyweight move to do."
    )
    reason: str = Field(description="Why this target, from the last logged sets.")


class PlannedSessionPreview(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    date: date
    kind: SessionKind = "class"
    # "class" is a Python keyword: the field has another name and is written as "class".
    planned_class: PlannedClass | None = Field(
        default=None, serialization_alias="class", description="The class; null for strength."
    )
    template: Literal["A", "B"] | None = Field(
        default=None, description="Strength template; null for a class."
    )
    exercises: list[StrengthTarget] | None = Field(
        default=None, description="Strength exercises with targets; null for a class."
    )
    estimated_minutes: int | None = Field(
        default=None, description="Estimated length of a strength session; null for a class."
    )
    status: SessionStatus
    reasons: list[str]


class PlannedSessionPublic(PlannedSessionPreview):
    id: int


class PlanPreview(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    week_start: date
    experience_level: str
    sessions_per_week: int
    sessions: list[PlannedSessionPreview]
    advisories: list[Advisory]


class PlanPublic(PlanPreview):
    model_config = ConfigDict(json_schema_extra={"examples": [PLAN_EXAMPLE]})

    id: int
    sessions: list[PlannedSessionPublic]  # type: ignore[assignment]


class PlanPreviewRequest(TrainingProfile):
    """A profile and a week: everything a plan needs, without an account."""

    model_config = ConfigDict(
        **STRICT_BODY,
        json_schema_extra={
            "examples": [
                {
                    "week_start": "2026-11-23",
                    "experience_level": "intermediate",
                    "equipment": ["mat"],
                    "available_days": ["mon", "wed", "fri"],
                    "max_session_minutes": 30,
                    "back_pain": False,
                    "time_zone": "Europe/London",
                }
            ]
        },
    )

    week_start: IsoDate = Field(description="The Monday the week starts on.")
    equipment: list[EquipmentName] = Field(default_factory=list, max_length=20)
    sessions_per_week: int | None = Field(
        default=None, description="Back sessions this week; defaults to the level's usual count."
    )


# How far ahead a plan may start: a plan is for the weeks coming, and the calendar feed
# shows exactly this far.
PLANNING_HORIZON = timedelta(weeks=8)


class PlanCreate(SQLModel):
    model_config = ConfigDict(  # type: ignore[assignment]
        **STRICT_BODY,
        json_schema_extra={"examples": [{"week_start": "2026-11-23", "sessions_per_week": 3}]},
    )

    week_start: IsoDate = Field(
        description="The Monday the week starts on; at most 8 weeks after this week's."
    )
    sessions_per_week: int | None = Field(
        default=None, description="Back sessions this week; defaults to the level's usual count."
    )


class ReplanRequest(SQLModel):
    model_config = ConfigDict(
        **STRICT_BODY, json_schema_extra={"examples": [{"today": "2026-11-25"}]}
    )  # type: ignore[assignment]

    today: IsoDate | None = Field(
        default=None,
        description="Your local date; sessions before it count as past. It must be today "
        "somewhere on Earth; defaults to today in your profile's time zone.",
    )


class SessionMove(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    session_id: int
    from_date: date
    to_date: date


class ReplanResult(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    plan: PlanPublic
    moved: list[SessionMove] = Field(description="Sessions placed on a new date.")
    missed: list[int] = Field(description="Ids of sessions that became missed in this replan.")


class CalendarFeed(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    url: str = Field(description="A secret iCalendar feed of all your plans; keep it private.")
