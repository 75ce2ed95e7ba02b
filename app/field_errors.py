"""Validation failures as a form can use them: a JSON Pointer to the field, a stable code,
and a short message.

Pydantic's messages name regular expressions ("String should match pattern '^[^@\\s]+…'");
a pattern registered here with ``explained_pattern`` is described in words instead.
"""

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

_PATTERN_HINTS: dict[str, str] = {}

# Pydantic's error types, grouped under the codes the API promises to keep.
_CODES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_pattern_mismatch": "invalid_format",
    "string_too_short": "too_short",
    "too_short": "too_short",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "greater_than": "too_small",
    "greater_than_equal": "too_small",
    "less_than": "too_large",
    "less_than_equal": "too_large",
    "literal_error": "not_allowed",
    "enum": "not_allowed",
    "json_invalid": "invalid_json",
    "timezone_aware": "needs_offset",
    "unknown_name": "unknown_name",
}
_FIXED_MESSAGES = {
    "required": "This field is required.",
    "unknown_field": "This field is not part of the request; remove it.",
    "invalid_json": "The body is not valid JSON.",
    "needs_offset": "Give the time with its UTC offset, such as 2026-11-23T18:30:00+01:00.",
}
# Pydantic's phrasing, shortened to read well beside a form field.
_REPHRASED_OPENINGS = (
    ("Value error, ", ""),
    ("Input should be ", "Must be "),
    ("String should have ", "Must have "),
    ("List should have ", "Must have "),
)


def explained_pattern(pattern: str, hint: str) -> str:
    """``pattern``, registered so that a value failing it is told ``hint`` instead."""
    _PATTERN_HINTS[pattern] = hint
    return pattern


def issue_code(error_type: str) -> str:
    """The stable code for one of pydantic's error types."""
    if error_type in _CODES:
        return _CODES[error_type]
    if error_type.endswith(("_type", "_parsing")):
        return "wrong_type"
    return "invalid"


def issue_message(error: dict[str, Any]) -> str:
    """A short message for one of pydantic's errors, never showing a regular expression."""
    code = issue_code(error["type"])
    if code in _FIXED_MESSAGES:
        return _FIXED_MESSAGES[code]
    if code == "invalid_format":
        pattern = (error.get("ctx") or {}).get("pattern", "")
        return _PATTERN_HINTS.get(pattern, "This value is not in the expected format.")
    message = str(error["msg"])
    for opening, replacement in _REPHRASED_OPENINGS:
        if message.startswith(opening):
            message = replacement + message.removeprefix(opening)
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else f"{message}."


class ValidationIssue(BaseModel):
    """One field that failed validation, named so that a form can show the message beside it."""

    loc: list[str | int] = Field(
        description="Where the value was, as FastAPI names it (kept for compatibility)."
    )
    msg: str = Field(description="A short message for people.")
    type: str = Field(description="The validator's own name for the failure.")
    pointer: str = Field(
        description="A JSON Pointer (RFC 6901, as a URI fragment) to the field in the body, or "
        "to the query or path parameter by name: '#/completed_at', '#/exercises/0/sets'.",
        examples=["#/completed_at"],
    )
    code: str = Field(
        description="A stable code for the failure, such as required, unknown_field, "
        "invalid_format, too_small, too_large, not_allowed, wrong_type or unknown_name.",
        examples=["required"],
    )


# Where a request value sits, as FastAPI's ``loc`` starts; a pointer names the value within it.
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def json_pointer(loc: Sequence[str | int]) -> str:
    """The JSON Pointer (as a URI fragment) to the value at ``loc``, without the "body" part."""
    parts = list(loc[1:] if loc and loc[0] in _LOCATIONS else loc)
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "#" + "".join(f"/{part}" for part in escaped)


def field_issue(field: Sequence[str | int], msg: str, code: str) -> ValidationIssue:
    """An issue about the body field at ``field`` (a path such as ``["exercises", 0]``)."""
    loc: list[str | int] = ["body", *field]
    return ValidationIssue(loc=loc, msg=msg, type=code, pointer=json_pointer(loc), code=code)


def validation_issues(raw_errors: Sequence[Any]) -> list[ValidationIssue]:
    """Pydantic's errors as issues a form can place: a pointer, a stable code, plain words."""
    issues = []
    for error in raw_errors:
        loc = [part for part in error["loc"] if isinstance(part, str | int)]
        issues.append(
            ValidationIssue(
                loc=loc,
                msg=issue_message(error),
                type=error["type"],
                # Undecodable JSON is located by its character offset: the body as a whole.
                pointer="#" if error["type"] == "json_invalid" else json_pointer(loc),
                code=issue_code(error["type"]),
            )
        )
    return issues
