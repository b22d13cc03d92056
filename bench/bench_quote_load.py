"""Quote latency through a real server while another process places orders against it.

    python -m bench.bench_quote_load --size M --db sqlite --quotes 200 --rate 5 [--seed 3]

The workshop of `bench/plan_workload.py` is loaded into a fresh database (untimed) by
`bench/workshop_load.py`, which writes what the CSV imports would (`--csv-load`: through the CSV
imports themselves, as `bench_quote` does; an hour at L), or `--url` names a database loaded
before (`python -m bench.workshop_load --size L --name s8_quote12_L`), and
`pegboard serve --workers 1` serves it. This process then
sends `--quotes` quotes one after another (`POST /api/v1/quotes`, 1 to 3 random products of 1 to
3 units, as `bench_quote`), first with nothing else going on, then while a second process places
orders (`POST /api/v1/orders`, 1 or 2 random products, 1 to 3 units, most going on backorder) at
a steady `--rate` per second against the same server. Each quote's latency is measured by the
client, end to end over loopback. The first quote of each phase is left out (it builds the
leftover in the server); so are none of the others: a quote that the server answers by planning
in full (say, while it builds the leftover again after a change it cannot follow) counts.

After the run, the plan-input change log says how many writes the server's leftover could follow
(orders placed and nothing else) and how many made it build again.

`--serve-from DIR` serves the `pegboard` package of DIR/src instead (an older commit unpacked
with `git archive COMMIT src | tar -x -C DIR`), for a before/after on the same machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from multiprocessing.synchronize import Event as StopEvent
from pathlib import Path

import httpx
from alembic import command
from sqlalchemy import func, select

from bench.bench_http import create_token, free_port, server
from bench.bench_quote import percentiles, requests
from bench.common import fresh_database, machine, open_board
from bench.plan_workload import SIZES, plan_workload
from bench.workshop_load import load_into
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.migrate import alembic_config
from pegboard.planning.snapshot import PlanInput

QUOTES_PATH, ORDERS_PATH = "/api/v1/quotes", "/api/v1/orders"


def place_orders(
    base: str, token: str, products: list[str], rate: float, seed: int, stop: StopEvent, placed: object
) -> None:
    """Place orders at `rate` per second until `stop` is set; count those placed in `placed`."""
    rng = random.Random(seed)
    run_tag = f"{seed}-{int(time.time())}"  # a kept database takes several runs' orders
    headers = {"Authorization": f"Bearer {token}"}
    period, due, n = 1.0 / rate, time.monotonic(), 0
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        while not stop.is_set():
            lines = [
                {"sku": sku, "quantity": str(rng.randint(1, 3))}
                for sku in rng.sample(products, rng.randint(1, 2))
            ]
            n += 1
            body = {"order_ref": f"LOAD-{run_tag}-{n:06d}", "customer": "Load", "lines": lines}
            if client.post(ORDERS_PATH, json=body).status_code == 201:
                with placed.get_lock():  # type: ignore[attr-defined]
                    placed.value += 1  # type: ignore[attr-defined]
            due += period
            time.sleep(max(0.0, due - time.monotonic()))


def quote_times(client: httpx.Client, orders: list[tuple[tuple[str, Decimal], ...]]) -> list[float]:
    """Each quote's latency (s), one after another; the first one (it builds) left out."""
    times = []
    for lines in orders:
        body = {"lines": [{"sku": sku, "quantity": str(quantity)} for sku, quantity in lines]}
        started = time.perf_counter()
        answer = client.post(QUOTES_PATH, json=body)
        times.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise RuntimeError(f"quote refused: {answer.status_code} {answer.text[:200]}")
    return times[1:]


def changes(url: str) -> dict[str, int]:
    """Plan-input changes logged: those that only placed orders (followed) and the others."""
    pb = open_board(url)
    try:
        with pb.reader() as uow:
            c = t.plan_input_changes.c
            rows = uow.connection.execute(
                select(c.placed_orders.is_(None), func.count()).group_by(c.placed_orders.is_(None))
            ).all()
    finally:
        pb.close()
    found = {bool(other): int(count) for other, count in rows}
    return {"changes_placing_only": found.get(False, 0), "changes_other": found.get(True, 0)}


