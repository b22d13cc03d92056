"""Many writers at once: sixteen threads, each with its own unit of work, all for one scarce SKU.

A barrier lets the threads go together; `with_retries` runs a call again when the database
gives up on it. Afterwards nothing is over-allocated, nothing is lost, and the invariants hold.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

import pytest

from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import ActionRefused
from pegboard.domain.quantities import ZERO, to_quantity
from pegboard.domain.sales import OrderStatus, SalesOrder
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine, SupplyStatus
from pegboard.services import orders, purchasing, stock
from pegboard.services.runner import with_retries
from tests.builders import make_items, make_order, set_stock
from tests.conftest import MONDAY
from tests.invariants import assert_invariants

THREADS = 16
FIFO = AllocationPolicy.FIFO
NINE_AM = datetime.combine(MONDAY, datetime.min.time()) + timedelta(hours=9)
NOON = NINE_AM + timedelta(hours=3)

T = TypeVar("T")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def board(request: pytest.FixtureRequest) -> Iterator[Pegboard]:
    """A wired Pegboard on a fresh SQLite file or the emptied PostgreSQL database."""
    url = str(request.getfixturevalue(f"{request.param}_url"))
    pb = bootstrap(Settings(database_url=url), today=MONDAY)
    try:
        yield pb
        assert_invariants(pb.engine)
    finally:
        pb.close()


def all_at_once(calls: Sequence[Callable[[], T]]) -> list[T | ActionRefused]:
    """Run each call in its own thread, released together; a refusal is returned, not raised."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T | ActionRefused:
        barrier.wait(timeout=30)
        try:
            return with_retries(call)
        except ActionRefused as refused:
            return refused

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result(timeout=120) for future in futures]


def placing(
    pb: Pegboard, ref: str, sku: str, quantity: int, ordered_at: datetime, *, new: bool | None = True
) -> Callable[[], bool]:
    """A call that places a one-line order in its own unit of work and says if it created it."""
    draft = orders.OrderDraft(
        order_ref=ref,
        customer="Ada",
        lines=(orders.LineDraft(sku, to_quantity(quantity)),),
        ordered_at=ordered_at,
    )

    def place() -> bool:
        created = orders.place_order(draft, uow=pb.uow(), clock=pb.clock).created
        assert new is None or created is new
        return created

    return place


def stored_orders(pb: Pegboard, refs: Sequence[str]) -> list[SalesOrder]:
    """The orders as stored, in the order the database took them in (row id)."""
    with pb.reader() as uow:
        found = uow.orders.get_many(refs)
        row_ids = dict(uow.orders.row_ids)
    assert sorted(found) == sorted(refs), "an order was lost"
    return sorted(found.values(), key=lambda order: row_ids[order.order_ref])


def stock_of(pb: Pegboard, sku: str) -> tuple[Decimal, Decimal]:
    with pb.reader() as uow:
        level = uow.stock.levels([sku])[sku]
    return level.on_hand, level.allocated


def greedy(on_hand: Decimal, wanted: Sequence[Decimal]) -> list[Decimal]:
    """What each line gets when stock goes to them one after the other."""
    left, given = on_hand, []
    for quantity in wanted:
        given.append(min(left, quantity))
        left -= given[-1]
    return given


def allocated(order: SalesOrder) -> Decimal:
    return sum((line.allocated_quantity for line in order.lines), ZERO)


def backordered(order: SalesOrder) -> Decimal:
    return sum((line.backordered_quantity for line in order.lines), ZERO)


def test_sixteen_orders_at_once_for_ten_units_reserve_exactly_the_ten_and_lose_no_order(
    board: Pegboard,
) -> None:
    for round_no in range(1, 4):
        sku = f"CRYSTAL-{round_no}"
        make_items(board, sku)
        stock.count_stock({sku: Decimal(10)}, reason="count", uow=board.uow(), clock=board.clock, policy=FIFO)
        quantities = [1 + (n + round_no) % 3 for n in range(THREADS)]
        refs = [f"SO-{round_no}-{n}" for n in range(THREADS)]

        all_at_once(
            [
                placing(board, ref, sku, quantity, NINE_AM)
                for ref, quantity in zip(refs, quantities, strict=True)
            ]
        )

        placed = stored_orders(board, refs)
        on_hand, reserved = stock_of(board, sku)
        assert on_hand == 10
        assert reserved == sum(allocated(o) for o in placed) == min(on_hand, sum(quantities))
        for order in placed:
            assert allocated(order) + backordered(order) == order.lines[0].quantity
        # Each order saw the stock its predecessors left: full, full, ..., part, nothing.
        assert [allocated(o) for o in placed] == greedy(on_hand, [o.lines[0].quantity for o in placed])
        assert_invariants(board.engine)


