"""Waiting preorder lines have an index of their own (migration 0034), so a plan run finds
the released preorders among them, not among every waiting line; the migration goes both ways on
both databases, every line kept (which preorders are released is tested with the services)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from pegboard.adapters.db.migrate import alembic_config
from tests.integration.db.raw_rows import add_anns_order, add_kettle

INDEX = "ix_order_lines_waiting_preorders"


def test_the_migration_goes_down_and_up_keeping_every_line(migrated_url: str) -> None:
    config = alembic_config(migrated_url)
    engine = create_engine(migrated_url)
    with engine.begin() as conn:
        add_kettle(conn)
        add_anns_order(conn)
        conn.execute(text("UPDATE items SET release_date = '2026-12-01' WHERE id = 1"))
        conn.execute(
            text(
                "INSERT INTO order_lines (id, order_id, line_no, item_id, quantity, allocated, shipped, "
                "cancelled, kind) VALUES (1, 1, 1, 1, 1000000, 0, 0, 0, 'preorder')"
            )
        )

    def state() -> tuple[list[tuple[str, ...]], bool]:
        with engine.connect() as conn:
            lines = [tuple(map(str, r)) for r in conn.execute(text("SELECT id, kind FROM order_lines")).all()]
        return lines, INDEX in {i["name"] for i in inspect(engine).get_indexes("order_lines")}

    at_head = state()
    command.downgrade(config, "0033")
    down = state()
    command.upgrade(config, "head")
    up = state()
    engine.dispose()

    assert at_head == up == ([("1", "preorder")], True)
    assert down == ([("1", "preorder")], False)
