"""Strength sessions in plans; steps done with other kit than their exercise's.

Revision ID: 0006e
Revises: 0006c
Create Date: 2026-12-01 19:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006e"
down_revision: str | None = "0006c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("planned_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("strength", sa.JSON(), nullable=True))
        batch_op.alter_column("class_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("class_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("equipment", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("class_step", schema=None) as batch_op:
        batch_op.drop_column("equipment")
    # Strength sessions have no class to fall back on: they go with the downgrade.
    op.execute("DELETE FROM planned_session WHERE class_id IS NULL")
    with op.batch_alter_table("planned_session", schema=None) as batch_op:
        batch_op.alter_column("class_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("strength")
