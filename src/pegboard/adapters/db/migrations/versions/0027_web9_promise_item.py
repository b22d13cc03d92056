"""a line promise keeps its line's item, so one SKU's promises are read by their own index
(`views/backorders.py`: the hottest SKU's figures joined every stored promise before)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: rebuilding the table (SQLite's batch mode) would break triggers reading
    # it. SQLite adds a NOT NULL column only with a default, so the promises already there get 0
    # for a moment, then their line's item; PostgreSQL then drops the default (SQLite cannot).
    op.add_column(
        "line_promises",
        sa.Column(
            "item_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            server_default="0",
        ),
    )
    op.execute(
        "UPDATE line_promises SET item_id = "
        "(SELECT order_lines.item_id FROM order_lines WHERE order_lines.id = line_promises.line_id)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("line_promises", "item_id", server_default=None)
    op.create_index(
        "ix_line_promises_item_id",
        "line_promises",
        ["item_id"],
        postgresql_include=["line_id", "promised_date", "parts"],
    )


def downgrade() -> None:
    op.drop_index("ix_line_promises_item_id", table_name="line_promises")
    op.drop_column("line_promises", "item_id")
