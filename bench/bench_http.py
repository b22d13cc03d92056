"""Order intake through the REST API: `POST /api/v1/orders` with a bearer token, on loopback.

    python -m bench.bench_http --db postgres --orders 1000 --runs 3
    python -m bench.bench_http --db postgres --orders 100000 --client wrk --server-workers 2

Each run gets a fresh database with the workload's catalogue, stock and POs imported (untimed),
an operator token from `pegboard token create`, and a server started with
`pegboard serve --host 127.0.0.1 --port P --workers W`. The load comes from this process
(asyncio + httpx, `--concurrency` connections kept alive) or from `wrk` (C, with a Lua script
that sends each order once), never from the server's own processes, and is bounded: every order
is sent once, and the run stops after `--max-seconds` whatever happens. Throughput is measured
twice: by the client (orders / wall time) and by the server (orders / span of their created_at).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

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
from bench.workload import TODAY, Sizes, generate
from pegboard.adapters.db import tables as t
from pegboard.services.orders import OrderDraft

PEGBOARD = Path(sys.executable).with_name("pegboard")
ORDERS_PATH = "/api/v1/orders"
WRK_SUMMARY = r"WRK requests=(\d+) errors_status=(\d+) p50_us=(\d+) p99_us=(\d+) max_us=(\d+)"

WRK_SCRIPT = r"""
-- Each wrk thread sends its share of the orders (every nthreads-th line of the file) once.
local bodies, sent, idempotent = {}, 0, false

function setup(thread)
  thread:set("id", setup_count or 0)
  setup_count = (setup_count or 0) + 1
