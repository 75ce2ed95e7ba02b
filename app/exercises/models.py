"""Exercises: the table and the shapes the API reads and writes."""

from typing import Annotated, Literal

import sqlalchemy as sa
from pydantic import ConfigDict, StringConstraints
from pydantic.config import JsonDict
from sqlmodel import Field, SQLModel

from app.api_types import RESPONSE_SCHEMA, STRICT_BODY, EquipmentName, MuscleName, PatchModel
from app.field_errors import explained_pattern

Category = Literal["strength", "mobility", "stretch", "core", "cardio"]
Measure = Literal["reps", "time"]
SLUG_PATTERN = explained_pattern(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use lowercase letters, digits and single hyphens, such as 'upper-back'.",
)
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
# Muscles, equipment and focus are short lowercase tokens such as "upper-back" or "mat".
Token = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=40)]
Alias = Annotated[str, StringConstraints(min_length=1, max_length=120)]

EXERCISE_EXAMPLE: JsonDict = {
    "slug": "bent-over-row",
    "name": "Bent-over row",
    "aliases": ["Barbell row"],
    "category": "strength",
    "muscles": ["lats", "rhomboids", "rear-delts"],
    "equipment": ["barbell"],
    "measure": "reps",
    "featured": True,
    "description": "Hinge forward with a flat back and pull the bar to your lower ribs.",
}


class ExerciseBase(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    name: str = Field(min_length=1, max_length=120)
    aliases: list[Alias] = Field(default_factory=list, max_length=20, sa_type=sa.JSON)
    category: Category = Field(sa_type=sa.String(16))
    muscles: list[Token] = Field(default_factory=list, max_length=20, sa_type=sa.JSON)
    equipment: list[Token] = Field(default_factory=list, max_length=20, sa_type=sa.JSON)
    measure: Measure = Field(sa_type=sa.String(8))
    featured: bool = False
    description: str = Field(default="", max_length=2000, sa_type=sa.Text)


class Exercise(ExerciseBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)


class ExerciseCreate(ExerciseBase):
    model_config = ConfigDict(**STRICT_BODY, json_schema_extra={"examples": [EXERCISE_EXAMPLE]})

    slug: Slug
    muscles: list[MuscleName] = Field(default_factory=list, max_length=20)
    equipment: list[EquipmentName] = Field(default_factory=list, max_length=20)


class ExerciseUpdate(PatchModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"featured": True, "aliases": ["Barbell row"]}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=120)
    aliases: list[Alias] | None = Field(default=None, max_length=20)
    category: Category | None = None
    muscles: list[MuscleName] | None = Field(default=None, max_length=20)
    equipment: list[EquipmentName] | None = Field(default=None, max_length=20)
    measure: Measure | None = None
    featured: bool | None = None
    description: str | None = Field(default=None, max_length=2000)


class ExercisePublic(ExerciseBase):
    model_config = ConfigDict(json_schema_extra={"examples": [EXERCISE_EXAMPLE]})

    slug: Slug


class ExerciseDetail(ExercisePublic):
    model_config = ConfigDict(json_schema_extra={"examples": [{**EXERCISE_EXAMPLE, "used_in": []}]})

    used_in: list[Slug] = Field(description="Slugs of the classes that use this exercise.")


class ExerciseRef(SQLModel):
    """How a class step names its exercise."""

    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    slug: Slug
    name: str
