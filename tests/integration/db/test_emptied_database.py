"""The run's PostgreSQL database, emptied between tests, is as a fresh one: no rows, ids from 1."""

from __future__ import annotations

from sqlalchemy import text

from pegboard.bootstrap import bootstrap
from pegboard.config import Settings
from tests.builders import make_items, make_order, set_stock
from tests.conftest import MONDAY, empty_postgres
from tests.e2e.test_api_support import row_counts


def _first_ids(url: str) -> tuple[object, ...]:
    """Write a supplier, two items, a count and an order; the ids they got."""
    pb = bootstrap(Settings(database_url=url), today=MONDAY)
    try:
        make_items(pb, "BOLT", "NUT")
        set_stock(pb, BOLT=5, NUT=1)
        make_order(pb, "SO-1", ("BOLT", 2), ("NUT", 3))
        with pb.engine.connect() as conn:
            return tuple(
                conn.execute(
                    text(
                        "SELECT (SELECT min(id) FROM items), (SELECT min(id) FROM stock_moves),"
                        " (SELECT min(id) FROM sales_orders), (SELECT min(id) FROM order_lines),"
                        " (SELECT min(id) FROM journal_entries), (SELECT count(*) FROM outbox)"
                    )
                ).one()
            )
    finally:
        pb.close()


def test_an_emptied_database_holds_no_rows_and_gives_ids_from_one_again(postgres_url: str) -> None:
    first = _first_ids(postgres_url)
    assert first[:4] == (1, 1, 1, 1)

    empty_postgres(postgres_url)

    pb = bootstrap(Settings(database_url=postgres_url), today=MONDAY)
    try:
        assert set(row_counts(pb).values()) == {0}
    finally:
        pb.close()
    assert _first_ids(postgres_url) == first
