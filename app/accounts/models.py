"""People who use Backfit: credentials, role and the training profile plans are built from."""

from datetime import datetime
from typing import Annotated, ClassVar, Literal

import sqlalchemy as sa
from pydantic import AfterValidator, ConfigDict, StringConstraints
from pydantic.config import JsonDict
from sqlmodel import Field, SQLModel

from app.accounts.breached import refuse_breached
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
Password = Annotated[
    str, StringConstraints(min_length=10, max_length=128), AfterValidator(refuse_breached)
]
# What a signed-in user types to prove it is them: any length, checked against the hash.
CurrentPassword = Annotated[str, StringConstraints(min_length=1, max_length=128)]
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
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(
        description="Send as `grant_type=refresh_token` for a new pair; good for one use."
    )


class SignInPublic(SQLModel):
    """One signed-in device, as the user sees it in their session list."""

    model_config = RESPONSE_SCHEMA  # type: ignore[assignment]

    id: int
    user_agent: str
    created_at: datetime
    last_used_at: datetime = Field(description="The last sign-in or refresh on this device.")
    current: bool = Field(description="True for the session of the token making the request.")


class PasswordChange(SQLModel):
    model_config = ConfigDict(  # type: ignore[assignment]
        **STRICT_BODY,
        json_schema_extra={
            "examples": [
                {"current_password": "correct horse 42", "new_password": "battery staple 7"}
            ]
        },
    )

    current_password: CurrentPassword
    new_password: Password


class PasswordResetRequest(SQLModel):
    model_config = ConfigDict(  # type: ignore[assignment]
        **STRICT_BODY, json_schema_extra={"examples": [{"email": "sam@example.com"}]}
    )

    email: Email


class PasswordResetConfirm(SQLModel):
    model_config = ConfigDict(  # type: ignore[assignment]
        **STRICT_BODY,
        json_schema_extra={
            "examples": [{"token": "the token from the mail", "new_password": "battery staple 7"}]
        },
    )

    token: str = Field(min_length=1, max_length=128)
    new_password: Password


class AccountDeletion(SQLModel):
    model_config = ConfigDict(  # type: ignore[assignment]
        **STRICT_BODY, json_schema_extra={"examples": [{"password": "correct horse 42"}]}
    )

    password: CurrentPassword


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


def _user_id_column() -> sa.Column[int]:
    return sa.Column(sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)


class SignIn(SQLModel, table=True):
    """One signed-in device: its access tokens name it (``sid``), its refresh tokens rotate."""

    __tablename__ = "sign_in"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_id_column())
    user_agent: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    last_used_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class RefreshToken(SQLModel, table=True):
    """A refresh token, stored only as its SHA-256; retired once exchanged for a new pair."""

    __tablename__ = "refresh_token"

    id: int | None = Field(default=None, primary_key=True)
    sign_in_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("sign_in.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PasswordReset(SQLModel, table=True):
    """A single-use password-reset token, stored only as its SHA-256."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_id_column())
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SignInThrottle(SQLModel, table=True):
    """Sign-in attempts this window for one account or one client address (by SHA-256)."""

    __tablename__ = "sign_in_throttle"

    key: str = Field(max_length=64, primary_key=True)
    window_started_at: datetime = Field(sa_type=UTCDateTime, index=True)
    attempts: int


class SigningKey(SQLModel, table=True):
    """The token-signing key when the environment gives none: made once, by the migration."""

    __tablename__ = "signing_key"

    id: int = Field(primary_key=True)
    key: str = Field(max_length=128)
