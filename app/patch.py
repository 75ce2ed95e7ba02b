"""Partial updates: only the fields a client sends change, and null never sneaks in."""

from typing import Any, ClassVar

from pydantic import ConfigDict, model_validator
from sqlmodel import SQLModel


class PatchModel(SQLModel):
    """Base for PATCH bodies: unknown fields and explicit nulls are refused (422)."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

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
