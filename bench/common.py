"""What every benchmark shares: a fresh database per run, loading a workload, timing and reporting."""

from __future__ import annotations

import io
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import create_engine, func, select, text

from bench.workload import TODAY, Workload
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.migrate import upgrade
from pegboard.adapters.db.scratch import scratch_postgres_database
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services.imports import ImportKind, import_csv

POSTGRES_ADMIN_URL = os.environ.get(
    "PEGBOARD_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BENCH_DB_PREFIX = "pegboard_bench_"
#: Everything but the orders: what a shop has before its customers start ordering.
CATALOGUE_KINDS = ("suppliers", "items", "boms", "stock", "purchase-orders")


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A migrated, empty database for one run: a temporary SQLite file, or a PostgreSQL database
    named pegboard_bench_* that is dropped afterwards."""
    if kind == "sqlite":
        directory = tempfile.mkdtemp(prefix="pegboard_bench_")
        url = f"sqlite:///{directory}/bench.db"
        try:
            upgrade(url)
            yield url
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    if kind != "postgres":
        raise ValueError(f"unknown database kind {kind!r} (sqlite or postgres)")
    with scratch_postgres_database(POSTGRES_ADMIN_URL, prefix=BENCH_DB_PREFIX) as url:
        yield url


def open_board(url: str, *, pool_size: int = 10) -> Pegboard:
    """Pegboard wired as the CLI and the server wire it, on the benchmarks' business date."""
    return bootstrap(Settings(database_url=url, db_pool_size=pool_size), today=TODAY)


def load_catalogue(pb: Pegboard, work: Workload) -> None:
    """Import suppliers, items, BOMs, stock and POs through the CSV import service (untimed set-up)."""
    for kind in CATALOGUE_KINDS:
        import_csv(
            ImportKind(kind),
            io.StringIO(work.csv_text(kind)),
            source=f"{kind}.csv",
            uow=pb.uow(),
            clock=pb.clock,
            policy=AllocationPolicy.FIFO,
        )


@dataclass(frozen=True)
class Outcome:
    """What the orders did to the database: a sanity check that the run did the real work."""

    orders: int
    lines: int
    backordered_lines: int
    overallocated_items: int

    def describe(self) -> str:
        share = 100 * self.backordered_lines / self.lines if self.lines else 0.0
        return (
            f"stored {self.orders} orders / {self.lines} lines, {share:.0f}% of lines backordered, "
            f"{self.overallocated_items} items over-allocated"
        )


def outcome(pb: Pegboard) -> Outcome:
    """Count orders, lines and backorders, and check allocated <= on hand for every item."""
    lines = t.order_lines.c
    with pb.engine.connect() as conn:
        orders = conn.execute(select(func.count()).select_from(t.sales_orders)).scalar_one()
        n_lines = conn.execute(select(func.count()).select_from(t.order_lines)).scalar_one()
        waiting = conn.execute(
            select(func.count()).where(lines.quantity > lines.allocated + lines.shipped + lines.cancelled)
        ).scalar_one()
        on_hand = dict(
            conn.execute(
                select(t.stock_moves.c.item_id, func.sum(t.stock_moves.c.quantity)).group_by(
                    t.stock_moves.c.item_id
                )
            )
            .tuples()
            .all()
        )
        allocated = conn.execute(
            select(lines.item_id, func.sum(lines.allocated)).group_by(lines.item_id)
        ).tuples()
        over = sum(1 for item_id, total in allocated if total > on_hand.get(item_id, 0))
    return Outcome(int(orders), int(n_lines), int(waiting), over)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of the values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def spread(values: Sequence[float]) -> str:
    """Median with the lowest and highest of several runs: '812 (774..840, n=5)'."""
    if len(values) == 1:
        return f"{values[0]:.0f} (n=1)"
    return f"{statistics.median(values):.0f} ({min(values):.0f}..{max(values):.0f}, n={len(values)})"


def machine() -> str:
    """One line about where the numbers were taken."""
    memory = "?"
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M}Z, {os.cpu_count()} CPUs, {memory} RAM, load {load}, "
        f"Python {platform.python_version()}, {postgres_version()}"
    )


def postgres_version() -> str:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL)
        with engine.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar_one())
        engine.dispose()
        return f"PostgreSQL {version}"
    except Exception:  # only informative: the machine line must not fail
        return "PostgreSQL unavailable"


def git_revision() -> str:
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, check=True
        )
        return done.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _clock_ticks() -> int:
    return int(os.sysconf("SC_CLK_TCK"))


def process_cpu(*, group: int | None = None, postgres_database: str | None = None) -> dict[int, float]:
    """CPU seconds (user + system) so far of the processes in a process group, or of the
    PostgreSQL backends serving one database, read from /proc (Linux only; empty elsewhere)."""
    found: dict[int, float] = {}
    ticks = _clock_ticks()
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if group is not None and int(fields[2]) != group:
                continue
            if postgres_database is not None:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    words = cmdline.read().replace(b"\0", b" ").decode(errors="replace").split()
                if not (words and words[0] == "postgres:" and postgres_database in words):
                    continue
            found[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return found


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two snapshots (processes that started in between count in full)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    ticks = _clock_ticks()
    return (sum(values) - idle) / ticks, sum(values) / ticks
