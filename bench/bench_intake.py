"""Order intake through the service layer: `place_order`, one order per transaction.

    python -m bench.bench_intake --db postgres --orders 1000 --runs 5
    python -m bench.bench_intake --db postgres --orders 1000 --workers 4 --mode process

Each run gets a fresh database with the workload's catalogue, stock and POs imported (untimed),
then places the orders oldest first, each with `with_retries(place_order(...))` exactly as the
CLI and the API do. With `--workers`, the orders are dealt round-robin to threads (one shared
engine) or to processes (one engine each) that all start together.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import pstats
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier, Event

from bench.common import (
    cpu_used,
    fresh_database,
    load_catalogue,
    machine,
    machine_busy,
    open_board,
    outcome,
    percentile,
    process_cpu,
    spread,
)
from bench.workload import Sizes, generate
from pegboard.bootstrap import Pegboard
from pegboard.services.orders import OrderDraft, Placed, place_order
from pegboard.services.ports import TransientConflict
from pegboard.services.runner import with_retries


@dataclass
class Timings:
    """Per-order latencies (seconds) and how many attempts the database asked to repeat."""

    latencies: list[float]
    retries: int = 0
    cpu: float = 0.0


def place_all(pb: Pegboard, drafts: Sequence[OrderDraft]) -> Timings:
    """Place the drafts one by one, one transaction each, timing every call."""
    timings = Timings([])

    def attempt(draft: OrderDraft) -> Placed:
        try:
            return place_order(draft, uow=pb.uow(), clock=pb.clock)
        except TransientConflict:
            timings.retries += 1
            raise

    clock = time.perf_counter
    cpu_before = time.process_time()
    for draft in drafts:
        started = clock()
        with_retries(lambda: attempt(draft))  # noqa: B023 - called at once, inside this iteration
        timings.latencies.append(clock() - started)
    timings.cpu = time.process_time() - cpu_before
    return timings


def _warm_up(pb: Pegboard) -> None:
    """Open a connection first, so the timing does not include connecting."""
    with pb.reader() as uow:
        uow.catalogue.item("-")


class Meter:
    """Wall time, PostgreSQL backends' CPU and the machine's busy time, from start() to stop().

    stop() is called before the engines close, while the backends still exist."""

    def __init__(self, url: str) -> None:
        self.database = url.rsplit("/", 1)[1] if url.startswith("postgresql") else None
        self.elapsed = self.postgres = self.busy = 0.0
        self._backends: dict[int, float] = {}
        self._started = self._busy = 0.0

    def _backends_now(self) -> dict[int, float]:
        return process_cpu(postgres_database=self.database) if self.database else {}

    def start(self) -> None:
        self._backends, self._busy = self._backends_now(), machine_busy()[0]
        self._started = time.perf_counter()

    def stop(self) -> None:
        self.elapsed = time.perf_counter() - self._started
        self.postgres = cpu_used(self._backends, self._backends_now())
        self.busy = machine_busy()[0] - self._busy


def run_serial(url: str, drafts: list[OrderDraft], meter: Meter, *, profile: str | None = None) -> Timings:
    pb = open_board(url)
    try:
        _warm_up(pb)
        profiler = cProfile.Profile() if profile else None
        meter.start()
        if profiler:
            profiler.enable()
        timings = place_all(pb, drafts)
        if profiler:
            profiler.disable()
        meter.stop()
        if profiler and profile:
            profiler.dump_stats(profile)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        return timings
    finally:
        pb.close()


def run_threads(url: str, drafts: list[OrderDraft], meter: Meter, workers: int) -> Timings:
    pb = open_board(url, pool_size=workers)
    results: list[Timings] = [Timings([]) for _ in range(workers)]
    barrier = threading.Barrier(workers + 1)

    def work(n: int) -> None:
        _warm_up(pb)
        barrier.wait()
        results[n] = place_all(pb, drafts[n::workers])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    try:
        for thread in threads:
            thread.start()
        barrier.wait()
        meter.start()
        for thread in threads:
            thread.join()
        meter.stop()
    finally:
        pb.close()
    return _merge(results, threads=True)


def _process_worker(
    url: str, drafts: list[OrderDraft], barrier: Barrier, queue: Queue, finished: Event
) -> None:
    pb = open_board(url, pool_size=1)
    try:
        _warm_up(pb)
        barrier.wait()
        timings = place_all(pb, drafts)
        queue.put((timings.latencies, timings.retries, timings.cpu))
        finished.wait(timeout=600)  # keep the connection until the parent has measured
    finally:
        pb.close()


def run_processes(url: str, drafts: list[OrderDraft], meter: Meter, workers: int) -> Timings:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers + 1)
    queue = context.Queue()
    finished = context.Event()
    processes = [
        context.Process(target=_process_worker, args=(url, drafts[n::workers], barrier, queue, finished))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)
    meter.start()
    results = [Timings(*queue.get(timeout=3600)) for _ in processes]
    meter.stop()
    finished.set()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a worker process failed (exit code {process.exitcode})")
    return _merge(results, threads=False)


def _merge(results: Sequence[Timings], *, threads: bool) -> Timings:
    # Threads share one process, whose CPU time each of them measured: take it once.
    cpu = max(r.cpu for r in results) if threads else sum(r.cpu for r in results)
    return Timings([x for r in results for x in r.latencies], sum(r.retries for r in results), cpu)


def main(argv: list[str] | None = None) -> list[float]:
    parser = argparse.ArgumentParser(description="Order intake through services.orders.place_order")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1, help="fresh database each run; the median is reported")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--mode", choices=("thread", "process"), default="thread")
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the (serial) run into FILE")
    args = parser.parse_args(argv)
    if args.profile and args.workers != 1:
        parser.error("--profile needs --workers 1")

    work = generate(Sizes(orders=args.orders, skus=args.skus, seed=args.seed))
    drafts = work.drafts()
    plural = {"thread": "threads", "process": "processes"}[args.mode]
    how = "serial" if args.workers == 1 else f"{args.workers} {plural}"
    label = f"intake db={args.db} orders={len(drafts)} ({how})"
    print(f"# {machine()}", flush=True)
    rates = []
    for run in range(1, args.runs + 1):
        with fresh_database(args.db) as url:
            pb = open_board(url)
            try:
                load_catalogue(pb, work)
            finally:
                pb.close()
            meter = Meter(url)
            if args.workers == 1:
                timings = run_serial(url, drafts, meter, profile=args.profile)
            elif args.mode == "thread":
                timings = run_threads(url, drafts, meter, args.workers)
            else:
                timings = run_processes(url, drafts, meter, args.workers)
            elapsed, postgres, busy = meter.elapsed, meter.postgres, meter.busy
            check = open_board(url)
            try:
                stored = outcome(check)
            finally:
                check.close()
        if stored.orders != len(drafts) or stored.overallocated_items:
            raise SystemExit(f"{label}: wrong result: {stored.describe()}")
        rate = len(drafts) / elapsed
        rates.append(rate)
        ms = [x * 1000 for x in timings.latencies]
        print(
            f"{label} run {run}: {rate:.0f} orders/s in {elapsed:.2f} s; latency p50 "
            f"{percentile(ms, 0.5):.2f} ms, p99 {percentile(ms, 0.99):.2f} ms, max {max(ms):.1f} ms; "
            f"CPU per order: client {timings.cpu * 1e6 / len(drafts):.0f} us, postgres "
            f"{postgres * 1e6 / len(drafts):.0f} us, anything else "
            f"{(busy - timings.cpu - postgres) * 1e6 / len(drafts):.0f} us (machine "
            f"{100 * busy / elapsed / (os.cpu_count() or 1):.0f}% busy); retries {timings.retries}; "
            f"{stored.describe()}",
            flush=True,
        )
    print(f"RESULT {label}: {spread(rates)} orders/s (median, min..max over runs)")
    if len(rates) > 1:
        print(f"#   stdev {statistics.stdev(rates):.0f} orders/s")
    return rates


if __name__ == "__main__":
    main()
