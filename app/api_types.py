"""Shapes shared by every feature's API models: strict request bodies, dates only as text,
ids in range, partial updates, and response schemas that say what is always present.

Request bodies are validated strictly: JSON ``0`` is not ``false`` and ``"5"`` is not ``5``,
so data that breaks the published schema is refused (422) instead of being guessed at.
"""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar

from fastapi import Path
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    PlainValidator,
    Strict,
    StringConstraints,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlmodel import SQLModel

from app.vocabulary import EQUIPMENT, MUSCLES

STRICT_BODY = ConfigDict(extra="forbid", strict=True)
# A response field with a default is still always sent: mark it required in the OpenAPI
# output schema, so generated clients do not make it optional.
RESPONSE_SCHEMA = ConfigDict(json_schema_serialization_defaults_required=True)
# Ids are database integers: anything larger can name nothing and would overflow the column.
MAX_ID = 2**31 - 1


_ISO_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_text(value: Any) -> Any:
    """Dates and times travel as ISO 8601 text: a number, even as text, is not a date."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE_PREFIX.match(value)):
        return value
    raise ValueError("expected an ISO 8601 date or date-time string")


# Calendar arithmetic on plans and stats needs room on both sides of any date it is given.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def _within_service_years(value: date) -> date:
    # A time counts by its UTC date and by the date it was written with: both must fit.
    days = (value.date(), value.astimezone(UTC).date()) if isinstance(value, datetime) else (value,)
    if not all(EARLIEST_DATE <= day <= LATEST_DATE for day in days):
        raise ValueError(f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


IsoDate = Annotated[
    date, Strict(False), BeforeValidator(_iso_text), AfterValidator(_within_service_years)
]
# An instant with the offset the client wrote, which says which local day it meant.
SentTimestamp = Annotated[
    AwareDatetime, Strict(False), BeforeValidator(_iso_text), AfterValidator(_within_service_years)
]


_BARE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOCAL_DAY: TypeAdapter[date] = TypeAdapter(IsoDate)
_INSTANT: TypeAdapter[datetime] = TypeAdapter(SentTimestamp)


def _day_or_instant(value: Any) -> date | datetime:
    """A bare ISO date is a local day; anything else must be an RFC 3339 time with offset."""
    if isinstance(value, str) and _BARE_DATE.match(value):
        return _LOCAL_DAY.validate_python(value)
    return _INSTANT.validate_python(value)


# A history bound: a whole local day (``2026-11-23``) or an instant (``…T18:30:00+01:00``).
DayOrInstant = Annotated[
    date | datetime,
    PlainValidator(_day_or_instant, json_schema_input_type=str),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}
    ),
]
ResourceId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _known_name(kind: str, names: tuple[str, ...]) -> AfterValidator:
    """Accepts only the names of the ``kind`` vocabulary; the 422 lists them."""
    known = frozenset(names)
    listed = ", ".join(sorted(names))

    def check(name: str) -> str:
        if name not in known:
            raise PydanticCustomError(
                "unknown_name",
                "Unknown {kind} '{name}'; use one of: {known}.",
                {"kind": kind, "name": name, "known": listed},
            )
        return name

    return AfterValidator(check)


# Names written into profiles and the catalog: only those GET /v1/equipment and /v1/muscles list.
EquipmentName = Annotated[
    str, StringConstraints(max_length=40), _known_name("equipment", EQUIPMENT)
]
MuscleName = Annotated[str, StringConstraints(max_length=40), _known_name("muscle", MUSCLES)]


class PatchModel(SQLModel):
    """Base for PATCH bodies: unknown fields and explicit nulls are refused (422)."""

    model_config = STRICT_BODY  # type: ignore[assignment]

    # Fields for which null is a meaningful value ("no limit"), not a missing one.
    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _no_explicit_nulls(cls, values: Any) -> Any:
        if isinstance(values, dict):
            nulls = sorted(
                name
                for name, value in values.items()
                if value is None and name not in cls.nullable_fields
            )
            if nulls:
                raise ValueError(f"null is not allowed for {', '.join(nulls)}")
        return values
