"""Group commit: orders arriving together share a transaction, and each caller gets its own answer."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import Connection, event, func, select, text

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import DuplicateRef, UnknownSku
from pegboard.domain.quantities import to_money, to_quantity
from pegboard.services.intake import OrderIntake, WriteWithOrder
from pegboard.services.orders import LineDraft, OrderDraft, Placed
from pegboard.services.ports import UnitOfWork
from tests.builders import line_state, make_items, set_stock


def draft(ref: str, sku: str = "KETTLE", quantity: int = 1, customer: str = "Ada") -> OrderDraft:
    return OrderDraft(
        order_ref=ref,
        customer=customer,
        lines=(LineDraft(sku, to_quantity(quantity), to_money("10")),),
    )


@contextmanager
def commits_counted(pb: Pegboard) -> Iterator[list[int]]:
    counter = [0]

    def on_commit(_conn: Connection) -> None:
        counter[0] += 1

    event.listen(pb.engine, "commit", on_commit)
    try:
        yield counter
    finally:
        event.remove(pb.engine, "commit", on_commit)


@contextmanager
def item_rows_held(pb: Pegboard) -> Iterator[threading.Event]:
    """Another writer holds the item rows (PostgreSQL) or the database (SQLite) until released."""
    release = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with pb.engine.connect() as conn:
            conn.begin()
            if pb.engine.dialect.name == "postgresql":
                conn.execute(text("SELECT id FROM items FOR UPDATE"))
            holding.set()
            release.wait(30)
            conn.rollback()

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(10)
    try:
        yield release
    finally:
        release.set()
        holder.join()


def submit_while_held(
    pb: Pegboard,
    intake: OrderIntake,
    drafts: list[OrderDraft],
    *,
    writes_with_orders: Sequence[WriteWithOrder] | None = None,
) -> list[Future[Placed]]:
    """The first order blocks the writer on the held rows; the rest queue up behind it meanwhile."""
    pool = ThreadPoolExecutor(max_workers=len(drafts))
    writes = list(writes_with_orders) if writes_with_orders is not None else [None] * len(drafts)
    with item_rows_held(pb):
        futures = [pool.submit(lambda: intake.place(drafts[0], write_with_order=writes[0]))]
        _wait_until_writer_busy(intake)
        futures += [
            pool.submit(lambda d=d, w=w: intake.place(d, write_with_order=w))  # type: ignore[misc]
            for d, w in zip(drafts[1:], writes[1:], strict=True)
        ]
        # The writer may have taken one more before it blocked; the rest must be waiting.
        _wait_until_queued(intake, len(drafts) - 2)
    pool.shutdown(wait=True)
    return futures


def _wait_until_writer_busy(intake: OrderIntake) -> None:
    empty_for = 0
    for _ in range(1000):
        empty_for = empty_for + 1 if intake._waiting.empty() and intake._writer is not None else 0
        if empty_for == 5:
            return
        threading.Event().wait(0.01)


def _wait_until_queued(intake: OrderIntake, count: int) -> None:
    for _ in range(1000):
        if intake._waiting.qsize() >= count:
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"{count} orders never queued: {intake._waiting.qsize()} waiting")


def allocated_by_sku(pb: Pegboard) -> dict[str, Decimal]:
    """How much the order lines hold allocated, per SKU."""
    with pb.engine.connect() as conn:
        return dict(
            conn.execute(  # type: ignore[arg-type]
                select(t.items.c.sku, func.sum(t.order_lines.c.allocated))
                .join(t.items, t.items.c.id == t.order_lines.c.item_id)
                .group_by(t.items.c.sku)
            ).all()
        )


def test_orders_waiting_together_are_placed_in_one_transaction(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=5)
    intake = OrderIntake(pb.uow, pb.clock)
    try:
        with commits_counted(pb) as commits:
            futures = submit_while_held(pb, intake, [draft(f"SO-{n}") for n in range(1, 11)])
        results = [f.result() for f in futures]
    finally:
        intake.close()

    assert [r.order.order_ref for r in results] == [f"SO-{n}" for n in range(1, 11)]
    assert all(r.created for r in results)
    assert commits[0] <= 3, "the first order or two alone, then the rest that queued behind them together"
    allocated = [line_state(pb, f"SO-{n}")[0][1] for n in range(1, 11)]
    assert sum(allocated) == 5


def test_a_refused_order_does_not_fail_the_orders_it_arrived_with(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=3)
    intake = OrderIntake(pb.uow, pb.clock)
    try:
        intake.place(draft("SO-1"))
        drafts = [
            draft("SO-0"),
            draft("SO-2"),
            draft("SO-1", quantity=2),  # the ref again with other content: a conflict
            draft("SO-3", sku="NO-SUCH-SKU"),
            draft("SO-4"),
            draft("SO-4"),  # the same order twice in one batch: placed once
        ]
        futures = submit_while_held(pb, intake, drafts)
    finally:
        intake.close()

    assert futures[0].result().created and futures[1].result().created
    with pytest.raises(DuplicateRef):
        futures[2].result()
    with pytest.raises(UnknownSku):
        futures[3].result()
    assert [futures[4].result().created, futures[5].result().created] == [True, False]
    with pb.engine.connect() as conn:
        refs = conn.execute(select(t.sales_orders.c.order_ref).order_by(t.sales_orders.c.order_ref)).all()
    assert [r[0] for r in refs] == ["SO-0", "SO-1", "SO-2", "SO-4"]
    assert line_state(pb, "SO-1")[0][0:2] == ("KETTLE", Decimal(1))


def test_writes_that_come_with_an_order_share_its_transaction(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    intake = OrderIntake(pb.uow, pb.clock)

    def remember(uow: UnitOfWork, placed: Placed) -> None:
        uow.requests.save(f"key-{placed.order.order_ref}", "hash", 201, "{}")

    def refuse(uow: UnitOfWork, placed: Placed) -> None:
        uow.requests.save("key-refused", "hash", 201, "{}")
        raise DuplicateRef(placed.order.order_ref, "refused after writing")

    try:
        intake.place(draft("SO-1"))
        with pytest.raises(DuplicateRef):
            intake.place(draft("SO-2"), write_with_order=refuse)
        intake.place(draft("SO-3"), write_with_order=remember)
    finally:
        intake.close()

    with pb.engine.connect() as conn:
        keys = conn.execute(select(t.idempotency_keys.c.key)).scalars().all()
        orders = conn.execute(select(func.count()).select_from(t.sales_orders)).scalar_one()
    assert keys == ["key-SO-3"]
    assert orders == 2, "SO-2 was rolled back with its refused write"


def test_many_threads_placing_at_once_each_get_their_own_order(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=20, MUG=7)
    intake = OrderIntake(pb.uow, pb.clock, max_batch=8)
    drafts = [draft(f"SO-{n}", sku="KETTLE" if n % 3 else "MUG", quantity=1 + n % 2) for n in range(60)]
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(intake.place, drafts))
    finally:
        intake.close()

    assert [r.order.order_ref for r in results] == [d.order_ref for d in drafts]
    assert all(r.created for r in results)
    assert allocated_by_sku(pb) == {"KETTLE": 20, "MUG": 7}
