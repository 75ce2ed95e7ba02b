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

# Hard sets per week and exercise, from the logged exercises (workout.exercises). PostgreSQL
# guesses 100 rows for every set-returning function, so the sets are counted by a jsonpath
# (not unnested) and the user's workouts read first in a CTE of their own: unnested twice, its
# estimates made it scan the whole table in parallel and compile the query (JIT) every time.
_PER_EXERCISE = {
    "sqlite": """
        SELECT {week} AS week, json_extract(e.value, '$.exercise_slug') AS slug, count(*) AS sets
        FROM workout AS w
        JOIN json_each(w.exercises) AS e
        JOIN json_each(e.value, '$.sets') AS s
        WHERE w.user_id = :user_id AND w.local_date >= :since
          AND coalesce(json_extract(s.value, '$.rpe'), w.rpe) >= :hard_rpe
        GROUP BY 1, 2
    """,
    "postgresql": """
        WITH w AS MATERIALIZED (
            SELECT local_date, rpe, exercises FROM workout
            WHERE user_id = :user_id AND local_date >= :since
        )
        SELECT {week} AS week, e.value ->> 'exercise_slug' AS slug, sum(jsonb_array_length(
            jsonb_path_query_array(
                e.value::jsonb,
                '$.sets[*] ? (@.rpe >= $hard || !exists(@.rpe ? (@ != null)) && $rpe >= $hard)',
                jsonb_build_object('hard', CAST(:hard_rpe AS INTEGER), 'rpe', w.rpe)
            )
        )) AS sets
        FROM w
        CROSS JOIN LATERAL json_array_elements(w.exercises) AS e(value)
        GROUP BY 1, 2
    """,
}
# Each exercise's muscles, one row apiece.
_MUSCLES = {
    "sqlite": "JOIN json_each(x.muscles) AS m",
    "postgresql": "CROSS JOIN LATERAL json_array_elements_text(x.muscles) AS m(value)",
}


def hard_sets_per_week(
    dialect: Dialect, *, user_id: BindParameter[int], since: BindParameter[date]
) -> TextualSelect:
    """Rows (week's Monday, muscle, hard sets) for each local week from the day ``since`` on."""
    week = week_start_of(sa.literal_column("w.local_date")).compile(dialect=dialect)
    per_exercise = _PER_EXERCISE[dialect.name].format(week=week)
    return (
        sa.text(
            "SELECT per_exercise.week AS week, m.value AS muscle,"
            " CAST(sum(per_exercise.sets) AS INTEGER) AS sets"
            f" FROM ({per_exercise}) AS per_exercise"
            " JOIN exercise AS x ON x.slug = per_exercise.slug"
            f" {_MUSCLES[dialect.name]}"
            " WHERE x.category = 'strength' AND per_exercise.sets > 0 GROUP BY 1, 2"
        )
        .bindparams(user_id, since, sa.bindparam("hard_rpe", HARD_SET_RPE))
        .columns(sa.column("week", sa.Date), sa.column("muscle"), sa.column("sets", sa.Integer))
    )
