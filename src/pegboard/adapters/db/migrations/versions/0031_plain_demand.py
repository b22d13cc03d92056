"""the stored plan says whether its snapshot's demand was plain (no preorder, configured line or
ship-complete order), so a re-plan after new orders may take the old lines from it instead of
reading them again (`planning.net_change`)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stored_plans") as batch:
        batch.add_column(sa.Column("plain_demand", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("stored_plans") as batch:
        batch.drop_column("plain_demand")
