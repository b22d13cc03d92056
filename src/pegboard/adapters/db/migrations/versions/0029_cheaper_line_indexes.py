"""fewer indexes on order lines, each read still served by one: every line an order places is
written into one index fewer (SQLite: about 2 WAL pages an order fewer)

- `ix_order_lines_item` (item id, order id, quantity, allocated) replaces both the item page's
  demand index `ix_order_lines_item_demand` (0023) and the partial `ix_order_lines_allocated`:
  one SKU's demand history still reads its lines' orders and quantities from the index alone,
  and the lines holding its stock (a count that takes stock back) are picked from the same part
  of the index by `allocated > 0` before any row is read.
- `ix_order_lines_waiting_age` (waiting lines by opening day, then id) now carries on PostgreSQL
  what `ix_order_lines_waiting_days` carried (0012), so Today's figures per opening day still come
  from the index alone; on SQLite the dropped index was a prefix of it (every index ends in the
  row id, which is the line's id).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

_WAITING = "quantity > allocated + shipped + cancelled"
_DAY_SUMS = ["quantity", "allocated", "shipped", "cancelled", "kind"]


def upgrade() -> None:
    op.create_index("ix_order_lines_item", "order_lines", ["item_id", "order_id", "quantity", "allocated"])
    op.drop_index("ix_order_lines_item_demand", table_name="order_lines")
    op.drop_index("ix_order_lines_allocated", table_name="order_lines")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_order_lines_waiting_age", table_name="order_lines")
        op.create_index(
            "ix_order_lines_waiting_age",
            "order_lines",
            ["backordered_on", "id"],
            postgresql_include=_DAY_SUMS,
            postgresql_where=sa.text(_WAITING),
        )
    op.drop_index("ix_order_lines_waiting_days", table_name="order_lines")


def downgrade() -> None:
    op.create_index(
        "ix_order_lines_waiting_days",
        "order_lines",
        ["backordered_on"],
        postgresql_include=_DAY_SUMS,
        postgresql_where=sa.text(_WAITING),
        sqlite_where=sa.text(_WAITING),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_order_lines_waiting_age", table_name="order_lines")
        op.create_index(
            "ix_order_lines_waiting_age",
            "order_lines",
            ["backordered_on", "id"],
            postgresql_where=sa.text(_WAITING),
        )
    op.create_index(
        "ix_order_lines_allocated",
        "order_lines",
        ["item_id", "allocated"],
        postgresql_where=sa.text("allocated > 0"),
        sqlite_where=sa.text("allocated > 0"),
    )
    op.create_index("ix_order_lines_item_demand", "order_lines", ["item_id", "order_id", "quantity"])
    op.drop_index("ix_order_lines_item", table_name="order_lines")
