"""`pegboard import orders` killed by SIGKILL midway leaves no order; run again, it places each once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.engine import normalise_url
from pegboard.bootstrap import bootstrap
from pegboard.config import Settings
from tests.builders import make_items, set_stock
from tests.conftest import MONDAY
from tests.invariants import assert_invariants

COMMAND = [sys.executable, "-m", "pegboard.entrypoints.cli"]
#: Orders in the file: about 30,000 rows, several seconds of import on a shared machine.
ORDERS = 20_000
#: CPU seconds of the import process after which it is killed: past start-up (about a second)
#: and well into reading and writing, which take several seconds more.
KILL_AFTER_CPU_SECONDS = 2.5
HEADER = "order_ref,customer,email,ordered_at,sku,quantity,unit_price,priority,ship_policy"


def write_orders(path: Path) -> None:
    """KILL-1 ... KILL-n: a widget each, every other one two gadgets too (backordered once stock runs out)."""
    rows = [HEADER]
    for n in range(1, ORDERS + 1):
        who = f"Customer {n},c{n}@example.com,2026-11-23T09:00:00"
        rows.append(f"KILL-{n},{who},WIDGET,1,10.00,0,partial")
        if n % 2:
            rows.append(f"KILL-{n},{who},GADGET,2,5.00,0,partial")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def import_command(path: Path, db_url: str) -> list[str]:
    return [*COMMAND, "import", "orders", str(path), "--db", db_url]


def kill_midway(command: list[str]) -> int:
    """Start the import and SIGKILL it once it has used KILL_AFTER_CPU_SECONDS of CPU; its return code."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None and cpu_seconds(process.pid) < KILL_AFTER_CPU_SECONDS:
        time.sleep(0.02)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    return process.wait(60)


def kill_orders(db_url: str) -> tuple[int, int, int]:
    """(orders, distinct refs, lines) of the file's orders in the database."""
    engine = create_engine(normalise_url(db_url))
    so, ol = t.sales_orders, t.order_lines
    mine = so.c.order_ref.like("KILL-%")
    try:
        with engine.connect() as conn:
            orders = conn.execute(select(func.count()).select_from(so).where(mine)).scalar_one()
            refs = conn.execute(select(func.count(so.c.order_ref.distinct())).where(mine)).scalar_one()
            lines = conn.execute(
                select(func.count()).select_from(ol.join(so, so.c.id == ol.c.order_id)).where(mine)
            ).scalar_one()
        assert_invariants(engine)
    finally:
        engine.dispose()
    return orders, refs, lines


def test_an_import_killed_midway_leaves_no_order_of_it_and_run_again_places_each_once(
    db_url: str, tmp_path: Path
) -> None:
    pb = bootstrap(Settings(database_url=db_url), today=MONDAY)
    try:
        make_items(pb, "WIDGET", "GADGET")
        set_stock(pb, WIDGET=500, GADGET=300)
    finally:
        pb.close()
    path = tmp_path / "orders.csv"
    write_orders(path)

    killed = kill_midway(import_command(path, db_url))

    assert killed == -signal.SIGKILL, "the import finished before it could be killed: make the file larger"
    assert kill_orders(db_url) == (0, 0, 0)

    again = subprocess.run(import_command(path, db_url), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert kill_orders(db_url) == (ORDERS, ORDERS, ORDERS + ORDERS // 2)
