"""Figures for the soak test: latency percentiles per operation, and rows counted per key."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latency_figures(seconds: dict[str, list[float]]) -> dict[str, str]:
    """``operation: p50 / p99 / max ms (count)`` for each operation that ran."""
    return {
        f"{operation} ms p50/p99/max": " / ".join(
            f"{percentile(values, fraction) * 1000:.0f}" for fraction in (0.5, 0.99, 1.0)
        )
        + f"  (n={len(values)})"
        for operation, values in sorted(seconds.items())
    }


async def rows_by(database_url: str, sql: str, prefix: str) -> dict[str, int]:
    """``{key: count}`` from a two-column grouped query with a ``:prefix`` parameter."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text(sql), {"prefix": prefix})
            return {str(key): int(count) for key, count in result.all()}
    finally:
        await engine.dispose()


WORKOUTS_BY_NOTE = (
    'SELECT w.notes, count(*) FROM workout w JOIN "user" u ON u.id = w.user_id '
    "WHERE u.email LIKE :prefix GROUP BY w.notes"
)
PLANS_BY_EMAIL = (
    'SELECT u.email, count(*) FROM plan p JOIN "user" u ON u.id = p.user_id '
    "WHERE u.email LIKE :prefix GROUP BY u.email"
)


async def stored_writes(database_url: str, prefix: str) -> tuple[dict[str, int], dict[str, int]]:
    """Workouts per note and plans per email, for users whose email starts with ``prefix``."""
    workouts = await rows_by(database_url, WORKOUTS_BY_NOTE, f"{prefix}%")
    plans = await rows_by(database_url, PLANS_BY_EMAIL, f"{prefix}%")
    return workouts, plans
