"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from sqlmodel import SQLModel

import app.db  # noqa: F401  (sets the constraint naming convention before tables load)
from app.accounts.models import LoginFailure, User
from app.catalog.models import CatalogVersion
from app.classes.models import ClassBlock, ClassStep, WorkoutClass
from app.exercises.models import Exercise
from app.plans.models import Plan, PlannedSession
from app.sync.models import SyncChange, SyncCounter
from app.workouts.models import IdempotencyRecord, Workout

metadata = SQLModel.metadata

__all__ = [
    "CatalogVersion",
    "ClassBlock",
    "ClassStep",
    "Exercise",
    "IdempotencyRecord",
    "LoginFailure",
    "Plan",
    "PlannedSession",
    "SyncChange",
    "SyncCounter",
    "User",
    "Workout",
    "WorkoutClass",
    "metadata",
]
