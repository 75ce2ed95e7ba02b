"""Loads the catalog in ``seed/`` into the database; running it again changes nothing."""

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter
from sqlmodel.ext.asyncio.session import AsyncSession

from app.classes.models import WorkoutClassWrite
from app.classes.service import save_class
from app.exercises.models import ExerciseCreate
from app.exercises.service import upsert_exercise

EXERCISES = TypeAdapter(list[ExerciseCreate])
CLASSES = TypeAdapter(list[WorkoutClassWrite])


@dataclass(frozen=True)
class SeedReport:
    """How many records the seed created or changed."""

    exercises_changed: int
    classes_changed: int


async def seed_catalog(session: AsyncSession, seed_dir: Path) -> SeedReport:
    """Upsert every exercise and class in ``seed_dir`` by slug; unknown names fail validation."""
    exercises = EXERCISES.validate_python(json.loads((seed_dir / "exercises.json").read_text()))
    classes = CLASSES.validate_python(json.loads((seed_dir / "classes.json").read_text()))
    exercises_changed = sum([await upsert_exercise(session, draft=item) for item in exercises])
    classes_changed = sum([await save_class(session, draft=item) for item in classes])
    return SeedReport(exercises_changed=exercises_changed, classes_changed=classes_changed)
