"""The benchmarks' fast workshop loader writes what the CSV imports would, and keeps the invariants."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, select

from bench.plan_workload import plan_workload
from bench.workshop_load import load_into
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.migrate import upgrade
from pegboard.adapters.db.scratch import scratch_postgres_database
from pegboard.planning.snapshot import PlanInput
from tests.conftest import POSTGRES_ADMIN_URL

#: Keys and clock times differ between two loads; the rest must not.
_LEFT_OUT = {"id", "created_at", "changed_at"}
#: Foreign keys compared by what they point at.
_POINTS_AT = {
    "item_id": (t.items, "sku"),
    "parent_id": (t.items, "sku"),
    "component_id": (t.items, "sku"),
    "supplier_id": (t.suppliers, "name"),
    "order_id": (t.sales_orders, "order_ref"),
    "po_id": (t.purchase_orders, "po_ref"),
}
_TABLES = [
    t.suppliers,
    t.items,
    t.bom_lines,
    t.stock_moves,
    t.stock_days,
    t.stock_values,
    t.purchase_orders,
    t.purchase_order_lines,
    t.sales_orders,
    t.order_lines,
    t.placed_days,
    t.journal_entries,
    t.journal_lines,
]


def _rows(conn: Connection) -> dict[str, Counter[tuple[Any, ...]]]:
    """Each table's rows as a multiset, keys replaced by what they point at."""
    names = {
        column: dict(conn.execute(select(table.c.id, table.c[key])).all())
        for column, (table, key) in _POINTS_AT.items()
    }
    found: dict[str, Counter[tuple[Any, ...]]] = {}
    for table in _TABLES:
        columns = [c.name for c in table.columns if c.name not in _LEFT_OUT]
        found[table.name] = Counter(
            tuple(
                names[c][v] if c in names and v is not None else v for c, v in zip(columns, row, strict=True)
            )
            for row in conn.execute(select(*(table.c[c] for c in columns)))
        )
    events = select(t.outbox.c.event_type, t.outbox.c.payload, t.outbox.c.order_ref, t.outbox.c.attempts)
    found["outbox"] = Counter(tuple(row) for row in conn.execute(events))
    return found


def _loaded(url: str, snapshot: PlanInput, *, fast: bool) -> dict[str, Counter[tuple[Any, ...]]]:
    load_into(url, snapshot, csv=not fast)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return _rows(conn)
    finally:
        engine.dispose()


@pytest.fixture
def second_url(db_url: str, sqlite_template: Path, tmp_path: Path) -> Any:
    """Another empty database of the same kind, for the CSV imports."""
    if db_url.startswith("sqlite"):
        shutil.copy(sqlite_template, tmp_path / "imported.db")
        yield f"sqlite:///{tmp_path / 'imported.db'}"
        return
    with scratch_postgres_database(POSTGRES_ADMIN_URL, prefix="pegboard_test_") as url:
        upgrade(url)
        yield url


def test_fast_workshop_load_writes_the_rows_the_csv_imports_write(db_url: str, second_url: str) -> None:
    snapshot = plan_workload(150, 1500, seed=11)

    fast = _loaded(db_url, snapshot, fast=True)
    imported = _loaded(second_url, snapshot, fast=False)

    assert fast["order_lines"], "the workshop has order lines"
    for name, rows in imported.items():
        assert fast[name] == rows, (
            f"{name}: {len(fast[name] - rows)} rows only fast, {len(rows - fast[name])} only imported"
        )
