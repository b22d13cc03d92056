"""Server-side render time of the supply pages (backorders, production, purchasing, items, plan,
and the PO, MO and item pages), in-process through the ASGI app, on a generated workshop.

    python -m bench.bench_supply_pages --db postgres --skus 1000 --lines 10000 [--requests 20]

The database is filled through the CSV imports (untimed), planned and confirmed once (so open
MOs and POs exist), then each page is fetched `--requests` times by a signed-in admin; the
median and p95 of each page's wall time are printed (milliseconds).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
import warnings

from sqlalchemy import select

from bench.common import fresh_database, load_catalogue, machine
from bench.workload import Sizes, generate
from pegboard.adapters.db import tables as t
from pegboard.config import Settings
from pegboard.domain.allocation import AllocationPolicy
from pegboard.entrypoints.api.app import create_app
from pegboard.services import planning, users
from pegboard.services.imports import ImportKind, import_csv
from pegboard.services.tokens import Role

PASSWORD = "bench-password-1"


def pages(conn: object) -> list[str]:
    """The pages to time, detail pages on the first open PO, MO and item."""
    c = conn  # a SQLAlchemy connection
    po = c.execute(select(t.purchase_orders.c.po_ref).limit(1)).scalar()  # type: ignore[attr-defined]
    mo = c.execute(select(t.manufacturing_orders.c.mo_ref).limit(1)).scalar()  # type: ignore[attr-defined]
    sku = c.execute(select(t.items.c.sku).order_by(t.items.c.sku).limit(1)).scalar()  # type: ignore[attr-defined]
    found = ["/backorders", "/items", "/production", "/purchasing", "/plan", f"/items/{sku}"]
    found += [f"/purchase-orders/{po}"] if po else []
    found += [f"/manufacturing-orders/{mo}"] if mo else []
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("PEGBOARD_INTAKE_PROCESS", "false")
    os.environ.setdefault("PEGBOARD_NOTIFY_INTERVAL_SECONDS", "0")
    print(machine())
    work = generate(Sizes(orders=args.lines, order_lines=args.lines, skus=args.skus))
    with fresh_database(args.db) as url:
        app = create_app(Settings(database_url=url))
        pb = app.state.pegboard
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient
        with TestClient(app) as client, pb.engine.connect() as conn:
            client.post("/login", data={"username": "bench", "password": PASSWORD}, follow_redirects=False)
            for path in pages(conn):
                times = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    answer = client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 200, (path, answer.status_code)
                times.sort()
                p95 = times[max(int(len(times) * 0.95) - 1, 0)]
                print(f"{path:40} median {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms", flush=True)


if __name__ == "__main__":
    main()