end

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[3]
  idempotent = args[4] == "1"
  local n = 0
  for line in io.lines(path) do
    if n % nthreads == id then bodies[#bodies + 1] = line end
    n = n + 1
  end
end

function request()
  -- wrk 4.1 calls request() once per thread before connecting and drops the answer: give it a
  -- harmless read, so that no order is lost.
  sent = sent + 1
  local n = sent - 1
  if n < 1 or n > #bodies then
    -- Nothing left: read until the driver sees every order stored and stops wrk.
    return wrk.format("GET", "/api/v1/orders?limit=1", nil, nil)
  end
  local headers = nil
  if idempotent then
    -- wrk.format uses the table given instead of wrk.headers, not on top of it: copy them.
    headers = {["Idempotency-Key"] = "bench-" .. id .. "-" .. n}
    for name, value in pairs(wrk.headers) do headers[name] = value end
  end
  return wrk.format(nil, "/api/v1/orders", headers, bodies[n])
end

function done(summary, latency, requests)
  io.write(string.format("WRK requests=%d errors_status=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.errors.status, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def order_body(draft: OrderDraft) -> bytes:
    """The JSON an API client sends for the order (quantities and prices as exact strings)."""
    return json.dumps(
        {
            "order_ref": draft.order_ref,
            "customer": draft.customer,
            "email": draft.email,
            "ordered_at": draft.ordered_at.isoformat() if draft.ordered_at else None,
            "priority": draft.priority,
            "ship_policy": draft.ship_policy.value,
            "lines": [
                {
                    "sku": line.sku,
                    "quantity": str(line.quantity),
                    "unit_price": None if line.unit_price is None else str(line.unit_price),
                }
                for line in draft.lines
            ],
        },
        separators=(",", ":"),
    ).encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def create_token(url: str, name: str = "bench") -> str:
    done = subprocess.run(
        [str(PEGBOARD), "token", "create", "--name", name, "--role", "operator", "--db", url],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


#: On PYTHONPATH, makes the server's processes skip the stored plan's plan-input watch.
UNWATCHED = Path(__file__).with_name("unwatched")


def server_environment(*, pool_size: int | None, delivery: bool, unwatched: bool = False) -> dict[str, str]:
    """The server's environment: the pool size asked for, and background outbox delivery on or off.

    Intake benchmarks turn delivery off so they time intake alone: with it on, each worker
    also re-promises the new orders and mails their customers (measured in bench_email).
    `unwatched` serves without the `plan_input_changes` row per writing transaction.
    """
    env = {**os.environ}
    if unwatched:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(UNWATCHED), env.get("PYTHONPATH")]))
    if pool_size:
        env["PEGBOARD_DB_POOL_SIZE"] = str(pool_size)
    if not delivery:
        env["PEGBOARD_NOTIFY_INTERVAL_SECONDS"] = "0"
    return env


@contextmanager
def server(
    url: str,
    *,
    port: int,
    workers: int,
    token: str,
    pool_size: int | None = None,
    nodelay: bool = False,
    delivery: bool = False,
    unwatched: bool = False,
) -> Iterator[tuple[str, int]]:
    """`pegboard serve` in its own process group, stopped (the whole group) afterwards.

    With `nodelay`, bench/serve_nodelay.py serves instead: the same app and options, with
    uvicorn's lost TCP_NODELAY (workers > 1) worked around. Yields the base URL and the
    process group id (the server's workers are in it)."""
    log = tempfile.TemporaryFile()
    launcher = [sys.executable, "-m", "bench.serve_nodelay"] if nodelay else [str(PEGBOARD), "serve"]
    process = subprocess.Popen(
        [
            *launcher,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--db",
            url,
            "--today",
            TODAY.isoformat(),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=server_environment(pool_size=pool_size, delivery=delivery, unwatched=unwatched),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base, token, process, log)
        yield base, process.pid
    finally:
        _stop(process)
        log.close()


def _wait_until_ready(base: str, token: str, process: subprocess.Popen[bytes], log: object) -> None:
    """Every worker answers once it is up; ask until 20 reads in a row succeed (180 s at most)."""
    deadline = time.monotonic() + 180
    streak = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        while streak < 20:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (exit code {process.poll()})")
            try:
                ok = client.get(ORDERS_PATH, params={"limit": 1}).status_code == 200
            except httpx.TransportError:
                ok = False
            streak = streak + 1 if ok else 0
            if not ok:
                time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class Load:
    """What the client saw: wall time, per-request latencies (s) and status codes."""

    elapsed: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    cpu: float = 0.0
    note: str = ""


async def _drive_httpx(
    base: str, token: str, bodies: Sequence[bytes], *, concurrency: int, max_seconds: float, idempotent: bool
) -> Load:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    load = Load(0.0)
    queue = iter(enumerate(bodies))
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        deadline = time.perf_counter() + max_seconds

        async def worker() -> None:
            for n, body in queue:
                if time.perf_counter() > deadline:
                    return
                extra = {"Idempotency-Key": f"bench-{n}"} if idempotent else None
                started = time.perf_counter()
                response = await client.post(ORDERS_PATH, content=body, headers=extra)
                load.latencies.append(time.perf_counter() - started)
                load.statuses[response.status_code] += 1

        cpu = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        load.elapsed = time.perf_counter() - started
        load.cpu = time.process_time() - cpu
    return load


def drive_wrk(
    base: str,
    token: str,
    bodies: Sequence[bytes],
    *,
    url: str,
    concurrency: int,
    threads: int,
    max_seconds: float,
    idempotent: bool,
) -> Load:
    """Run wrk until every order is stored (or max_seconds pass), then stop it with SIGINT."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk), or use --client httpx")
    with tempfile.TemporaryDirectory(prefix="pegboard_bench_") as directory:
        script, data = Path(directory, "orders.lua"), Path(directory, "orders.jsonl")
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        data.write_bytes(b"\n".join(bodies) + b"\n")
        command = [
            wrk,
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{int(max_seconds)}s",
            "--timeout",
            "60s",
            "-s",
            str(script),
            base,
            "--",
            str(data),
            str(threads),
            token,
            "1" if idempotent else "0",
        ]
        pb = open_board(url, pool_size=1)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            started = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
            stored, progress_at = 0, started
            while process.poll() is None and stored < len(bodies):
                time.sleep(0.2)
                with pb.engine.connect() as conn:
                    now_stored = conn.execute(select(func.count()).select_from(t.sales_orders)).scalar_one()
                if now_stored > stored:
                    stored, progress_at = now_stored, time.perf_counter()
                elif time.perf_counter() - progress_at > 20:
                    break  # no order stored for 20 s: something is wrong; stop and report it
            elapsed = time.perf_counter() - started
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=60)
        finally:
            pb.close()
        done = resource.getrusage(resource.RUSAGE_CHILDREN)
        wrk_cpu = done.ru_utime + done.ru_stime - children.ru_utime - children.ru_stime
    found = re.search(WRK_SUMMARY, output)
    if found is None:
        raise RuntimeError(f"wrk gave no summary:\n{output}")
    requests, bad, p50, p99, worst = (int(x) for x in found.groups())
    load = Load(elapsed, cpu=wrk_cpu, note=f"wrk: {requests} requests, {bad} non-2xx")
    # wrk keeps its own latency histogram; keep its percentiles as three samples for the report.
    load.latencies = [p50 / 1e6, p99 / 1e6, worst / 1e6]
    load.statuses[201] = stored
    return load


def cpu_snapshot(
    group: int, database: str | None
) -> tuple[dict[int, float], dict[int, float], tuple[float, float]]:
    """CPU seconds so far of the server's processes, of the database's backends, and of the machine."""
    backends = process_cpu(postgres_database=database) if database else {}
    return process_cpu(group=group), backends, machine_busy()


def server_span(url: str) -> float:
    """Seconds between the first and the last order the server stored (its own clock)."""
    pb = open_board(url, pool_size=1)
    try:
        with pb.engine.connect() as conn:
            first, last = conn.execute(
                select(func.min(t.sales_orders.c.created_at), func.max(t.sales_orders.c.created_at))
            ).one()
    finally:
        pb.close()
    return float((last - first).total_seconds()) if first and last else float("nan")


def main(argv: list[str] | None = None) -> list[float]:
    parser = argparse.ArgumentParser(description="Order intake through POST /api/v1/orders")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=16, help="connections kept open by the client")
    parser.add_argument("--server-workers", type=int, default=2, help="pegboard serve --workers")
    parser.add_argument(
        "--server-pool",
        type=int,
        default=None,
        help="PEGBOARD_DB_POOL_SIZE for the server (default: --concurrency; 0: the server's default)",
    )
    parser.add_argument("--client", choices=("httpx", "wrk"), default="httpx")
    parser.add_argument(
        "--nodelay-fix",
        action="store_true",
        help="serve with bench/serve_nodelay.py (uvicorn's lost TCP_NODELAY worked around)",
    )
    parser.add_argument(
        "--wrk-threads", type=int, default=2, help="wrk threads (each opens its share of the connections)"
    )
    parser.add_argument("--idempotency-key", action="store_true", help="send an Idempotency-Key per order")
    parser.add_argument("--max-seconds", type=float, default=900, help="stop the load after this long")
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--plan-inputs",
        choices=("watched", "unwatched", "alternate"),
        default="watched",
        help="serve with the plan-input change row per write (as shipped), without it, or alternately",
    )
    args = parser.parse_args(argv)
    # Stopped from outside (a timeout): still stop the server and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    work = generate(Sizes(orders=args.orders, skus=args.skus, seed=args.seed))
    bodies = [order_body(draft) for draft in work.drafts()]
    pool = args.concurrency if args.server_pool is None else args.server_pool
    label = (
        f"http db={args.db} orders={len(bodies)} client={args.client} c={args.concurrency} "
        f"server-workers={args.server_workers} pool={pool or 'default'}"
        + (" idempotency-key" if args.idempotency_key else "")
        + (" nodelay-fix" if args.nodelay_fix else "")
    )
    print(f"# {machine()}", flush=True)
    rates = []
    by_watch: dict[str, list[float]] = {}
    for run in range(1, args.runs + 1):
        unwatched = args.plan_inputs == "unwatched" or (args.plan_inputs == "alternate" and run % 2 == 0)
        watch = "unwatched" if unwatched else "watched"
        with fresh_database(args.db) as url:
            pb = open_board(url)
            try:
                load_catalogue(pb, work)
            finally:
                pb.close()
            token = create_token(url)
            launched = server(
                url,
                port=free_port(),
                workers=args.server_workers,
                token=token,
                pool_size=pool,
                nodelay=args.nodelay_fix,
                unwatched=unwatched,
            )
            with launched as (base, group):
                database = url.rsplit("/", 1)[1] if args.db == "postgres" else None
                cpu_before = cpu_snapshot(group, database)
                if args.client == "httpx":
                    load = asyncio.run(
                        _drive_httpx(
                            base,
                            token,
                            bodies,
                            concurrency=args.concurrency,
                            max_seconds=args.max_seconds,
                            idempotent=args.idempotency_key,
                        )
                    )
                else:
                    load = drive_wrk(
                        base,
                        token,
                        bodies,
                        url=url,
                        concurrency=args.concurrency,
                        threads=args.wrk_threads,
                        max_seconds=args.max_seconds,
                        idempotent=args.idempotency_key,
                    )
                cpu_after = cpu_snapshot(group, database)
            span = server_span(url)
            check = open_board(url)
            try:
                stored = outcome(check)
            finally:
                check.close()
        created = load.statuses.get(201, 0)
        rate = created / load.elapsed
        rates.append(rate)
        by_watch.setdefault(watch, []).append(rate)
        ms = [x * 1000 for x in load.latencies]
        if args.client == "wrk":
            latency = f"p50 {ms[0]:.1f} ms, p99 {ms[1]:.1f} ms, max {ms[2]:.0f} ms (wrk; {load.note})"
        else:
            p50, p99 = percentile(ms, 0.5), percentile(ms, 0.99)
            latency = f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(ms):.0f} ms"
        busy = cpu_after[2][0] - cpu_before[2][0]
        used = {
            "client": load.cpu,
            "server": cpu_used(cpu_before[0], cpu_after[0]),
            "postgres": cpu_used(cpu_before[1], cpu_after[1]),
        }
        cpu = "CPU per order: " + ", ".join(f"{k} {v * 1e6 / len(bodies):.0f} us" for k, v in used.items())
        cpu += (
            f", anything else {(busy - sum(used.values())) * 1e6 / len(bodies):.0f} us "
            f"(machine {100 * busy / load.elapsed / (os.cpu_count() or 1):.0f}% busy)"
        )
        print(
            f"{label} run {run} ({watch} plan inputs): {rate:.0f} orders/s in {load.elapsed:.2f} s "
            f"(server-side "
            f"{(stored.orders - 1) / span:.0f} orders/s); latency {latency}; {cpu}; "
            f"statuses {dict(load.statuses)}; {stored.describe()}",
            flush=True,
        )
        if stored.orders != len(bodies) or stored.overallocated_items or created != len(bodies):
            raise SystemExit(f"{label}: not every order was stored once: {stored.describe()}")
    print(f"RESULT {label}: {spread(rates)} orders/s (median, min..max over runs)")
    if len(by_watch) > 1:
        for watch, found in by_watch.items():
            print(f"RESULT {label} {watch} plan inputs: {spread(found)} orders/s")
    return rates


if __name__ == "__main__":
    main()
