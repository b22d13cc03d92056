"""line promises

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "line_promises",
        sa.Column("line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("basis", sa.String(length=100), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=True),
        sa.Column("first_promised_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"], ["order_lines.id"], name=op.f("fk_line_promises_line_id_order_lines")
        ),
        sa.PrimaryKeyConstraint("line_id", name=op.f("pk_line_promises")),
    )


def downgrade() -> None:
    op.drop_table("line_promises")
