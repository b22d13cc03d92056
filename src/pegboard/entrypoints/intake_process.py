"""Order intake in a writer process of its own, so the HTTP server and the writer each get a core.

A server process that both serves HTTP and places orders runs both on one interpreter lock: at
a few hundred orders a second the event loop keeps the lock busy, and the writer thread waits
for it after every database round trip. `IntakeProcess` starts one writer process (spawned,
with its own engine) and sends it the orders submitted in this process through a pipe. The
writer places what has arrived at that moment in one transaction, as `OrderIntake` does, and
sends the answers back; a sender and a receiver thread here keep the futures of the callers.

Nothing changes for a caller: `submit` returns a future that holds the placed order, or the
error placing it raised (a `DomainError` arrives as itself). If the writer process stops (it
crashed, or was killed), the orders in flight fail with `IntakeStopped` (their outcome is
unknown: the same order sent again is answered idempotently by its ref), the stopped process
is reaped and a new writer is started at once, so the orders sent afterwards are placed.
"""

from __future__ import annotations

import gc
import itertools
import logging
import multiprocessing
import pickle
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection
from typing import Any

from pegboard.bootstrap import bootstrap
from pegboard.config import Settings
from pegboard.services.intake import OrderIntake, WriteWithOrder
from pegboard.services.orders import OrderDraft, Placed

#: How long `close` waits for the writer to finish the orders already sent.
CLOSE_SECONDS = 30.0
#: How long a new writer may take to start and connect to the database.
START_SECONDS = 60.0
#: What a writer sends once it is connected and can take orders.
READY = "ready"

log = logging.getLogger("pegboard.intake")


class IntakeStopped(RuntimeError):
    """The writer process stopped before it answered; the order may or may not be placed."""


@dataclass(frozen=True)
class _Refusal:
    """An error raised in the writer, in a form that crosses the pipe whatever its constructor."""

    kind: type[BaseException]
    args: tuple[Any, ...]
    state: dict[str, Any]

    @staticmethod
    def of(error: BaseException) -> _Refusal:
        refusal = _Refusal(type(error), error.args, dict(vars(error)))
        try:
            pickle.dumps(refusal)
        except Exception:
            return _Refusal(IntakeStopped, (f"placing the order failed: {error!r}",), {})
        return refusal

    def rebuild(self) -> BaseException:
        error = self.kind.__new__(self.kind)
        error.args = self.args
        vars(error).update(self.state)
        return error


#: What goes to the writer: a key for the answer, the order and what to write with it.
_Sent = tuple[int, OrderDraft, WriteWithOrder | None]


