"""Reading and raising the catalog version."""

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog.models import CATALOG_VERSION_ROW, CatalogVersion


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
