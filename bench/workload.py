"""A seeded workshop of any size, in DESIGN.md's CSV formats, with stock short enough for backorders.

Run `python -m bench.workload --out DIR --orders 1000` to write suppliers.csv, items.csv,
boms.csv, stock.csv, orders.csv and purchase-orders.csv. The same seed and sizes always give
the same files. Products sell with a skewed popularity (a few bestsellers, a long tail), and
stock covers only part of the demand the orders will bring (some SKUs none of it), so placing
the orders in `ordered_at` order allocates the first and backorders the rest.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pegboard.domain.quantities import to_money, to_quantity
from pegboard.domain.sales import ShipPolicy
from pegboard.services.imports import COLUMNS
from pegboard.services.orders import LineDraft, OrderDraft

#: The business date the benchmarks run on (`--today`); every order is placed before it.
TODAY = date(2026, 12, 1)
FIRST_ORDER_AT = datetime(2026, 1, 5, 8, 0, 0)

#: Every column of each CSV kind, as the importer defines them (required first, then optional).
HEADERS: dict[str, tuple[str, ...]] = {
    kind.value: required + optional for kind, (required, optional) in COLUMNS.items()
}

#: The order the files must be imported in (items name suppliers, BOMs name items, ...).
KINDS = ("suppliers", "items", "boms", "stock", "purchase-orders", "orders")


@dataclass(frozen=True)
class Sizes:
    """How big the generated workshop is.

    `orders` counts orders; `order_lines`, when given, instead stops at exactly that many CSV
    lines (the last order may be cut short). `stock_cover` is the share of a product's demand
    that its stock covers, on average.
    """

    orders: int = 1000
    order_lines: int | None = None
    skus: int = 500
    suppliers: int = 10
    max_lines: int = 4
    stock_cover: float = 0.5
    seed: int = 42


@dataclass
class Workload:
    """Rows per CSV kind (each a dict keyed by the kind's header)."""

    sizes: Sizes
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def csv_text(self, kind: str) -> str:
        """One kind's rows as CSV text with its header row."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=HEADERS[kind], lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows[kind])
        return buffer.getvalue()

    def write(self, directory: Path) -> dict[str, Path]:
        """Write every kind to DIRECTORY/KIND.csv; returns the paths."""
        directory.mkdir(parents=True, exist_ok=True)
        paths = {}
        for kind in KINDS:
            path = directory / f"{kind}.csv"
            path.write_text(self.csv_text(kind), encoding="utf-8")
            paths[kind] = path
        return paths

    def drafts(self) -> list[OrderDraft]:
        """The orders as the service layer takes them, oldest first, one draft per order_ref."""
        grouped: dict[str, list[dict[str, str]]] = {}
        for row in self.rows["orders"]:
            grouped.setdefault(row["order_ref"], []).append(row)
        drafts = []
        for ref, rows in grouped.items():
            first = rows[0]
            drafts.append(
                OrderDraft(
                    order_ref=ref,
                    customer=first["customer"],
                    email=first["email"],
                    ordered_at=datetime.fromisoformat(first["ordered_at"]),
                    priority=int(first["priority"] or 0),
                    ship_policy=ShipPolicy(first["ship_policy"]),
                    lines=tuple(
                        LineDraft(r["sku"], to_quantity(r["quantity"]), to_money(r["unit_price"]))
                        for r in rows
                    ),
                )
            )
        return drafts

    def order_count(self) -> int:
        return len({row["order_ref"] for row in self.rows["orders"]})


def generate(sizes: Sizes) -> Workload:
    """Build the workshop: suppliers, buy and make items with BOMs, short stock, orders and POs."""
    rng = random.Random(sizes.seed)
    work = Workload(sizes)
    suppliers = [f"Supplier {n:03d}" for n in range(1, sizes.suppliers + 1)]
    work.rows["suppliers"] = [
        {"name": name, "email": f"orders@supplier{n:03d}.example", "lead_time_days": str(rng.randint(2, 21))}
        for n, name in enumerate(suppliers, start=1)
    ]
    n_materials = max(2, sizes.skus * 2 // 5)
    n_products = max(1, sizes.skus - n_materials)
    materials = [f"MAT-{n:05d}" for n in range(1, n_materials + 1)]
    products = [f"PRD-{n:05d}" for n in range(1, n_products + 1)]
    made = set(rng.sample(products, k=n_products * 3 // 10))
    prices = {sku: Decimal(rng.randint(500, 50_000)) / 100 for sku in products}

    items, boms = [], []
    for sku in materials:
        items.append(_item(rng, sku, "buy", suppliers, price=None))
    for sku in products:
        items.append(_item(rng, sku, "make" if sku in made else "buy", suppliers, price=prices[sku]))
        if sku in made:
            for component in rng.sample(materials, k=min(len(materials), rng.randint(2, 4))):
                boms.append(
                    {"parent_sku": sku, "component_sku": component, "quantity": str(rng.randint(1, 3))}
                )
    work.rows["items"], work.rows["boms"] = items, boms

    orders, demand = _orders(rng, sizes, products, prices)
    work.rows["orders"] = orders
    work.rows["stock"] = _stock(rng, sizes, products, materials, demand)
    work.rows["purchase-orders"] = _purchase_orders(rng, items, demand)
    return work


def _item(
    rng: random.Random, sku: str, procurement: str, suppliers: list[str], *, price: Decimal | None
) -> dict[str, str]:
    buy = procurement == "buy"
    # One buy item in ten has an unpredictable supplier: an empty lead time (open-term promises).
    lead = "" if buy and rng.random() < 0.1 else str(rng.randint(1, 14))
    return {
        "sku": sku,
        "name": f"{'Material' if sku.startswith('MAT') else 'Product'} {sku[4:]}",
        "procurement": procurement,
        "unit": "pcs",
        "price": "" if price is None else str(price),
        "cost": str(Decimal(rng.randint(100, 20_000)) / 100),
        "lead_time_days": lead,
        "supplier": rng.choice(suppliers) if buy else "",
        "safety_stock": str(rng.choice([0, 0, 0, 2, 5])),
        "reorder_point": str(rng.choice([0, 5, 10])) if rng.random() < 0.3 else "",
        "reorder_qty": "",
        "min_order_qty": str(rng.choice([10, 25])) if buy and rng.random() < 0.2 else "",
        "order_multiple": "5" if buy and rng.random() < 0.2 else "",
    }


def _orders(
    rng: random.Random, sizes: Sizes, products: list[str], prices: dict[str, Decimal]
) -> tuple[list[dict[str, str]], dict[str, int]]:
    # Zipf-like popularity: the product ranked r sells about 1/r^0.9 as often as the first.
    popularity = list(itertools.accumulate(1 / (rank**0.9) for rank in range(1, len(products) + 1)))
    shuffled = products[:]
    rng.shuffle(shuffled)
    rows: list[dict[str, str]] = []
    demand: dict[str, int] = {}
    at = FIRST_ORDER_AT
    limit = sizes.order_lines
    n = 0
    while (limit is None and n < sizes.orders) or (limit is not None and len(rows) < limit):
        n += 1
        at += timedelta(seconds=rng.randint(1, 12))
        ref = f"SO-{n:07d}"
        customer = f"Customer {rng.randint(1, max(10, sizes.orders // 3)):06d}"
        priority = str(rng.choice([0] * 17 + [1, 2, 5]))
        policy = ShipPolicy.COMPLETE.value if rng.random() < 0.15 else ShipPolicy.PARTIAL.value
        count = min(len(shuffled), rng.choices(range(1, sizes.max_lines + 1), k=1)[0])
        skus: list[str] = []
        while len(skus) < count:
            sku = rng.choices(shuffled, cum_weights=popularity, k=1)[0]
            if sku not in skus:
                skus.append(sku)
        for sku in skus:
            if limit is not None and len(rows) >= limit:
                break
            quantity = rng.choice([1, 1, 1, 1, 2, 2, 3, 5])
            demand[sku] = demand.get(sku, 0) + quantity
            rows.append(
                {
                    "order_ref": ref,
                    "customer": customer,
                    "email": f"{customer.lower().replace(' ', '.')}@example.com",
                    "ordered_at": at.isoformat(timespec="seconds"),
                    "sku": sku,
                    "quantity": str(quantity),
                    "unit_price": str(prices[sku]),
                    "priority": priority,
                    "ship_policy": policy,
                }
            )
    return rows, demand


def _stock(
    rng: random.Random, sizes: Sizes, products: list[str], materials: list[str], demand: dict[str, int]
) -> list[dict[str, str]]:
    rows = []
    for sku in products:
        wanted = demand.get(sku, 0)
        # One product in ten is sold out from the start; the others cover part of their demand.
        cover = 0.0 if rng.random() < 0.1 else rng.uniform(0.3, 1.7) * sizes.stock_cover
        rows.append({"sku": sku, "quantity": str(int(wanted * min(cover, 1.0)))})
    for sku in materials:
        rows.append({"sku": sku, "quantity": str(rng.randint(0, 200))})
    return rows


def _purchase_orders(
    rng: random.Random, items: list[dict[str, str]], demand: dict[str, int]
) -> list[dict[str, str]]:
    """A few open POs for bought items, some with no expected date yet."""
    bought = [row for row in items if row["procurement"] == "buy"]
    rows = []
    for n, item in enumerate(rng.sample(bought, k=max(1, len(bought) // 5)), start=1):
        due = "" if rng.random() < 0.1 else (TODAY + timedelta(days=rng.randint(3, 40))).isoformat()
        rows.append(
            {
                "po_ref": f"PO-{n:05d}",
                "supplier": item["supplier"],
                "sku": item["sku"],
                "quantity": str(max(10, demand.get(item["sku"], 0) // 4)),
                "expected_date": due,
                "unit_cost": item["cost"],
            }
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, required=True, help="directory for the CSV files")
    parser.add_argument("--orders", type=int, default=1000, help="number of orders")
    parser.add_argument("--order-lines", type=int, default=None, help="stop at exactly this many order lines")
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--suppliers", type=int, default=10)
    parser.add_argument("--max-lines", type=int, default=4, help="most lines in one order")
    parser.add_argument("--stock-cover", type=float, default=0.5, help="average share of demand in stock")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    sizes = Sizes(
        orders=args.orders,
        order_lines=args.order_lines,
        skus=args.skus,
        suppliers=args.suppliers,
        max_lines=args.max_lines,
        stock_cover=args.stock_cover,
        seed=args.seed,
    )
    work = generate(sizes)
    for kind, path in work.write(args.out).items():
        print(f"{path}: {len(work.rows[kind])} rows")


if __name__ == "__main__":
    main()