class IntakeProcess:
    """Places orders in a writer process of its own, in shared transactions of up to `max_batch`."""

    def __init__(self, settings: Settings, *, today: date | None = None, max_batch: int = 64) -> None:
        self.settings, self.today, self.max_batch = settings, today, max_batch
        self._keys = itertools.count()
        self._pending: dict[int, Future[Placed]] = {}
        self._lock = threading.Lock()
        self._outbound: queue.SimpleQueue[_Sent | None] = queue.SimpleQueue()
        self._process: Any = None
        self._threads: list[threading.Thread] = []
        self._closed = False

    def start(self) -> None:
        """Start the writer process (it is started by the first order otherwise)."""
        with self._lock:
            self._closed = False
            self._start_locked()

    def submit(self, draft: OrderDraft, *, write_with_order: WriteWithOrder | None = None) -> Future[Placed]:
        """Send the order to the writer; the future holds the result once it is committed."""
        answer: Future[Placed] = Future()
        key = next(self._keys)
        with self._lock:
            self._start_locked()
            self._pending[key] = answer
            outbound = self._outbound
        outbound.put((key, draft, write_with_order))
        return answer

    def place(self, draft: OrderDraft, *, write_with_order: WriteWithOrder | None = None) -> Placed:
        """Place the order (with `write_with_order` in its transaction); returns once it is committed."""
        return self.submit(draft, write_with_order=write_with_order).result()

    def close(self) -> None:
        """Stop the writer after the orders already sent."""
        with self._lock:
            process, threads, outbound = self._process, self._threads, self._outbound
            self._process, self._threads, self._closed = None, [], True
        if process is None:
            return
        outbound.put(None)
        for thread in threads:
            thread.join(CLOSE_SECONDS)
        process.join(CLOSE_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()

    def _start_locked(self) -> None:
        # A writer that stopped is forgotten by its receiver (it sees the pipe close), so the
        # common case costs no system call.
        if self._process is not None:
            return
        context = multiprocessing.get_context("spawn")
        orders_in, orders_out = context.Pipe(duplex=False)
        answers_in, answers_out = context.Pipe(duplex=False)
        process = context.Process(
            target=write_orders,
            args=(self.settings, self.today, self.max_batch, orders_in, answers_out),
            name="pegboard-order-writer",
            daemon=True,
        )
        process.start()
        orders_in.close()
        answers_out.close()
        # Orders wait for a writer that can place them: until it is connected, none is sent.
        try:
            if not answers_in.poll(START_SECONDS) or answers_in.recv() != READY:
                raise EOFError
        except (EOFError, OSError):
            process.kill()
            process.join()
            raise IntakeStopped(
                "the order writer process did not start (its error is in the server's log)"
            ) from None
        # Each writer has its own queue, so a stopped writer's sender never takes a later order.
        self._process, self._outbound = process, queue.SimpleQueue()
        self._threads = [
            threading.Thread(
                target=self._send, args=(self._outbound, orders_out), name="intake-sender", daemon=True
            ),
            threading.Thread(
                target=self._receive,
                args=(answers_in, process, self._outbound),
                name="intake-receiver",
                daemon=True,
            ),
        ]
        for thread in self._threads:
            thread.start()

    def _send(self, outbound: queue.SimpleQueue[_Sent | None], pipe: Connection) -> None:
        """Send what was submitted, everything waiting at that moment in one message."""
        try:
            while True:
                first = outbound.get()
                batch = [first]
                while True:
                    try:
                        batch.append(outbound.get_nowait())
                    except queue.Empty:
                        break
                orders = [sent for sent in batch if sent is not None]
                if orders:
                    self._send_orders(pipe, orders)
                if len(orders) < len(batch):
                    pipe.send(None)
                    return
        except (OSError, EOFError):
            return
        finally:
            pipe.close()

    def _send_orders(self, pipe: Connection, orders: list[_Sent]) -> None:
        """One message; if something in it cannot be pickled (an `write_with_order` that is a closure, say),
        each order alone, and the ones that cannot go fail with that error."""
        try:
            pipe.send(orders)
            return
        except (pickle.PicklingError, AttributeError, TypeError):
            pass
        for sent in orders:
            try:
                pipe.send([sent])
            except (pickle.PicklingError, AttributeError, TypeError) as error:
                with self._lock:
                    answer = self._pending.pop(sent[0])
                answer.set_exception(
                    TypeError(f"order {sent[1].order_ref} cannot be sent to the writer process: {error}")
                )

    def _receive(self, pipe: Connection, process: Any, outbound: queue.SimpleQueue[_Sent | None]) -> None:
        """Resolve each caller's future as the answers come back; fail them all if the writer stops."""
        try:
            while True:
                for key, outcome in pipe.recv():
                    with self._lock:
                        answer = self._pending.pop(key)
                    if isinstance(outcome, _Refusal):
                        answer.set_exception(outcome.rebuild())
                    else:
                        answer.set_result(outcome)
        except (OSError, EOFError):
            pass
        finally:
            pipe.close()
            with self._lock:
                lost, self._pending = self._pending, {}
                stopped = self._process is process  # not by `close`, which forgets it first
                if stopped:
                    self._process = None
            outbound.put(None)  # stops this writer's sender
            for answer in lost.values():
                answer.set_exception(IntakeStopped("the order writer stopped before it answered"))
            if stopped:
                self._replace(process)

    def _replace(self, process: Any) -> None:
        """Reap a writer that stopped on its own (no defunct process is left) and start another."""
        process.join(CLOSE_SECONDS)
        log.warning("the order writer process stopped (exit code %s); starting a new one", process.exitcode)
        try:
            with self._lock:
                if not self._closed:
                    self._start_locked()
        except IntakeStopped:
            log.exception("a new order writer could not start; the next order tries again")


def write_orders(
    settings: Settings, today: date | None, max_batch: int, orders: Connection, answers: Connection
) -> None:
    """The writer process: place what has arrived, up to `max_batch` orders per transaction."""
    pb = bootstrap(settings, today=today)
    intake = OrderIntake(pb.uow, pb.clock, max_batch=max_batch)
    try:
        with pb.engine.connect():  # fails here, before READY, when the database cannot be reached
            pass
        # What was built to start (modules, mappers, compiled statements) lives as long as the
        # process: kept out of the collector's full passes, which would otherwise walk it all
        # again every few seconds under load and hold up the batch in hand.
        gc.freeze()
        answers.send(READY)
        stop = False
        while not stop:
            first = orders.recv()
            if first is None:
                return
            waiting: list[_Sent] = list(first)
            while len(waiting) < max_batch and orders.poll():
                more = orders.recv()
                if more is None:
                    stop = True
                    break
                waiting += more
            for start in range(0, len(waiting), max_batch):
                batch = waiting[start : start + max_batch]
                placed = intake.place_now([(draft, write_with_order) for _, draft, write_with_order in batch])
                answers.send([(key, _outcome(done)) for (key, _, _), done in zip(batch, placed, strict=True)])
    except EOFError:  # the server process is gone
        return
    finally:
        answers.close()
        pb.close()


def _outcome(future: Future[Placed]) -> Placed | _Refusal:
    error = future.exception()
    return future.result() if error is None else _Refusal.of(error)
