"""the stored plan: its production queue and suggestions, and a log of plan-input changes;
Today's backorder figures read from an index

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pegboard.adapters.db.types

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WAITING = "quantity > allocated + shipped + cancelled"


def upgrade() -> None:
    op.create_table(
        "stored_plans",
        sa.Column("id", _ID, nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("planned_at", sa.DateTime(), nullable=False),
        sa.Column("inputs_seen", _ID, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_plans")),
    )
    op.create_table(
        "stored_plan_queue",
        sa.Column("plan_id", _ID, nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("quantity", pegboard.adapters.db.types.ExactDecimal(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("finish_date", sa.Date(), nullable=True),
        sa.Column("completes", sa.Text(), nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["stored_plans.id"],
            name=op.f("fk_stored_plan_queue_plan_id_stored_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "rank", name=op.f("pk_stored_plan_queue")),
    )
    op.create_table(
        "stored_plan_suggestions",
        sa.Column("plan_id", _ID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=True),
        sa.Column("supplier", sa.String(length=200), nullable=True),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("quantity", pegboard.adapters.db.types.ExactDecimal(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["stored_plans.id"],
            name=op.f("fk_stored_plan_suggestions_plan_id_stored_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "seq", name=op.f("pk_stored_plan_suggestions")),
    )
    op.create_table(
        "plan_input_changes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_input_changes")),
    )
    op.create_index(
        "ix_order_lines_waiting_days",
        "order_lines",
        ["backordered_on"],
        postgresql_include=["quantity", "allocated", "shipped", "cancelled", "kind"],
        postgresql_where=sa.text(_WAITING),
        sqlite_where=sa.text(_WAITING),
    )


def downgrade() -> None:
    op.drop_index("ix_order_lines_waiting_days", table_name="order_lines")
    op.drop_table("plan_input_changes")
    op.drop_table("stored_plan_suggestions")
    op.drop_table("stored_plan_queue")
    op.drop_table("stored_plans")
