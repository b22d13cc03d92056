"""stock value, labour and tax per item, an order's tax, shipping and discounts

- `stock_values`: the stock value ledger, one row per stock movement with the value it added
  (positive) or took (negative); an item's value is its sum, like on hand is the ledger's sum.
- `items.labour_cost` (per unit made, added to an MO's output value) and `items.tax_rate`
  (a fraction, e.g. 0.19, for orders that bring no tax lines of their own).
- `order_charges`: an order's tax, shipping and discounts, by line where they belong to one.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stock_values",
        sa.Column("id", _id(), primary_key=True),
        sa.Column("item_id", _id(), nullable=False),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False, server_default=""),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_values")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_stock_values_item_id_items")),
    )
    op.create_index("ix_stock_values_item_id", "stock_values", ["item_id", "id"])
    op.add_column("items", sa.Column("labour_cost", sa.BigInteger()))
    op.add_column("items", sa.Column("tax_rate", sa.BigInteger()))
    op.create_table(
        "order_charges",
        sa.Column("id", _id(), primary_key=True),
        sa.Column("order_id", _id(), nullable=False),
        sa.Column("line_no", sa.Integer()),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(100), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_charges")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_orders.id"], name=op.f("fk_order_charges_order_id_sales_orders")
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_order_charges_amount_not_negative")),
    )
    op.create_index("ix_order_charges_order_id", "order_charges", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_order_charges_order_id", table_name="order_charges")
    op.drop_table("order_charges")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("tax_rate")
        batch.drop_column("labour_cost")
    op.drop_index("ix_stock_values_item_id", table_name="stock_values")
    op.drop_table("stock_values")
