"""GET /v1/equipment and GET /v1/muscles: the names writes accept, cached with an ETag.

The lists are data in the code, so each page is rendered once per process and answered
from its bytes; ``If-None-Match`` with the current tag gets a 304, as catalog reads do.
"""

from functools import lru_cache

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.catalog.cache import JSON_MEDIA_TYPE
from app.errors import problem_responses
from app.etag import CACHE_CONTROL, client_has_current, entity_tag
from app.openapi_responses import CACHED_RESPONSES
from app.pagination import Page, PageCursor, PageLimit, decode_cursor, encode_cursor
from app.vocabulary import EQUIPMENT, MUSCLES

router = APIRouter(tags=["vocabularies"])


class VocabularyName(BaseModel):
    """One name that profile and catalog writes accept."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "mat"}]})

    name: str = Field(description="Write it exactly like this.")


@lru_cache(maxsize=256)
def _rendered(names: tuple[str, ...], limit: int, cursor: str | None) -> tuple[bytes, str]:
    after = str(decode_cursor(cursor, shape=(str,))[0]) if cursor is not None else ""
    remaining = [name for name in sorted(names) if name > after]
    page = remaining[:limit]
    body = Page[VocabularyName](
        items=[VocabularyName(name=name) for name in page],
        next_cursor=encode_cursor([page[-1]]) if len(remaining) > limit else None,
    )
    rendered = body.model_dump_json().encode()
    return rendered, entity_tag(rendered)


def _vocabulary_page(
    request: Request, names: tuple[str, ...], limit: int, cursor: str | None
) -> Response:
    body, etag = _rendered(names, limit, cursor)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if client_has_current(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=JSON_MEDIA_TYPE, headers=headers)


@router.get(
    "/v1/equipment",
    response_model=Page[VocabularyName],
    operation_id="listEquipment",
    responses={**CACHED_RESPONSES, **problem_responses(422)},
)
async def list_equipment(
    request: Request, limit: PageLimit = 20, cursor: PageCursor = None
) -> Response:
    """The equipment names that profiles, classes and exercises may list, in order."""
    return _vocabulary_page(request, EQUIPMENT, limit, cursor)


@router.get(
    "/v1/muscles",
    response_model=Page[VocabularyName],
    operation_id="listMuscles",
    responses={**CACHED_RESPONSES, **problem_responses(422)},
)
async def list_muscles(
    request: Request, limit: PageLimit = 20, cursor: PageCursor = None
) -> Response:
    """The muscle names that exercises may list, in order."""
    return _vocabulary_page(request, MUSCLES, limit, cursor)
