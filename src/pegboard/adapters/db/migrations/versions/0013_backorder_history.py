"""backorder history: the day each order line first went on backorder, and the day it last left

Two nullable date columns on `order_lines`, for the KPIs (backorder rate at order time, days on
backorder, the trend of open backorders). `backordered_on` is cleared when a line is allocated;
these two stay. Indexes let the KPIs read one period of a long history: shipments by day, orders
by time placed, lines by the days their backorder opened and ended. Lines waiting now are
backfilled from `backordered_on`; a line that waited and was served before this migration has
no history (it counts in no backorder figure).

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # add_column, not a batch: other tables reference order_lines, SQLite must not recreate it.
    op.add_column("order_lines", sa.Column("first_backordered_on", sa.Date(), nullable=True))
    op.add_column("order_lines", sa.Column("backorder_ended_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE order_lines SET first_backordered_on = backordered_on WHERE backordered_on IS NOT NULL"
    )
    op.create_index("ix_shipments_shipped_on", "shipments", ["shipped_on"])
    op.create_index("ix_sales_orders_ordered_at", "sales_orders", ["ordered_at"])
    for column in ("first_backordered_on", "backorder_ended_on"):
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            f"ix_order_lines_{column}",
            "order_lines",
            [column],
            postgresql_where=where,
            sqlite_where=where,
        )


def downgrade() -> None:
    for name, table in (
        ("ix_order_lines_backorder_ended_on", "order_lines"),
        ("ix_order_lines_first_backordered_on", "order_lines"),
        ("ix_sales_orders_ordered_at", "sales_orders"),
        ("ix_shipments_shipped_on", "shipments"),
    ):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("backorder_ended_on")
        batch_op.drop_column("first_backordered_on")
