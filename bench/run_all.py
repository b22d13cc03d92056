"""Run the benchmark set (`make bench`): a few minutes by default, the 100k runs with --big.

    python -m bench.run_all            # 1k orders / 10k CSV lines, several runs each
    python -m bench.run_all --big      # also 100k orders and 100k CSV lines, once each
    python -m bench.run_all --only http --http-variants

Each benchmark runs as its own process (python -m bench.bench_...) so that engines, worker
processes and servers never outlive it; the RESULT lines are collected into a summary at the end.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time

from bench.common import machine

RUNS = "3"


def default_set(client: str) -> list[tuple[str, list[str]]]:
    postgres_1k = ["--db", "postgres", "--orders", "1000", "--runs", RUNS]
    return [
        ("intake", ["--db", "sqlite", "--orders", "1000", "--runs", RUNS]),
        ("intake", ["--db", "sqlite", "--orders", "1000", "--runs", RUNS, "--workers", "4"]),
        ("intake", postgres_1k),
        ("intake", [*postgres_1k, "--workers", "4"]),
        ("intake", [*postgres_1k, "--workers", "4", "--mode", "process"]),
        ("import", ["--db", "sqlite", "--lines", "10000", "--runs", RUNS]),
        ("import", ["--db", "postgres", "--lines", "10000", "--runs", RUNS]),
        ("import", ["--db", "sqlite", "--lines", "10000", "--via", "cli"]),
        ("import", ["--db", "postgres", "--lines", "10000", "--via", "cli"]),
        ("http", ["--db", "postgres", "--orders", "1000", "--runs", RUNS, "--client", client]),
        ("http", ["--db", "sqlite", "--orders", "1000", "--client", client]),
    ]


def big_set(client: str) -> list[tuple[str, list[str]]]:
    return [
        ("intake", ["--db", "sqlite", "--orders", "100000"]),
        ("intake", ["--db", "postgres", "--orders", "100000"]),
        ("intake", ["--db", "postgres", "--orders", "100000", "--workers", "4", "--mode", "process"]),
        ("import", ["--db", "sqlite", "--lines", "100000", "--via", "both"]),
        ("import", ["--db", "postgres", "--lines", "100000", "--via", "both"]),
        ("http", ["--db", "postgres", "--orders", "100000", "--client", client]),
        ("http", ["--db", "sqlite", "--orders", "100000", "--client", client]),
    ]


def http_variants(client: str) -> list[tuple[str, list[str]]]:
    """Same-run comparisons for the HTTP path: one server worker, the TCP_NODELAY fix, keys."""
    base = ["--db", "postgres", "--orders", "2000", "--runs", RUNS, "--client", client]
    return [
        ("http", [*base, "--server-workers", "1"]),
        ("http", base),
        ("http", [*base, "--nodelay-fix"]),
        ("http", [*base, "--nodelay-fix", "--idempotency-key"]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Pegboard's benchmarks and summarise them")
    parser.add_argument("--big", action="store_true", help="also the 100k runs (tens of minutes)")
    parser.add_argument("--http-variants", action="store_true", help="also the HTTP comparisons")
    parser.add_argument("--only", choices=("intake", "import", "http"), help="just one benchmark")
    parser.add_argument("--client", choices=("auto", "httpx", "wrk"), default="auto")
    args = parser.parse_args(argv)
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "httpx"

    plan = default_set(client) + (http_variants(client) if args.http_variants else [])
    plan += big_set(client) if args.big else []
    if args.only:
        plan = [(name, options) for name, options in plan if name == args.only]
    print(f"# {machine()}", flush=True)
    results: list[str] = []
    failed = 0
    started = time.perf_counter()
    for name, options in plan:
        command = [sys.executable, "-m", f"bench.bench_{name}", *options]
        print(f"$ {' '.join(['python', *command[1:]])}", flush=True)
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
        sys.stdout.write(done.stdout)
        results += [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
        if done.returncode != 0:
            failed += 1
            results.append(f"FAILED ({done.returncode}): {' '.join(command[1:])}")
    print(f"\n# summary ({time.perf_counter() - started:.0f} s)")
    for line in results:
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
