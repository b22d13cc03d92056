"""computed reorder points: a per-item target service level and the history of applied values

Revision ID: 0014
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.adapters.db.types import ExactDecimal

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # A plain ADD COLUMN (no batch): SQLite must not recreate `items`, which other tables reference.
    op.add_column("items", sa.Column("service_level", ExactDecimal(), nullable=True))
    op.create_table(
        "reorder_point_changes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("old_safety_stock", ExactDecimal(), nullable=False),
        sa.Column("new_safety_stock", ExactDecimal(), nullable=False),
        sa.Column("old_reorder_point", ExactDecimal(), nullable=True),
        sa.Column("new_reorder_point", ExactDecimal(), nullable=False),
        sa.Column("service_level", ExactDecimal(), nullable=False),
        sa.Column("applied_by", sa.String(length=100), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reorder_point_changes")),
    )
    op.create_index("ix_reorder_point_changes_sku", "reorder_point_changes", ["sku", "applied_at"])


def downgrade() -> None:
    op.drop_index("ix_reorder_point_changes_sku", table_name="reorder_point_changes")
    op.drop_table("reorder_point_changes")
    op.drop_column("items", "service_level")
