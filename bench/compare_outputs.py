"""The CLI's `--json` reads and the REST API's answers on a seeded bench workload, for two checkouts.

    python -m bench.compare_outputs --out /tmp/after
    python -m bench.compare_outputs --out /tmp/before --pegboard /tmp/base/.venv/bin/pegboard
    python -m bench.compare_outputs --compare /tmp/before /tmp/after
    python -m bench.compare_outputs --against /tmp/base   # both of the above in one go

Builds the workshop of `bench.workload` (same seed, same files) through one checkout's own
`pegboard` program only (init, the six CSV imports, a plan with its suggestions confirmed, a
receipt, some shipments and a cancellation, all on the workload's `--today`), then writes what
every read command prints with `--json` and what every `GET /api/v1` read answers, one file per
read, into `--out`. Only the contracts are used, so the program may be any checkout's (its own
venv's `pegboard`): the lightsaber demo's outputs are pinned by `tests/e2e/test_contract_outputs.py`;
this does the same for the bench workload, before and after a change.

Values holding the real time of day or a random id are normalised as in the golden test. Keys a
newer checkout adds are shown as differences too: read them, an added key is allowed, a changed
value is not.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from bench.workload import TODAY, Sizes, generate

#: Keys whose values are the real time of day or random (as in the golden test's `VOLATILE`).
VOLATILE = ("created_at", "last_used_at", "next_attempt_at", "id", "planned_at", "as_of")
_VOLATILE = re.compile(rf'"({"|".join(VOLATILE)})":(\s*)"(?:[^"\\]|\\.)*"')

#: `pegboard ...` reads, by output file name.
CLI_READS: dict[str, tuple[str, ...]] = {
    "orders": ("orders", "--json"),
    "orders-open": ("orders", "--json", "--status", "open"),
    "backorders": ("backorders", "--json"),
    "preorders": ("preorders", "--json"),
    "stock-prd-1": ("stock", "PRD-00001", "--json"),
    "stock-mat-1": ("stock", "MAT-00001", "--json"),
    "supply": ("supply", "--json"),
    "supply-all": ("supply", "--all", "--json"),
    "plan-preview": ("plan", "--preview", "--json"),
    "journal": ("journal", "--json"),
    "journal-csv": ("journal", "--csv"),
    "balance": ("balance", "--json"),
    "kpis": ("kpis", "--json"),
    "valuation": ("valuation", "--json"),
    "suppliers-reliability": ("suppliers", "--json"),
    "reorder-points": ("reorder-points", "--json"),
    "quote-prd-1": ("quote", "PRD-00001:3", "PRD-00002:1", "--json"),
    "outbox-all": ("outbox", "--all", "--json"),
}

#: `GET /api/v1...` reads, by output file name.
API_READS: dict[str, str] = {
    "orders": "/orders",
    "orders-page": "/orders?limit=25&offset=40",
    "order-first": "/orders/SO-0000001",
    "order-last": "/orders/{last_order}",
    "backorders": "/backorders",
    "preorders": "/preorders",
    "plan": "/plan",
    "stock-prd-1": "/stock/PRD-00001",
    "supply": "/supply",
    "purchase-order-1": "/purchase-orders/PO-00001",
    "items": "/items",
    "item-prd-1": "/items/PRD-00001",
    "boms": "/boms",
    "journal": "/journal",
    "balance": "/balance",
    "kpis": "/kpis",
    "valuation": "/valuation",
    "suppliers": "/suppliers",
    "suppliers-reliability": "/suppliers/reliability",
    "reorder-points": "/reorder-points",
}


def normalised(text: str) -> str:
    """The output with the `VOLATILE` values replaced by a mark, everything else untouched."""
    return _VOLATILE.sub(lambda m: f'"{m[1]}":{m[2]}"<{m[1]}>"', text)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Checkout:
    """One checkout's `pegboard` program, run on one database with the workload's business date."""

    def __init__(self, program: str, db_url: str) -> None:
        self.program, self.db_url = program, db_url
        quiet = {"PEGBOARD_NOTIFY_INTERVAL_SECONDS": "0", "PEGBOARD_FORECAST_PRELOAD": "false"}
        self.env = {**os.environ, **quiet}

    def run(self, *args: str, ok: tuple[int, ...] = (0,), stdin: str | None = None) -> str:
        done = subprocess.run(
            [self.program, "--db", self.db_url, "--today", TODAY.isoformat(), *args],
            capture_output=True,
            text=True,
            env=self.env,
            input=stdin,
            check=False,
        )
        if done.returncode not in ok:
            raise SystemExit(f"pegboard {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
        return done.stdout


def build(pb: Checkout, files: dict[str, Path], orders: list[str]) -> None:
    """The workshop mid-story: imports, a confirmed plan, a receipt, shipments, a cancellation."""
    pb.run("init")
    for kind in ("suppliers", "items", "boms", "stock", "purchase-orders", "orders"):
        pb.run("import", kind, str(files[kind]))
    pb.run("plan", "--confirm", "--json")
    pb.run("receive", "PO-00001", _po_sku(files), "5", ok=(0, 1))
    for ref in orders[:15]:
        pb.run("ship", ref, ok=(0, 1))  # 1: nothing allocated to ship, which is an answer too
    pb.run("cancel", orders[-1], ok=(0, 1))


def _po_sku(files: dict[str, Path]) -> str:
    lines = files["purchase-orders"].read_text(encoding="utf-8").splitlines()
    header, first = lines[0].split(","), lines[1].split(",")
    return first[header.index("sku")]


def dump(program: str, out: Path, *, db: str, sizes: Sizes) -> None:
    """Build the workshop with `program` and write every read's output into `out`."""
    work = generate(sizes)
    orders = [d.order_ref for d in work.drafts()]
    scratch = Path(tempfile.mkdtemp(prefix="pegboard_compare_"))
    db_url = f"sqlite:///{scratch}/compare.db"
    postgres = None
    if db == "postgres":
        # Empty, not migrated: the checkout's own `pegboard init` migrates it to its own head.
        postgres = _empty_postgres_database()
        db_url = postgres.__enter__()
    try:
        files = work.write(scratch / "csv")
        pb = Checkout(program, db_url)
        build(pb, files, orders)
        out.mkdir(parents=True, exist_ok=True)
        for name, args in CLI_READS.items():
            text = pb.run(*args)
            (out / f"cli-{name}.{'csv' if '--csv' in args else 'json'}").write_text(normalised(text))
        token = pb.run("token", "create", "--name", "compare", "--role", "admin").strip()
        for name, text in _api_reads(pb, token, last_order=orders[-1]).items():
            (out / f"api-{name}.json").write_text(normalised(text))
    finally:
        if postgres is not None:
            postgres.__exit__(None, None, None)
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def _empty_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the benchmarks' server, dropped afterwards."""
    from bench.common import POSTGRES_ADMIN_URL

    name = f"pegboard_bench_compare_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _api_reads(pb: Checkout, token: str, *, last_order: str) -> dict[str, str]:
    port = _free_port()
    server = subprocess.Popen(
        [pb.program, "--db", pb.db_url, "--today", TODAY.isoformat(), "serve", "--host", "127.0.0.1"]
        + ["--port", str(port)],
        env=pb.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    found: dict[str, str] = {}
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            _wait_for(client, base)
            for name, path in API_READS.items():
                response = client.get(base + path.format(last_order=last_order))
                if response.status_code != 200:
                    raise SystemExit(f"GET {path} answered {response.status_code}: {response.text[:200]}")
                link = response.headers.get("link")
                found[name] = response.text + (f"\nLink: {link}\n" if link else "")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return found


def _wait_for(client: httpx.Client, base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            client.get(base + "/suppliers")
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def compare(before: Path, after: Path) -> int:
    """Print the reads whose outputs differ (a unified diff of each); 0 when every file is equal."""
    names = sorted({p.name for p in before.iterdir()} | {p.name for p in after.iterdir()})
    differing = 0
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"{name}: only in {'after' if b.exists() else 'before'}")
            differing += 1
            continue
        old, new = a.read_text(), b.read_text()
        if old != new:
            differing += 1
            diff = difflib.unified_diff(old.splitlines(), new.splitlines(), str(a), str(b), lineterm="", n=1)
            print("\n".join(list(diff)[:40]))
    print(f"{len(names) - differing} of {len(names)} outputs byte-identical, {differing} differ")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="CLI and REST outputs on a bench workload, compared")
    parser.add_argument("--out", type=Path, help="write this checkout's (or --pegboard's) outputs here")
    parser.add_argument("--pegboard", default=str(Path(sys.executable).with_name("pegboard")))
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--against", type=Path, metavar="CHECKOUT", help="dump both, then compare")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--skus", type=int, default=60)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    sizes = Sizes(orders=args.orders, skus=args.skus, seed=args.seed)
    if args.compare:
        raise SystemExit(compare(*args.compare))
    if args.against:
        root = Path(tempfile.mkdtemp(prefix="pegboard_compare_out_"))
        other = str(args.against / ".venv" / "bin" / "pegboard")
        dump(other, root / "before", db=args.db, sizes=sizes)
        dump(args.pegboard, root / "after", db=args.db, sizes=sizes)
        print(f"outputs in {root}")
        raise SystemExit(compare(root / "before", root / "after"))
    if not args.out:
        parser.error("give --out, --compare or --against")
    dump(args.pegboard, args.out, db=args.db, sizes=sizes)


if __name__ == "__main__":
    main()
