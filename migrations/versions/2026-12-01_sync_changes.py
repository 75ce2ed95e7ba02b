"""The change log offline clients sync from, filled with what users already have.

Revision ID: 0006f
Revises: 0006e
Create Date: 2026-12-01 19:40:00+00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006f"
down_revision: str | None = "0006e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every profile, plan and workout that exists becomes one upsert, numbered per user.
BACKFILL_CHANGES = """
INSERT INTO sync_change (user_id, seq, entity, entity_id, op, changed_at)
SELECT user_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY kind, entity_id),
       entity, entity_id, 'upsert', :now
FROM (
    SELECT id AS user_id, 0 AS kind, 'profile' AS entity, id AS entity_id FROM "user"
    UNION ALL SELECT user_id, 1, 'plan', id FROM plan
    UNION ALL SELECT user_id, 2, 'workout', id FROM workout
) AS existing
"""
BACKFILL_COUNTERS = """
INSERT INTO sync_counter (user_id, last_seq)
SELECT user_id, MAX(seq) FROM sync_change GROUP BY user_id
"""


def upgrade() -> None:
    op.create_table(
        "sync_counter",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_sync_counter_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_sync_counter")),
    )
    op.create_table(
        "sync_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_sync_change_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_change")),
        sa.UniqueConstraint(
            "user_id", "entity", "entity_id", name=op.f("uq_sync_change_user_id_entity_entity_id")
        ),
    )
    op.create_index(
        op.f("ix_sync_change_user_id_seq"), "sync_change", ["user_id", "seq"], unique=False
    )
    now = sa.bindparam("now", type_=sa.DateTime(timezone=True))
    op.get_bind().execute(sa.text(BACKFILL_CHANGES).bindparams(now), {"now": datetime.now(UTC)})
    op.execute(BACKFILL_COUNTERS)


def downgrade() -> None:
    op.drop_index(op.f("ix_sync_change_user_id_seq"), table_name="sync_change")
    op.drop_table("sync_change")
    op.drop_table("sync_counter")
