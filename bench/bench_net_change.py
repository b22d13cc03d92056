"""A re-plan after a few new orders on a database whose stored plan is of today: the run alone,
timed in process, optionally under cProfile (the orders are placed untimed and stay).

    python -m bench.bench_net_change --url URL [--orders 10] [--round 7] [--profile]

Run `bench.bench_plan_runs` once first, so that today's plan is stored.
"""

from __future__ import annotations

import argparse
import time

from bench.bench_plan_runs import place_a_few, run, timed
from bench.common import machine, open_board


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True)
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--round", type=int, default=100, help="numbers the new orders' refs")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    pb = open_board(args.url)
    try:
        place_a_few(pb, args.round, args.orders)
        lap, done = timed(lambda: run(pb), args.profile, f"plan after {args.orders} orders")
        print(
            f"after {args.orders} orders: {lap:.3f} s; changed {len(done.changed)}; "
            f"at {time.strftime('%H:%M:%SZ', time.gmtime())}"
        )
    finally:
        pb.close()


if __name__ == "__main__":
    main()
