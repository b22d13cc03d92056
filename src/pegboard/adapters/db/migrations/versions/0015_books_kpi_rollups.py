"""KPI rollups: the ledger summed per item and day, and the stock lines placed per day

`stock_days` holds, per item and day, the sum of that day's stock movements (stockout days read
it instead of every movement); `placed_days` holds, per day orders were placed and item, their
stock lines and how many of those went on backorder that same day (the backorder rate at order
time). Per item, so that orders placed at once for different items never wait for each other on
a shared row (lines of one item already take turns on the item's row). Both are
kept by triggers in the same transaction as the change, whatever writes it (services, imports,
SQL): after every insert into `stock_moves` (append-only, so never anything else), and after every
insert into `order_lines` and change of a line's `first_backordered_on`. PostgreSQL's insert
triggers run once per statement over its transition tables (a bulk insert adds its sums in one
go), its change trigger per row only when the day changed; SQLite's run per row. Both tables
are filled from the existing rows here.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.adapters.db.types import ExactDecimal

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_POSTGRES = [
    """
    CREATE FUNCTION stock_days_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO stock_days (item_id, moved_on, quantity)
        SELECT item_id, moved_on, SUM(quantity) FROM new_moves GROUP BY item_id, moved_on
        ON CONFLICT (item_id, moved_on) DO UPDATE SET quantity = stock_days.quantity + EXCLUDED.quantity;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER stock_days_add AFTER INSERT ON stock_moves REFERENCING NEW TABLE AS new_moves
    FOR EACH STATEMENT EXECUTE FUNCTION stock_days_add()
    """,
    """
    CREATE FUNCTION placed_days_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO placed_days (day, item_id, lines, backordered_at_order)
        SELECT CAST(so.ordered_at AS date), n.item_id, COUNT(*),
               SUM(CASE WHEN n.first_backordered_on = CAST(so.ordered_at AS date) THEN 1 ELSE 0 END)
        FROM new_lines n JOIN sales_orders so ON so.id = n.order_id
        WHERE n.kind = 'stock'
        GROUP BY CAST(so.ordered_at AS date), n.item_id
        ON CONFLICT (day, item_id) DO UPDATE SET lines = placed_days.lines + EXCLUDED.lines,
            backordered_at_order = placed_days.backordered_at_order + EXCLUDED.backordered_at_order;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER placed_days_add AFTER INSERT ON order_lines REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION placed_days_add()
    """,
    """
    CREATE FUNCTION placed_days_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE placed_days SET backordered_at_order = backordered_at_order + (
            SELECT CASE WHEN NEW.first_backordered_on = CAST(ordered_at AS date) THEN 1 ELSE 0 END
                   - CASE WHEN OLD.first_backordered_on = CAST(ordered_at AS date) THEN 1 ELSE 0 END
            FROM sales_orders WHERE id = NEW.order_id)
        WHERE day = (SELECT CAST(ordered_at AS date) FROM sales_orders WHERE id = NEW.order_id)
          AND item_id = NEW.item_id;
        RETURN NULL;
    END
    $$
    """,
    # Per row, and only when the first backorder day changed: moving allocations runs nothing.
    """
    CREATE TRIGGER placed_days_change AFTER UPDATE OF first_backordered_on ON order_lines FOR EACH ROW
    WHEN (NEW.kind = 'stock' AND OLD.first_backordered_on IS DISTINCT FROM NEW.first_backordered_on)
    EXECUTE FUNCTION placed_days_change()
    """,
]

_SQLITE = [
    """
    CREATE TRIGGER stock_days_add AFTER INSERT ON stock_moves BEGIN
        INSERT INTO stock_days (item_id, moved_on, quantity) VALUES (NEW.item_id, NEW.moved_on, NEW.quantity)
        ON CONFLICT (item_id, moved_on) DO UPDATE SET quantity = quantity + excluded.quantity;
    END
    """,
    """
    CREATE TRIGGER placed_days_add AFTER INSERT ON order_lines WHEN NEW.kind = 'stock' BEGIN
        INSERT INTO placed_days (day, item_id, lines, backordered_at_order)
        SELECT date(ordered_at), NEW.item_id, 1,
               CASE WHEN NEW.first_backordered_on = date(ordered_at) THEN 1 ELSE 0 END
        FROM sales_orders WHERE id = NEW.order_id
        ON CONFLICT (day, item_id) DO UPDATE SET lines = lines + excluded.lines,
            backordered_at_order = backordered_at_order + excluded.backordered_at_order;
    END
    """,
    """
    CREATE TRIGGER placed_days_change AFTER UPDATE OF first_backordered_on ON order_lines
    WHEN NEW.kind = 'stock' AND NEW.first_backordered_on IS NOT OLD.first_backordered_on BEGIN
        UPDATE placed_days SET backordered_at_order = backordered_at_order + (
            SELECT CASE WHEN NEW.first_backordered_on = date(ordered_at) THEN 1 ELSE 0 END
                   - CASE WHEN OLD.first_backordered_on = date(ordered_at) THEN 1 ELSE 0 END
            FROM sales_orders WHERE id = NEW.order_id)
        WHERE day = (SELECT date(ordered_at) FROM sales_orders WHERE id = NEW.order_id)
          AND item_id = NEW.item_id;
    END
    """,
]


def upgrade() -> None:
    op.create_table(
        "stock_days",
        sa.Column(
            "item_id", _ID, sa.ForeignKey("items.id", name="fk_stock_days_item_id_items"), nullable=False
        ),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", "moved_on", name="pk_stock_days"),
    )
    op.create_table(
        "placed_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "item_id", _ID, sa.ForeignKey("items.id", name="fk_placed_days_item_id_items"), nullable=False
        ),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("backordered_at_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "item_id", name="pk_placed_days"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    day = "CAST(so.ordered_at AS date)" if postgres else "date(so.ordered_at)"
    op.execute(
        "INSERT INTO stock_days (item_id, moved_on, quantity) "
        "SELECT item_id, moved_on, SUM(quantity) FROM stock_moves GROUP BY item_id, moved_on"
    )
    op.execute(
        f"""
        INSERT INTO placed_days (day, item_id, lines, backordered_at_order)
        SELECT {day}, ol.item_id, COUNT(*), SUM(CASE WHEN ol.first_backordered_on = {day} THEN 1 ELSE 0 END)
        FROM order_lines ol JOIN sales_orders so ON so.id = ol.order_id
        WHERE ol.kind = 'stock'
        GROUP BY {day}, ol.item_id
        """
    )
    for statement in _POSTGRES if postgres else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER placed_days_change ON order_lines")
        op.execute("DROP TRIGGER placed_days_add ON order_lines")
        op.execute("DROP TRIGGER stock_days_add ON stock_moves")
        for function in ("placed_days_change", "placed_days_add", "stock_days_add"):
            op.execute(f"DROP FUNCTION {function}()")
    else:
        for trigger in ("placed_days_change", "placed_days_add", "stock_days_add"):
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_table("placed_days")
    op.drop_table("stock_days")
