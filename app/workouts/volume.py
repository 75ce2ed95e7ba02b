"""Weekly training volume: hard sets per muscle, counted in SQL over the logged sets.

A hard set is a set of a strength exercise taken close to failure: its RPE (or, when the set
has none, the workout's) is at least ``HARD_SET_RPE``. Each set counts once for every muscle its
exercise works. Sets with no RPE at all are not counted: nothing says how hard they were.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy import BindParameter, Dialect, TextualSelect

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


def hard_sets_per_week(
    dialect: Dialect, *, user_id: BindParameter[int], since: BindParameter[date]
) -> TextualSelect:
    """Rows (week's Monday, muscle, hard sets) for each local week from the day ``since`` on."""
    week = week_start_of(sa.literal_column("w.local_date")).compile(dialect=dialect)
    return (
        sa.text(
            f"SELECT {week} AS week, m.value AS muscle, count(*) AS sets"
            f" {_SETS_FROM[dialect.name]} GROUP BY 1, 2"
        )
        .bindparams(user_id, since, sa.bindparam("hard_rpe", HARD_SET_RPE))
        .columns(sa.column("week", sa.Date), sa.column("muscle"), sa.column("sets", sa.Integer))
    )
