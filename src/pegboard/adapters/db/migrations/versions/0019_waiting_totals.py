"""waiting totals: each item's backordered units, kept on its row like on hand and allocated

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("waiting", sa.BigInteger(), nullable=False, server_default="0"))
    # One grouped pass over the lines (no index leads with item_id: a sum per item would scan
    # them all once per item).
    op.execute(
        "UPDATE items SET waiting = w.units FROM ("
        "SELECT item_id, SUM(quantity - allocated - shipped - cancelled) AS units FROM order_lines "
        "WHERE kind = 'stock' GROUP BY item_id) AS w WHERE items.id = w.item_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("waiting")
