"""Long SKU lists are read in slices small enough for one statement, with the same answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from pegboard.adapters.db import slices
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.slices import among
from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import UnknownSku
from pegboard.domain.quantities import qty
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine
from tests.builders import line_state, make_items, make_order, set_stock

SKUS = ("AXE", "BOLT", "CLAMP", "DRILL", "EPOXY")


@pytest.fixture
def sliced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two values per IN list, so five SKUs need three statements."""
    monkeypatch.setattr(slices, "IN_SLICE", 2)


def test_a_stock_count_over_several_slices_locks_and_reads_every_sku(pb: Pegboard, sliced: None) -> None:
    make_items(pb, *SKUS)
    set_stock(pb, AXE=1, BOLT=2, CLAMP=3, DRILL=4, EPOXY=5)

    with pb.reader() as uow:
        levels = uow.stock.levels(SKUS)

    assert {sku: s.on_hand for sku, s in levels.items()} == {
        sku: Decimal(n) for n, sku in enumerate(SKUS, start=1)
    }


def test_stock_arriving_for_several_slices_reaches_every_waiting_line(pb: Pegboard, sliced: None) -> None:
    make_items(pb, *SKUS)
    make_order(pb, "SO-1", *((sku, 2) for sku in SKUS))

    set_stock(pb, AXE=2, BOLT=2, CLAMP=2, DRILL=2, EPOXY=2)

    assert [(sku, allocated) for sku, allocated, *_ in line_state(pb, "SO-1")] == [
        (sku, Decimal(2)) for sku in SKUS
    ]


def test_more_skus_than_one_statement_can_carry_are_reported_unknown_by_name(pb: Pegboard) -> None:
    make_items(pb, "AXE")
    wanted = [f"NOPE-{n:05}" for n in range(70_000)] + ["AXE"]

    with pb.reader() as uow, pytest.raises(UnknownSku, match="NOPE-00000"):
        uow.stock.levels(wanted)


def test_refs_already_used_are_found_among_more_than_one_statement_carries(pb: Pegboard) -> None:
    make_items(pb, "AXE")
    with pb.uow() as uow:
        uow.supply.add_purchase_orders(
            [PurchaseOrder(f"PO-{n}", "Acme", [PurchaseOrderLine("AXE", qty(1), None)]) for n in (3, 70_000)]
        )
        refs = [f"PO-{n}" for n in range(1, 70_001)] + ["MO-1"]

        assert uow.supply.used_refs(refs) == {"PO-3", "PO-70000"}


def test_ids_and_skus_picked_among_many_values_are_exactly_those_rows(pb: Pegboard) -> None:
    """`among` picks the same rows for an integer column (sent as the array's text on PostgreSQL)
    as for a text column, however many values, with none picking nothing."""
    make_items(pb, *SKUS)
    items = t.items.c
    with pb.engine.connect() as conn:
        ids = dict(conn.execute(select(items.sku, items.id)).all())
        wanted_ids = [ids["BOLT"], ids["EPOXY"], *range(10**9, 10**9 + 25_000)]

        def picked(column: Any, values: list[Any]) -> set[str]:
            found = (conn.execute(select(items.sku).where(c)).scalars() for c in among(conn, column, values))
            return {sku for skus in found for sku in skus}

        assert picked(items.id, wanted_ids) == {"BOLT", "EPOXY"}
        assert picked(items.sku, ["AXE", "DRILL", *(f"NOPE-{n}" for n in range(25_000))]) == {"AXE", "DRILL"}
        assert picked(items.id, []) == set()
