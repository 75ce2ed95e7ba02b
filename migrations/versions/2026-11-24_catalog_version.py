"""The catalog version row, raised by every catalog write so caches can tell.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 05:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    catalog_version = op.create_table(
        "catalog_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_version")),
    )
    op.bulk_insert(catalog_version, [{"id": 1, "version": 1}])


def downgrade() -> None:
    op.drop_table("catalog_version")
