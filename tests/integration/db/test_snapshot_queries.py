"""The snapshot's query helpers give the same rows on both databases: ids as one array parameter
(sent as its text on PostgreSQL), and settings (no JIT, more sort memory) for some queries only."""

from __future__ import annotations

from sqlalchemy import select, text

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.planning.queries import array_text, driver_rows, in_ids, local_settings
from pegboard.bootstrap import Pegboard
from tests.builders import make_items


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
