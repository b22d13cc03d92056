"""the stored plan keeps its whole result and the settings it was made with, so a plan run on
inputs nobody changed since answers with it (`adapters/db/stored_plan.py`)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stored_plans") as batch:
        batch.add_column(sa.Column("kept_result", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("made_with", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stored_plans") as batch:
        batch.drop_column("made_with")
        batch.drop_column("kept_result")
