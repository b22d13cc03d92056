"""`pegboard plan`'s runs on one kept database: the first (every promise new), a second with
nothing changed, one after a few new orders, and the next business day's first (a whole re-plan);
optionally with cProfile's top functions.

    python -m bench.bench_plan_runs --url URL [--rounds 3] [--orders 5] [--profile]

The database is one `bench.bench_whatif --build` filled. Each round first forgets every stored
promise and the stored plan (untimed, then `VACUUM ANALYZE` on PostgreSQL), then
times the three runs in process (`services.planning.run_plan`, as the CLI calls it). The new
orders (`BENCH-<round>-<k>`, one line of a product with waiting lines) are placed untimed and
stay: run the same rounds on two copies of a database to compare two trees on equal data.

The fourth run is a shop's every morning: the plan of the next business day (today + 1) after
today's plan. A new day changes every date, so nothing of the stored plan is kept, yet most
promises come out as stored (`--no-next-day` leaves it out).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, text

from bench.common import machine, open_board
from bench.workload import TODAY
from pegboard.adapters.clock import FixedClock
from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.quantities import to_quantity
from pegboard.services import orders, planning

#: Tables a plan run writes, emptied before each round's first run.
PLAN_OUTPUTS = (
    "line_promises",
    "promise_parts",
    "stored_plan_queue",
    "stored_plan_suggestions",
    "stored_plans",
)


def forget_plans(pb: Pegboard) -> None:
    """Back to a database that never planned (untimed): no promise, no stored plan."""
    with pb.engine.begin() as conn:
        for name in PLAN_OUTPUTS:
            conn.execute(t.metadata.tables[name].delete())
    if pb.engine.dialect.name == "postgresql":
        with pb.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    gc.collect()


def place_a_few(pb: Pegboard, round_no: int, count: int) -> None:
    """`count` new one-line orders of the most waited-for products (untimed)."""
    ol, it = t.order_lines.c, t.items.c
    with pb.engine.connect() as conn:
        skus = list(
            conn.execute(
                select(it.sku)
                .join(t.order_lines, ol.item_id == it.id)
                .where(it.procurement == "make")
                .group_by(it.sku)
                .order_by(it.sku)
                .limit(count)
            ).scalars()
        )
    drafts = [
        orders.OrderDraft(
            order_ref=f"BENCH-{round_no}-{k}",
            customer="Bench",
            lines=(orders.LineDraft(sku, to_quantity(1)),),
        )
        for k, sku in enumerate(skus)
    ]
    orders.place_orders(drafts, uow=pb.uow(), clock=pb.clock)


def run(pb: Pegboard) -> planning.PlanRun:
    return planning.run_plan(uow=pb.uow(), clock=pb.clock)


def run_next_day(pb: Pegboard) -> planning.PlanRun:
    """The next business day's first plan: the same shop, the day after the bench's date."""
    return planning.run_plan(uow=pb.uow(), clock=FixedClock(TODAY + timedelta(days=1)))


def timed(step: Callable[[], planning.PlanRun], profile: bool, title: str) -> tuple[float, planning.PlanRun]:
    gc.collect()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    done = step()
    if profiler is not None:
        profiler.disable()
    lap = time.perf_counter() - started
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(f"--- profile: {title} ({lap:.2f} s under cProfile)\n{out.getvalue()}", flush=True)
    return lap, done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="sqlite:///path.db or postgresql+psycopg://.../name")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--orders", type=int, default=5, help="new orders before the third run")
    parser.add_argument("--first-round", type=int, default=1, help="numbers the new orders' refs")
    parser.add_argument("--profile", action="store_true", help="profile each run (slower)")
    parser.add_argument(
        "--next-day",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="a fourth run: the next business day's whole re-plan",
    )
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    pb = open_board(args.url)
    laps: dict[str, list[float]] = {}
    try:
        for round_no in range(args.first_round, args.first_round + args.rounds):
            forget_plans(pb)
            lap, first = timed(lambda: run(pb), args.profile, "first plan")
            laps.setdefault("first plan", []).append(lap)
            lap, second = timed(lambda: run(pb), args.profile, "second plan, nothing changed")
            laps.setdefault("second plan", []).append(lap)
            place_a_few(pb, round_no, args.orders)
            lap, third = timed(lambda: run(pb), args.profile, f"plan after {args.orders} orders")
            laps.setdefault(f"after {args.orders} orders", []).append(lap)
            print(
                f"  round {round_no}: "
                + ", ".join(f"{k} {v[-1]:.3f}" for k, v in list(laps.items())[:3])
                + f"; promises {len(first.result.promises)}, changed {len(first.changed)} / "
                f"{len(second.changed)} / {len(third.changed)}",
                flush=True,
            )
            if args.next_day:
                lap, fourth = timed(lambda: run_next_day(pb), args.profile, "next business day")
                laps.setdefault("next business day", []).append(lap)
                print(
                    f"  round {round_no}: next business day {lap:.3f}; "
                    f"changed {len(fourth.changed)}, new dates {fourth.new_dates}",
                    flush=True,
                )
    finally:
        pb.close()
    for name, values in laps.items():
        print(
            f"{name}: {statistics.median(values):.3f} s "
            f"({min(values):.3f}..{max(values):.3f}, n={len(values)})"
        )


if __name__ == "__main__":
    main()
