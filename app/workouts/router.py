"""HTTP routes for the signed-in user's logged workouts and stats."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from app.accounts.deps import CurrentUser
from app.api_types import DayOrInstant, ResourceId
from app.catalog.cache import CachedCatalog
from app.clock import Now
from app.db import ONE_STATEMENT_WRITES, WRITES, DbSession
from app.errors import problem_responses
from app.pagination import Page, PageCursor, PageLimit
from app.workouts import history, service, stats
from app.workouts.models import IdempotencyKey, Stats, WorkoutCreate, WorkoutPublic

router = APIRouter(prefix="/v1/me", tags=["workouts"])


@router.post(
    "/workouts",
    status_code=201,
    response_model=WorkoutPublic,
    operation_id="createWorkout",
    responses={
        201: {
            "links": {
                "GetWorkout": {
                    "operationId": "getWorkout",
                    "parameters": {"workout_id": "$response.body#/id"},
                },
                "DeleteWorkout": {
                    "operationId": "deleteWorkout",
                    "parameters": {"workout_id": "$response.body#/id"},
                },
            }
        },
        **problem_responses(401, 404, 409, 413, 422, 503),
    },
    dependencies=[ONE_STATEMENT_WRITES],
)
async def create_workout(
    session: DbSession,
    user: CurrentUser,
    now: Now,
    catalog: CachedCatalog,
    body: WorkoutCreate,
    idempotency_key: Annotated[
        IdempotencyKey | None,
        Header(
            description="Any unique string per workout (a UUID is ideal). Retrying with the "
            "same key and body replays the first response instead of logging twice."
        ),
    ] = None,
) -> Response:
    """Log a completed workout; pain of 5 or more adds see-physio and lighten-load advisories."""
    public = await service.log_workout(
        session,
        user=user,
        draft=body,
        idempotency_key=idempotency_key,
        now=now,
        catalog=catalog,
    )
    # Serialised here: built from validated parts (or a stored answer, validated as read),
    # FastAPI's validation of the returned value would only repeat it.
    return Response(public.model_dump_json(), status_code=201, media_type="application/json")


@router.get(
    "/workouts",
    response_model=Page[WorkoutPublic],
    operation_id="listWorkouts",
    responses=problem_responses(401, 422),
)
async def list_workouts(
    session: DbSession,
    user: CurrentUser,
    limit: PageLimit = 20,
    cursor: PageCursor = None,
    completed_from: Annotated[
        DayOrInstant | None,
        Query(
            alias="from",
            description="Only workouts from this local day on (a date), or completed at or "
            "after this time (RFC 3339).",
        ),
    ] = None,
    completed_to: Annotated[
        DayOrInstant | None,
        Query(
            alias="to",
            description="Only workouts up to this local day, inclusive (a date), or completed "
            "before this time (RFC 3339).",
        ),
    ] = None,
) -> Page[WorkoutPublic]:
    """The signed-in user's workouts, newest first."""
    assert user.id is not None
    return await history.list_workouts(
        session,
        user_id=user.id,
        limit=limit,
        cursor=cursor,
        completed_from=completed_from,
        completed_to=completed_to,
    )


@router.get(
    "/workouts/{workout_id}",
    response_model=WorkoutPublic,
    operation_id="getWorkout",
    responses=problem_responses(401, 404, 422),
)
async def get_workout(
    session: DbSession, user: CurrentUser, workout_id: ResourceId
) -> WorkoutPublic:
    """One of the signed-in user's workouts."""
    assert user.id is not None
    return await history.get_workout(session, user_id=user.id, workout_id=workout_id)


@router.delete(
    "/workouts/{workout_id}",
    status_code=204,
    response_class=Response,
    operation_id="deleteWorkout",
    responses=problem_responses(401, 404, 422),
    dependencies=[WRITES],
)
async def delete_workout(session: DbSession, user: CurrentUser, workout_id: ResourceId) -> None:
    """Delete one of the signed-in user's workouts."""
    assert user.id is not None
    await service.delete_workout(session, user_id=user.id, workout_id=workout_id)


@router.get(
    "/stats",
    response_model=Stats,
    operation_id="getStats",
    responses=problem_responses(401, 422),
)
async def read_stats(
    session: DbSession,
    user: CurrentUser,
    now: Now,
    weeks: Annotated[
        int, Query(ge=1, le=104, description="How many weeks back, this one included.")
    ] = 12,
) -> Stats:
    """Planned and completed sessions and minutes per week, adherence, streak and totals."""
    assert user.id is not None
    return await stats.weekly_stats(
        session, user_id=user.id, time_zone=user.time_zone, weeks=weeks, now=now
    )
