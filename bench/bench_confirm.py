"""Confirming every suggestion of a workshop's plan at once (`pegboard plan --confirm`, the web's
"Confirm suggestions"): the POs and MOs created, the MOs' materials reserved, the plan kept again.

    python -m bench.bench_confirm --url URL

It writes: run it on a copy of a planned workshop (`CREATE DATABASE x TEMPLATE planned`), one
run per copy. At M that is 40 POs and 6,191 MOs.
"""

from __future__ import annotations

import argparse
import time

from bench.common import machine, open_board
from pegboard.services import planning


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="sqlite:///path.db or postgresql+psycopg://.../name")
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    pb = open_board(args.url)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        run = planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        pb.close()
    print(f"confirmed: {len(run.created)} created; {wall:.2f} s wall, {cpu:.2f} s CPU in process")


if __name__ == "__main__":
    main()
