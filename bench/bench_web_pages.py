"""Server-side render time of every page of the web app, in-process through the ASGI app, on a
generated workshop.

    python -m bench.bench_web_pages --db postgres --skus 10000 --lines 100000 [--requests 20 --rounds 3]
    python -m bench.bench_web_pages --url postgresql+psycopg://postgres@127.0.0.1:5432/DB ...  # kept

The database is filled through the CSV imports (untimed), planned and confirmed once (so open MOs
and POs exist and the plan is stored), then, `--rounds` times, every page is fetched `--requests`
times in turn by a signed-in admin. Each page's median and p95 wall time (milliseconds) is printed
per round, then the median over the rounds of each, with the median CPU time the app's process
spent per request (not the database server's; on a busy machine it moves far less than the wall
time). A page the code under test answers 404 is left out (an older tree, for a before/after).
Each page's first view in the process (caches cold, e.g. the item's forecast) is printed first.
With `--url` the database named is migrated
and kept: it is filled only when it holds no items yet, so a second run re-times the same data.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, func, select, text

from bench.common import fresh_database, load_catalogue, machine, percentile
from bench.workload import TODAY, Sizes, Workload, generate
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.migrate import upgrade
from pegboard.bootstrap import Pegboard
from pegboard.config import Settings
from pegboard.domain.allocation import AllocationPolicy
from pegboard.entrypoints.api.app import create_app
from pegboard.services import planning, users
from pegboard.services.imports import ImportKind, import_csv
from pegboard.services.tokens import Role

PASSWORD = "bench-password-1"


@dataclass(frozen=True)
class Page:
    """A page to time: what the table calls it and the URL fetched."""

    name: str
    path: str


def pages(conn: Connection) -> list[Page]:
    """Every page of the web app; detail pages on a waiting order, the first PO, MO and item."""
    lines, so = t.order_lines.c, t.sales_orders.c
    waiting = lines.quantity > lines.allocated + lines.shipped + lines.cancelled
    order = conn.execute(
        select(so.order_ref).join(t.order_lines, lines.order_id == so.id).where(waiting).limit(1)
    ).scalar()
    customer = conn.execute(select(so.customer).order_by(so.id).limit(1)).scalar()
    sku = conn.execute(
        select(t.items.c.sku)
        .join(t.order_lines, lines.item_id == t.items.c.id)
        .group_by(t.items.c.sku)
        .order_by(func.count().desc())
        .limit(1)
    ).scalar()
    po = conn.execute(select(t.purchase_orders.c.po_ref).order_by(t.purchase_orders.c.id).limit(1)).scalar()
    mo = conn.execute(
        select(t.manufacturing_orders.c.mo_ref).order_by(t.manufacturing_orders.c.id).limit(1)
    ).scalar()
    found = [
        Page("Today", "/"),
        Page("orders, first page", "/orders"),
        Page("orders, backordered only", "/orders?backordered=1"),
        Page("orders, by customer", f"/orders?customer={customer}"),
        Page("order", f"/orders/{order}"),
        Page("backorders", "/backorders"),
        Page("backorders of a SKU", f"/backorders/{sku}"),
        Page("production", "/production"),
        Page("production, shop floor", "/production?view=floor"),
        Page("purchasing", "/purchasing"),
        Page("items", "/items"),
        Page("item", f"/items/{sku}"),
        Page("item's forecast (loaded after the item page)", f"/items/{sku}/forecast"),
        Page("plan", "/plan"),
        Page("import", "/import"),
        Page("settings", "/settings"),
    ]
    found += [Page("purchase order", f"/purchase-orders/{po}")] if po else []
    found += [Page("manufacturing order", f"/manufacturing-orders/{mo}")] if mo else []
    return found


def fill(pb: Pegboard, work: Workload, *, postgres: bool) -> None:
    """Load the workload through the CSV imports, plan and confirm once, add the bench admin."""
    started = time.perf_counter()
    load_catalogue(pb, work)
    import_csv(
        ImportKind.ORDERS,
        io.StringIO(work.csv_text("orders")),
        source="orders.csv",
        uow=pb.uow(),
        clock=pb.clock,
        policy=AllocationPolicy.FIFO,
    )
    planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)
    users.create_user("bench", Role.ADMIN, PASSWORD, uow=pb.uow())
    if postgres:
        # A shop's database has statistics and visibility maps (autovacuum keeps both); a fresh
        # load has neither yet, so no index-only scan would be chosen.
        with pb.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    print(f"loaded, planned and confirmed in {time.perf_counter() - started:.0f} s", flush=True)


@contextmanager
def database(kind: str, url: str | None) -> Iterator[str]:
    """The database named by `url`, migrated and kept; else a fresh one of `kind`, dropped after."""
    if url:
        upgrade(url)
        yield url
        return
    with fresh_database(kind) as fresh:
        yield fresh


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", help="use (and keep) this database; filled only when it has no items")
    parser.add_argument("--only", help="time only pages whose path contains one of these (comma-separated)")
    args = parser.parse_args(argv)
    os.environ.setdefault("PEGBOARD_INTAKE_PROCESS", "false")
    os.environ.setdefault("PEGBOARD_NOTIFY_INTERVAL_SECONDS", "0")
    print(machine(), flush=True)
    with database(args.db, args.url) as url:
        app = create_app(Settings(database_url=url), today=TODAY)
        pb = app.state.pegboard
        with pb.engine.connect() as conn:
            filled = conn.execute(select(func.count()).select_from(t.items)).scalar_one() > 0
        if not filled:
            work = generate(Sizes(orders=args.lines, order_lines=args.lines, skus=args.skus))
            fill(pb, work, postgres=url.startswith("postgresql"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient
        with TestClient(app) as client, pb.engine.connect() as conn:
            client.post("/login", data={"username": "bench", "password": PASSWORD}, follow_redirects=False)
            found = pages(conn)
            if args.only:
                found = [p for p in found if any(part in p.path for part in args.only.split(","))]
            first: dict[str, float] = {}
            for p in found:
                began = time.perf_counter()
                if client.get(p.path).status_code != 404:
                    first[p.path] = (time.perf_counter() - began) * 1000
            found = [p for p in found if p.path in first]
            print("first view in this process:", flush=True)
            for p in found:
                print(f"  {p.path:48} {first[p.path]:8.1f} ms", flush=True)
            medians: dict[str, list[float]] = {p.path: [] for p in found}
            p95s: dict[str, list[float]] = {p.path: [] for p in found}
            cpus: dict[str, list[float]] = {p.path: [] for p in found}
            for n in range(1, args.rounds + 1):
                print(f"round {n}, {machine()}", flush=True)
                for page in found:
                    times, cpu = [], []
                    for _ in range(args.requests):
                        began, began_cpu = time.perf_counter(), time.process_time()
                        answer = client.get(page.path)
                        times.append((time.perf_counter() - began) * 1000)
                        cpu.append((time.process_time() - began_cpu) * 1000)
                        assert answer.status_code == 200, (page.path, answer.status_code)
                    medians[page.path].append(statistics.median(times))
                    p95s[page.path].append(percentile(times, 0.95))
                    cpus[page.path].append(statistics.median(cpu))
                    print(
                        f"  {page.path:48} median {medians[page.path][-1]:8.1f} ms   "
                        f"p95 {p95s[page.path][-1]:8.1f} ms   app CPU {cpus[page.path][-1]:7.1f} ms",
                        flush=True,
                    )
        print(f"\nmedian of {args.rounds} rounds, {args.requests} requests each:")
        print("| page | path | median | p95 | app CPU median |\n| --- | --- | --- | --- | --- |")
        for page in found:
            median = statistics.median(medians[page.path])
            p95 = statistics.median(p95s[page.path])
            cpu_median = statistics.median(cpus[page.path])
            print(f"| {page.name} | `{page.path}` | {median:.0f} ms | {p95:.0f} ms | {cpu_median:.0f} ms |")


if __name__ == "__main__":
    main()
