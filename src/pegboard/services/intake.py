"""Group commit for order intake: orders that arrive at the same moment share one transaction.

Every order placed locks its items' rows until its transaction commits, so concurrent orders
for popular SKUs queue behind each other's commits; a commit is a disk flush. `OrderIntake`
lets one writer thread per process place every order waiting at that moment in one
transaction (one lock of the rows, one insert per table, one flush), then answer each caller.
Nothing changes for a caller: the call returns once its order is committed, with the same
result or error as `place_order`. When a shared transaction is refused (say, one order
reuses a ref with other content), each order of it is placed again on its own, so one bad
order never fails its neighbours.

`Intake` is what callers hold: this class, or `entrypoints.intake_process.IntakeProcess`, which
runs the same writer in a process of its own so that placing orders and serving HTTP do not
share one interpreter lock.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Protocol

from pegboard.domain.errors import DomainError
from pegboard.services.orders import OrderDraft, Placed, place_order, place_orders
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.runner import with_retries

#: A write that belongs in the order's transaction (e.g. storing an idempotent request's answer).
#: When its class has a `write_all(uow, [(write_with_order, placed), ...])` classmethod, the writes of a
#: whole shared transaction are made in one call (one statement instead of one per order).
WriteWithOrder = Callable[[UnitOfWork, Placed], None]


class Intake(Protocol):
    """Places orders submitted from many threads, each in a transaction shared with its neighbours."""

    def start(self) -> None: ...

    def submit(
        self, draft: OrderDraft, *, write_with_order: WriteWithOrder | None = None
    ) -> Future[Placed]: ...

    def place(self, draft: OrderDraft, *, write_with_order: WriteWithOrder | None = None) -> Placed: ...

    def close(self) -> None: ...


class CannotShareTransaction(Exception):
    """Raised by a `WriteWithOrder` when its order must not share a transaction (e.g. a replay)."""


@dataclass
class _Request:
    draft: OrderDraft
    write_with_order: WriteWithOrder | None
    answer: Future[Placed] = field(default_factory=Future)


class OrderIntake:
    """Places orders from many threads, in shared transactions of up to `max_batch` orders."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork], clock: Clock, *, max_batch: int = 64) -> None:
        self.uow_factory, self.clock, self.max_batch = uow_factory, clock, max_batch
        self._waiting: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._start = threading.Lock()

    def start(self) -> None:
        """Start the writer thread (it is started by the first order otherwise)."""
        self._ensure_writer()

    def place(self, draft: OrderDraft, *, write_with_order: WriteWithOrder | None = None) -> Placed:
        """Place the order (with `write_with_order` in its transaction); returns once it is committed."""
        return self.submit(draft, write_with_order=write_with_order).result()

    def submit(self, draft: OrderDraft, *, write_with_order: WriteWithOrder | None = None) -> Future[Placed]:
        """Queue the order for the writer; the future holds the result once it is committed."""
        request = _Request(draft, write_with_order)
        self._ensure_writer()
        self._waiting.put(request)
        return request.answer

    def place_now(self, requests: Sequence[tuple[OrderDraft, WriteWithOrder | None]]) -> list[Future[Placed]]:
        """Place these orders in the calling thread, together when they can be; every future is done."""
        batch = [_Request(draft, write_with_order) for draft, write_with_order in requests]
        self._place(batch)
        return [request.answer for request in batch]

    def close(self) -> None:
        """Stop the writer after the orders already waiting."""
        with self._start:
            if self._writer is not None:
                self._waiting.put(None)
                self._writer.join()
                self._writer = None

    def _ensure_writer(self) -> None:
        if self._writer is None:
            with self._start:
                if self._writer is None:
                    self._writer = threading.Thread(target=self._write, name="order-intake", daemon=True)
                    self._writer.start()

    def _write(self) -> None:
        while True:
            first = self._waiting.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    more = self._waiting.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._place(batch)
            if stop:
                return

    def _place(self, batch: list[_Request]) -> None:
        """Place the batch together; if that is refused, each order on its own."""
        if len(batch) > 1:
            try:
                placed = with_retries(lambda: self._together(batch))
            except (DomainError, CannotShareTransaction):
                pass
            except Exception:  # a value the database refuses, say: one order never fails its neighbours
                pass
            except BaseException as error:  # the process is stopping: every caller hears it
                for request in batch:
                    request.answer.set_exception(error)
                return
            else:
                for request, result in zip(batch, placed, strict=True):
                    request.answer.set_result(result)
                return
        for request in batch:
            self._answer_alone(request)

    def _answer_alone(self, request: _Request) -> None:
        try:
            request.answer.set_result(with_retries(lambda: self._alone(request)))
        except BaseException as error:
            request.answer.set_exception(error)

    def _together(self, batch: list[_Request]) -> list[Placed]:
        def write_all_with_orders(uow: UnitOfWork, placed: dict[str, Placed]) -> None:
            together: dict[Any, list[tuple[Any, Placed]]] = {}
            for request in batch:
                if request.write_with_order is None:
                    continue
                result = placed[request.draft.order_ref]
                if hasattr(type(request.write_with_order), "write_all"):
                    together.setdefault(type(request.write_with_order), []).append(
                        (request.write_with_order, result)
                    )
                else:
                    request.write_with_order(uow, result)
            for kind, items in together.items():
                kind.write_all(uow, items)

        results = place_orders(
            [r.draft for r in batch],
            uow=self.uow_factory(),
            clock=self.clock,
            before_commit=write_all_with_orders,
        )
        by_ref = {p.order.order_ref: p for p in results}
        # Only the first submission of a ref creates it; a twin in the same batch is "already there".
        answers: list[Placed] = []
        creators: set[str] = set()
        for request in batch:
            found = by_ref[request.draft.order_ref]
            created = found.created and request.draft.order_ref not in creators
            creators.add(request.draft.order_ref)
            answers.append(found if created == found.created else Placed(found.order, created))
        return answers

    def _alone(self, request: _Request) -> Placed:
        if request.write_with_order is None:
            return place_order(request.draft, uow=self.uow_factory(), clock=self.clock)
        write = request.write_with_order
        return place_orders(
            [request.draft],
            uow=self.uow_factory(),
            clock=self.clock,
            before_commit=lambda uow, placed: write(uow, placed[request.draft.order_ref]),
        )[0]
