"""People who use Backfit: credentials, role and the training profile plans are built from."""

from datetime import datetime
from typing import Annotated, ClassVar, Literal

import sqlalchemy as sa
from pydantic import ConfigDict, StringConstraints
from pydantic.config import JsonDict
from sqlmodel import Field, SQLModel

from app.api_types import RESPONSE_SCHEMA, STRICT_BODY, EquipmentName, PatchModel
from app.db import UTCDateTime, utc_now
from app.exercises.models import Token
from app.field_errors import explained_pattern
from app.local_time import DEFAULT_TIME_ZONE, TimeZoneName
from app.plans.rules import WEEKDAYS, Weekday

ExperienceLevel = Literal["beginner", "intermediate", "advanced"]
Role = Literal["user", "admin"]

# No control characters: sign-in would strip some of them and find no account.
EMAIL_PATTERN = explained_pattern(
    r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$",
    "Enter an email address, such as sam@example.com.",
)
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=254, pattern=EMAIL_PATTERN),
]
# Argon2 cost grows with length: cap it so a huge password cannot tie up a worker.
Password = Annotated[str, StringConstraints(min_length=10, max_length=128)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]

PROFILE_EXAMPLE: JsonDict = {
    "experience_level": "intermediate",
    "equipment": ["mat", "dumbbells"],
    "available_days": ["mon", "wed", "fri", "sat"],
    "max_session_minutes": 30,
    "back_pain": False,
    "time_zone": "Europe/London",
}


class TrainingProfile(SQLModel):
    """What the plan generator needs to know about a person."""

    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    experience_level: ExperienceLevel = Field(default="beginner", sa_type=sa.String(16))
    equipment: list[Token] = Field(default_factory=list, max_length=20, sa_type=sa.JSON)
    available_days: list[Weekday] = Field(
        default_factory=lambda: list(WEEKDAYS), min_length=1, max_length=7, sa_type=sa.JSON
    )
    max_session_minutes: int | None = Field(default=None, ge=5, le=600)
    back_pain: bool = False
    time_zone: TimeZoneName = Field(
        default=DEFAULT_TIME_ZONE,
        sa_type=sa.String(64),
        description="IANA time zone name: your days, weeks and today are counted in it.",
    )


class User(TrainingProfile, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    display_name: str | None = Field(default=None, max_length=80)
    role: Role = Field(default="user", sa_type=sa.String(8))
    # The secret in the user's calendar-feed URL; null until they first ask for the feed.
    calendar_token: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class RegisterRequest(SQLModel):
    model_config = ConfigDict(  # type: ignore[assignment]
        **STRICT_BODY,
        json_schema_extra={
            "examples": [
                {"email": "sam@example.com", "password": "correct horse 42", "display_name": "Sam"}
            ]
        },
    )

    email: Email
    password: Password
    display_name: DisplayName | None = None


class AccessToken(SQLModel):
    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class UserPublic(TrainingProfile):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "email": "sam@example.com",
                    "display_name": "Sam",
                    "role": "user",
                    "created_at": "2026-11-23T18:30:00Z",
                    **PROFILE_EXAMPLE,
                }
            ]
        }
    )

    id: int
    email: str
    display_name: str | None
    role: Role
    created_at: datetime


class ProfileUpdate(PatchModel):
    """Profile fields to change; null clears the session-length limit or the display name."""

    model_config = ConfigDict(json_schema_extra={"examples": [PROFILE_EXAMPLE]})
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"max_session_minutes", "display_name"})

    display_name: DisplayName | None = None
    experience_level: ExperienceLevel | None = None
    equipment: list[EquipmentName] | None = Field(default=None, max_length=20)
    available_days: list[Weekday] | None = Field(default=None, min_length=1, max_length=7)
    max_session_minutes: int | None = Field(default=None, ge=5, le=600)
    back_pain: bool | None = None
    time_zone: TimeZoneName | None = None


class LoginFailure(SQLModel, table=True):
    """One failed sign-in, kept for a minute to throttle guessing."""

    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index(None, "email", "failed_at"),
        sa.Index(None, "client_address", "failed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    client_address: str = Field(max_length=64)
    failed_at: datetime = Field(sa_type=UTCDateTime, index=True)
