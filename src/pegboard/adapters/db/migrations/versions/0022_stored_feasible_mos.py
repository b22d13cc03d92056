"""the stored plan keeps every open MO's dates as its materials allow, and why they are later

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stored_plan_mos",
        sa.Column("plan_id", _ID, nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("finish_date", sa.Date(), nullable=True),
        sa.Column("late_because", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["stored_plans.id"],
            name=op.f("fk_stored_plan_mos_plan_id_stored_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "ref", name=op.f("pk_stored_plan_mos")),
    )


def downgrade() -> None:
    op.drop_table("stored_plan_mos")
