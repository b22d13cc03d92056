"""What-if and `pegboard plan` end to end on one kept database, built once and reused.

    python -m bench.bench_whatif --url URL [--build --skus 10000 --lines 100000] [--repeat 3] [--profile]

`--build` fills the database at URL (a SQLite file, or a PostgreSQL database it creates) through
the CSV imports (`bench.workload`), as `bench.bench_plan_e2e` does; without it the database is
reused as it is (building L takes many minutes on a loaded machine). Then, `--repeat` times
each: the first plan run (stored promises deleted first, untimed), a second plan run (nothing
changed), and four what-if scenarios (the first open PO 7 days late; the first supplier 3
days late; the first product's demand +200%; an extra order of 10 of it). What-if writes
nothing, so the runs do not disturb each other. `--profile` prints cProfile's top functions
(cumulative) of one first plan and one what-if.
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

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bench.bench_plan_e2e import forget_promises
from bench.common import load_catalogue, machine, open_board
from bench.workload import Sizes, generate
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.migrate import upgrade
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services import planning, whatif
from pegboard.services.imports import ImportKind, import_csv


def build(url: str, sizes: Sizes) -> None:
    """A new database at `url` holding the generated workshop (catalogue, POs, orders)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()
    upgrade(url)
    work = generate(sizes)
    pb = open_board(url)
    try:
        started = time.perf_counter()
        load_catalogue(pb, work)
        orders = io.StringIO(work.csv_text("orders"))
        import_csv(
            ImportKind.ORDERS,
            orders,
            source="orders.csv",
            uow=pb.uow(),
            clock=pb.clock,
            policy=AllocationPolicy.FIFO,
        )
        print(f"built in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        pb.close()


def scenarios(pb: Pegboard) -> dict[str, whatif.Scenario]:
    """Four scenarios on this database's own refs."""
    with pb.engine.connect() as conn:
        po = conn.execute(
            select(t.purchase_orders.c.po_ref).order_by(t.purchase_orders.c.id).limit(1)
        ).scalar()
        supplier = conn.execute(select(t.suppliers.c.name).order_by(t.suppliers.c.id).limit(1)).scalar()
        product = conn.execute(
            select(t.items.c.sku).where(t.items.c.procurement == "make").order_by(t.items.c.id).limit(1)
        ).scalar()
    return {
        "late PO +7": whatif.parse_scenario(late=[f"{po}:+7"]),
        "late supplier +3": whatif.parse_scenario(late=[f"{supplier}:+3"]),
        "demand +200%": whatif.parse_scenario(demand=[f"{product}:+200%"]),
        "extra order": whatif.parse_scenario(orders=[f"{product}:10"]),
    }


def timed(step: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def profile(step: Callable[[], object], title: str) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    step()
    profiler.disable()
    print(f"--- profile: {title} (top 25 by cumulative time)")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="sqlite:///path.db or postgresql+psycopg://.../name")
    parser.add_argument("--build", action="store_true", help="(re)build the database first")
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-plan", action="store_true", help="time only the what-if scenarios")
    args = parser.parse_args(argv)
    print(machine())
    if args.build:
        build(args.url, Sizes(order_lines=args.lines, skus=args.skus))
    kind = "postgres" if make_url(args.url).get_backend_name() == "postgresql" else "sqlite"
    pb = open_board(args.url)
    try:
        laps: dict[str, list[float]] = {}
        tried = scenarios(pb)
        for _ in range(args.repeat):
            if not args.no_plan:
                forget_promises(pb, kind)
                laps.setdefault("first plan", []).append(
                    timed(lambda: planning.run_plan(uow=pb.uow(), clock=pb.clock))
                )
                laps.setdefault("second plan", []).append(
                    timed(lambda: planning.run_plan(uow=pb.uow(), clock=pb.clock))
                )
            for name, scenario in tried.items():
                lap = timed(lambda s=scenario: whatif.what_if(s, uow=pb.reader(), clock=pb.clock))  # type: ignore[misc]
                laps.setdefault(f"what-if {name}", []).append(lap)
            print("  run: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in laps.items()), flush=True)
        for name, values in laps.items():
            print(
                f"{kind} {name}: {statistics.median(values):.3f} s "
                f"({min(values):.3f}..{max(values):.3f}, n={len(values)})"
            )
        found = whatif.what_if(tried["late supplier +3"], uow=pb.reader(), clock=pb.clock)
        print(
            f"late supplier +3: {len(found.outcome.late_orders)} orders late, "
            f"{len(found.outcome.open_term)} lines open term, {len(found.extra)} extra supplies"
        )
        if args.profile:
            if not args.no_plan:
                forget_promises(pb, kind)
                profile(lambda: planning.run_plan(uow=pb.uow(), clock=pb.clock), "first plan run")
            profile(
                lambda: whatif.what_if(tried["late supplier +3"], uow=pb.reader(), clock=pb.clock), "what-if"
            )
    finally:
        pb.close()


if __name__ == "__main__":
    main()
