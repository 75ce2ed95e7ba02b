"""Reading the change log: every entity changed since a cursor, as it is now, in order."""

from datetime import UTC, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User, UserPublic
from app.db import utc_now
from app.errors import AppError
from app.pagination import decode_cursor, encode_cursor
from app.plans.models import Plan, PlanPublic
from app.plans.service import plans_public
from app.sync.models import TOMBSTONE_RETENTION, Change, ChangesPage, SyncChange
from app.workouts.history import workouts_public
from app.workouts.models import WorkoutPublic


class ResyncNeeded(AppError):
    """The cursor predates the deletions still remembered: start again without one."""

    status = 410  # type: ignore[assignment]
    problem = "resync"


def _cursor(seq: int, now: datetime) -> str:
    return encode_cursor([seq, int(now.timestamp())])


def _since(cursor: str | None, now: datetime) -> int:
    """The change number a cursor was issued at; 410 when it is older than the tombstones."""
    if cursor is None:
        return 0
    seq, issued = decode_cursor(cursor, shape=(int, int))
    if now - datetime.fromtimestamp(int(issued), UTC) > TOMBSTONE_RETENTION:
        raise ResyncNeeded(
            f"The cursor is older than the {TOMBSTONE_RETENTION.days} days of deletions kept; "
            "resync: fetch everything again (GET /v1/me/changes without since) and sync from "
            "the new cursor."
        )
    return int(seq)


async def _current_data(
    session: AsyncSession, user: User, rows: list[SyncChange]
) -> dict[tuple[str, int], WorkoutPublic | PlanPublic | UserPublic]:
    """Each upserted entity as it is now, read in one query per kind."""
    wanted: dict[str, list[int]] = {}
    for row in rows:
        if row.op == "upsert":
            wanted.setdefault(row.entity, []).append(row.entity_id)
    found: dict[tuple[str, int], WorkoutPublic | PlanPublic | UserPublic] = {}
    assert user.id is not None
    if user.id in wanted.get("profile", []):
        found["profile", user.id] = UserPublic.model_validate(user)
    if workout_ids := wanted.get("workout"):
        for public in await workouts_public(session, user_id=user.id, workout_ids=workout_ids):
            found["workout", public.id] = public
    if plan_ids := wanted.get("plan"):
        plans = await session.exec(
            select(Plan).where(col(Plan.id).in_(plan_ids), Plan.user_id == user.id)
        )
        for plan in await plans_public(session, list(plans)):
            found["plan", plan.id] = plan
    return found


async def changes_since(
    session: AsyncSession, *, user: User, cursor: str | None, limit: int
) -> ChangesPage:
    """What changed for ``user`` after ``cursor`` (everything, without one), oldest first."""
    now = utc_now()
    since = _since(cursor, now)
    rows = list(
        await session.exec(
            select(SyncChange)
            .where(SyncChange.user_id == user.id, col(SyncChange.seq) > since)
            .order_by(col(SyncChange.seq))
            .limit(limit + 1)
        )
    )
    page = rows[:limit]
    current = await _current_data(session, user, page)
    changes = []
    for row in page:
        data = current.get((row.entity, row.entity_id)) if row.op == "upsert" else None
        # Gone without a tombstone (removed with its parent): say so, rather than send nothing.
        op = "upsert" if data is not None else "delete"
        changes.append(Change(entity=row.entity, id=row.entity_id, op=op, data=data))  # type: ignore[arg-type]
    last_seq = page[-1].seq if page else since
    return ChangesPage(
        changes=changes, next_cursor=_cursor(last_seq, now), has_more=len(rows) > limit
    )
