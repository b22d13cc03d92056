"""Allocation policies: who gets newly available stock."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pegboard.domain.allocation import AllocationPolicy, ItemStock, WaitingLine, distribute
from pegboard.planning.allocation import WholeOrderCandidate, choose_whole_orders


def waiting(ref: str, quantity: int, *, hour: int, priority: int = 0, sku: str = "KETTLE") -> WaitingLine:
    return WaitingLine(ref, 1, sku, Decimal(quantity), priority, datetime(2026, 11, 23, hour), hour)


def test_fifo_serves_the_oldest_order_first() -> None:
    lines = [waiting("SO-2", 3, hour=10), waiting("SO-1", 3, hour=9)]

    grants = distribute({"KETTLE": Decimal(4)}, lines, policy=AllocationPolicy.FIFO)

    assert [(g.order_ref, g.quantity) for g in grants] == [("SO-1", 3), ("SO-2", 1)]


def test_priority_serves_higher_priority_before_older_orders() -> None:
    lines = [waiting("SO-1", 3, hour=9), waiting("SO-2", 3, hour=10, priority=5)]

    grants = distribute({"KETTLE": Decimal(4)}, lines, policy=AllocationPolicy.PRIORITY)

    assert [(g.order_ref, g.quantity) for g in grants] == [("SO-2", 3), ("SO-1", 1)]


def test_complete_first_makes_the_most_orders_whole_even_skipping_an_older_one() -> None:
    candidates = [
        WholeOrderCandidate("SO-1", 0, {"KETTLE": Decimal(5)}),
        WholeOrderCandidate("SO-2", 1, {"KETTLE": Decimal(2)}),
        WholeOrderCandidate("SO-3", 2, {"KETTLE": Decimal(3)}),
    ]

    chosen = choose_whole_orders(candidates, {"KETTLE": Decimal(5)})

    assert chosen.order_refs == ["SO-2", "SO-3"]


def test_complete_first_prefers_older_orders_among_sets_of_the_same_size() -> None:
    candidates = [
        WholeOrderCandidate("SO-1", 0, {"KETTLE": Decimal(2)}),
        WholeOrderCandidate("SO-2", 1, {"KETTLE": Decimal(2)}),
        WholeOrderCandidate("SO-3", 2, {"KETTLE": Decimal(2)}),
    ]

    assert choose_whole_orders(candidates, {"KETTLE": Decimal(4)}).order_refs == ["SO-1", "SO-2"]


def test_complete_first_weighs_several_skus_at_once() -> None:
    candidates = [
        WholeOrderCandidate("SO-1", 0, {"KETTLE": Decimal(1), "MUG": Decimal(2)}),
        WholeOrderCandidate("SO-2", 1, {"MUG": Decimal(1)}),
        WholeOrderCandidate("SO-3", 2, {"KETTLE": Decimal(1), "MUG": Decimal(1)}),
    ]

    chosen = choose_whole_orders(candidates, {"KETTLE": Decimal(1), "MUG": Decimal(2)})

    assert chosen.order_refs == ["SO-2", "SO-3"]


def test_stock_never_reserves_more_than_is_available() -> None:
    stock = ItemStock("KETTLE", on_hand=Decimal(3), allocated=Decimal(1))

    assert stock.reserve(Decimal(5)) == 2
    assert stock.available == 0


def waiting_mo(ref: str, quantity: int, *, hour: int, sku: str = "KETTLE") -> WaitingLine:
    """A confirmed MO that still needs `quantity` of a component, confirmed at `hour`."""
    return WaitingLine(ref, 0, sku, Decimal(quantity), 0, datetime(2026, 11, 23, hour), 0, manufacturing=True)


def test_a_waiting_mo_ranks_as_an_order_placed_when_it_was_confirmed() -> None:
    lines = [waiting("SO-2", 2, hour=11), waiting_mo("MO-1", 2, hour=10), waiting("SO-1", 2, hour=9)]

    grants = distribute({"KETTLE": Decimal(5)}, lines, policy=AllocationPolicy.FIFO)

    assert [(g.order_ref, g.quantity, g.manufacturing) for g in grants] == [
        ("SO-1", 2, False),
        ("MO-1", 2, True),
        ("SO-2", 1, False),
    ]


def test_a_waiting_mo_comes_after_orders_placed_at_the_same_moment_and_after_higher_priority() -> None:
    lines = [
        waiting_mo("MO-1", 2, hour=9),
        waiting("SO-1", 2, hour=9),
        waiting("SO-2", 2, hour=12, priority=1),
    ]

    fifo = distribute({"KETTLE": Decimal(3)}, lines, policy=AllocationPolicy.FIFO)
    by_priority = distribute({"KETTLE": Decimal(3)}, lines, policy=AllocationPolicy.PRIORITY)

    assert [(g.order_ref, g.quantity) for g in fifo] == [("SO-1", 2), ("MO-1", 1)]
    assert [(g.order_ref, g.quantity) for g in by_priority] == [("SO-2", 2), ("SO-1", 1)]


def test_orders_chosen_to_be_made_whole_go_before_waiting_mos_then_the_rest_oldest_first() -> None:
    lines = [waiting_mo("MO-1", 3, hour=8), waiting("SO-1", 2, hour=9), waiting("SO-2", 2, hour=10)]

    grants = distribute(
        {"KETTLE": Decimal(4)}, lines, policy=AllocationPolicy.COMPLETE_FIRST, whole_first=["SO-2"]
    )

    assert [(g.order_ref, g.quantity) for g in grants] == [("SO-2", 2), ("MO-1", 2)]
