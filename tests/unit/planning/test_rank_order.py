"""Backorders are promised an item's supply in the order it finishes, most urgent first."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pegboard.planning.engine import plan
from pegboard.planning.queue import CustomerPieces
from pegboard.planning.rank_order import in_rank_order
from tests.unit.planning.builders import backorder, bom, buy, day, make, mo, po, q, snapshot


def pieces(*rows: tuple[int, int, int, int]) -> CustomerPieces:
    """Pieces from (rank, supply, quantity, finish) rows."""
    rank, supply, quantity, finish = (np.array(column, dtype=np.int64) for column in zip(*rows, strict=True))
    return CustomerPieces(rank, supply, quantity, finish)


def rows(found: CustomerPieces) -> list[tuple[int, int, int, int]]:
    columns = (found.rank, found.supply, found.quantity, found.finish)
    return list(zip(*(column.tolist() for column in columns), strict=True))


def test_pieces_already_in_rank_order_are_kept_as_they_are() -> None:
    """An item whose earlier backorders rest on earlier supply is left alone."""
    given = pieces((0, 7, 2, 10), (1, 8, 1, 12), (2, 9, 5, 11))

    found = in_rank_order(given, np.array([0, 0, 1], dtype=np.int64))

    assert found is given


def test_an_older_backorder_takes_the_supply_that_finishes_first_split_where_quantities_differ() -> None:
    """The k-th unit of an item's backorders in rank order rests on the k-th unit of its supply to
    finish; other items' pieces stay in place."""
    given = pieces((0, 7, 3, 20), (1, 9, 1, 30), (2, 8, 2, 10))

    found = in_rank_order(given, np.array([0, 1, 0], dtype=np.int64))

    assert rows(found) == [(0, 8, 2, 10), (0, 7, 1, 20), (1, 9, 1, 30), (2, 7, 2, 20)]


def test_an_mo_held_up_by_its_materials_is_promised_to_the_younger_line() -> None:
    """The MO netting pegged to the older line waits for a PO; the other MO, whose materials are
    reserved, finishes first and is promised to the older line, as its output will serve it."""
    given = snapshot(
        [make("SABER", days=1), buy("KYBER", days=None), buy("HILT", days=3)],
        backorder("SO-OLD", "SABER", 1, minute=0),
        backorder("SO-NEW", "SABER", 1, minute=10),
        boms=bom("SABER", ("KYBER", 1), ("HILT", 1)),
        purchases=[po("PO-1", "KYBER", 1, 5), po("PO-1", "HILT", 1, 5)],
        mos=[
            mo("MO-1", "SABER", 1, 0, 1),
            replace(mo("MO-2", "SABER", 1, 1, 2), reserved=(("KYBER", q(1)), ("HILT", q(1)))),
        ],
    )

    result = plan(given)

    assert [(p.order_ref, p.date, p.basis) for p in result.promises] == [
        ("SO-OLD", day(2), "MO-2"),
        ("SO-NEW", day(6), "MO-1"),
    ]
