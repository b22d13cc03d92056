"""What one order's transaction writes on SQLite: WAL pages per order, by table and index.

    python -m bench.bench_intake_pages --orders 1000

Places `--warm` orders first, then `--orders` more with the WAL's automatic checkpoint off, and
reads which page each WAL frame holds (`dbstat` names the b-tree). Every dirty page is a 4 KiB
write at commit and again at the checkpoint, so this counts what intake costs in I/O without
the noise of a busy machine's wall time. CPU per order is printed too (process time).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import struct
import time
from collections import Counter
from contextlib import closing
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.common import fresh_database, load_catalogue, open_board
from bench.workload import Sizes, generate
from pegboard.services.orders import place_order

_FRAME_HEADER, _PAGE = 24, 4096


@event.listens_for(Engine, "connect")
def _no_checkpoint(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def wal_pages(path: str, start: int) -> Counter[int]:
    """How many frames the WAL holds for each page, from byte `start` (a frame boundary) on."""
    with open(path + "-wal", "rb") as wal:
        data = wal.read()
    pages: Counter[int] = Counter()
    for pos in range(max(start, 32), len(data) - _FRAME_HEADER + 1, _FRAME_HEADER + _PAGE):
        pages[struct.unpack(">I", data[pos : pos + 4])[0]] += 1
    return pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="WAL pages per placed order on SQLite, by b-tree")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    work = generate(Sizes(orders=args.warm + args.orders, skus=args.skus, seed=args.seed))
    drafts = work.drafts()
    with fresh_database("sqlite") as url:
        path = url.split("sqlite:///", 1)[1]
        pb = open_board(url)
        try:
            load_catalogue(pb, work)
            for draft in drafts[: args.warm]:
                place_order(draft, uow=pb.uow(), clock=pb.clock)
            start = os.path.getsize(path + "-wal")
            cpu = time.process_time()
            for draft in drafts[args.warm :]:
                place_order(draft, uow=pb.uow(), clock=pb.clock)
            cpu = time.process_time() - cpu
            pages = wal_pages(path, start)
            with closing(sqlite3.connect(path)) as db:
                owner = dict(db.execute("SELECT pageno, name FROM dbstat").fetchall())
        finally:
            pb.close()
    by_tree: Counter[str] = Counter()
    for page, frames in pages.items():
        by_tree[owner.get(page, "?")] += frames
    n = args.orders
    print(f"CPU per order {cpu / n * 1e6:.0f} us; WAL pages per order {sum(pages.values()) / n:.2f}")
    for name, frames in by_tree.most_common():
        if frames / n >= 0.05:
            print(f"  {frames / n:5.2f}  {name}")


if __name__ == "__main__":
    main()
