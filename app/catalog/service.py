"""Reading and raising the catalog version; the class list plans choose from."""

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog.models import CATALOG_VERSION_ROW, CatalogVersion
from app.classes.models import WorkoutClass
from app.exercises.models import Exercise


async def catalog_version(session: AsyncSession) -> int:
    """The current catalog version."""
    return (
        await session.exec(
            select(CatalogVersion.version).where(CatalogVersion.id == CATALOG_VERSION_ROW)
        )
    ).one()


async def bump_catalog_version(session: AsyncSession) -> None:
    """Mark the catalog changed, in the writing transaction."""
    await session.exec(
        update(CatalogVersion)
        .where(col(CatalogVersion.id) == CATALOG_VERSION_ROW)
        .values(version=col(CatalogVersion.version) + 1)
    )


async def all_classes(session: AsyncSession) -> tuple[WorkoutClass, ...]:
    """Every class row, ordered by slug."""
    return tuple(await session.exec(select(WorkoutClass).order_by(col(WorkoutClass.slug))))


async def all_exercises(session: AsyncSession) -> tuple[Exercise, ...]:
    """Every exercise row, ordered by slug."""
    return tuple(await session.exec(select(Exercise).order_by(col(Exercise.slug))))
