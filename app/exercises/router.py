"""HTTP routes for the exercise catalog."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.accounts.deps import AdminUser
from app.catalog.cache import CachedCatalog
from app.db import WRITES, DbSession
from app.errors import problem_responses
from app.exercises import service
from app.exercises.models import (
    Category,
    ExerciseCreate,
    ExerciseDetail,
    ExercisePublic,
    ExerciseUpdate,
    Token,
)
from app.openapi_responses import CACHED_RESPONSES
from app.pagination import Page, PageCursor, PageLimit

router = APIRouter(prefix="/v1/exercises", tags=["exercises"])


@router.get(
    "",
    response_model=Page[ExercisePublic],
    operation_id="listExercises",
    responses={**CACHED_RESPONSES, **problem_responses(422)},
)
async def list_exercises(
    request: Request,
    cache: CachedCatalog,
    limit: PageLimit = 20,
    cursor: PageCursor = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Case-insensitive name or alias search.")
    ] = None,
    category: Category | None = None,
    muscle: Annotated[Token | None, Query(description="A muscle such as `lats`.")] = None,
    equipment: Annotated[Token | None, Query(description="Equipment such as `barbell`.")] = None,
    featured: Annotated[
        bool | None, Query(description="Only the nine featured back exercises.")
    ] = None,
) -> Response:
    """List exercises, filtered and paginated, ordered by slug."""
    return await cache.response(
        request,
        lambda session: service.list_exercises(
            session,
            limit=limit,
            cursor=cursor,
            q=q,
            category=category,
            muscle=muscle,
            equipment=equipment,
            featured=featured,
        ),
    )


@router.get(
    "/{slug}",
    response_model=ExerciseDetail,
    operation_id="getExercise",
    responses={**CACHED_RESPONSES, **problem_responses(404, 422)},
)
async def get_exercise(request: Request, cache: CachedCatalog, slug: str) -> Response:
    """One exercise, with the slugs of the classes that use it."""
    return await cache.response(request, lambda session: service.get_exercise(session, slug=slug))


@router.post(
    "",
    status_code=201,
    response_model=ExerciseDetail,
    operation_id="createExercise",
    responses=problem_responses(401, 403, 409, 413, 422),
    dependencies=[WRITES],
)
async def create_exercise(
    session: DbSession, cache: CachedCatalog, _admin: AdminUser, body: ExerciseCreate
) -> ExerciseDetail:
    """Add an exercise to the catalog (admins only)."""
    created = await service.create_exercise(session, draft=body)
    cache.expire()
    return created


@router.patch(
    "/{slug}",
    response_model=ExerciseDetail,
    operation_id="updateExercise",
    responses=problem_responses(401, 403, 404, 413, 422),
    dependencies=[WRITES],
)
async def update_exercise(
    session: DbSession, cache: CachedCatalog, _admin: AdminUser, slug: str, body: ExerciseUpdate
) -> ExerciseDetail:
    """Change some fields of an exercise (admins only)."""
    updated = await service.update_exercise(session, slug=slug, changes=body)
    cache.expire()
    return updated


@router.delete(
    "/{slug}",
    status_code=204,
    response_class=Response,
    operation_id="deleteExercise",
    responses=problem_responses(401, 403, 404, 409, 422),
    dependencies=[WRITES],
)
async def delete_exercise(
    session: DbSession, cache: CachedCatalog, _admin: AdminUser, slug: str
) -> None:
    """Remove an exercise no class uses (admins only); one in use is a 409."""
    await service.delete_exercise(session, slug=slug)
    cache.expire()
