"""an index on order lines by item, with their order and quantity: one SKU's demand history (its
forecast on the item page) reads only that SKU's lines

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_order_lines_item_demand", "order_lines", ["item_id", "order_id", "quantity"])


def downgrade() -> None:
    op.drop_index("ix_order_lines_item_demand", table_name="order_lines")
