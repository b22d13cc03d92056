"""Customer email throughput: order confirmations delivered to a local SMTP server (aiosmtpd), one pass.

    python -m bench.bench_email --db sqlite --orders 1000 --runs 5
    python -m bench.bench_email --db postgres --orders 1000 --runs 5 --via core

Each run gets a fresh database with the workload's catalogue, stock and POs (untimed), places
the orders (about half of them wait for something), and stores every line's promise with a
planning run, as the promises channel would (untimed). The timed part is one pass of the email
channel over the OrderPlaced events: per order one transaction that reads the order, issues a
status link, records the notice and told dates, renders both templates, hands the message to
the SMTP server over one reused connection, and commits. `--via channel` hands all events to
`EmailChannel.deliver` at once; `--via core` runs the outbox deliverer (claims, batches of 100,
per-channel records) with the email channel only. The SMTP server runs in its own process, so
it does not share the sender's interpreter; it counts what it accepted, and the run fails
unless that is one message per order.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import socket
import statistics
import time
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event

from more_itertools import sliced
from sqlalchemy import func, select

from bench.common import fresh_database, load_catalogue, machine, open_board, spread
from bench.workload import Sizes, generate
from pegboard.adapters.db import tables as t
from pegboard.adapters.notify.email import EmailChannel
from pegboard.bootstrap import Pegboard
from pegboard.services import planning
from pegboard.services.delivery import deliver_pending
from pegboard.services.orders import place_orders
from pegboard.services.ports import StoredEvent


def _serve(port: int, accepted: Synchronized[int], ready: Event, stop: Event) -> None:
    """An aiosmtpd server that only counts the messages it accepts (runs in a child process)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP, Envelope, Session

    class Counter:
        async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
            with accepted.get_lock():
                accepted.value += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port, ready_timeout=30)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpProcess:
    """The SMTP server in a child process, and the number of messages it accepted."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.port = free_port()
        self.accepted: Synchronized[int] = context.Value("i", 0)
        ready, self._stop = context.Event(), context.Event()
        self._process = context.Process(target=_serve, args=(self.port, self.accepted, ready, self._stop))
        self._process.start()
        if not ready.wait(60):
            raise RuntimeError("the SMTP server did not start")

    def close(self) -> None:
        self._stop.set()
        self._process.join(30)


def setup(pb: Pegboard, orders: int, seed: int) -> int:
    """Catalogue, orders and promises (untimed); the number of orders placed."""
    work = generate(Sizes(orders=orders, seed=seed))
    load_catalogue(pb, work)
    drafts = work.drafts()
    for some in sliced(drafts, 500):
        place_orders(some, uow=pb.uow(), clock=pb.clock)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    return len(drafts)


def waiting_share(pb: Pegboard) -> float:
    """The share of orders with at least one line on backorder."""
    lines = t.order_lines.c
    with pb.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(t.sales_orders)).scalar_one()
        waiting = conn.execute(
            select(func.count(func.distinct(lines.order_id))).where(
                lines.quantity > lines.allocated + lines.shipped + lines.cancelled
            )
        ).scalar_one()
    return waiting / total if total else 0.0


def placed_events(pb: Pegboard) -> list[StoredEvent]:
    with pb.engine.connect() as conn:
        rows = conn.execute(
            select(t.outbox).where(t.outbox.c.event_type == "OrderPlaced").order_by(t.outbox.c.created_at)
        ).all()
    return [
        StoredEvent(r.id, r.event_type, json.loads(r.payload), r.created_at, r.attempts, r.order_ref)
        for r in rows
    ]


def sent_notices(pb: Pegboard) -> int:
    with pb.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(t.customer_notices)
                .where(t.customer_notices.c.status == "sent")
            ).scalar_one()
        )


def one_run(db: str, orders: int, seed: int, via: str, server: SmtpProcess) -> tuple[float, float, float]:
    """(messages per second, seconds, share of orders waiting) of one pass on a fresh database."""
    with fresh_database(db) as url:
        pb = open_board(url)
        try:
            placed = setup(pb, orders, seed)
            share = waiting_share(pb)
            settings = pb.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": server.port})
            channel = EmailChannel(settings, uow_factory=pb.uow, clock=pb.clock)
            events = placed_events(pb)
            before = server.accepted.value
            started = time.perf_counter()
            if via == "channel":
                failures = channel.deliver(events)
            else:
                report = deliver_pending(
                    [channel], uow_factory=pb.uow, clock=pb.clock, max_attempts=8, backoff_seconds=30.0
                )
                failures = {"-": f"{report.failed} failed"} if report.failed or report.parked else {}
            elapsed = time.perf_counter() - started
            accepted = server.accepted.value - before
            recorded = sent_notices(pb)
        finally:
            pb.close()
    if failures or accepted != placed or recorded != placed:
        raise SystemExit(
            f"wrong result: {placed} orders, {accepted} messages accepted, {recorded} notices, "
            f"failures {list(failures.values())[:3]}"
        )
    return placed / elapsed, elapsed, share


def main(argv: list[str] | None = None) -> list[float]:
    parser = argparse.ArgumentParser(description="Customer email: confirmations per second to aiosmtpd")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="fresh database each run; the median is reported")
    parser.add_argument("--via", choices=("channel", "core"), default="channel")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    label = f"email db={args.db} orders={args.orders} via={args.via}"
    print(f"# {machine()}", flush=True)
    server = SmtpProcess()
    rates = []
    try:
        for run in range(1, args.runs + 1):
            rate, elapsed, share = one_run(args.db, args.orders, args.seed, args.via, server)
            rates.append(rate)
            print(
                f"{label} run {run}: {rate:.0f} messages/s ({elapsed:.2f} s for {args.orders} confirmations, "
                f"{100 * share:.0f}% of orders with a backorder)",
                flush=True,
            )
    finally:
        server.close()
    print(f"RESULT {label}: {spread(rates)} messages/s (median, min..max over runs)")
    if len(rates) > 1:
        print(f"#   stdev {statistics.stdev(rates):.0f} messages/s")
    return rates


if __name__ == "__main__":
    main()
