"""waiting lines by item, then opening day: one SKU's oldest waiting lines are read from the
front of the index (a top-50, not a sort of every line), and its orders counted from it alone

It replaces `ix_order_lines_waiting` (the same partial index on `item_id` alone), which every
query it served can use in the same way.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_WAITING = "quantity > allocated + shipped + cancelled"


def upgrade() -> None:
    op.create_index(
        "ix_order_lines_waiting_item_age",
        "order_lines",
        ["item_id", "backordered_on"],
        postgresql_include=["order_id", "kind"],
        postgresql_where=sa.text(_WAITING),
        sqlite_where=sa.text(_WAITING),
    )
    op.drop_index("ix_order_lines_waiting", table_name="order_lines")


def downgrade() -> None:
    op.create_index(
        "ix_order_lines_waiting",
        "order_lines",
        ["item_id"],
        postgresql_where=sa.text(_WAITING),
        sqlite_where=sa.text(_WAITING),
    )
    op.drop_index("ix_order_lines_waiting_item_age", table_name="order_lines")
