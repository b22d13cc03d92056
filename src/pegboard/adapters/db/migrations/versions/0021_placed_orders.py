"""quotes under order load: a plan-input change names the orders it placed, when that is all it did

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_input_changes") as batch:
        batch.add_column(sa.Column("placed_orders", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_input_changes") as batch:
        batch.drop_column("placed_orders")
