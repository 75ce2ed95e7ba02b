"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from sqlmodel import SQLModel

import app.db  # noqa: F401  (sets the constraint naming convention before tables load)
from app.accounts.models import (
    PasswordReset,
    RefreshToken,
    SignIn,
    SigningKey,
    SignInThrottle,
    User,
)
from app.catalog.models import CatalogVersion
from app.classes.models import ClassBlock, ClassStep, WorkoutClass
from app.exercises.models import Exercise
from app.plans.models import Plan, PlannedSession
from app.sync.models import SyncChange, SyncCounter
from app.workouts.models import IdempotencyRecord, Workout

metadata = SQLModel.metadata

# Ids name rows in URLs and tokens: SQLite hands a deleted row's id to the next row unless
# the table is AUTOINCREMENT (migration 0006a rebuilt these; PostgreSQL never reuses ids).
NEVER_REUSED_IDS = (
    "user",
    "workout",
    "plan",
    "planned_session",
    "sign_in",
    "refresh_token",
    "password_reset",
)
for _name in NEVER_REUSED_IDS:
    metadata.tables[_name].dialect_options["sqlite"]["autoincrement"] = True

__all__ = [
    "CatalogVersion",
    "ClassBlock",
    "ClassStep",
    "Exercise",
    "IdempotencyRecord",
    "PasswordReset",
    "Plan",
    "PlannedSession",
    "RefreshToken",
    "SignIn",
    "SignInThrottle",
    "SigningKey",
    "SyncChange",
    "SyncCounter",
    "User",
    "Workout",
    "WorkoutClass",
    "metadata",
]
