"""Failed sign-ins, counted to throttle password guessing.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 04:44:48.163609+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index(
        op.f("ix_login_failure_client_address_failed_at"),
        "login_failure",
        ["client_address", "failed_at"],
    )
    op.create_index(
        op.f("ix_login_failure_email_failed_at"), "login_failure", ["email", "failed_at"]
    )
    op.create_index(op.f("ix_login_failure_failed_at"), "login_failure", ["failed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_login_failure_failed_at"), table_name="login_failure")
    op.drop_index(op.f("ix_login_failure_email_failed_at"), table_name="login_failure")
    op.drop_index(op.f("ix_login_failure_client_address_failed_at"), table_name="login_failure")
    op.drop_table("login_failure")
