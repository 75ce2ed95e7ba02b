"""The change log an offline client syncs from, and the shapes GET /v1/me/changes answers."""

from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from pydantic import ConfigDict
from pydantic.config import JsonDict
from sqlmodel import Field, SQLModel

from app.accounts.models import UserPublic
from app.api_types import RESPONSE_SCHEMA
from app.db import UTCDateTime
from app.plans.models import PlanPublic
from app.workouts.models import WorkoutPublic

Entity = Literal["profile", "workout", "plan"]
ChangeOp = Literal["upsert", "delete"]
# Deletions are remembered this long; a cursor older than that must resync from scratch.
TOMBSTONE_RETENTION = timedelta(days=30)


class SyncCounter(SQLModel, table=True):
    """Each user's last change number; its row lock orders a user's writes as they commit."""

    __tablename__ = "sync_counter"

    user_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    last_seq: int


class SyncChange(SQLModel, table=True):
    """The latest change to one of a user's entities (one row each: older ones are replaced)."""

    __tablename__ = "sync_change"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "entity", "entity_id"),
        sa.Index(None, "user_id", "seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    )
    seq: int
    entity: str = Field(max_length=16)
    entity_id: int
    op: str = Field(max_length=8)
    changed_at: datetime = Field(sa_type=UTCDateTime)


CHANGES_EXAMPLE: JsonDict = {
    "changes": [
        {"entity": "workout", "id": 41, "op": "delete", "data": None},
        {
            "entity": "profile",
            "id": 7,
            "op": "upsert",
            "data": {
                "id": 7,
                "email": "sam@example.com",
                "display_name": "Sam",
                "role": "user",
                "created_at": "2026-11-23T18:30:00Z",
                "experience_level": "intermediate",
                "equipment": ["mat"],
                "available_days": ["mon", "wed", "fri"],
                "max_session_minutes": 30,
                "back_pain": False,
            },
        },
    ],
    "next_cursor": "WzEyLDE3OTYxNTMyMDFd",
    "has_more": False,
}


class Change(SQLModel):
    """One entity as it is now (upsert, with its data) or that it is gone (delete)."""

    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    entity: Entity
    id: int
    op: ChangeOp
    data: WorkoutPublic | PlanPublic | UserPublic | None = Field(
        description="The entity as GET would show it (a plan with its sessions); null for deletes."
    )


class ChangesPage(SQLModel):
    """What changed since the cursor, oldest change first."""

    model_config = ConfigDict(**RESPONSE_SCHEMA, json_schema_extra={"examples": [CHANGES_EXAMPLE]})  # type: ignore[assignment]

    changes: list[Change]
    next_cursor: str = Field(
        description="Pass it as `since` next time; it is always set, also when nothing changed."
    )
    has_more: bool = Field(description="More changes wait: ask again at once with next_cursor.")
