"""The catalog's version: raised by every catalog write, so caches everywhere can tell."""

from sqlmodel import Field, SQLModel

CATALOG_VERSION_ROW = 1


class CatalogVersion(SQLModel, table=True):
    __tablename__ = "catalog_version"

    id: int = Field(default=CATALOG_VERSION_ROW, primary_key=True)
    version: int = 1
