"""Liveness and readiness probes."""

from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import column, false, table, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from app.config import Settings
from app.db import DbSession
from app.errors import AppError, problem_responses
from app.migrations_state import head_revision, is_behind_head

ALEMBIC_VERSION = table("alembic_version", column("version_num"))

WRITE_PROBE = (
    update(ALEMBIC_VERSION).where(false()).values(version_num=ALEMBIC_VERSION.c.version_num)
)

router = APIRouter(tags=["operations"])


def sqlite_file_present(database_url: str) -> bool:
    """True unless ``database_url`` names a SQLite file that is no longer there."""
    path = database_url.partition(":///")[2].partition("?")[0].removeprefix("file:")
    return path in ("", ":memory:") or Path(path).is_file()


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    migration: str


class NotReady(AppError):
    status = 503  # type: ignore[assignment]
    problem = "not-ready"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": "5"})


@router.get("/healthz", response_model=Liveness, operation_id="getLiveness")
async def liveness() -> Liveness:
    """The process is up (says nothing about the database)."""
    return Liveness()


@router.get(
    "/readyz",
    response_model=Readiness,
    operation_id="getReadiness",
    responses=problem_responses(503),
)
async def readiness(request: Request, session: DbSession) -> Readiness:
    """The database answers, takes writes, and its schema is at the migration this code
    expects."""
    settings: Settings = request.app.state.settings
    try:
        current = (await session.exec(select(ALEMBIC_VERSION.c.version_num))).first()
    except (SQLAlchemyError, OSError) as error:
        raise NotReady(
            f"The database is not reachable or not migrated ({type(error).__name__})."
        ) from error
    try:
        # Matches no row, yet the store must grant a write: a read-only file or database fails.
        await session.exec(WRITE_PROBE)
    except (SQLAlchemyError, OSError) as error:
        raise NotReady(f"The database does not take writes ({type(error).__name__}).") from error
    if settings.is_sqlite and not sqlite_file_present(settings.database_url):
        # Connections opened before the file was deleted still write, to a file no one sees.
        raise NotReady("The database file is gone; restart once it is restored.")
    if current is None or is_behind_head(current):
        raise NotReady(
            f"The database is at migration {current}; this code needs {head_revision()}."
        )
    # A revision this code does not know is newer: during a rolling upgrade the new release
    # has migrated (additively) and this one keeps serving until it is replaced.
    return Readiness(migration=current)
