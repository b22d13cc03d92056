"""Random small workshops for property tests: multi-level BOMs, shared components, lot sizes,
open-term items, open POs and MOs, priorities and ties, preorders and drop-ship lines; and,
when asked, suppliers' receipt history that moves PO dates and lead times (`with_history`)."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import strategies as st

from pegboard.planning.reliability import Delivery, item_reliability, supplier_reliability
from pegboard.planning.snapshot import (
    BackorderDemand,
    DropshipDemand,
    HeldLine,
    OpenManufacturingOrder,
    OpenPurchaseLine,
    PlanBomLine,
    PlanInput,
    PlanItem,
)
from tests.unit.planning.builders import FIRST_ORDER_AT, TODAY

NAMES = ["AXE", "BOLT", "CAP", "DIAL", "EYE", "FIN", "GEAR", "HUB", "ION"]
quantities = st.sampled_from([Decimal(n) for n in ("1", "2", "3", "4", "5", "0.5", "1.25", "7")])
small = st.sampled_from([Decimal(n) for n in ("0", "0", "1", "2", "3", "0.5", "6")])
optional_days = st.one_of(st.none(), st.integers(0, 6))
days_from_today = st.integers(-3, 12).map(lambda d: TODAY + timedelta(days=d))
optional_lot = st.one_of(st.none(), st.sampled_from([Decimal(n) for n in ("1", "2", "3", "5", "0.5", "10")]))

# Every strategy below is built once, here, not at each draw: a strategy made inside a composite is
# built and validated again for every value drawn from it, which took about two thirds of the time of
# the planning property tests (cProfile of test_leftover.py: 17 of 24 s generating workshops). The
# same strategies drawn in the same order give the same examples.
name_orders = st.permutations(NAMES)
procurements = st.sampled_from(["make", "make", "buy", "buy", "dropship"])
suppliers = st.sampled_from(["Acme", "Bree", None])
supplier_lead_times = st.one_of(st.none(), st.none(), st.integers(0, 9))
safety_stocks = st.sampled_from([Decimal(0), Decimal(0), Decimal(0), Decimal(2)])
reorder_points = st.one_of(st.none(), st.none(), st.sampled_from([Decimal(0), Decimal(3)]))
reorder_qtys = st.one_of(st.none(), st.sampled_from([Decimal(4), Decimal("2.5")]))
bom_quantities = st.sampled_from([Decimal(x) for x in ("1", "1", "2", "0.5", "0.333333")])
optional_dates = st.one_of(st.none(), st.integers(-3, 12).map(lambda d: TODAY + timedelta(days=d)))
priorities = st.sampled_from([0, 0, 1, 2])
optional_release_dates = st.one_of(st.none(), st.none(), days_from_today)
dropship_pos = st.sampled_from(["PO-7", "PO-8", None])
dropship_suppliers = st.sampled_from(["Acme", None])
optional_expected_dates = st.one_of(st.none(), days_from_today)
ship_complete_refs = st.lists(st.sampled_from([f"SO-{k}" for k in range(1, 9)]), max_size=3)


@functools.cache
def one_of_skus(skus: tuple[str, ...]) -> st.SearchStrategy[str]:
    """One of `skus`, the strategy made once for each tuple of them."""
    return st.sampled_from(skus)


@functools.cache
def components(later: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    """Up to three distinct components among `later`, the strategy made once for each tuple."""
    return st.lists(st.sampled_from(later), max_size=3, unique=True)


@st.composite
def items(draw: st.DrawFn, skus: list[str]) -> list[PlanItem]:
    """Items that are bought, made or drop-shipped, some with unpredictable lead times."""
    result = []
    for sku in skus:
        result.append(
            PlanItem(
                sku=sku,
                procurement=draw(procurements),
                lead_time_days=draw(optional_days),
                supplier=draw(suppliers),
                supplier_lead_time_days=draw(supplier_lead_times),
                safety_stock=draw(safety_stocks),
                reorder_point=draw(reorder_points),
                reorder_qty=draw(reorder_qtys),
                min_order_qty=draw(optional_lot),
                order_multiple=draw(optional_lot),
            )
        )
    return result


@st.composite
def workshops(draw: st.DrawFn) -> PlanInput:
    """A workshop snapshot: items in a random BOM order (acyclic), stock, supply and backorders."""
    n = draw(st.integers(1, 7))
    skus = draw(name_orders)[:n]
    catalogue = draw(items(skus))
    boms = []
    for k, parent in enumerate(skus):
        later = skus[k + 1 :]
        if later and draw(st.integers(0, 3)) > 0:
            for component in draw(components(tuple(later))):
                per = draw(bom_quantities)
                boms.append(PlanBomLine(parent, component, per))
    available = {sku: draw(small) for sku in skus if draw(st.booleans())}
    purchases = [
        OpenPurchaseLine(
            f"PO-{draw(st.integers(1, 3))}",
            draw(one_of_skus(tuple(skus))),
            draw(quantities),
            draw(optional_dates),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    mos = []  # refs unique, as the database keeps them (`mo_ref` is unique)
    for k in range(draw(st.integers(0, 3))):
        start = TODAY + timedelta(days=draw(st.integers(-4, 6)))
        finish = start + timedelta(days=draw(st.integers(0, 4)))
        mos.append(
            OpenManufacturingOrder(
                f"MO-{k + 1}", draw(one_of_skus(tuple(skus))), draw(quantities), start, finish
            )
        )
    demands = [
        BackorderDemand(
            order_ref=f"SO-{draw(st.integers(1, 5))}",
            line_no=k + 1,
            sku=draw(one_of_skus(tuple(skus))),
            quantity=draw(quantities),
            priority=draw(priorities),
            ordered_at=FIRST_ORDER_AT + timedelta(minutes=draw(st.integers(0, 4))),
            sequence=draw(st.integers(0, 2)),
            release_date=draw(optional_release_dates),
        )
        for k in range(draw(st.integers(0, 10)))
    ]
    dropships = [
        DropshipDemand(
            order_ref=f"SO-{draw(st.integers(6, 8))}",
            line_no=k + 1,
            sku=draw(one_of_skus(tuple(skus))),
            quantity=draw(quantities),
            po_ref=draw(dropship_pos),
            supplier=draw(dropship_suppliers),
            expected_date=draw(optional_expected_dates),
        )
        for k in range(draw(st.integers(0, 2)))
    ]
    complete = frozenset(draw(ship_complete_refs))
    held = [
        HeldLine(ref, 100 + k, draw(one_of_skus(tuple(skus))), draw(quantities))
        for k, ref in enumerate(sorted(complete))
        if draw(st.booleans())
    ]
    return PlanInput(
        today=TODAY,
        items=catalogue,
        bom_lines=boms,
        available=available,
        purchase_lines=purchases,
        manufacturing_orders=mos,
        demands=demands,
        dropships=dropships,
        ship_complete=complete,
        held=held,
    )


SUPPLIERS = ["Acme", "Bree", "Cole"]


@st.composite
def receipts(draw: st.DrawFn, skus: list[str]) -> list[Delivery]:
    """Receipts of past POs from the suppliers: none to a dozen per supplier, of one or two of its
    SKUs (so a pair may have enough of its own, `reliable.pair_history`), due after a week (or
    without a date) and received a few days early to a week late, some after a reschedule."""
    found: list[Delivery] = []
    for supplier in SUPPLIERS:
        mine = draw(st.lists(st.sampled_from(skus), min_size=1, max_size=2, unique=True))
        for k in range(draw(st.sampled_from([0, 3, 5, 7, 10, 12]))):
            ordered = TODAY - timedelta(days=90 - 6 * k)
            due = draw(st.sampled_from([ordered + timedelta(days=7)] * 4 + [None]))
            late = draw(st.integers(-2, 7))
            moved = draw(st.sampled_from([None, None, None, 2]))
            found.append(
                Delivery(
                    supplier,
                    draw(st.sampled_from(mine)),
                    f"OLD-{supplier}-{k}",
                    ordered,
                    due,
                    (due or ordered + timedelta(days=7)) + timedelta(days=late),
                    draw(quantities),
                    last_stated=None if due is None or moved is None else due + timedelta(days=moved),
                )
            )
    return found


@st.composite
def with_history(draw: st.DrawFn, snapshot: PlanInput) -> PlanInput:
    """The workshop with suppliers' receipt history and a confidence to date by it: items bought
    from them, and POs placed with them weeks ago, some without a date, move by what it says
    (`planning.reliable`)."""
    skus = [item.sku for item in snapshot.items]
    items = [replace(item, supplier=draw(st.sampled_from([*SUPPLIERS, None]))) for item in snapshot.items]
    # A PO has one supplier and one order day, as in Pegboard.
    refs = sorted({line.po_ref for line in snapshot.purchase_lines})
    placed = {
        ref: (draw(st.sampled_from([*SUPPLIERS, None])), TODAY - timedelta(days=draw(st.integers(0, 20))))
        for ref in refs
    }
    lines = [
        replace(line, supplier=placed[line.po_ref][0], ordered_on=placed[line.po_ref][1])
        for line in snapshot.purchase_lines
    ]
    history = draw(receipts(skus))
    return replace(
        snapshot,
        items=items,
        purchase_lines=lines,
        reliability=[*supplier_reliability(history), *item_reliability(history).values()],
        confidence=draw(st.sampled_from([0.9, 0.9, 0.75])),
    )
