"""`pegboard serve --workers N` as a module with its own options (benchmarks only).

Runs the same server as `pegboard serve` (see `pegboard.entrypoints.server`, which keeps
TCP_NODELAY on multi-worker sockets):

    python -m bench.serve_nodelay --db URL --port 8000 --workers 2 [--today YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import os

from pegboard.entrypoints.server import run_server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="pegboard serve with TCP_NODELAY on every connection")
    parser.add_argument("--db", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--today")
    args = parser.parse_args(argv)
    os.environ["PEGBOARD_DATABASE_URL"] = args.db
    if args.today:
        os.environ["PEGBOARD_TODAY"] = args.today
    run_server(host=args.host, port=args.port, workers=args.workers)


if __name__ == "__main__":
    main()
