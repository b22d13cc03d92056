"""the stored plan remembers a digest of its promises, so a re-plan that gives the same promises
on unchanged inputs writes none of them (`adapters/db/stored_plan.py`)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stored_plans") as batch:
        batch.add_column(sa.Column("promises_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stored_plans") as batch:
        batch.drop_column("promises_digest")
