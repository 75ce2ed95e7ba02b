"""HTTP routes for guided classes."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.accounts.deps import AdminUser
from app.catalog.cache import CachedCatalog
from app.classes import service
from app.classes.models import Difficulty, WorkoutClassPublic, WorkoutClassWrite
from app.db import WRITES, DbSession
from app.errors import problem_responses
from app.exercises.models import SLUG_PATTERN, Token
from app.field_errors import explained_pattern
from app.openapi_responses import CACHED_RESPONSES
from app.pagination import Page, PageCursor, PageLimit

router = APIRouter(prefix="/v1/classes", tags=["classes"])

TOKEN = SLUG_PATTERN.strip("^$")
EquipmentList = Annotated[
    str | None,
    Query(
        max_length=500,
        pattern=explained_pattern(
            f"^(?:{TOKEN}(?:,{TOKEN})*)?$", "Use comma-separated names, such as 'mat,dumbbells'."
        ),
        description="Comma-separated equipment you have, e.g. `mat,dumbbells`; only classes "
        "that need nothing else are listed. An empty value means no equipment.",
        examples=["mat"],
    ),
]


def _equipment_tokens(equipment: str | None) -> list[str] | None:
    return None if equipment is None else [token for token in equipment.split(",") if token]


@router.get(
    "",
    response_model=Page[WorkoutClassPublic],
    operation_id="listClasses",
    responses={**CACHED_RESPONSES, **problem_responses(422)},
)
async def list_classes(
    request: Request,
    cache: CachedCatalog,
    limit: PageLimit = 20,
    cursor: PageCursor = None,
    difficulty: Difficulty | None = None,
    max_minutes: Annotated[
        int | None, Query(ge=1, le=600, description="Longest class you have time for.")
    ] = None,
    equipment: EquipmentList = None,
    focus: Annotated[Token | None, Query(description="e.g. `mobility`, `pain-relief`.")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Title or summary search.")] = None,
) -> Response:
    """List classes with every block and step, filtered and paginated, ordered by slug."""
    return await cache.response(
        request,
        lambda session: service.list_classes(
            session,
            limit=limit,
            cursor=cursor,
            difficulty=difficulty,
            max_minutes=max_minutes,
            equipment=_equipment_tokens(equipment),
            focus=focus,
            q=q,
        ),
    )


@router.get(
    "/{slug}",
    response_model=WorkoutClassPublic,
    operation_id="getClass",
    responses={**CACHED_RESPONSES, **problem_responses(404, 422)},
)
async def get_class(request: Request, cache: CachedCatalog, slug: str) -> Response:
    """One class with its blocks and steps in order."""
    return await cache.response(request, lambda session: service.get_class(session, slug=slug))


@router.post(
    "",
    status_code=201,
    response_model=WorkoutClassPublic,
    operation_id="createClass",
    responses=problem_responses(401, 403, 409, 413, 422),
    dependencies=[WRITES],
)
async def create_class(
    session: DbSession, cache: CachedCatalog, _admin: AdminUser, body: WorkoutClassWrite
) -> WorkoutClassPublic:
    """Add a class with its blocks and steps (admins only)."""
    created = await service.create_class(session, draft=body)
    cache.expire()
    return created


@router.put(
    "/{slug}",
    response_model=WorkoutClassPublic,
    operation_id="replaceClass",
    responses=problem_responses(401, 403, 404, 413, 422),
    dependencies=[WRITES],
)
async def replace_class(
    session: DbSession,
    cache: CachedCatalog,
    _admin: AdminUser,
    slug: str,
    body: WorkoutClassWrite,
) -> WorkoutClassPublic:
    """Replace a class whole, blocks and steps included (admins only)."""
    replaced = await service.replace_class(session, slug=slug, draft=body)
    cache.expire()
    return replaced


@router.delete(
    "/{slug}",
    status_code=204,
    response_class=Response,
    operation_id="deleteClass",
    responses=problem_responses(401, 403, 404, 422),
    dependencies=[WRITES],
)
async def delete_class(
    session: DbSession, cache: CachedCatalog, _admin: AdminUser, slug: str
) -> None:
    """Remove a class and its blocks and steps (admins only)."""
    await service.delete_class(session, slug=slug)
    cache.expire()
