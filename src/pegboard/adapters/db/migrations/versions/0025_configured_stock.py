"""configured stock: units of one configuration of an item kept for lines of that configuration,
counted in the item's allocated total; filled from what configured MOs made beyond their lines

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.adapters.db.types import ExactDecimal

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "configured_stock",
        sa.Column("id", _ID, nullable=False),
        sa.Column("item_id", _ID, nullable=False),
        sa.Column("options", sa.String(length=500), nullable=False),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_configured_stock_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_configured_stock")),
        sa.UniqueConstraint("item_id", "options", name=op.f("uq_configured_stock_item_id")),
    )
    _keep_what_configured_mos_made()


def _keep_what_configured_mos_made() -> None:
    """Before this, a configured MO's surplus became plain stock. What each configuration's MOs
    made beyond what its lines took is kept for it again, as far as it is still free (plain lines
    may have taken it since); quantities are the stored micro-units."""
    conn = op.get_bind()
    made = conn.execute(
        sa.text(
            "SELECT item_id, options, SUM(completed) FROM manufacturing_orders "
            "WHERE options <> '' GROUP BY item_id, options ORDER BY item_id, options"
        )
    ).all()
    if not made:
        return
    taken = {
        (item_id, options): int(units)
        for item_id, options, units in conn.execute(
            sa.text(
                "SELECT item_id, options, SUM(allocated + shipped) FROM order_lines "
                "WHERE options <> '' GROUP BY item_id, options"
            )
        )
    }
    free: dict[int, int] = {
        i: int(units) for i, units in conn.execute(sa.text("SELECT id, on_hand - allocated FROM items"))
    }
    for item_id, options, units in made:
        kept = min(int(units) - taken.get((item_id, options), 0), free.get(item_id, 0))
        if kept <= 0:
            continue
        free[item_id] -= kept
        conn.execute(
            sa.text("INSERT INTO configured_stock (item_id, options, quantity) VALUES (:i, :o, :q)"),
            {"i": item_id, "o": options, "q": kept},
        )
        conn.execute(
            sa.text("UPDATE items SET allocated = allocated + :q WHERE id = :i"), {"i": item_id, "q": kept}
        )


def downgrade() -> None:
    op.execute(
        "UPDATE items SET allocated = allocated - (SELECT COALESCE(SUM(c.quantity), 0) "
        "FROM configured_stock c WHERE c.item_id = items.id)"
    )
    op.drop_table("configured_stock")
