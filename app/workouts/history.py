"""Reading logged workouts back: the history page and one workout, from Core rows."""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlmodel import col, tuple_
from sqlmodel.ext.asyncio.session import AsyncSession

from app.classes.models import WorkoutClass
from app.errors import NotFound, Unprocessable
from app.local_time import with_offset
from app.pagination import Page, decode_cursor, encode_cursor
from app.workouts.models import Workout, WorkoutPublic
from app.workouts.service import advisories_for


def _workout_rows() -> sa.Select[Any]:
    """Every column a WorkoutPublic needs, and nothing the ORM would load into a Workout."""
    return sa.select(
        col(Workout.id),
        col(Workout.completed_at),
        col(Workout.utc_offset_minutes),
        col(Workout.local_date),
        col(Workout.duration_minutes),
        col(Workout.rpe),
        col(Workout.pain),
        col(Workout.notes),
        col(Workout.plan_session_id),
        col(Workout.exercises),
        col(Workout.created_at),
        col(WorkoutClass.slug).label("class_slug"),
    ).outerjoin(WorkoutClass, col(WorkoutClass.id) == col(Workout.class_id))


# A page is validated in one call, not one model_validate per row (a third of its CPU).
_WORKOUTS = TypeAdapter(list[WorkoutPublic])


def _public(rows: Sequence[sa.Row[Any]]) -> list[WorkoutPublic]:
    """Stored workouts as the API shows them."""
    return _WORKOUTS.validate_python(
        [
            {
                **row._mapping,
                "completed_at": with_offset(row.completed_at, row.utc_offset_minutes),
                "advisories": advisories_for(row.pain),
            }
            for row in rows
        ]
    )


async def _rows(
    session: AsyncSession, query: sa.Select[Any], values: dict[str, Any]
) -> Sequence[sa.Row[Any]]:
    connection = await session.connection()  # Core rows: no Workout entities to build
    rows: Sequence[sa.Row[Any]] = (await connection.execute(query, values)).all()
    return rows


Bound = Literal["day", "instant"] | None


def _bound(value: date | datetime | None) -> Bound:
    if isinstance(value, datetime):
        return "instant"
    return None if value is None else "day"


def _bind(name: str, column: Any) -> sa.BindParameter[Any]:
    return sa.bindparam(name, type_=column.type)


# One statement per shape of page (with a cursor or not, each bound a day or an instant or
# none), built once: a page only binds its values.
@cache
def _page_statement(after: bool, since: Bound, until: Bound) -> sa.Select[Any]:
    query = (
        _workout_rows()
        .where(col(Workout.user_id) == _bind("user_id", Workout.user_id))
        .order_by(col(Workout.completed_at).desc(), col(Workout.id).desc())
        .limit(sa.bindparam("limit", type_=sa.Integer()))
    )
    if after:
        query = query.where(
            tuple_(Workout.completed_at, Workout.id)
            < tuple_(_bind("after_at", Workout.completed_at), _bind("after_id", Workout.id))
        )
    if since == "instant":
        query = query.where(col(Workout.completed_at) >= _bind("since", Workout.completed_at))
    elif since == "day":
        query = query.where(col(Workout.local_date) >= _bind("since", Workout.local_date))
    if until == "instant":
        query = query.where(col(Workout.completed_at) < _bind("until", Workout.completed_at))
    elif until == "day":
        query = query.where(col(Workout.local_date) <= _bind("until", Workout.local_date))
    return query


async def list_workouts(
    session: AsyncSession,
    *,
    user_id: int,
    limit: int,
    cursor: str | None = None,
    completed_from: date | datetime | None = None,
    completed_to: date | datetime | None = None,
) -> Page[WorkoutPublic]:
    """The user's workouts, newest first, one keyset page at a time.

    A date bound is a whole local day, inclusive at both ends; a time bound is an instant,
    ``from`` inclusive and ``to`` exclusive.
    """
    values: dict[str, Any] = {
        "user_id": user_id,
        "limit": limit + 1,
        "since": completed_from,
        "until": completed_to,
    }
    if cursor is not None:
        completed_at, values["after_id"] = decode_cursor(cursor, shape=(str, int))
        try:
            values["after_at"] = datetime.fromisoformat(str(completed_at))
        except ValueError:
            raise Unprocessable(
                "The cursor is malformed: pass a next_cursor as received."
            ) from None
    query = _page_statement(cursor is not None, _bound(completed_from), _bound(completed_to))
    rows = await _rows(session, query, values)
    page = rows[:limit]
    next_cursor = (
        encode_cursor([page[-1].completed_at.astimezone(UTC).isoformat(), page[-1].id])
        if len(rows) > limit
        else None
    )
    return Page(items=_public(page), next_cursor=next_cursor)


_ONE_WORKOUT = _workout_rows().where(
    col(Workout.id) == _bind("workout_id", Workout.id),
    col(Workout.user_id) == _bind("user_id", Workout.user_id),
)


async def workouts_public(
    session: AsyncSession, *, user_id: int, workout_ids: list[int]
) -> list[WorkoutPublic]:
    """The user's workouts among ``workout_ids`` (anyone else's are left out), as the API
    shows them."""
    query = _workout_rows().where(col(Workout.id).in_(workout_ids), col(Workout.user_id) == user_id)
    return _public(await _rows(session, query, {}))


async def get_workout(session: AsyncSession, *, user_id: int, workout_id: int) -> WorkoutPublic:
    """One of the user's workouts; someone else's is NotFound, as if it did not exist."""
    rows = await _rows(session, _ONE_WORKOUT, {"workout_id": workout_id, "user_id": user_id})
    if not rows:
        raise NotFound("workout", workout_id)
    return _public(rows)[0]
