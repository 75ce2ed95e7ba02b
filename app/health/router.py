"""Liveness and readiness probes."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import column, table
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from app.db import DbSession
from app.errors import AppError, problem_responses
from app.migrations_state import head_revision, is_behind_head

ALEMBIC_VERSION = table("alembic_version", column("version_num"))

router = APIRouter(tags=["operations"])


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
async def readiness(session: DbSession) -> Readiness:
    """The database answers and its schema is at the migration this code expects."""
    try:
        current = (await session.exec(select(ALEMBIC_VERSION.c.version_num))).first()
    except (SQLAlchemyError, OSError) as error:
        raise NotReady(
            f"The database is not reachable or not migrated ({type(error).__name__})."
        ) from error
    if current is None or is_behind_head(current):
        raise NotReady(
            f"The database is at migration {current}; this code needs {head_revision()}."
        )
    # A revision this code does not know is newer: during a rolling upgrade the new release
    # has migrated (additively) and this one keeps serving until it is replaced.
    return Readiness(migration=current)
