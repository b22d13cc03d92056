"""the stored plan keeps its whole result and the settings it was made with, so a plan run on
inputs nobody changed since answers with it (`adapters/db/stored_plan.py`); a line promise
re-promised since the stored plan is marked, so a re-plan reads only those and the lines whose
promise moved from the stored plan's

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stored_plans") as batch:
        batch.add_column(sa.Column("kept_result", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("made_with", sa.String(length=200), nullable=True))
    # A plain ADD COLUMN: rebuilding the table (SQLite's batch mode) would break triggers reading it.
    op.add_column(
        "line_promises", sa.Column("since_plan", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_index(
        "ix_line_promises_since_plan",
        "line_promises",
        ["line_id"],
        postgresql_where=sa.text("since_plan"),
        sqlite_where=sa.text("since_plan"),
    )


def downgrade() -> None:
    op.drop_index("ix_line_promises_since_plan", table_name="line_promises")
    op.drop_column("line_promises", "since_plan")
    with op.batch_alter_table("stored_plans") as batch:
        batch.drop_column("made_with")
        batch.drop_column("kept_result")
