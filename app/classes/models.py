"""Guided classes: blocks of steps, each step an exercise done for reps or held for time."""

from typing import Literal

import sqlalchemy as sa
from pydantic import ConfigDict
from pydantic.config import JsonDict
from sqlmodel import Field, SQLModel

from app.api_types import RESPONSE_SCHEMA, STRICT_BODY, EquipmentName
from app.exercises.models import ExerciseRef, Slug, Token

Difficulty = Literal["easy", "intermediate", "advanced"]
BlockKind = Literal["warm_up", "main", "cool_down"]

STEP_EXAMPLE: JsonDict = {
    "position": 1,
    "exercise": {"slug": "depth-jump", "name": "Depth jump"},
    "reps": 15,
    "sets": 2,
    "rest_seconds": 30,
    "duration_seconds": None,
}
CLASS_EXAMPLE: JsonDict = {
    "slug": "back-fit-workout",
    "title": "The back fit workout",
    "difficulty": "easy",
    "duration_minutes": 10,
    "equipment": ["dumbbells", "mat", "stepper"],
    "focus": ["strength", "stability"],
    "summary": "A short bodyweight circuit for upper-back and core strength.",
    "blocks": [{"name": "Warm-up", "kind": "warm_up", "position": 1, "steps": [STEP_EXAMPLE]}],
}

CLASS_WRITE_EXAMPLE: JsonDict = {
    **{key: value for key, value in CLASS_EXAMPLE.items() if key != "blocks"},
    "slug": "desk-break",
    "title": "Desk break",
    "blocks": [
        {
            "name": "Move",
            "kind": "main",
            "steps": [{"exercise": "shoulder-rolls", "reps": 10, "sets": 1, "rest_seconds": 0}],
        }
    ],
}


class WorkoutClassBase(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    title: str = Field(min_length=1, max_length=200)
    difficulty: Difficulty = Field(sa_type=sa.String(16))
    duration_minutes: int = Field(ge=1, le=600)
    equipment: list[Token] = Field(default_factory=list, max_length=20, sa_type=sa.JSON)
    focus: list[Token] = Field(default_factory=list, max_length=10, sa_type=sa.JSON)
    summary: str = Field(default="", max_length=2000, sa_type=sa.Text)


class WorkoutClass(WorkoutClassBase, table=True):
    __tablename__ = "workout_class"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)


class ClassBlock(SQLModel, table=True):
    __tablename__ = "class_block"
    __table_args__ = (sa.UniqueConstraint("class_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    class_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("workout_class.id", ondelete="CASCADE"), nullable=False)
    )
    position: int
    name: str = Field(max_length=120)
    kind: BlockKind = Field(sa_type=sa.String(16))


class ClassStep(SQLModel, table=True):
    __tablename__ = "class_step"
    __table_args__ = (sa.UniqueConstraint("block_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    block_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("class_block.id", ondelete="CASCADE"), nullable=False)
    )
    position: int
    # RESTRICT: an exercise cannot disappear from under a class that uses it.
    exercise_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("exercise.id", ondelete="RESTRICT"), nullable=False, index=True
        )
    )
    reps: int | None = None
    sets: int | None = None
    rest_seconds: int | None = None
    duration_seconds: int | None = None
    # Set when the class does the exercise with other kit than the exercise itself needs
    # (Revitalise practises the deadlift's hinge with bodyweight only); null: the exercise's own.
    equipment: list[str] | None = Field(default=None, sa_type=sa.JSON(none_as_null=True))


class StepDose(SQLModel):
    """How much of an exercise a step asks for; null where the class gives no number."""

    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    reps: int | None = Field(default=None, ge=1, le=1000)
    sets: int | None = Field(default=None, ge=1, le=100)
    rest_seconds: int | None = Field(default=None, ge=0, le=3600)
    duration_seconds: int | None = Field(default=None, ge=1, le=3600)
    equipment: list[EquipmentName] | None = Field(
        default=None,
        max_length=20,
        description="Equipment this step uses when it differs from the exercise's own; "
        "null: the exercise's equipment.",
    )


class StepPublic(StepDose):
    model_config = ConfigDict(json_schema_extra={"examples": [STEP_EXAMPLE]})

    position: int
    exercise: ExerciseRef


class BlockPublic(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    name: str
    kind: BlockKind
    position: int
    steps: list[StepPublic]


class WorkoutClassPublic(WorkoutClassBase):
    model_config = ConfigDict(json_schema_extra={"examples": [CLASS_EXAMPLE]})

    slug: Slug
    blocks: list[BlockPublic]


class StepWrite(StepDose):
    model_config = ConfigDict(**STRICT_BODY)

    exercise: Slug = Field(description="Slug of the exercise this step uses.")


class BlockWrite(SQLModel):
    model_config = ConfigDict(**STRICT_BODY)  # type: ignore[assignment]

    name: str = Field(min_length=1, max_length=120)
    kind: BlockKind
    steps: list[StepWrite] = Field(min_length=1, max_length=100)


class WorkoutClassWrite(WorkoutClassBase):
    """A whole class as an admin writes it (POST creates, PUT replaces)."""

    model_config = ConfigDict(**STRICT_BODY, json_schema_extra={"examples": [CLASS_WRITE_EXAMPLE]})

    slug: Slug
    equipment: list[EquipmentName] = Field(default_factory=list, max_length=20)
    blocks: list[BlockWrite] = Field(min_length=1, max_length=20)
