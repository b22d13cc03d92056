"""`pegboard plan` end to end: read the snapshot, plan, store every line's promise; and re-promising.

    python -m bench.bench_plan_e2e --db sqlite|postgres --skus 1000 --lines 10000 [--runs 3] [--repeat 1]

Each of `--runs` fresh databases is filled through the CSV imports (untimed, from
`bench.workload`; the time it took is printed), then timed `--repeat` times, each time from no
stored promise (they are deleted, and PostgreSQL's tables vacuumed and analysed, untimed): the
snapshot read alone, the first plan run (every promise is new), a second run (nothing changed:
promises compared, none written), and reschedules of the first few POs and of the first PO of
a BOM component (a material, often shared by several products), each re-promising only what
that PO can reach. The peak resident memory of the timed part is read from /proc (Linux), after
the generated workload has been freed.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import time
from datetime import timedelta

from sqlalchemy import text

from bench.common import fresh_database, load_catalogue, machine, open_board
from bench.workload import Sizes, generate
from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services import planning, purchasing
from pegboard.services.imports import ImportKind, import_csv

#: How many POs are rescheduled (one after the other) per run.
RESCHEDULES = 5


def one_database(kind: str, sizes: Sizes, repeat: int) -> list[dict[str, float]]:
    """Fill a fresh database of the given size, then time the steps `repeat` times on it."""
    setup: dict[str, float] = {}
    started = time.perf_counter()
    work = generate(sizes)
    setup["generate (untimed)"] = time.perf_counter() - started
    with fresh_database(kind) as url:
        pb = open_board(url)
        try:
            started = time.perf_counter()
            load_catalogue(pb, work)
            setup["import catalogue (untimed)"] = time.perf_counter() - started
            started = time.perf_counter()
            import_csv(
                ImportKind.ORDERS,
                io.StringIO(work.csv_text("orders")),
                source="orders.csv",
                uow=pb.uow(),
                clock=pb.clock,
                policy=AllocationPolicy.FIFO,
            )
            setup["import orders (untimed)"] = time.perf_counter() - started
            del work
            runs = []
            for _ in range(repeat):
                forget_promises(pb, kind)
                runs.append({**setup, **timed_steps(pb)})
                print("  run: " + ", ".join(f"{k} {v:.3f}" for k, v in runs[-1].items()), flush=True)
            return runs
        finally:
            pb.close()


def forget_promises(pb: Pegboard, kind: str) -> None:
    """Back to a database that never planned (untimed): no stored promises, tables analysed."""
    with pb.engine.begin() as conn:
        conn.execute(t.line_promises.delete())
        conn.execute(t.promise_parts.delete())
    if kind == "postgres":
        with pb.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    gc.collect()


def timed_steps(pb: Pegboard) -> dict[str, float]:
    """Snapshot, first plan (every promise new), second plan (none changed), PO reschedules."""
    laps: dict[str, float] = {}
    reset_peak_memory()
    started = time.perf_counter()
    with pb.reader() as uow:
        snapshot = uow.planning.snapshot(pb.clock.today())
    laps["snapshot"] = time.perf_counter() - started
    started = time.perf_counter()
    first = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    laps["first plan"] = time.perf_counter() - started
    laps["promises"] = float(len(first.result.promises))
    laps["demands"] = float(len(snapshot.demands))
    del first
    started = time.perf_counter()
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    laps["second plan"] = time.perf_counter() - started
    pos = list({p.po_ref: p for p in snapshot.purchase_lines}.values())[:RESCHEDULES]
    # And the first PO of a BOM component (a material, often shared by several products).
    components = {b.component_sku for b in snapshot.bom_lines}
    pos += [p for p in snapshot.purchase_lines if p.sku in components][:1]
    del snapshot
    for k, po in enumerate(pos):
        with pb.reader() as uow:
            laps[f"scope {k}"] = len(uow.planning.snapshot(pb.clock.today(), around=[po.sku]).items)
        with pb.reader() as uow:
            current = uow.supply.purchase_order(po.po_ref)
        due = (
            next((line.expected_date for line in current.lines if line.sku == po.sku), None)
            if current
            else None
        )
        started = time.perf_counter()
        purchasing.reschedule(
            po.po_ref, (due or pb.clock.today()) + timedelta(days=7), uow=pb.uow(), clock=pb.clock
        )
        laps[f"reschedule {k}"] = time.perf_counter() - started
    laps["peak memory MiB"] = peak_memory() / 2**20
    return laps


def reset_peak_memory() -> None:
    """Start counting the process's peak resident set size afresh (Linux; else a no-op)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass


def peak_memory() -> float:
    """Peak resident set size in bytes since the last reset (0 when /proc is not there)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return 0.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="fresh databases")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs on each database")
    args = parser.parse_args(argv)
    print(machine())
    runs = []
    for _ in range(args.runs):
        runs += one_database(args.db, Sizes(order_lines=args.lines, skus=args.skus), args.repeat)
    head = f"plan e2e db={args.db} skus={args.skus} lines={args.lines}"
    for step in ("snapshot", "first plan", "second plan"):
        values = [run[step] for run in runs]
        print(f"{head} {step}: {summary(values)} s")
    reschedules = [
        run[f"reschedule {k}"] for run in runs for k in range(RESCHEDULES) if f"reschedule {k}" in run
    ]
    print(f"{head} reschedule + re-promise (each of the first {RESCHEDULES} POs): {summary(reschedules)} s")
    scopes = sorted(
        {int(run[f"scope {k}"]) for run in runs for k in range(RESCHEDULES) if f"scope {k}" in run}
    )
    print(f"{head} SKUs read per re-promise: {scopes}")
    material = [run[f"reschedule {RESCHEDULES}"] for run in runs if f"reschedule {RESCHEDULES}" in run]
    if material:
        sizes = [int(run[f"scope {RESCHEDULES}"]) for run in runs if f"scope {RESCHEDULES}" in run]
        print(f"{head} reschedule + re-promise, first PO of a BOM component: {summary(material)} s")
        print(f"{head} SKUs read for it: {sizes}")
    print(f"{head} peak memory of the timed part: {summary([run['peak memory MiB'] for run in runs], 0)} MiB")
    for step in ("generate (untimed)", "import catalogue (untimed)", "import orders (untimed)"):
        print(f"{head} {step}: {summary([run[step] for run in runs], 1)} s")
    print(
        f"plan e2e db={args.db}: {int(runs[0]['demands'])} backordered line parts, "
        f"{int(runs[0]['promises'])} promises"
    )


def summary(values: list[float], digits: int = 3) -> str:
    """Median (lowest..highest, n)."""
    return (
        f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}..{max(values):.{digits}f}, "
        f"n={len(values)})"
    )


if __name__ == "__main__":
    main()
