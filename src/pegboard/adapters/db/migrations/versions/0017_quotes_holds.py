"""quote holds: stock a quote reserved for a checkout, until it expires or becomes an order

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.adapters.db.types import ExactDecimal

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "quote_holds",
        sa.Column("id", _ID, nullable=False),
        sa.Column("quote_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("order_ref", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_holds")),
        sa.UniqueConstraint("quote_id", name=op.f("uq_quote_holds_quote_id")),
    )
    op.create_index("ix_quote_holds_status_expires_at", "quote_holds", ["status", "expires_at"])
    op.create_table(
        "quote_hold_lines",
        sa.Column("id", _ID, nullable=False),
        sa.Column("hold_id", _ID, nullable=False),
        sa.Column("item_id", _ID, nullable=False),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hold_id"], ["quote_holds.id"], name=op.f("fk_quote_hold_lines_hold_id_quote_holds")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_quote_hold_lines_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_hold_lines")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_quote_hold_lines_positive_quantity")),
    )
    op.create_index("ix_quote_hold_lines_hold_id", "quote_hold_lines", ["hold_id"])


def downgrade() -> None:
    op.drop_index("ix_quote_hold_lines_hold_id", table_name="quote_hold_lines")
    op.drop_table("quote_hold_lines")
    op.drop_index("ix_quote_holds_status_expires_at", table_name="quote_holds")
    op.drop_table("quote_holds")
