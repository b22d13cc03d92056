"""The snapshot's query helpers give the same rows on both databases: ids as one array parameter
(sent as its text on PostgreSQL), and settings (no JIT, more sort memory) for some queries only;
quantities read a column at a time are those the rows hold."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import event, select, text

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.planning.queries import Decimals, driver_rows, local_settings
from pegboard.adapters.db.slices import array_text, in_ids
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.quantities import Quantity, from_units
from pegboard.entrypoints import demo
from pegboard.services import manufacturing
from pegboard.services.imports import ImportKind
from tests.builders import import_text, make_items


def test_ids_as_one_parameter_pick_exactly_those_rows_however_many(pb: Pegboard) -> None:
    make_items(pb, "AXE", "BOLT", "CLAMP", "DRILL")
    with pb.engine.connect() as conn:
        ids = dict(conn.execute(select(t.items.c.sku, t.items.c.id)).all())
        wanted = [ids["BOLT"], ids["DRILL"], *range(10**6, 10**6 + 60_000)]  # most of them no item's

        found = conn.execute(select(t.items.c.sku).where(in_ids(t.items.c.id, wanted, conn))).scalars()

        assert sorted(found) == ["BOLT", "DRILL"]
        assert list(conn.execute(select(t.items.c.sku).where(in_ids(t.items.c.id, [], conn)))) == []


def test_an_array_is_written_as_postgresql_reads_it() -> None:
    assert array_text([3, 1, 20]) == "{3,1,20}"
    assert array_text([]) == "{}"


def test_settings_for_some_queries_hold_inside_and_the_old_ones_come_back_after(pb: Pegboard) -> None:
    make_items(pb, "AXE", "BOLT", "CLAMP")
    with pb.engine.connect() as conn:
        postgres = conn.dialect.name == "postgresql"
        settings = "SELECT current_setting('jit'), current_setting('work_mem')"
        before = tuple(conn.execute(text(settings)).one()) if postgres else None
        ids = list(conn.execute(select(t.items.c.id).order_by(t.items.c.sku)).scalars())
        query = select(t.items.c.sku).where(in_ids(t.items.c.id, ids[:2], conn)).order_by(t.items.c.sku)

        with local_settings(conn, jit="off", work_mem="64MB"):
            rows = driver_rows(conn, query)
            inside = tuple(conn.execute(text(settings)).one()) if postgres else None

        assert [tuple(r) for r in rows] == [("AXE",), ("BOLT",)]
        if postgres:
            assert inside == ("off", "64MB") != before
            assert tuple(conn.execute(text(settings)).one()) == before


def test_micro_units_read_a_column_at_a_time_are_the_decimals_read_one_at_a_time() -> None:
    units = [2_500_000, 1_000_000, 0, 2_500_000, 1, -3_000_000, 10**15]
    one_at_a_time = Decimals()

    assert Decimals().column(units) == [one_at_a_time(u) for u in units]
    assert list(map(str, Decimals().column(units))) == list(map(str, map(from_units, units)))
    assert Decimals().maybe_column([None, 1_500_000, None]) == [None, Decimal("1.5"), None]
    assert Decimals().column([]) == []


def test_the_snapshot_reads_open_mos_their_reservations_and_po_lines_as_their_rows_hold_them(
    pb: Pegboard,
) -> None:
    demo.load_catalogue(pb)
    due = pb.clock.today() + timedelta(days=9)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date\n"
        f"PO-7,Passing Traders,HILT,2.5,{due}\nPO-7,Passing Traders,EMITTER,4,{due}\n",
    )
    made = [
        manufacturing.open_manufacturing_order(
            "SABER-BLUE", Quantity(Decimal(q)), uow=pb.uow(), clock=pb.clock
        ).mo_ref
        for q in ("2.5", "3")
    ]
    manufacturing.complete_manufacturing_order(
        made[0], Decimal("0.5"), uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO
    )

    with pb.reader() as uow:
        snapshot = uow.planning.snapshot(pb.clock.today())
    with pb.engine.connect() as conn:
        r, mo, it = t.mo_reservations.c, t.manufacturing_orders.c, t.items.c
        rows = conn.execute(
            select(mo.mo_ref, it.sku, r.quantity)
            .join(t.manufacturing_orders, mo.id == r.mo_id)
            .join(t.items, it.id == r.item_id)
            .order_by(mo.mo_ref, it.sku)
        ).all()

    mos = {m.mo_ref: m for m in snapshot.manufacturing_orders}
    # 2.5 less the 0.5 made, as two Decimals subtract ("2.0", not "2"), and 3 less nothing.
    assert [str(mos[ref].open_quantity) for ref in made] == ["2.0", "3"]
    assert {ref: sorted(mos[ref].reserved) for ref in made} == {
        ref: [(sku, quantity) for mo_ref, sku, quantity in rows if mo_ref == ref] for ref in made
    }
    assert any(mos[ref].reserved for ref in made)
    assert sorted((p.po_ref, p.sku, str(p.open_quantity)) for p in snapshot.purchase_lines) == [
        ("PO-7", "EMITTER", "4"),
        ("PO-7", "HILT", "2.5"),
    ]
    assert {p.ordered_on for p in snapshot.purchase_lines} == {pb.clock.now().date()}


def test_a_whole_snapshot_leaves_every_items_id_known_so_its_skus_resolve_without_a_statement(
    pb: Pegboard,
) -> None:
    demo.load_catalogue(pb)
    with pb.engine.connect() as conn:
        ids = dict(conn.execute(select(t.items.c.sku, t.items.c.id)).all())
    statements: list[str] = []

    def counted(conn: object, cursor: object, statement: str, *rest: object) -> None:
        statements.append(statement)

    with pb.reader() as uow:
        uow.planning.snapshot(pb.clock.today())
        event.listen(uow.connection, "before_cursor_execute", counted)
        resolved = uow.planning.item_cache.resolve(ids)
        event.remove(uow.connection, "before_cursor_execute", counted)

    assert resolved == ids
    assert statements == []