def run(
    kind: str,
    snapshot: PlanInput,
    *,
    quotes: int,
    rate: float,
    seed: int,
    serve_from: str | None,
    url: str | None = None,
    csv: bool = False,
    rounds: int = 1,
) -> None:
    products = [
        item.sku for item in snapshot.items if item.procurement == "make" and item.sku.startswith("P")
    ]
    with _database(kind, snapshot, url=url, csv=csv) as url:
        token = create_token(url, f"bench-{uuid.uuid4().hex[:8]}")
        if serve_from:
            # The older server refuses a schema newer than its own: take the database back to
            # the newest migration it ships (it has no plan-input change names to read).
            downgrade_to = _newest_migration(serve_from)
            command.downgrade(alembic_config(url), downgrade_to)
            print(f"  schema taken back to {downgrade_to} for the older server", flush=True)
            os.environ["PYTHONPATH"] = os.pathsep.join(
                filter(None, [f"{serve_from}/src", os.environ.get("PYTHONPATH")])
            )
        found: dict[str, list[float]] = {}
        with server(url, port=free_port(), workers=1, token=token) as (base, pid):
            print(f"  server pid {pid}", flush=True)
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=1800) as client:
                for round_no in range(rounds):
                    at = seed + 2 * round_no
                    quiet = quote_times(client, requests(snapshot, quotes + 1, at))
                    print(f"  no load, {len(quiet)} quotes: {_shown(percentiles(quiet))}", flush=True)
                    busy, during, span = _under_load(
                        client, base, token, products, snapshot, quotes, rate, at
                    )
                    print(f"  under load, {len(busy)} quotes: {_shown(percentiles(busy))}", flush=True)
                    print(f"  orders placed while quoting: {during} in {span:.1f} s ({during / span:.1f}/s)")
                    for phase, times in (("no load", quiet), ("under load", busy)):
                        for key, value in percentiles(times).items():
                            found.setdefault(f"{phase} {key}", []).append(value)
        if rounds > 1:
            medians = ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in found.items())
            print(f"  medians of {rounds} rounds: {medians}", flush=True)
        if not serve_from:
            print(f"  {json.dumps(changes(url))}", flush=True)


def _under_load(
    client: httpx.Client,
    base: str,
    token: str,
    products: list[str],
    snapshot: PlanInput,
    quotes: int,
    rate: float,
    seed: int,
) -> tuple[list[float], int, float]:
    """Quote while another process places orders: the latencies, orders placed meanwhile, seconds."""
    stop, placed = multiprocessing.Event(), multiprocessing.Value("i", 0)
    work = (base, token, products, rate, seed, stop, placed)
    loader = multiprocessing.Process(target=place_orders, args=work)
    loader.start()
    try:
        time.sleep(2)  # the load is running before the first quote
        before, began = placed.value, time.perf_counter()
        busy = quote_times(client, requests(snapshot, quotes + 1, seed + 1))
        return busy, placed.value - before, time.perf_counter() - began
    finally:
        stop.set()
        loader.join(timeout=60)


@contextmanager
def _database(kind: str, snapshot: PlanInput, *, url: str | None, csv: bool) -> Iterator[str]:
    """The database named by `url` as it is, or a fresh one with the workshop loaded (dropped after)."""
    if url is not None:
        yield url
        return
    with fresh_database(kind) as fresh:
        started = time.perf_counter()
        load_into(fresh, snapshot, csv=csv)
        print(f"  loaded in {time.perf_counter() - started:.1f} s (untimed)", flush=True)
        yield fresh


def _newest_migration(source: str) -> str:
    """The newest migration in the pegboard package under `source`/src."""
    versions = Path(source, "src/pegboard/adapters/db/migrations/versions")
    return max(path.name.split("_", 1)[0] for path in versions.glob("0*.py"))


def _shown(found: dict[str, float]) -> str:
    return ", ".join(f"{key} {value:.1f}" for key, value in found.items())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="M")
    parser.add_argument("--quotes", type=int, default=200)
    parser.add_argument("--rate", type=float, default=5.0, help="orders placed per second meanwhile")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--serve-from", help="serve the pegboard package of DIR/src (an older commit)")
    parser.add_argument("--url", help="quote against this database, loaded before with the same --size")
    parser.add_argument("--csv-load", action="store_true", help="load through the CSV imports (slow)")
    parser.add_argument("--rounds", type=int, default=1, help="quiet and busy phases, each round")
    args = parser.parse_args()
    print(machine())
    started = time.perf_counter()
    snapshot = plan_workload(*SIZES[args.size])
    print(f"{args.size}: generated in {time.perf_counter() - started:.1f} s (untimed)", flush=True)
    print(f"{args.db}, {args.rate:g} orders/s:", flush=True)
    if args.serve_from:
        print(f"served from {args.serve_from}/src", flush=True)
    run(
        args.db,
        snapshot,
        quotes=args.quotes,
        rate=args.rate,
        seed=args.seed,
        serve_from=args.serve_from,
        url=args.url,
        csv=args.csv_load,
        rounds=args.rounds,
    )


if __name__ == "__main__":
    main()
