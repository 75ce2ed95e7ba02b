"""GET /v1/me/changes: what an offline client must apply to catch up."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.deps import CurrentUser
from app.db import SNAPSHOT, DbSession
from app.errors import problem_responses
from app.pagination import MAX_PAGE_SIZE
from app.sync import service
from app.sync.models import ChangesPage

router = APIRouter(prefix="/v1/me", tags=["sync"])


@router.get(
    "/changes",
    response_model=ChangesPage,
    # The page's changes and the rows they carry are read from one snapshot.
    dependencies=[SNAPSHOT],
    operation_id="listChanges",
    responses=problem_responses(401, 410, 422),
)
async def list_changes(
    session: DbSession,
    user: CurrentUser,
    since: Annotated[
        str | None,
        Query(
            max_length=512,
            description="The next_cursor of your last sync; omit it to get everything.",
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Changes per page (1 to 100).")
    ] = MAX_PAGE_SIZE,
) -> ChangesPage:
    """Everything of yours created, changed or deleted since the cursor, oldest first.

    Each entity (your profile, a workout, a plan with its sessions) appears once, as it is
    now, or as a delete. Apply the changes in order, keep next_cursor, and ask again while
    has_more is true. A cursor older than the 30 days of deletions kept answers 410: resync.
    """
    return await service.changes_since(session, user=user, cursor=since, limit=limit)
