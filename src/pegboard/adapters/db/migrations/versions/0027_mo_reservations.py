"""mo reservations: components on hand reserved for confirmed MOs, counted in the item's
allocated total, and the day an MO's components were all reserved; open MOs reserve nothing
until their components next become available

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.adapters.db.types import ExactDecimal

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "mo_reservations",
        sa.Column("id", _ID, nullable=False),
        sa.Column("mo_id", _ID, nullable=False),
        sa.Column("item_id", _ID, nullable=False),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mo_id"], ["manufacturing_orders.id"], name=op.f("fk_mo_reservations_mo_id_manufacturing_orders")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_mo_reservations_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mo_reservations")),
        sa.UniqueConstraint("mo_id", "item_id", name=op.f("uq_mo_reservations_mo_id")),
    )
    op.create_index(op.f("ix_mo_reservations_item_id"), "mo_reservations", ["item_id"])
    op.add_column("manufacturing_orders", sa.Column("materials_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.execute(
        "UPDATE items SET allocated = allocated - (SELECT COALESCE(SUM(r.quantity), 0) "
        "FROM mo_reservations r WHERE r.item_id = items.id)"
    )
    op.drop_column("manufacturing_orders", "materials_on")
    op.drop_index(op.f("ix_mo_reservations_item_id"), table_name="mo_reservations")
    op.drop_table("mo_reservations")
