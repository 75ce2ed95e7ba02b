"""Exercise catalog and guided classes (blocks of steps).

Revision ID: 0001
Revises:
Create Date: 2026-11-24 04:26:08.507161+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exercise",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("muscles", sa.JSON(), nullable=False),
        sa.Column("equipment", sa.JSON(), nullable=False),
        sa.Column("measure", sa.String(length=8), nullable=False),
        sa.Column("featured", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise")),
        sa.UniqueConstraint("slug", name=op.f("uq_exercise_slug")),
    )
    op.create_table(
        "workout_class",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("difficulty", sa.String(length=16), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("equipment", sa.JSON(), nullable=False),
        sa.Column("focus", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workout_class")),
        sa.UniqueConstraint("slug", name=op.f("uq_workout_class_slug")),
    )
    op.create_table(
        "class_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["workout_class.id"],
            name=op.f("fk_class_block_class_id_workout_class"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_block")),
        sa.UniqueConstraint("class_id", "position", name=op.f("uq_class_block_class_id_position")),
    )
    op.create_table(
        "class_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("block_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=True),
        sa.Column("sets", sa.Integer(), nullable=True),
        sa.Column("rest_seconds", sa.Integer(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["block_id"],
            ["class_block.id"],
            name=op.f("fk_class_step_block_id_class_block"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercise.id"],
            name=op.f("fk_class_step_exercise_id_exercise"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_step")),
        sa.UniqueConstraint("block_id", "position", name=op.f("uq_class_step_block_id_position")),
    )
    op.create_index(op.f("ix_class_step_exercise_id"), "class_step", ["exercise_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_class_step_exercise_id"), table_name="class_step")

    op.drop_table("class_step")
    op.drop_table("class_block")
    op.drop_table("workout_class")
    op.drop_table("exercise")
