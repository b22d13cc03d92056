"""backorder history: the day each order line first went on backorder, and the day it last left

Nullable columns on `order_lines` for the KPIs: the days its backorder opened and ended (the
backorder rate at order time, days on backorder, the trend of open backorders), the days of its
first and last shipment and whether the first carried the whole line (fill rate, on time in full,
promise accuracy). `backordered_on` is cleared when a line is allocated; these stay. Lines waiting
now are backfilled from `backordered_on`, shipped lines from the shipments; a line that waited and
was served before this migration has no backorder history. Indexes let the KPIs read one period
of a long history: shipments and lines by day, orders by time placed.

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # add_column, not a batch: other tables reference order_lines, SQLite must not recreate it.
    op.add_column("order_lines", sa.Column("first_backordered_on", sa.Date(), nullable=True))
    op.add_column("order_lines", sa.Column("backorder_ended_on", sa.Date(), nullable=True))
    for column in ("first_shipped_on", "last_shipped_on"):
        op.add_column("order_lines", sa.Column(column, sa.Date(), nullable=True))
    op.add_column("order_lines", sa.Column("shipped_whole_at_once", sa.Boolean(), nullable=True))
    op.execute(
        "UPDATE order_lines SET first_backordered_on = backordered_on WHERE backordered_on IS NOT NULL"
    )
    # Lines shipped before this migration: their shipment days and whether the first was whole.
    op.execute(
        """
        UPDATE order_lines SET
            first_shipped_on = (SELECT MIN(sh.shipped_on) FROM shipments sh
                                JOIN shipment_lines sl ON sl.shipment_id = sh.id
                                WHERE sh.order_id = order_lines.order_id
                                  AND sl.line_no = order_lines.line_no),
            last_shipped_on = (SELECT MAX(sh.shipped_on) FROM shipments sh
                               JOIN shipment_lines sl ON sl.shipment_id = sh.id
                               WHERE sh.order_id = order_lines.order_id
                                 AND sl.line_no = order_lines.line_no),
            shipped_whole_at_once = ((SELECT COUNT(*) FROM shipments sh
                                      JOIN shipment_lines sl ON sl.shipment_id = sh.id
                                      WHERE sh.order_id = order_lines.order_id
                                        AND sl.line_no = order_lines.line_no) = 1
                                     AND shipped = quantity)
        WHERE shipped > 0
        """
    )
    op.create_index("ix_shipments_shipped_on", "shipments", ["shipped_on"])
    op.create_index("ix_sales_orders_ordered_at", "sales_orders", ["ordered_at"])
    for column in ("first_backordered_on", "backorder_ended_on", "first_shipped_on", "last_shipped_on"):
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
        ("ix_order_lines_last_shipped_on", "order_lines"),
        ("ix_order_lines_first_shipped_on", "order_lines"),
        ("ix_order_lines_backorder_ended_on", "order_lines"),
        ("ix_order_lines_first_backordered_on", "order_lines"),
        ("ix_sales_orders_ordered_at", "sales_orders"),
        ("ix_shipments_shipped_on", "shipments"),
    ):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("shipped_whole_at_once")
        batch_op.drop_column("last_shipped_on")
        batch_op.drop_column("first_shipped_on")
        batch_op.drop_column("backorder_ended_on")
        batch_op.drop_column("first_backordered_on")
