"""The Alembic migrations build exactly the schema that tables/ describes, on both databases, and
fill what they add from the rows already there."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from pegboard.adapters.db.migrate import alembic_config
from pegboard.adapters.db.tables import metadata


def test_the_migrated_schema_matches_the_table_definitions(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_upgrading_fills_each_items_waiting_total_from_the_stock_lines_already_there(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    (added,) = (
        s for s in ScriptDirectory.from_config(config).walk_revisions() if "waiting totals" in (s.doc or "")
    )
    assert isinstance(added.down_revision, str)
    command.upgrade(config, added.down_revision)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO items (id, sku, name, procurement) VALUES "
                "(1, 'KETTLE', 'Kettle', 'buy'), (2, 'TEAPOT', 'Teapot', 'buy'), (3, 'MUG', 'Mug', 'buy')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO sales_orders (id, order_ref, customer, ordered_at, priority, ship_policy, "
                "status, created_at) VALUES (1, 'SO-1', 'Ann', '2026-11-23 09:00:00', 0, 'partial', 'open', "
                "'2026-11-23 09:00:00')"
            )
        )
        # Kettle: 5 ordered, 1 shipped, 1 cancelled: 3 wait, plus 2 on a second line; the teapot
        # line is a preorder (no backorder); the mug's line is all cancelled.
        conn.execute(
            text(
                "INSERT INTO order_lines (order_id, line_no, item_id, quantity, allocated, shipped, "
                "cancelled, kind) VALUES (1, 1, 1, 5000000, 0, 1000000, 1000000, 'stock'), "
                "(1, 2, 1, 2000000, 0, 0, 0, 'stock'), (1, 3, 2, 4000000, 0, 0, 0, 'preorder'), "
                "(1, 4, 3, 1000000, 0, 0, 1000000, 'stock')"
            )
        )

    command.upgrade(config, "head")

    with engine.connect() as conn:
        assert conn.execute(text("SELECT sku, waiting FROM items ORDER BY id")).all() == [
            ("KETTLE", 5000000),
            ("TEAPOT", 0),
            ("MUG", 0),
        ]
    engine.dispose()
