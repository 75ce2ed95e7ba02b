"""What plan routes work on: the caller's own plan, and the classes plans choose from."""

from typing import Annotated

from fastapi import Depends
from sqlmodel import select

from app.accounts.deps import CurrentUser
from app.api_types import ResourceId
from app.catalog.cache import CachedCatalog
from app.db import DbSession
from app.errors import NotFound
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


async def plan_catalog(session: DbSession, cache: CachedCatalog) -> Catalog:
    """The classes plans choose from, from the process's catalog cache (read on a miss with
    the request's own session: a second one could wait forever for a pooled connection)."""
    return Catalog(await cache.classes(session))


PlanCatalog = Annotated[Catalog, Depends(plan_catalog)]
