"""stock totals: each item's on hand and allocated, kept on its row

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("on_hand", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("allocated", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE items SET "
        "on_hand = COALESCE((SELECT SUM(quantity) FROM stock_moves WHERE item_id = items.id), 0), "
        "allocated = COALESCE((SELECT SUM(allocated) FROM order_lines WHERE item_id = items.id), 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("allocated")
        batch.drop_column("on_hand")
