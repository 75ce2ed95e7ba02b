"""Sign-in sessions, refresh and password-reset tokens, the atomic sign-in throttle, the
database's random signing key, and ids SQLite never reuses.

Revision ID: 0006a
Revises: 0006f
Create Date: 2026-12-01 19:30:00+00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006a"
down_revision: str | None = "0006f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Ids that name rows in URLs and tokens; SQLite hands a deleted row's id to the next row
# unless the table is AUTOINCREMENT (PostgreSQL's sequences never go back).
NEVER_REUSED_IDS = ("user", "workout", "plan", "planned_session")


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _owned_by_user(table: str) -> sa.Column[object]:
    return sa.Column(
        "user_id",
        sa.Integer(),
        sa.ForeignKey("user.id", name=op.f(f"fk_{table}_user_id_user"), ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in NEVER_REUSED_IDS:
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
            ):
                pass

    op.create_table(
        "sign_in",
        sa.Column("id", sa.Integer(), nullable=False),
        _owned_by_user("sign_in"),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        _timestamp("created_at"),
        _timestamp("last_used_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_sign_in_user_id"), "sign_in", ["user_id"])
    op.create_table(
        "refresh_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "sign_in_id",
            sa.Integer(),
            sa.ForeignKey(
                "sign_in.id", name=op.f("fk_refresh_token_sign_in_id_sign_in"), ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _timestamp("expires_at"),
        _timestamp("retired_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_token_token_hash")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_refresh_token_sign_in_id"), "refresh_token", ["sign_in_id"])
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        _owned_by_user("password_reset"),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _timestamp("expires_at"),
        _timestamp("used_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_password_reset_user_id"), "password_reset", ["user_id"])
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        _timestamp("window_started_at"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttle")),
    )
    op.create_index(
        op.f("ix_sign_in_throttle_window_started_at"), "sign_in_throttle", ["window_started_at"]
    )
    signing_key = op.create_table(
        "signing_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_key")),
    )
    # Made here, once per database: every worker and replica finds the same random key.
    op.bulk_insert(signing_key, [{"id": 1, "key": secrets.token_urlsafe(48)}])

    op.drop_index(op.f("ix_login_failure_failed_at"), table_name="login_failure")
    op.drop_index(op.f("ix_login_failure_email_failed_at"), table_name="login_failure")
    op.drop_index(op.f("ix_login_failure_client_address_failed_at"), table_name="login_failure")
    op.drop_table("login_failure")


def downgrade() -> None:
    # AUTOINCREMENT stays: it only stops id reuse, which no older revision relies on.
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        _timestamp("failed_at"),
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
    op.drop_table("signing_key")
    op.drop_index(op.f("ix_sign_in_throttle_window_started_at"), table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
    op.drop_index(op.f("ix_password_reset_user_id"), table_name="password_reset")
    op.drop_table("password_reset")
    op.drop_index(op.f("ix_refresh_token_sign_in_id"), table_name="refresh_token")
    op.drop_table("refresh_token")
    op.drop_index(op.f("ix_sign_in_user_id"), table_name="sign_in")
    op.drop_table("sign_in")
