"""configured products: an item's options (values that add, replace or remove BOM lines) and the
choices an order line and an MO carry

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.adapters.db.types import ExactDecimal

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "item_options",
        sa.Column("id", _ID, nullable=False),
        sa.Column("item_id", _ID, nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("option", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("component_id", _ID, nullable=True),
        sa.Column("quantity", ExactDecimal(), nullable=True),
        sa.Column("replaces_id", _ID, nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_item_options_item_id_items")),
        sa.ForeignKeyConstraint(
            ["component_id"], ["items.id"], name=op.f("fk_item_options_component_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["items.id"], name=op.f("fk_item_options_replaces_id_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_options")),
    )
    op.create_index("ix_item_options_item", "item_options", ["item_id", "row_no"])
    # Plain ADD COLUMNs (no batch): SQLite must not recreate tables that others reference.
    op.add_column(
        "order_lines", sa.Column("options", sa.String(length=500), nullable=False, server_default="")
    )
    op.add_column(
        "manufacturing_orders", sa.Column("options", sa.String(length=500), nullable=False, server_default="")
    )
    for table in ("stored_plan_queue", "stored_plan_suggestions"):
        op.add_column(table, sa.Column("options", sa.String(length=500), nullable=False, server_default=""))


def downgrade() -> None:
    for table in ("stored_plan_queue", "stored_plan_suggestions"):
        op.drop_column(table, "options")
    op.drop_column("manufacturing_orders", "options")
    op.drop_column("order_lines", "options")
    op.drop_index("ix_item_options_item", table_name="item_options")
    op.drop_table("item_options")
