"""Local time: the profile's time zone; each workout's sent offset and local date.

Workouts logged before this revision were stored in UTC with no offset kept, so they
get offset zero and their UTC date as the local date (as every user's zone was UTC).
Stored idempotent responses gain the same ``local_date``, so a retry still replays them.

Revision ID: 0006c
Revises: 0005
Create Date: 2026-12-01 19:40:00+00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006c"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as user:
        user.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC")
        )
    with op.batch_alter_table("workout") as workout:
        workout.add_column(
            sa.Column("utc_offset_minutes", sa.Integer(), nullable=False, server_default="0")
        )
        workout.add_column(sa.Column("local_date", sa.Date(), nullable=True))
    # SQLite keeps the UTC timestamp as text: its first ten characters are the UTC date
    # (date() would round 23:59:59.9996 up into the next day).
    utc_date = (
        "substr(completed_at, 1, 10)"
        if op.get_bind().dialect.name == "sqlite"
        else "CAST(completed_at AT TIME ZONE 'UTC' AS DATE)"
    )
    op.execute(f"UPDATE workout SET local_date = {utc_date}")
    with op.batch_alter_table("workout") as workout:
        workout.alter_column("local_date", existing_type=sa.Date(), nullable=False)
        workout.create_index(op.f("ix_workout_user_id_local_date"), ["user_id", "local_date"])
    _add_local_date_to_stored_responses()


def _add_local_date_to_stored_responses() -> None:
    records = sa.table(
        "idempotency_record", sa.column("user_id"), sa.column("key"), sa.column("response_body")
    )
    bind = op.get_bind()
    stored = bind.execute(
        sa.select(records.c.user_id, records.c.key, records.c.response_body).where(
            records.c.response_body.is_not(None)
        )
    )
    for user_id, key, body in list(stored):
        response = json.loads(body)
        # Those responses wrote completed_at in UTC: its first ten characters are the date.
        response.setdefault("local_date", response["completed_at"][:10])
        bind.execute(
            records.update()
            .where(records.c.user_id == user_id, records.c.key == key)
            .values(response_body=json.dumps(response))
        )


def downgrade() -> None:
    with op.batch_alter_table("workout") as workout:
        workout.drop_index(op.f("ix_workout_user_id_local_date"))
        workout.drop_column("local_date")
        workout.drop_column("utc_offset_minutes")
    with op.batch_alter_table("user") as user:
        user.drop_column("time_zone")
