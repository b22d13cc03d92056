"""A real database failure in the middle of a multi-row write leaves nothing half-written.

The failure is a trigger the test creates: it counts the rows written to one table and raises
on the nth, after the write has already put other rows in other tables (and, for n > 1, in
the same one). Every table is then compared, row by row, with what it held before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.quantities import to_quantity
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine
from pegboard.services import planning, purchasing
from pegboard.services.imports import ImportKind
from tests.builders import import_text, line_state, make_items, make_order, set_stock

FIFO = AllocationPolicy.FIFO


@contextmanager
def failing_on(engine: Engine, table: str, operation: str, nth: int) -> Iterator[None]:
    """While open, the nth row `operation` (INSERT or UPDATE) on `table` fails with "injected fault"."""
    postgres = engine.dialect.name == "postgresql"
    create = [
        "CREATE TABLE injected_fault_count (n INTEGER NOT NULL)",
        "INSERT INTO injected_fault_count VALUES (0)",
    ]
    if postgres:
        create += [
            "CREATE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE k integer; "
            "BEGIN UPDATE injected_fault_count SET n = n + 1 RETURNING n INTO k; "
            f"IF k >= {nth} THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$",
            f"CREATE TRIGGER injected_fault BEFORE {operation} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION injected_fault()",
        ]
        drop = [
            f"DROP TRIGGER injected_fault ON {table}",
            "DROP FUNCTION injected_fault()",
            "DROP TABLE injected_fault_count",
        ]
    else:
        create.append(
            f"CREATE TRIGGER injected_fault BEFORE {operation} ON {table} BEGIN "
            "UPDATE injected_fault_count SET n = n + 1; "
            f"SELECT RAISE(ABORT, 'injected fault') WHERE (SELECT n FROM injected_fault_count) >= {nth}; END"
        )
        drop = ["DROP TRIGGER injected_fault", "DROP TABLE injected_fault_count"]
    with engine.begin() as conn:
        for statement in create:
            conn.execute(text(statement))
    try:
        yield
    finally:
        with engine.begin() as conn:
            for statement in drop:
                conn.execute(text(statement))


def everything(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, as text, in a stable order."""
    with engine.connect() as conn:
        return {
            table.name: sorted(repr(tuple(row)) for row in conn.execute(select(table)))
            for table in t.metadata.sorted_tables
        }


def count(pb: Pegboard, table: str) -> int:
    with pb.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.metadata.tables[table])).scalar_one())


def assert_nothing_written_when_it_fails(
    pb: Pegboard, write: Callable[[], object], *, table: str, operation: str, nth: int
) -> None:
    before = everything(pb.engine)

    with failing_on(pb.engine, table, operation, nth), pytest.raises(DBAPIError, match="injected fault"):
        write()

    assert everything(pb.engine) == before


ORDERS = (
    "order_ref,customer,email,ordered_at,sku,quantity\n"
    "SO-1,Ada,ada@example.com,2026-11-20T09:00:00,KETTLE,2\n"
    "SO-1,Ada,ada@example.com,2026-11-20T09:00:00,MUG,1\n"
    "SO-2,Bob,bob@example.com,2026-11-20T10:00:00,KETTLE,3\n"
    "SO-3,Cy,cy@example.com,2026-11-20T11:00:00,MUG,4\n"
)


@pytest.mark.parametrize(
    ("table", "operation", "nth"),
    [("order_lines", "INSERT", 3), ("outbox", "INSERT", 2), ("items", "UPDATE", 1)],
)
def test_an_order_import_that_fails_midway_leaves_no_order_of_it(
    pb: Pegboard, table: str, operation: str, nth: int
) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=4, MUG=2)

    assert_nothing_written_when_it_fails(
        pb, lambda: import_text(pb, ImportKind.ORDERS, ORDERS), table=table, operation=operation, nth=nth
    )

    assert import_text(pb, ImportKind.ORDERS, ORDERS).written == 3
    assert count(pb, "order_lines") == 4


@pytest.mark.parametrize(
    ("table", "operation", "nth"),
    [("order_lines", "UPDATE", 2), ("outbox", "INSERT", 2), ("items", "UPDATE", 1)],
)
def test_a_receipt_that_fails_while_serving_waiting_lines_allocates_nothing(
    pb: Pegboard, table: str, operation: str, nth: int
) -> None:
    make_items(pb, "KETTLE")
    for ref in ("SO-1", "SO-2", "SO-3"):
        make_order(pb, ref, ("KETTLE", 2))
    purchasing.add_purchase_orders(
        [PurchaseOrder("PO-1", "Acme", [PurchaseOrderLine("KETTLE", to_quantity(6), date(2026, 11, 30))])],
        uow=pb.uow(),
    )

    def receive() -> object:
        return purchasing.receive("PO-1", "KETTLE", Decimal(6), uow=pb.uow(), clock=pb.clock, policy=FIFO)

    assert_nothing_written_when_it_fails(pb, receive, table=table, operation=operation, nth=nth)

    receive()
    assert [line_state(pb, ref) for ref in ("SO-1", "SO-2", "SO-3")] == [[("KETTLE", 2, 0, 0, 0)]] * 3


def gadget_workshop(pb: Pegboard) -> None:
    """GADGET (make) = BOLT from Acme + NUT from Brox; two gadgets wait, nothing is in stock."""
    import_text(pb, ImportKind.SUPPLIERS, "name,email,lead_time_days\nAcme,,3\nBrox,,5\n")
    import_text(
        pb,
        ImportKind.ITEMS,
        "sku,name,procurement,lead_time_days,supplier\n"
        "GADGET,Gadget,make,1,\nWIDGET,Widget,make,2,\nBOLT,Bolt,buy,3,Acme\nNUT,Nut,buy,5,Brox\n",
    )
    import_text(
        pb,
        ImportKind.BOMS,
        "parent_sku,component_sku,quantity\nGADGET,BOLT,2\nGADGET,NUT,1\nWIDGET,NUT,3\n",
    )
    make_order(pb, "SO-1", ("GADGET", 2), ("WIDGET", 1))


@pytest.mark.parametrize(
    ("table", "operation", "nth"),
    [
        ("purchase_orders", "INSERT", 2),
        ("purchase_order_lines", "INSERT", 2),
        ("manufacturing_orders", "INSERT", 1),  # all the MOs in one statement, after the POs
        ("ref_counters", "INSERT", 2),  # the MO series' first block, after the POs'
    ],
)
def test_a_plan_confirm_that_fails_midway_creates_no_supply_and_keeps_no_promise(
    pb: Pegboard, table: str, operation: str, nth: int
) -> None:
    gadget_workshop(pb)

    def confirm() -> planning.PlanRun:
        return planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)

    assert_nothing_written_when_it_fails(pb, confirm, table=table, operation=operation, nth=nth)

    assert sorted(confirm().created) == ["MO-1", "MO-2", "PO-1", "PO-2"]
