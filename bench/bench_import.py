"""CSV import of order lines: the service `imports.import_csv`, and the `pegboard import orders` command.

    python -m bench.bench_import --db postgres --lines 100000
    python -m bench.bench_import --db sqlite --lines 10000 --runs 5 --via both

Each run gets a fresh database with the workload's catalogue, stock and POs imported (untimed),
then imports orders.csv (all lines in one transaction, all or nothing, as the contract says).
`--via cli` times the command as a user runs it, interpreter start-up included. After the
first import the same file is imported again, which must write nothing (orders are
idempotent by ref); that second pass is timed too.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import fresh_database, load_catalogue, machine, open_board, outcome, spread
from bench.workload import TODAY, Sizes, generate
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services.imports import ImportKind, import_csv

PEGBOARD = Path(sys.executable).with_name("pegboard")


def import_with_service(url: str, path: Path, *, profile: str | None = None) -> tuple[float, int]:
    """Seconds taken by import_csv on the file, and the number of orders it wrote."""
    pb = open_board(url)
    try:
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        with path.open(encoding="utf-8", newline="") as stream:
            result = import_csv(
                ImportKind.ORDERS,
                stream,
                source=path.name,
                uow=pb.uow(),
                clock=pb.clock,
                policy=AllocationPolicy.FIFO,
            )
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        if profiler and profile:
            profiler.dump_stats(profile)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        return elapsed, result.written
    finally:
        pb.close()


def import_with_cli(url: str, path: Path) -> float:
    """Seconds taken by `pegboard import orders FILE --db URL`, as a separate process."""
    started = time.perf_counter()
    subprocess.run(
        [str(PEGBOARD), "import", "orders", str(path), "--db", url, "--today", TODAY.isoformat()],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    parser = argparse.ArgumentParser(description="CSV import of order lines")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--lines", type=int, default=100_000, help="order lines in the CSV file")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--via", choices=("service", "cli", "both"), default="service")
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the service import into FILE")
    args = parser.parse_args(argv)

    work = generate(Sizes(order_lines=args.lines, skus=args.skus, seed=args.seed))
    ways = ("service", "cli") if args.via == "both" else (args.via,)
    print(f"# {machine()}", flush=True)
    rates: dict[str, list[float]] = {f"{way}{again}": [] for way in ways for again in ("", " again")}
    with tempfile.TemporaryDirectory(prefix="pegboard_bench_") as directory:
        path = work.write(Path(directory))["orders"]
        for run in range(1, args.runs + 1):
            for way in ways:
                with fresh_database(args.db) as url:
                    pb = open_board(url)
                    try:
                        load_catalogue(pb, work)
                    finally:
                        pb.close()
                    for again in ("", " again"):
                        if way == "service":
                            profile = args.profile if not again else None
                            elapsed, _ = import_with_service(url, path, profile=profile)
                        else:
                            elapsed = import_with_cli(url, path)
                        rates[f"{way}{again}"].append(args.lines / elapsed)
                        print(
                            f"import db={args.db} lines={args.lines} via {way}{again} run {run}: "
                            f"{args.lines / elapsed:.0f} lines/s in {elapsed:.2f} s",
                            flush=True,
                        )
                    check = open_board(url)
                    try:
                        stored = outcome(check)
                    finally:
                        check.close()
                print(f"#   {stored.describe()}", flush=True)
                if stored.lines != args.lines or stored.overallocated_items:
                    raise SystemExit(f"wrong result: {stored.describe()}")
    for label, values in rates.items():
        print(f"RESULT import db={args.db} lines={args.lines} via {label}: {spread(values)} lines/s")
    return rates


if __name__ == "__main__":
    main()