def test_the_same_order_sent_by_sixteen_threads_at_once_is_stored_and_allocated_once(
    board: Pegboard,
) -> None:
    make_items(board, "LENS")
    set_stock(board, LENS=5)

    results = all_at_once([placing(board, "SO-1", "LENS", 2, NINE_AM, new=None) for _ in range(THREADS)])

    assert results.count(True) == 1
    placed = stored_orders(board, ["SO-1"])
    assert len(placed[0].lines) == 1
    assert allocated(placed[0]) == 2
    assert stock_of(board, "LENS") == (5, 2)


def test_sixteen_partial_receipts_at_once_feed_waiting_orders_oldest_first_and_never_over_receive(
    board: Pegboard,
) -> None:
    make_items(board, "WIDGET")
    waiting = [
        make_order(board, f"SO-{n}", ("WIDGET", 1 + n % 3), ordered_at=NINE_AM + timedelta(minutes=n))
        for n in range(12)
    ]
    demand = sum(o.lines[0].quantity for o in waiting)
    pos = [f"PO-{n}" for n in range(4)]
    purchasing.add_purchase_orders(
        [
            PurchaseOrder(ref, "Acme", [PurchaseOrderLine("WIDGET", to_quantity("4.5"), MONDAY)])
            for ref in pos
        ],
        uow=board.uow(),
    )

    # Four threads per PO, each bringing 1.25: three fit into 4.5, the fourth is one too many.
    def receiving(ref: str) -> Callable[[], PurchaseOrder]:
        return lambda: purchasing.receive(
            ref, "WIDGET", Decimal("1.25"), uow=board.uow(), clock=board.clock, policy=FIFO
        )

    outcomes = all_at_once([receiving(ref) for ref in pos for _ in range(4)])

    refused = [o for o in outcomes if isinstance(o, ActionRefused)]
    assert len(refused) == len(pos) and all(r.code == "over_receipt" for r in refused)
    with board.reader() as uow:
        for ref in pos:
            po = uow.supply.purchase_order(ref)
            assert po is not None
            assert po.lines[0].received_quantity == Decimal("3.75")
            assert po.status is SupplyStatus.PARTIALLY_RECEIVED
    on_hand, reserved = stock_of(board, "WIDGET")
    assert on_hand == Decimal(15)
    assert reserved == min(on_hand, demand)
    placed = stored_orders(board, [o.order_ref for o in waiting])
    assert [allocated(o) for o in placed] == greedy(on_hand, [o.lines[0].quantity for o in placed])


def test_cancellations_at_once_hand_their_stock_to_waiting_orders_while_new_orders_arrive(
    board: Pegboard,
) -> None:
    make_items(board, "GADGET")
    set_stock(board, GADGET=12)
    early = [
        make_order(board, f"E{n}", ("GADGET", 2), ordered_at=NINE_AM + timedelta(minutes=n))
        for n in range(1, 9)
    ]
    assert [allocated(o) for o in early] == [2] * 6 + [0] * 2
    cancelled = ["E1", "E2", "E3", "E4", "E7"]
    twice = ["E1", "E2", "E3"]
    new = [f"N{n}" for n in range(1, 9)]

    def cancelling(ref: str) -> Callable[[], SalesOrder]:
        return lambda: orders.cancel_order(ref, uow=board.uow(), clock=board.clock, policy=FIFO)

    outcomes = all_at_once(
        [cancelling(ref) for ref in cancelled + twice]
        + [placing(board, ref, "GADGET", 1 + n % 3, NOON + timedelta(minutes=n)) for n, ref in enumerate(new)]
    )

    refusals = [o for o in outcomes[: len(cancelled) + len(twice)] if isinstance(o, ActionRefused)]
    assert len(refusals) == len(twice) and all(r.code == "invalid_transition" for r in refusals)
    placed = {o.order_ref: o for o in stored_orders(board, [o.order_ref for o in early] + new)}
    for ref in cancelled:
        assert placed[ref].status is OrderStatus.CANCELLED
        assert placed[ref].lines[0].cancelled_quantity == 2
    # The oldest waiting order is served by the first cancellation that frees stock.
    assert allocated(placed["E5"]) == allocated(placed["E6"]) == allocated(placed["E8"]) == 2
    still_open = [o for ref, o in placed.items() if ref not in cancelled]
    on_hand, reserved = stock_of(board, "GADGET")
    assert on_hand == 12
    assert reserved == sum(allocated(o) for o in still_open)
    assert reserved == min(on_hand, sum(allocated(o) + backordered(o) for o in still_open))
