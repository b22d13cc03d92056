"""FIFO stock value: the cost of finding what an item still holds after a long receipt history.

An item receives `--receipts` single units (the n-th at a cost of n), then issues all but
`--held` of them; the benchmark times `holdings` by FIFO (what every issue reads first), median
of `--runs`, on a temporary SQLite file or a PostgreSQL database made for the run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from decimal import Decimal

from bench.common import fresh_database, machine
from pegboard.bootstrap import bootstrap
from pegboard.config import Settings
from pegboard.domain.items import Item, Procurement, Supplier
from pegboard.domain.valuation import CostMethod, ValuedMove
from pegboard.services import catalogue


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--receipts", type=int, default=5000)
    parser.add_argument("--held", type=int, default=20)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    print(machine())
    with fresh_database(args.db) as url:
        pb = bootstrap(Settings(database_url=url, cost_method=CostMethod.FIFO))
        try:
            catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=pb.uow())
            catalogue.save_items([Item("KETTLE", "Kettle", Procurement.BUY, supplier="Acme")], uow=pb.uow())
            with pb.uow() as uow:
                for n in range(args.receipts):
                    uow.valuation.add(ValuedMove("KETTLE", Decimal(1), Decimal(n), date(2026, 1, 1)))
                gone = Decimal(args.receipts - args.held)
                uow.valuation.add(ValuedMove("KETTLE", -gone, Decimal(-1), date(2026, 1, 2)))
                uow.commit()
            seconds = []
            for _ in range(args.runs):
                with pb.uow() as uow:
                    started = time.perf_counter()
                    uow.valuation.holdings(["KETTLE"], CostMethod.FIFO)
                    seconds.append(time.perf_counter() - started)
        finally:
            pb.close()
    print(
        f"{args.db}, {args.receipts} receipts, {args.held} held: FIFO holdings median "
        f"{1000 * statistics.median(seconds):.2f} ms ({1000 * min(seconds):.2f}..{1000 * max(seconds):.2f}, "
        f"n={len(seconds)})"
    )


if __name__ == "__main__":
    main()
