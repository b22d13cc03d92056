"""A seeded planning snapshot of any size: multi-level BOMs, open supply, backorders, short stock.

S = 1k items / 10k backordered lines, M = 10k / 100k, L = 100k / 1M. A fifth of the items
are products (make), a fifth sub-assemblies (make, BOM tiers 1 to 4), the rest materials
(buy; a few with unpredictable lead times). Each make item has 2 to 5 components: often one
sub-assembly of a deeper tier, the rest materials, so BOMs reach depth 5 and materials are
shared widely. Products sell with log-normal popularity and materials are picked the same
way, so every size has the same mix per item (the work grows linearly with the size).
Stock covers only part of the demand (none at all for many items); some materials have
open POs (a few without a date), some make items open MOs. Most make items are made in
batches (order multiples), most materials have minimum order quantities. The same seed and
sizes always give the same snapshot.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np

from pegboard.planning.snapshot import (
    BackorderDemand,
    OpenManufacturingOrder,
    OpenPurchaseLine,
    PlanBomLine,
    PlanInput,
    PlanItem,
)

TODAY = date(2026, 12, 1)
SIZES = {"S": (1_000, 10_000), "M": (10_000, 100_000), "L": (100_000, 1_000_000)}
SUPPLIERS = [f"Supplier {k}" for k in range(1, 41)]
FIRST_ORDER_AT = datetime(2026, 10, 1, 8, 0)


def _decimals(values: np.ndarray) -> list[Decimal]:
    table = {int(v): Decimal(int(v)) for v in np.unique(values)}
    return [table[v] for v in values.tolist()]


def plan_workload(n_items: int, n_lines: int, seed: int = 7) -> PlanInput:
    """The snapshot for `n_items` items and `n_lines` backordered lines."""
    rng = np.random.default_rng(seed)
    n_products, n_assemblies = n_items // 5, n_items // 5
    n_materials = n_items - n_products - n_assemblies
    tier = np.r_[np.zeros(n_products), rng.integers(1, 5, n_assemblies), np.full(n_materials, 5)].astype(int)
    skus = (
        [f"P{k:06d}" for k in range(n_products)]
        + [f"A{k:06d}" for k in range(n_assemblies)]
        + [f"M{k:06d}" for k in range(n_materials)]
    )
    make = tier < 5
    items = _items(rng, skus, make)
    boms = _boms(rng, skus, tier, n_products, n_assemblies)
    demand_sku, quantity, order_of_line, priority, minute = _lines(rng, n_lines, n_products, n_items)
    per_item = np.bincount(demand_sku, weights=quantity, minlength=n_items)
    stock = np.where(rng.random(n_items) < 0.35, 0, (per_item * rng.uniform(0, 0.6, n_items)).astype(int))
    stock = np.where(make, stock, rng.integers(0, 400, n_items) * (rng.random(n_items) < 0.7))
    qty = _decimals(quantity)
    demands = [
        BackorderDemand(
            order_ref=f"SO-{o:07d}",
            line_no=k + 1,
            sku=skus[s],
            quantity=q,
            priority=p,
            ordered_at=FIRST_ORDER_AT + timedelta(minutes=m),
        )
        for k, (s, q, o, p, m) in enumerate(
            zip(
                demand_sku.tolist(),
                qty,
                order_of_line.tolist(),
                priority.tolist(),
                minute.tolist(),
                strict=True,
            )
        )
    ]
    return PlanInput(
        today=TODAY,
        items=items,
        bom_lines=boms,
        available={skus[k]: Decimal(int(v)) for k, v in enumerate(stock) if v > 0},
        purchase_lines=_purchases(rng, skus, make),
        manufacturing_orders=_manufacturing(rng, skus, make),
        demands=demands,
    )


def _optional(value: int) -> Decimal | None:
    return None if value < 0 else Decimal(value)


def _items(rng: np.random.Generator, skus: list[str], make: np.ndarray) -> list[PlanItem]:
    """Make items in batches (order multiples), a day or three each; materials from 40 suppliers,
    a few unpredictable, most with minimum order quantities; some safety stock and reorder points."""
    n = len(skus)
    lead = np.where(make, rng.integers(0, 4, n), rng.integers(1, 21, n))
    unpredictable = ~make & (rng.random(n) < 0.03)
    supplier = rng.integers(0, len(SUPPLIERS), n)
    multiple = np.where(make, rng.choice([-1, 5, 10, 20], n), rng.choice([-1, -1, 10, 25], n))
    min_qty = np.where(make, -1, rng.choice([-1, 10, 50], n))
    safety = np.where(rng.random(n) < 0.1, rng.integers(5, 21, n), 0)
    reorder = np.where(~make & (rng.random(n) < 0.1), rng.integers(10, 51, n), -1)
    reorder_qty = np.where(rng.random(n) < 0.5, rng.integers(20, 101, n), -1)
    return [
        PlanItem(
            sku,
            "make" if make[k] else "buy",
            lead_time_days=None if unpredictable[k] else int(lead[k]),
            supplier=None if make[k] else SUPPLIERS[supplier[k]],
            safety_stock=Decimal(int(safety[k])),
            reorder_point=_optional(int(reorder[k])),
            reorder_qty=None if reorder[k] < 0 else _optional(int(reorder_qty[k])),
            min_order_qty=_optional(int(min_qty[k])),
            order_multiple=_optional(int(multiple[k])),
        )
        for k, sku in enumerate(skus)
    ]


def _popularity(rng: np.random.Generator, n: int, spread: float) -> np.ndarray:
    """Selection weights: log-normal, so some items are picked far more often than others, with
    the same spread at every size (each item's expected share scales with 1/n)."""
    weights: np.ndarray = rng.lognormal(0.0, spread, n)
    shares: np.ndarray = weights / weights.sum()
    return shares


def _boms(
    rng: np.random.Generator, skus: list[str], tier: np.ndarray, n_products: int, n_assemblies: int
) -> list[PlanBomLine]:
    """Each make item: 2 to 5 components, often one sub-assembly of a deeper tier, the rest
    materials, some of which (the favourites) go into many BOMs."""
    n = len(skus)
    first_material = n_products + n_assemblies
    by_tier = {t: np.flatnonzero(tier == t) for t in range(1, 5)}
    materials = rng.choice(
        np.arange(first_material, n), size=6 * first_material, p=_popularity(rng, n - first_material, 1.0)
    ).tolist()
    per = [Decimal(1), Decimal(1), Decimal(1), Decimal(2), Decimal("0.5"), Decimal(4)]
    lines = []
    for parent in range(first_material):
        fan_out = int(rng.integers(2, 6))
        components: set[int] = set()
        deeper = [t for t in range(tier[parent] + 1, 5) if len(by_tier[t])]
        if deeper and rng.random() < 0.6:
            components.add(int(rng.choice(by_tier[int(rng.choice(deeper))])))
        while len(components) < fan_out:
            components.add(materials.pop())
        for child in sorted(components):
            lines.append(PlanBomLine(skus[parent], skus[child], per[int(rng.integers(0, len(per)))]))
    return lines


def _lines(
    rng: np.random.Generator, n_lines: int, n_products: int, n_items: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backordered lines: mostly products (bestsellers more often), some spare parts; orders of
    1 to 4 lines, a few with a higher priority."""
    product = rng.choice(n_products, size=n_lines, p=_popularity(rng, n_products, 1.0))
    spare = rng.integers(n_products, n_items, n_lines)
    sku = np.where(rng.random(n_lines) < 0.95, product, spare)
    quantity = rng.choice([1, 1, 1, 2, 2, 3, 5], n_lines)
    order = np.cumsum(rng.random(n_lines) < 0.45)
    priority = rng.choice([0] * 45 + [1] * 4 + [2], int(order[-1]) + 1)[order]
    minute = np.sort(rng.integers(0, 60 * 24 * 60, int(order[-1]) + 1))[order]
    return sku, quantity, order, priority, minute


def _purchases(rng: np.random.Generator, skus: list[str], make: np.ndarray) -> list[OpenPurchaseLine]:
    """Open POs for 30% of the materials, one or two lines each, due within 40 days (a few
    overdue, 5% without a date)."""
    materials = np.flatnonzero(~make)
    chosen = materials[rng.random(len(materials)) < 0.3]
    lines = []
    for k, m in enumerate(chosen.tolist()):
        for _ in range(int(rng.integers(1, 3))):
            due = None if rng.random() < 0.05 else TODAY + timedelta(days=int(rng.integers(-5, 41)))
            lines.append(OpenPurchaseLine(f"PO-{k:06d}", skus[m], Decimal(int(rng.integers(20, 201))), due))
    return lines


def _manufacturing(
    rng: np.random.Generator, skus: list[str], make: np.ndarray
) -> list[OpenManufacturingOrder]:
    made = np.flatnonzero(make)
    chosen = made[rng.random(len(made)) < 0.05]
    orders = []
    for k, m in enumerate(chosen.tolist()):
        start = TODAY + timedelta(days=int(rng.integers(-3, 11)))
        finish = start + timedelta(days=int(rng.integers(0, 4)))
        orders.append(
            OpenManufacturingOrder(f"MO-{k:06d}", skus[m], Decimal(int(rng.integers(5, 51))), start, finish)
        )
    return orders
