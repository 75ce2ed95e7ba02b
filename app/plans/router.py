"""HTTP routes for plan previews, the signed-in user's plans, replanning and calendars."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from app.accounts.deps import CurrentUser
from app.clock import Now
from app.db import ONE_STATEMENT_WRITES, WRITES, DbSession
from app.errors import NotFound, problem_responses
from app.etag import CACHE_CONTROL, client_has_current, entity_tag
from app.local_time import local_today
from app.pagination import Page, PageCursor, PageLimit
from app.plans import calendar, saving, scheduling, service
from app.plans.deps import OwnedPlan, PlanCatalog
from app.plans.models import (
    CalendarFeed,
    PlanCreate,
    PlanPreview,
    PlanPreviewRequest,
    PlanPublic,
    ReplanRequest,
    ReplanResult,
)

router = APIRouter(tags=["plans"])


ICS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "iCalendar"}
}


@router.post(
    "/v1/plans/preview",
    response_model=PlanPreview,
    operation_id="previewPlan",
    responses=problem_responses(413, 422),
)
async def preview_plan(catalog: PlanCatalog, now: Now, body: PlanPreviewRequest) -> Response:
    """Generate a week's plan for a profile without an account; nothing is stored."""
    preview = service.preview_json(request=body, catalog=catalog, now=now)
    return Response(preview, media_type="application/json")


@router.post(
    "/v1/me/plans",
    status_code=201,
    response_model=PlanPublic,
    operation_id="createPlan",
    responses={
        201: {
            "links": {
                name: {"operationId": operation, "parameters": {"plan_id": "$response.body#/id"}}
                for name, operation in [
                    ("GetPlan", "getPlan"),
                    ("GetPlanCalendar", "getPlanCalendar"),
                    ("ReplanPlan", "replanPlan"),
                ]
            }
        },
        **problem_responses(401, 409, 413, 422),
    },
    dependencies=[ONE_STATEMENT_WRITES],
)
async def create_plan(
    session: DbSession,
    user: CurrentUser,
    catalog: PlanCatalog,
    now: Now,
    body: PlanCreate,
    replace: Annotated[
        bool, Query(description="Generate again over an existing plan for that week.")
    ] = False,
) -> Response:
    """Generate and save your plan for a week from your profile and history."""
    plan = await saving.create_plan(
        session, user=user, request=body, replace=replace, catalog=catalog, now=now
    )
    # Serialised here, as the preview is: the plan was built from validated parts.
    return Response(
        plan.model_dump_json(by_alias=True), status_code=201, media_type="application/json"
    )


@router.get(
    "/v1/me/plans",
    response_model=Page[PlanPublic],
    operation_id="listPlans",
    responses=problem_responses(401, 422),
)
async def list_plans(
    session: DbSession, user: CurrentUser, limit: PageLimit = 20, cursor: PageCursor = None
) -> Page[PlanPublic]:
    """Your plans, newest week first."""
    assert user.id is not None
    return await service.list_plans(session, user_id=user.id, limit=limit, cursor=cursor)


@router.get(
    "/v1/me/plans/{plan_id}.ics",
    response_class=Response,
    operation_id="getPlanCalendar",
    responses={**ICS_RESPONSE, **problem_responses(401, 404, 422)},
)
async def plan_calendar(session: DbSession, plan: OwnedPlan) -> Response:
    """One plan as an iCalendar file: an event per session."""
    body = await calendar.plans_calendar(session, [plan], f"Backfit week of {plan.week_start}")
    return Response(body, media_type=calendar.CALENDAR_MEDIA_TYPE)


@router.get(
    "/v1/me/plans/{plan_id}",
    response_model=PlanPublic,
    operation_id="getPlan",
    responses=problem_responses(401, 404, 422),
)
async def get_plan(session: DbSession, plan: OwnedPlan) -> PlanPublic:
    """One of your plans."""
    return await service.plan_public(session, plan)


@router.post(
    "/v1/me/plans/{plan_id}/replan",
    response_model=ReplanResult,
    operation_id="replanPlan",
    responses=problem_responses(401, 404, 413, 422),
    dependencies=[WRITES],
)
async def replan(
    session: DbSession,
    user: CurrentUser,
    plan: OwnedPlan,
    catalog: PlanCatalog,
    now: Now,
    body: ReplanRequest | None = None,
) -> ReplanResult:
    """Mark past planned sessions missed and move the rest onto safe days still ahead."""
    today = body.today if body else None
    return await scheduling.replan(
        session, user=user, plan=plan, today=today, catalog=catalog, now=now
    )


def _feed_url(request: Request, token: str) -> str:
    return str(request.url_for("calendar_feed", token=token))


@router.get(
    "/v1/me/calendar",
    response_model=CalendarFeed,
    operation_id="getCalendarFeedUrl",
    responses=problem_responses(401),
    dependencies=[WRITES],
)
async def calendar_url(request: Request, session: DbSession, user: CurrentUser) -> CalendarFeed:
    """Your secret calendar-feed URL, for calendar apps that subscribe by URL."""
    token = await calendar.calendar_token(session, user=user, rotate=False)
    return CalendarFeed(url=_feed_url(request, token))


@router.post(
    "/v1/me/calendar/rotate",
    response_model=CalendarFeed,
    operation_id="rotateCalendarFeedUrl",
    responses=problem_responses(401),
    dependencies=[WRITES],
)
async def rotate_calendar_url(
    request: Request, session: DbSession, user: CurrentUser
) -> CalendarFeed:
    """Replace your calendar-feed URL; the old one stops working at once."""
    token = await calendar.calendar_token(session, user=user, rotate=True)
    return CalendarFeed(url=_feed_url(request, token))


@router.get(
    "/v1/calendar/{token}.ics",
    response_class=Response,
    operation_id="getCalendarFeed",
    responses={**ICS_RESPONSE, 304: {"description": "Not Modified"}, **problem_responses(404, 422)},
)
async def calendar_feed(request: Request, session: DbSession, now: Now, token: str) -> Response:
    """The plans of the last 12 weeks and the next 8 of the URL's owner (no auth header: the
    URL is the secret); answers If-None-Match with 304."""
    user = await calendar.user_by_calendar_token(session, token=token)
    if user is None or user.id is None:
        raise NotFound("calendar feed", "given", key_name="token")
    plans = await calendar.feed_plans(
        session, user_id=user.id, today=local_today(now, user.time_zone)
    )
    body = await calendar.plans_calendar(session, plans, "Backfit back sessions")
    # Revalidated by entity tag only: a session's status can change without its plan's stamp.
    headers = {"ETag": entity_tag(body), "Cache-Control": CACHE_CONTROL}
    if modified := calendar.last_modified(plans):
        headers["Last-Modified"] = modified
    if client_has_current(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=calendar.CALENDAR_MEDIA_TYPE, headers=headers)
