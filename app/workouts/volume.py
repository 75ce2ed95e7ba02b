"""Weekly training volume: hard sets per muscle, counted in SQL over the logged sets.

A hard set is a set of a strength exercise taken close to failure: its RPE (or, when the set
has none, the workout's) is at least ``HARD_SET_RPE``. Each set counts once for every muscle its
exercise works. Sets with no RPE at all are not counted: nothing says how hard they were.
"""

from datetime import date

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from app.weeks import week_start_of

# RPE 7 leaves about three reps in reserve: the usual line for a set that drives growth.
HARD_SET_RPE = 7

# The logged exercises (workout.exercises) unnested to sets, joined to the exercise's muscles.
_SETS_FROM = {
    "sqlite": """
        FROM workout AS w
        JOIN json_each(w.exercises) AS e
        JOIN json_each(e.value, '$.sets') AS s
        JOIN exercise AS x ON x.slug = json_extract(e.value, '$.exercise_slug')
        JOIN json_each(x.muscles) AS m
        WHERE w.user_id = :user_id AND w.local_date >= :since AND x.category = 'strength'
          AND coalesce(json_extract(s.value, '$.rpe'), w.rpe) >= :hard_rpe
    """,
    "postgresql": """
        FROM workout AS w
        CROSS JOIN LATERAL json_array_elements(w.exercises) AS e(value)
        CROSS JOIN LATERAL json_array_elements(e.value -> 'sets') AS s(value)
        JOIN exercise AS x ON x.slug = e.value ->> 'exercise_slug'
        CROSS JOIN LATERAL json_array_elements_text(x.muscles) AS m(value)
        WHERE w.user_id = :user_id AND w.local_date >= :since AND x.category = 'strength'
          AND coalesce((s.value ->> 'rpe')::int, w.rpe) >= :hard_rpe
    """,
}


async def hard_sets_per_week(
    session: AsyncSession, *, user_id: int, since: date
) -> dict[date, dict[str, int]]:
    """Hard sets per muscle for each local week (by its Monday) from the day ``since`` on."""
    connection = await session.connection()  # a text query, on the request's connection
    dialect = connection.dialect
    week = week_start_of(sa.literal_column("w.local_date")).compile(dialect=dialect)
    statement = sa.text(
        f"SELECT {week} AS week, m.value AS muscle, count(*) AS sets"
        f" {_SETS_FROM[dialect.name]} GROUP BY 1, 2 ORDER BY 1, 2"
    ).bindparams(
        sa.bindparam("user_id", user_id),
        sa.bindparam("since", since, type_=sa.Date()),
        sa.bindparam("hard_rpe", HARD_SET_RPE),
    )
    volume: dict[date, dict[str, int]] = {}
    for monday, muscle, sets in (await connection.execute(statement)).all():
        volume.setdefault(_as_date(monday), {})[muscle] = sets
    return volume


def _as_date(value: date | str) -> date:
    """A week-start value as a date (SQLite hands back text, PostgreSQL a date)."""
    return value if isinstance(value, date) else date.fromisoformat(value)
