"""API access: token last use, idempotency keys scoped per token

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Stored answers were kept by key alone, so another token sending the same key got the first
caller's answer. They are now kept by (token name, key). Answers stored before this revision
name no token and can be replayed to none: they are dropped (they are kept 30 days at most).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _idempotency_keys(*key: str) -> None:
    op.drop_table("idempotency_keys")
    columns = [sa.Column("token_name", sa.String(length=100), nullable=False)] if "token_name" in key else []
    op.create_table(
        "idempotency_keys",
        *columns,
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_idempotency_keys")),
    )


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))
    _idempotency_keys("token_name", "key")


def downgrade() -> None:
    _idempotency_keys("key")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("last_used_at")
