"""HTTP routes for the exercise catalog."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.db import DbSession
from app.errors import problem_responses
from app.etag import tagged_model_response
from app.exercises import service
from app.exercises.models import Category, ExerciseDetail, ExercisePublic, Token
from app.pagination import Page, PageCursor, PageLimit

router = APIRouter(prefix="/v1/exercises", tags=["exercises"])


@router.get(
    "",
    response_model=Page[ExercisePublic],
    operation_id="listExercises",
    responses=problem_responses(422),
)
async def list_exercises(
    request: Request,
    session: DbSession,
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
    page = await service.list_exercises(
        session,
        limit=limit,
        cursor=cursor,
        q=q,
        category=category,
        muscle=muscle,
        equipment=equipment,
        featured=featured,
    )
    return tagged_model_response(request, page)


@router.get(
    "/{slug}",
    response_model=ExerciseDetail,
    operation_id="getExercise",
    responses=problem_responses(404, 422),
)
async def get_exercise(request: Request, session: DbSession, slug: str) -> Response:
    """One exercise, with the slugs of the classes that use it."""
    return tagged_model_response(request, await service.get_exercise(session, slug=slug))
