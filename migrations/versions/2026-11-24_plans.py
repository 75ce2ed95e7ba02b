"""Weekly plans, planned sessions, workout links and calendar-feed tokens.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 04:39:26.345997+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("experience_level", sa.String(length=16), nullable=False),
        sa.Column("sessions_per_week", sa.Integer(), nullable=False),
        sa.Column("advisories", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_plan_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("user_id", "week_start", name=op.f("uq_plan_user_id_week_start")),
    )
    op.create_table(
        "planned_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("scheduled_date", sa.Date(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["workout_class.id"],
            name=op.f("fk_planned_session_class_id_workout_class"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_planned_session_plan_id_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_session")),
        sa.UniqueConstraint(
            "plan_id", "position", name=op.f("uq_planned_session_plan_id_position")
        ),
    )
    op.create_index(op.f("ix_planned_session_class_id"), "planned_session", ["class_id"])

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_user_calendar_token"), ["calendar_token"])

    with op.batch_alter_table("workout", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_session_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_workout_plan_session_id"), ["plan_session_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_workout_plan_session_id_planned_session"),
            "planned_session",
            ["plan_session_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("workout", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_workout_plan_session_id_planned_session"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_workout_plan_session_id"))
        batch_op.drop_column("plan_session_id")

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_calendar_token"), type_="unique")
        batch_op.drop_column("calendar_token")

    op.drop_index(op.f("ix_planned_session_class_id"), table_name="planned_session")
    op.drop_table("planned_session")
    op.drop_table("plan")
