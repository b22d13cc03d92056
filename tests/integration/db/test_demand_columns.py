"""A whole snapshot's open lines read as columns (`line_columns`, on PostgreSQL) give the demands
the rows give, and the columns give planning the arrays the demands give."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import numpy as np
from sqlalchemy import select, text

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.planning.demand import dropship_rows
from pegboard.adapters.db.planning.line_columns import (
    open_line_columns,
    open_lines_beside,
    read_as_of,
    snapshot_as_of,
)
from pegboard.adapters.db.planning.snapshot import purchase_line_rows
from pegboard.bootstrap import Pegboard
from pegboard.planning.arrays import build_demands, build_items
from pegboard.planning.coded import CodedTexts, coding
from tests.builders import make_items, make_order, set_stock


def test_the_open_lines_as_columns_are_the_demands_the_rows_give(pb: Pegboard) -> None:
    make_items(pb, "AXE", "BOLT", "CLAMP", "DRILL")
    set_stock(pb, BOLT=2)
    make_order(pb, "SO-9", ("AXE", 3), ("BOLT", 5), ("CLAMP", "2.5"), ordered_at=datetime(2026, 3, 2, 9, 30))
    make_order(pb, "SO-10", ("DRILL", 1), ("AXE", 2), priority=5, ordered_at=datetime(2026, 3, 1, 8, 0, 0, 7))
    make_order(pb, "A-1", ("CLAMP", 4), ("AXE", 1), ordered_at=datetime(2026, 3, 2, 9, 30))
    make_order(pb, "SO-11\nB", ("BOLT", 1), ordered_at=datetime(2026, 3, 3))
    with pb.uow() as uow:  # never committed: the changes below are undone after
        planning = uow.planning
        # A preorder (its item released later), a configured line, a drop-ship line (not demand
        # here) and a shipped one.
        for change in (
            "UPDATE items SET release_date = '2026-06-01' WHERE sku = 'DRILL'",
            "UPDATE order_lines SET kind = 'preorder'"
            " WHERE item_id = (SELECT id FROM items WHERE sku = 'DRILL')",
            "UPDATE order_lines SET options = 'colour=red' WHERE line_no = 3",
            "UPDATE order_lines SET kind = 'dropship' WHERE line_no = 2 AND quantity = 2000000",
            "UPDATE order_lines SET shipped = quantity WHERE line_no = 2 AND quantity = 1000000",
        ):
            planning.conn.execute(text(change))
        sku_of = dict(planning.conn.execute(select(t.items.c.id, t.items.c.sku)).all())
        release_of = {"DRILL": date(2026, 6, 1)}
        demands, columns = planning._demands(sku_of, None, release_of)
        rows = planning._demand_rows(sku_of, None, release_of)

        assert demands == rows
        assert [(d.order_ref, d.line_no) for d in rows] == [
            ("SO-9", 1), ("SO-9", 2), ("SO-9", 3), ("SO-10", 1), ("A-1", 1), ("SO-11\nB", 1),
        ]  # fmt: skip
        assert rows[3].release_date == date(2026, 6, 1) and rows[2].options == "colour=red"
        if pb.engine.dialect.name == "postgresql":
            # The ref holding the separator sends the read back to rows; without it, columns.
            assert columns is None
            planning.conn.execute(
                text("UPDATE sales_orders SET order_ref = 'SO-11' WHERE order_ref LIKE 'SO-11%'")
            )
            demands, columns = planning._demands(sku_of, None, release_of)
            assert columns is not None and columns.of is demands
            assert demands == planning._demand_rows(sku_of, None, release_of)
            snapshot = replace(uow.planning.snapshot(date(2026, 3, 9)), demand_columns=columns)
            snapshot = replace(snapshot, demands=demands)
            items = build_items(snapshot)
            from_columns = build_demands(snapshot, items)
            from_objects = build_demands(replace(snapshot, demand_columns=None), items)
            for name in from_objects.__dataclass_fields__:
                got, expected = getattr(from_columns, name), getattr(from_objects, name)
                assert np.array_equal(got, expected) if isinstance(got, np.ndarray) else got == expected, name
        else:
            assert columns is None


def test_the_columns_hold_only_the_orders_of_open_lines_each_with_its_time(postgres_pb: Pegboard) -> None:
    make_items(postgres_pb, "AXE", "BOLT")
    set_stock(postgres_pb, BOLT=3)
    make_order(postgres_pb, "SO-1", ("AXE", 1), ordered_at=datetime(2026, 3, 2, 9, 30, 0, 5))
    make_order(postgres_pb, "SO-2", ("BOLT", 3), ordered_at=datetime(2026, 3, 2, 10, 0))  # allocated whole
    make_order(
        postgres_pb, "SO-3", ("BOLT", 2), ("AXE", 4), priority=2, ordered_at=datetime(1969, 12, 31, 23)
    )
    make_order(postgres_pb, "SO-4", ("AXE", 2), ordered_at=datetime(2026, 3, 4))
    with postgres_pb.uow() as uow:  # never committed
        planning = uow.planning
        planning.conn.execute(
            text(
                "UPDATE order_lines SET cancelled = quantity"
                " WHERE order_id = (SELECT id FROM sales_orders WHERE order_ref = 'SO-4')"
            )
        )
        sku_of = dict(planning.conn.execute(select(t.items.c.id, t.items.c.sku)).all())

        demands, columns = planning._demands(sku_of, None, {})

        assert columns is not None and demands == planning._demand_rows(sku_of, None, {})
        assert columns.order_refs == ["SO-1", "SO-3"]
        assert columns.priority.tolist() == [0, 2]
        assert columns.at.astype("datetime64[us]").tolist() == [
            datetime(2026, 3, 2, 9, 30, 0, 5),
            datetime(1969, 12, 31, 23),
        ]
        assert columns.order.tolist() == [0, 1, 1] and columns.refs == ["SO-1", "SO-3", "SO-3"]
        # The lines' refs and SKUs come coded, as storing the plan codes them (`kept_plan.pack`).
        for texts in (columns.refs, columns.skus):
            assert isinstance(texts, CodedTexts)
            distinct, codes = coding(list(texts))
            assert texts.distinct == distinct and texts.codes.tolist() == codes.tolist()


def test_open_lines_read_beside_see_what_the_transaction_saw_and_none_when_it_wrote(
    postgres_pb: Pegboard,
) -> None:
    make_items(postgres_pb, "AXE")
    make_order(postgres_pb, "SO-1", ("AXE", 1))
    with postgres_pb.uow() as uow:  # never committed
        conn = uow.planning.conn

        beside = open_lines_beside(conn)
        make_order(postgres_pb, "SO-2", ("AXE", 2))  # committed after: a later snapshot's
        assert beside is not None
        read = beside.result()

        assert read is not None and read.order_refs == ["SO-1"]
        conn.execute(text("UPDATE order_lines SET cancelled = 0"))
        assert open_lines_beside(conn) is None


def test_open_lines_read_beside_in_two_parts_are_those_read_in_one(postgres_pb: Pegboard) -> None:
    make_items(postgres_pb, "AXE", "BOLT")
    make_order(postgres_pb, "SO-1", ("AXE", 1), ("BOLT", 2), priority=3)
    make_order(postgres_pb, "SO-2", ("BOLT", 4))
    # Enough lines for several pages, some of them preorders, written as no service would.
    with postgres_pb.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO order_lines (order_id, line_no, item_id, quantity, kind)"
                " SELECT order_id, line_no + 10 * g, item_id, quantity + g,"
                " CASE WHEN g % 7 = 0 THEN 'preorder' ELSE 'stock' END"
                " FROM order_lines, generate_series(1, 400) AS g"
            )
        )
    with postgres_pb.uow() as uow:  # never committed
        conn = uow.planning.conn
        pages = conn.execute(text("SELECT pg_relation_size('order_lines') / 8192")).scalar_one()

        beside = open_lines_beside(conn, split_pages=0)
        assert beside is not None
        parts, whole = beside.result(), open_line_columns(conn)

        assert pages >= 5 and parts is not None and whole is not None
        assert len(whole.line_id) == 3 * 401 and int(np.count_nonzero(whole.flags)) == 3 * 57
        for name in whole.__dataclass_fields__:
            got, expected = getattr(parts, name), getattr(whole, name)
            assert np.array_equal(got, expected) if isinstance(got, np.ndarray) else got == expected, name
    with postgres_pb.engine.begin() as conn:  # the lines the service would not have made go again
        conn.execute(text("DELETE FROM order_lines WHERE line_no > 10"))
    with postgres_pb.engine.begin() as conn:  # the lines the service would not have made go again
        conn.execute(text("DELETE FROM order_lines WHERE line_no > 10"))


def test_reads_beside_see_what_the_transaction_saw_when_they_began(postgres_pb: Pegboard) -> None:
    make_items(postgres_pb, "AXE", "BOLT")
    make_order(postgres_pb, "SO-1", ("AXE", 1), ("BOLT", 2))
    make_order(postgres_pb, "SO-2", ("BOLT", 4))
    with postgres_pb.engine.begin() as conn:
        conn.execute(text("UPDATE order_lines SET kind = 'dropship' WHERE line_no = 2"))
    with postgres_pb.uow() as uow:  # never committed
        conn = uow.planning.conn
        as_of = snapshot_as_of(conn)
        assert as_of is not None
        seen = (list(dropship_rows(conn)), list(purchase_line_rows(conn)))

        read = read_as_of(as_of, lambda side: (list(dropship_rows(side)), list(purchase_line_rows(side))))
        with postgres_pb.engine.begin() as other:  # committed after: a later snapshot's
            other.execute(text("UPDATE order_lines SET kind = 'dropship'"))

        assert [(r.order_ref, r.line_no) for r in seen[0]] == [("SO-1", 2)]
        assert read.result() == seen
        conn.execute(text("UPDATE order_lines SET cancelled = 0"))
        assert snapshot_as_of(conn) is None
    with postgres_pb.engine.begin() as conn:  # written as no service would: undone
        conn.execute(text("UPDATE order_lines SET kind = 'stock'"))
