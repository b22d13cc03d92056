"""requested date: the day the customer asked to receive a sales order, when they said

One nullable column on sales_orders; nothing existing changes (add_column, no table rebuild).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sales_orders", sa.Column("requested_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sales_orders") as batch:
        batch.drop_column("requested_date")
