"""An item's page and its forecast, first views through `pegboard serve` (a new process each run).

    python -m bench.bench_item_forecast_served --url postgresql+psycopg://postgres@127.0.0.1:5432/DB \\
        --sku PRD-00071 [--runs 2]

The database is one `bench.bench_web_pages --url DB` filled (its `bench` admin signs in). Each run
starts the server on the bench's business date, signs in as soon as it answers, then times the
item page and its forecast (`/items/{sku}/forecast`) twice. The first forecast of a process waits
for the forecasting library unless `serve` loaded it already (with `PYTHONPATH` at an older tree,
the same runs time that tree).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time

import httpx

from bench.bench_web_pages import PASSWORD
from bench.common import machine
from bench.workload import TODAY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def one_run(url: str, sku: str) -> list[tuple[str, int, float]]:
    """(path, status, milliseconds) of the item page then its forecast twice, in a new server."""
    port = free_port()
    command = [sys.executable, "-m", "pegboard.entrypoints.cli", "--today", str(TODAY), "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--db", url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                httpx.get(base + "/login")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(base_url=base) as client:
            client.post("/login", data={"username": "bench", "password": PASSWORD})
            timed = []
            for path in (f"/items/{sku}", f"/items/{sku}/forecast", f"/items/{sku}/forecast"):
                began = time.perf_counter()
                status = client.get(path).status_code
                timed.append((path, status, (time.perf_counter() - began) * 1000))
            return timed
    finally:
        server.terminate()
        server.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--sku", required=True)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    for n in range(1, args.runs + 1):
        print(f"run {n}, {machine()}", flush=True)
        for path, status, ms in one_run(args.url, args.sku):
            print(f"  {path:40} {status}  {ms:8.0f} ms", flush=True)


if __name__ == "__main__":
    main()
