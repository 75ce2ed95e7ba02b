"""Application errors and the one place that turns every error into problem details."""

import logging
import sqlite3
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("backfit.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ValidationIssue(BaseModel):
    """One field that failed validation."""

    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem-details body."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "type": "/problems/not-found",
                "title": "Not Found",
                "status": 404,
                "detail": "No class with slug 'no-such-class'.",
            }
        }
    )

    type: str = Field(description="A URI reference naming the kind of problem.")
    title: str
    status: int
    detail: str
    errors: list[ValidationIssue] | None = None
    rule: str | None = Field(
        default=None, description="For plan errors: the plan rule that could not be met."
    )


class AppError(Exception):
    """An error a client can act on; subclasses fix the status and the problem type."""

    status = HTTPStatus.BAD_REQUEST
    problem = "bad-request"
    rule: str | None = None

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers


class NotFound(AppError):
    status = HTTPStatus.NOT_FOUND
    problem = "not-found"

    def __init__(self, resource: str, key: object, *, key_name: str = "id") -> None:
        super().__init__(f"No {resource} with {key_name} '{key}'.")


class Conflict(AppError):
    status = HTTPStatus.CONFLICT
    problem = "conflict"


class Unprocessable(AppError):
    status = HTTPStatus.UNPROCESSABLE_ENTITY
    problem = "unprocessable"


class PlanRuleViolation(Unprocessable):
    """A plan rule the request cannot satisfy; ``rule`` names it for clients."""

    problem = "plan-rule"

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(f"Plan rule '{rule}' cannot be met: {detail}")
        self.rule = rule


class Unauthorized(AppError):
    status = HTTPStatus.UNAUTHORIZED
    problem = "unauthorized"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status = HTTPStatus.FORBIDDEN
    problem = "forbidden"


class TooManyRequests(AppError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    problem = "too-many-requests"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_seconds)})


# RFC 9110's names, which the Python versions we support do not all use yet.
_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def status_title(status: int) -> str:
    """The problem title for an HTTP status: stable across Python versions."""
    return _TITLES.get(status) or HTTPStatus(status).phrase


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries declaring that an operation may answer ``statuses`` with a problem."""
    return {
        status: {
            "description": status_title(status),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def problem_response(
    status: int,
    detail: str,
    *,
    problem: str | None = None,
    errors: list[ValidationIssue] | None = None,
    headers: dict[str, str] | None = None,
    rule: str | None = None,
) -> JSONResponse:
    """A problem-details response with the right media type."""
    title = status_title(status)
    body = Problem(
        type=f"/problems/{problem or title.lower().replace(' ', '-')}",
        title=title,
        status=status,
        detail=detail,
        errors=errors,
        rule=rule,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _validation_issues(raw_errors: Any) -> list[ValidationIssue]:
    return [
        ValidationIssue(
            loc=[part for part in error["loc"] if isinstance(part, str | int)],
            msg=error["msg"],
            type=error["type"],
        )
        for error in raw_errors
    ]


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(
        exc.status, exc.detail, problem=exc.problem, headers=exc.headers, rule=exc.rule
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = _validation_issues(exc.errors())
    named = ", ".join(sorted({".".join(str(part) for part in issue.loc) for issue in issues}))
    return problem_response(
        422, f"The request is not valid: check {named}.", problem="validation", errors=issues
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == HTTPStatus.BAD_REQUEST:
        # The framework's only 400 is a body it could not decode: as invalid as bad JSON.
        issue = ValidationIssue(
            loc=["body"], msg="The body is not valid JSON.", type="json_invalid"
        )
        return problem_response(
            422,
            "The request body could not be parsed as JSON.",
            problem="validation",
            errors=[issue],
        )
    detail = exc.detail if isinstance(exc.detail, str) else status_title(exc.status_code)
    return problem_response(exc.status_code, detail, headers=dict(exc.headers or {}))


# SQLSTATEs that mean "no database right now": connection exceptions (class 08), and the server
# shutting down, crashed or still starting up (57P01-57P03, e.g. during a restart).
_OUTAGE_SQLSTATE_CLASS = "08"
_OUTAGE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})
_DATA_SQLSTATE_CLASS = "22"


def _error_chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything behind it: the driver's error, causes and contexts."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        yield error
        orig = error.orig if isinstance(error, DBAPIError) else None
        pending.extend((orig, error.__cause__, error.__context__))


def _sqlstates(exc: BaseException) -> list[str]:
    return [
        state
        for error in _error_chain(exc)
        if isinstance(state := getattr(error, "sqlstate", None), str)
    ]


def is_database_outage(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the database cannot be reached right now.

    An outage surfaces in many shapes: a pool timeout; an ``OSError`` such as a refused
    connection, raised as is because the driver's connect failed below the DBAPI; a
    ``DBAPIError`` for a connection SQLAlchemy invalidated; or, when the server is shutting
    down or starting up, a ``DBAPIError`` that wraps the driver's error without invalidating
    anything (asyncpg's CannotConnectNowError on connect, AdminShutdownError mid-query).
    """
    for error in _error_chain(exc):
        if isinstance(error, PoolTimeoutError | OSError):
            return True
        # SQLite's writers queued longer than the busy timeout: the store is saturated.
        if isinstance(error, sqlite3.OperationalError) and "database is locked" in str(error):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
    return any(
        state.startswith(_OUTAGE_SQLSTATE_CLASS) or state in _OUTAGE_SQLSTATES
        for state in _sqlstates(exc)
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    # A database that is down, restarting or out of connections is the server's trouble and
    # passes: 503 with Retry-After. A value the database cannot store (SQLSTATE class 22,
    # such as a NUL character in text) is the client's: 422. Anything else is a bug: 500.
    if any(state.startswith(_DATA_SQLSTATE_CLASS) for state in _sqlstates(exc)):
        return problem_response(
            422,
            "A value cannot be stored: it is out of range or holds a character such as NUL.",
            problem="validation",
        )
    if not is_database_outage(exc):
        return await _unexpected_error(request, exc)
    logger.warning("database unavailable: %s", type(exc).__name__)
    return problem_response(
        503,
        "The database is unavailable; retry shortly.",
        problem="database-unavailable",
        headers={"Retry-After": "2"},
    )


async def _unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", exc_info=exc)
    return problem_response(500, "An unexpected error occurred; it has been logged.")


def install_error_handlers(app: FastAPI) -> None:
    """Route every kind of error to a problem-details response."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeoutError, _database_error)
    # Refused or timed-out connections reach here raw (asyncpg's connect is below the DBAPI).
    app.add_exception_handler(OSError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)
