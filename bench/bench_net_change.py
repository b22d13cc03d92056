"""A re-plan after a few new orders on a database whose stored plan is of today: the run alone,
timed in process, optionally under cProfile (the orders are placed untimed and stay).

    python -m bench.bench_net_change --url URL [--orders 10] [--round 7] [--profile]
                                     [--history] [--whole] [--check]

Run `bench.bench_plan_runs` once first, so that today's plan is stored. `--history` first gives
the workshop suppliers' receipt history (`bench.supplier_history`, once) and plans it (untimed),
so reliability moves its dates; `--whole` plans the whole snapshot, net change off, to compare
on the same database (each run places new orders: alternate the two). The run says which it did.
`--check` then plans the whole snapshot (a preview, untimed, nothing written) and says whether
it is the run's plan, and gives the same `plan --json`.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.bench_plan_runs import place_a_few, run, timed
from bench.common import machine, open_board
from bench.supplier_history import give_history
from pegboard.services import planning
from pegboard.views.json import indented_json
from pegboard.views.plan import plan_json


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True)
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--round", type=int, default=100, help="numbers the new orders' refs")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--history", action="store_true", help="suppliers' receipt history first")
    parser.add_argument("--whole", action="store_true", help="plan the whole snapshot (net change off)")
    parser.add_argument("--check", action="store_true", help="compare with a whole plan (untimed)")
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    pb = open_board(args.url)
    merged: list[bool] = []
    net_change = planning._net_change

    def watched(*given: Any) -> Any:
        found = None if args.whole else net_change(*given)
        merged.append(found is not None)
        return found

    try:
        if args.history:
            print(f"history: {give_history(pb)} suppliers", flush=True)
            run(pb)  # today's plan of the workshop with its history, stored (untimed)
        place_a_few(pb, args.round, args.orders)
        planning._net_change = watched  # type: ignore[assignment]
        lap, done = timed(lambda: run(pb), args.profile, f"plan after {args.orders} orders")
        how = "net change" if merged == [True] else "whole plan"
        print(
            f"after {args.orders} orders: {lap:.3f} s ({how}); changed {len(done.changed)}; "
            f"adjusted dates {len(done.result.adjusted_dates)}; "
            f"at {time.strftime('%H:%M:%SZ', time.gmtime())}"
        )
        if args.check:
            whole = planning.preview_plan(uow=pb.reader(), clock=pb.clock).result
            same_json = indented_json(plan_json(whole)) == indented_json(plan_json(done.result))
            print(f"the whole plan: same plan {whole == done.result}, same plan --json {same_json}")
    finally:
        pb.close()


if __name__ == "__main__":
    main()
