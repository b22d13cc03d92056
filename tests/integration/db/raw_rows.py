"""Rows written in plain SQL, for tests of a database at an older migration (the table models
describe only the newest schema)."""

from __future__ import annotations

from sqlalchemy import Connection, text


def add_kettle(conn: Connection) -> None:
    """Item 1: KETTLE, bought."""
    conn.execute(text("INSERT INTO items (id, sku, name, procurement) VALUES (1, 'KETTLE', 'Kettle', 'buy')"))


def add_anns_order(conn: Connection) -> None:
    """Sales order 1: SO-1 of Ann, open, placed 23 November 2026 at nine."""
    conn.execute(
        text(
            "INSERT INTO sales_orders (id, order_ref, customer, ordered_at, priority, ship_policy, "
            "status, created_at) VALUES (1, 'SO-1', 'Ann', '2026-11-23 09:00:00', 0, 'partial', 'open', "
            "'2026-11-23 09:00:00')"
        )
    )
