"""What plan routes work on: the caller's own plan, and the classes plans choose from."""

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import select
from starlette.datastructures import State

from app.accounts.deps import CurrentUser
from app.api_types import ResourceId
from app.catalog.cache import CachedCatalog
from app.classes.models import WorkoutClass
from app.db import DbSession
from app.errors import NotFound
from app.exercises.models import Exercise
from app.plans.models import Plan
from app.plans.service import Catalog


async def owned_plan(plan_id: ResourceId, user: CurrentUser, session: DbSession) -> Plan:
    """The plan ``plan_id`` when the caller owns it; 404 otherwise, never revealing it exists."""
    plan = (
        await session.exec(select(Plan).where(Plan.id == plan_id, Plan.user_id == user.id))
    ).first()
    if plan is None:
        raise NotFound("plan", plan_id)
    return plan


OwnedPlan = Annotated[Plan, Depends(owned_plan)]


async def plan_catalog(request: Request, session: DbSession, cache: CachedCatalog) -> Catalog:
    """The classes and exercises plans choose from, built once per catalog version (read on a
    miss with the request's own session: a second one could wait forever for a pooled
    connection)."""
    classes, exercises = await cache.classes(session), await cache.exercises(session)
    return catalog_of(request.app.state, classes, exercises)


def catalog_of(
    state: State, classes: tuple[WorkoutClass, ...], exercises: tuple[Exercise, ...]
) -> Catalog:
    """The plans' catalog of these rows, built once for them and kept in the app's state."""
    built: tuple[object, object, Catalog] | None = getattr(state, "plan_catalog", None)
    if built is None or built[0] is not classes or built[1] is not exercises:
        built = (classes, exercises, Catalog(classes, exercises))  # the cache reread the catalog
        state.plan_catalog = built
    return built[2]


PlanCatalog = Annotated[Catalog, Depends(plan_catalog)]
