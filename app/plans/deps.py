"""The plan a route works on, checked to belong to the signed-in user."""

from typing import Annotated

from fastapi import Depends
from sqlmodel import select

from app.accounts.deps import CurrentUser
from app.api_types import ResourceId
from app.db import DbSession
from app.errors import NotFound
from app.plans.models import Plan


async def owned_plan(plan_id: ResourceId, user: CurrentUser, session: DbSession) -> Plan:
    """The plan ``plan_id`` when the caller owns it; 404 otherwise, never revealing it exists."""
    plan = (
        await session.exec(select(Plan).where(Plan.id == plan_id, Plan.user_id == user.id))
    ).first()
    if plan is None:
        raise NotFound("plan", plan_id)
    return plan


OwnedPlan = Annotated[Plan, Depends(owned_plan)]
