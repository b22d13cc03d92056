"""How well promises hold when suppliers slip: a seeded workshop driven day by day through the services.

Random orders arrive over 45 to 90 days; suppliers state a lead time and slip 1 to 7 days at
their own random rates; one supplier states no lead time at all. Every day the simulation
receives the POs its suppliers deliver that day, makes the MOs whose materials have been there
for their production time, places the day's orders, runs the plan with its suggestions
confirmed (as a planner pressing "Confirm suggestions" every morning) and ships whatever is
allocated. After the last order it runs on until every backordered line has shipped.

It then measures, over the lines that went on backorder and got a dated first promise: the share
that shipped on or before that first promise (goal >= 95%), and the mean slack, promised day
minus shipped day for lines that shipped early or on time (goal <= 2 days: no padding). Both
with the reliability adjustment and without it (`PEGBOARD_RELIABILITY_DATES`), on the same seed,
over three sets of lines: all; those placed once every supplier had `MIN_HISTORY` receipts; and
"on history", those whose first promise was made once every supplier of the line (or of its
parts) had them (the same lines in both runs). The adjusted run also splits the lines by what
their first promise rested on (`_kind`). An MO confirmed with its materials on hand starts that
day; one whose materials come later starts the day they do; each takes one day.

    .venv/bin/python -m bench.promise_sim --seed 7
    .venv/bin/python -m bench.promise_sim --seeds 1 2 3 4 5   # then the median of each figure
"""

from __future__ import annotations

import argparse
import io
import random
import re
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from bench.common import fresh_database
from pegboard.adapters.clock import FixedClock
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import DomainError
from pegboard.domain.quantities import to_quantity
from pegboard.domain.sales import SalesOrder
from pegboard.planning.reliability import MIN_HISTORY
from pegboard.services import manufacturing, orders, planning, purchasing, shipping
from pegboard.services.imports import ImportKind, import_csv

START = date(2026, 1, 5)
#: A backordered line: (order ref, line no).
Key = tuple[str, int]
FIFO = AllocationPolicy.FIFO
#: Days the simulation may run on after the last order to let every backorder ship.
TAIL_DAYS = 90
#: Print every late line with the reason of its first promise (`--explain`).
EXPLAIN = False


@dataclass(frozen=True)
class Supplier:
    """A simulated supplier: its stated lead time (None: none stated), how often and how far it slips."""

    name: str
    stated: int | None
    slip_rate: float
    max_slip: int
    #: Real lead times of a supplier that states none: uniform between these.
    real: tuple[int, int] = (0, 0)

    def arrival(self, rng: random.Random, *, ordered: date, expected: date | None) -> date:
        """The day the goods really come."""
        if expected is None:
            return ordered + timedelta(days=rng.randint(*self.real))
        slip = rng.randint(1, self.max_slip) if rng.random() < self.slip_rate else 0
        return expected + timedelta(days=slip)


@dataclass
class World:
    """The simulated workshop's catalogue and what the simulation keeps track of."""

    suppliers: list[Supplier]
    bought: dict[str, str]
    products: dict[str, list[str]]
    sold: list[str]
    arrivals: dict[date, list[tuple[str, str, Decimal]]] = field(default_factory=dict)
    open_mos: dict[str, date | None] = field(default_factory=dict)
    open_orders: set[str] = field(default_factory=set)
    #: Per backordered line (order ref, line no): its first dated promise, and the day it shipped whole.
    first_promise: dict[tuple[str, int], date | None] = field(default_factory=dict)
    shipped_on: dict[tuple[str, int], date] = field(default_factory=dict)
    first_reason: dict[tuple[str, int], str] = field(default_factory=dict)
    placed_on: dict[tuple[str, int], date] = field(default_factory=dict)
    sku_of: dict[tuple[str, int], str] = field(default_factory=dict)
    #: Per backordered line: every supplier of it (or of its parts) had MIN_HISTORY receipts when
    #: its first dated promise was made.
    informed_at_first: dict[tuple[str, int], bool] = field(default_factory=dict)
    receipts: dict[str, int] = field(default_factory=dict)
    #: The first day every supplier had MIN_HISTORY receipts (from then on all dates can be learned).
    learned_on: date | None = None
    #: MO completions refused because other demand took the materials after they were noted here.
    refused: int = 0
    #: Per backordered line: the parts of its first dated promise as the plan stored it, after the
    #: morning's suggestions were confirmed (date, reason, basis: real PO and MO refs).
    first_parts: dict[Key, list[tuple[date | None, str, str]]] = field(default_factory=dict)
    #: Per line: the first dated promise Pegboard stored for it (`StoredPromise.first_date`).
    stored_first: dict[Key, date | None] = field(default_factory=dict)
    #: Per PO line (ref, SKU): its stated expected date and the day it really came.
    po_dates: dict[tuple[str, str], tuple[date | None, date]] = field(default_factory=dict)
    po_created: dict[tuple[str, str], date] = field(default_factory=dict)
    #: Per MO: the day it was confirmed, the day its materials were all on hand, the day it was made.
    mo_opened: dict[str, date] = field(default_factory=dict)
    mo_ready: dict[str, date] = field(default_factory=dict)
    mo_done: dict[str, date] = field(default_factory=dict)
    #: Per line with a dated first promise: each supplier's receipts when it was made.
    receipts_at_first: dict[Key, dict[str, int]] = field(default_factory=dict)
    first_on: dict[Key, date] = field(default_factory=dict)
    #: Per (day, SKU): the lines that shipped it that day (line, placed on).
    ship_log: dict[tuple[date, str], list[tuple[Key, date]]] = field(default_factory=dict)


def world(rng: random.Random) -> World:
    """Four suppliers that state 3 to 7 days and slip 1 to 7 days at random rates; one that states
    nothing; parts from each; products made in a day from two or three parts; a few parts sold."""
    suppliers = [
        Supplier(f"Supplier {k + 1}", rng.randint(3, 7), round(rng.uniform(0.2, 0.8), 2), rng.randint(1, 7))
        for k in range(4)
    ]
    suppliers.append(Supplier("Vague Crystals", None, 0.0, 0, real=(6, 12)))
    bought: dict[str, str] = {}
    for k in range(10):
        bought[f"PART-{k + 1:02d}"] = suppliers[k % 4].name
    bought["CRYSTAL"] = suppliers[4].name
    parts = [sku for sku in bought if sku != "CRYSTAL"]
    products = {f"PRODUCT-{k + 1}": rng.sample(parts, 2) for k in range(4)}
    products["PRODUCT-1"].append("CRYSTAL")
    sold = [*products, *rng.sample(parts, 3)]
    return World(suppliers, bought, products, sold)


def catalogue_csv(w: World) -> list[tuple[ImportKind, str]]:
    """The world as the CSV files a shop would import."""
    suppliers = "name,email,lead_time_days\n" + "".join(
        f"{s.name},,{'' if s.stated is None else s.stated}\n" for s in w.suppliers
    )
    items = "sku,name,procurement,lead_time_days,supplier\n"
    items += "".join(f"{sku},{sku},buy,,{name}\n" for sku, name in w.bought.items())
    items += "".join(f"{sku},{sku},make,1,\n" for sku in w.products)
    boms = "parent_sku,component_sku,quantity\n" + "".join(
        f"{parent},{part},1\n" for parent, parts in w.products.items() for part in parts
    )
    stock = "sku,quantity\n" + "".join(f"{sku},4\n" for sku in [*w.bought, *w.products])
    return [
        (ImportKind.SUPPLIERS, suppliers),
        (ImportKind.ITEMS, items),
        (ImportKind.BOMS, boms),
        (ImportKind.STOCK, stock),
    ]


@dataclass(frozen=True)
class Measure:
    """Backordered lines with a dated first promise: how many, how many shipped by it, slack and lateness."""

    dated: int
    on_time: int
    slack_days: float
    late_days: float
    unshipped: int

    @property
    def share(self) -> float:
        return self.on_time / self.dated if self.dated else 0.0


@dataclass(frozen=True)
class Figures:
    """What one run measured: over all lines, and over lines placed once every supplier had history."""

    adjusted: bool
    confidence: float
    orders: int
    backordered: int
    every: Measure
    learned: Measure
    learned_on: date | None
    seconds: float
    #: Lines whose first promise was made once every supplier of the line (or of its parts) had
    #: MIN_HISTORY receipts.
    informed: Measure | None = None
    refused: int = 0
    informed_keys: frozenset[Key] = frozenset()
    #: The lines by what their first promise rested on (`_kind`), each measured.
    kinds: dict[str, Measure] = field(default_factory=dict)
    #: The late lines of all lines by cause (`_cause`).
    causes: dict[str, int] = field(default_factory=dict)


def simulate(
    *,
    seed: int,
    days: int,
    adjusted: bool,
    confidence: float,
    informed: frozenset[Key] | None = None,
    history: int = 0,
) -> Figures:
    """One run on a fresh SQLite database; the same seed gives the same orders and deliveries.
    `informed` names the lines of the "on history" set (default: those this run's first reasons
    give, which only an adjusted run can tell); `history` days of purchasing come first
    (`_history`)."""
    rng = random.Random(seed)
    w = world(rng)
    # Deliveries draw from their own stream, so both runs see the same orders whatever they buy.
    delivery_rng = random.Random(seed * 7919 + 1)
    began = time.perf_counter()
    with fresh_database("sqlite") as url:
        pb = bootstrap(
            Settings(database_url=url, reliability_dates=adjusted, promise_confidence=confidence), today=START
        )
        try:
            catalogue = catalogue_csv(w)
            for kind, text in catalogue[:-1]:
                _import(pb, kind, text)
            _history(pb, w, days=history, seed=seed)
            pb.clock = FixedClock(START)
            _import(pb, *catalogue[-1])  # the stock count, after any history's receipts
            count = 0
            day = START
            while day < START + timedelta(days=days + TAIL_DAYS):
                pb.clock = FixedClock(day)
                _receive(pb, w, day)
                _make(pb, w, day)
                if day < START + timedelta(days=days):
                    count += _place(pb, w, rng, day, count)
                _plan(pb, w, delivery_rng, day)
                _ship(pb, w, day)
                day += timedelta(days=1)
                if day >= START + timedelta(days=days) and not w.open_orders:
                    break
        finally:
            pb.close()
    causes = _causes(w)
    return Figures(
        adjusted,
        confidence,
        count,
        len(w.first_promise),
        _measure(w, set(w.first_promise), explain=EXPLAIN),
        _measure(
            w,
            {k for k, d in w.placed_on.items() if w.learned_on is not None and d >= w.learned_on},
            explain=False,
        ),
        w.learned_on,
        time.perf_counter() - began,
        _measure(w, set(informed) if informed is not None else _informed(w), explain=False),
        w.refused,
        frozenset(_informed(w)) if informed is None else informed,
        _by_kind(w),
        causes,
    )


def _import(pb: Pegboard, kind: ImportKind, text: str) -> None:
    import_csv(kind, io.StringIO(text), source=f"{kind}.csv", uow=pb.uow(), clock=pb.clock, policy=FIFO)


#: History POs: one per supplier every this many days, the last early enough to be received
#: before the first order (7 days stated + 7 slipped, or 12 days unstated).
HISTORY_EVERY, HISTORY_QUIET = 7, 15


def _history(pb: Pegboard, w: World, *, days: int, seed: int) -> None:
    """`days` of purchasing before the first order, as a shop adopting Pegboard brings in its
    past POs and their receipts (each PO entered and each receipt booked on its own day, as
    `pegboard --today DAY import purchase-orders` and `pegboard --today DAY receive` do): one PO
    per supplier every `HISTORY_EVERY` days, 5 of each of its parts, delivered as the supplier
    does (its own random stream, so the orders and later deliveries are those of a cold start)."""
    rng = random.Random(seed * 104729 + 3)
    first = START - timedelta(days=days)
    arrivals: dict[date, list[tuple[str, str, Decimal]]] = {}
    for k in range(days):
        day = first + timedelta(days=k)
        pb.clock = FixedClock(day)
        for po_ref, sku, quantity in arrivals.pop(day, []):
            purchasing.receive(po_ref, sku, quantity, uow=pb.uow(), clock=pb.clock, policy=FIFO)
            w.receipts[w.bought[sku]] = w.receipts.get(w.bought[sku], 0) + 1
        if k % HISTORY_EVERY or day > START - timedelta(days=HISTORY_QUIET):
            continue
        rows = []
        for n, supplier in enumerate(w.suppliers):
            ref = f"PAST-{k:03d}-{n + 1}"
            due = None if supplier.stated is None else day + timedelta(days=supplier.stated)
            for sku in sorted(p for p, name in w.bought.items() if name == supplier.name):
                rows.append(f"{ref},{supplier.name},{sku},5,{'' if due is None else due}\n")
                came = max(supplier.arrival(rng, ordered=day, expected=due), day + timedelta(days=1))
                arrivals.setdefault(came, []).append((ref, sku, Decimal(5)))
        header = "po_ref,supplier,sku,quantity,expected_date\n"
        _import(pb, ImportKind.PURCHASE_ORDERS, header + "".join(rows))
    assert all(day < START for day in arrivals), "a history PO would arrive after the first order"


def _kind(w: World, key: Key) -> str:
    """What a line's first promise rested on: a supplier short of history; a PO or planned PO
    (bought); an MO or planned MO of a product with a part that is also sold on its own (whose
    receipts may go to waiting lines of that part first), or of one without; or anything else."""
    reason = w.first_reason.get(key, "")
    if not w.informed_at_first.get(key, False):
        return "short history"
    if reason.startswith(("planned PO", "PO-")):
        return "bought"
    if reason.startswith(("planned MO", "MO-")):
        shared = set(w.products.get(w.sku_of[key], [])) & set(w.sold)
        return "made, part sold" if shared else "made"
    return "other"


def _by_kind(w: World) -> dict[str, Measure]:
    kinds: dict[str, set[Key]] = {}
    for key in w.first_reason:
        kinds.setdefault(_kind(w, key), set()).add(key)
    return {kind: _measure(w, keys, explain=False) for kind, keys in sorted(kinds.items())}


def _informed(w: World) -> set[Key]:
    return {k for k, known in w.informed_at_first.items() if known}


def _receive(pb: Pegboard, w: World, day: date) -> None:
    for po_ref, sku, quantity in w.arrivals.pop(day, []):
        purchasing.receive(po_ref, sku, quantity, uow=pb.uow(), clock=pb.clock, policy=FIFO)
        supplier = w.bought[sku]
        w.receipts[supplier] = w.receipts.get(supplier, 0) + 1
    if w.learned_on is None and all(w.receipts.get(s.name, 0) >= MIN_HISTORY for s in w.suppliers):
        w.learned_on = day


def _make(pb: Pegboard, w: World, day: date) -> None:
    """An MO is made one production day after all its materials are on hand."""
    for ref, ready in sorted(w.open_mos.items()):
        if ready is None:
            _check_materials(pb, w, ref, day)
            continue
        if day < ready + timedelta(days=1):
            continue
        try:
            manufacturing.complete_manufacturing_order(ref, uow=pb.uow(), clock=pb.clock, policy=FIFO)
        except DomainError:  # other demand took the materials first: wait for more
            w.open_mos[ref] = None
            w.refused += 1
            continue
        del w.open_mos[ref]
        w.mo_done[ref] = day


def _check_materials(pb: Pegboard, w: World, ref: str, day: date) -> None:
    """Note the day an MO's materials are all on hand."""
    with pb.reader() as uow:
        mo = uow.supply.manufacturing_order(ref)
    assert mo is not None
    if not manufacturing.material_check(mo.sku, mo.open_quantity, uow=pb.reader(), reserved=mo.reserved):
        w.open_mos[ref] = day
        w.mo_ready[ref] = day


def _place(pb: Pegboard, w: World, rng: random.Random, day: date, count: int) -> int:
    """0 to 3 orders of 1 or 2 lines of 1 to 3 units; returns how many were placed."""
    n = rng.choice([0, 1, 1, 2, 2, 3])
    for k in range(n):
        skus = rng.sample(w.sold, rng.choice([1, 1, 2]))
        lines = tuple(orders.LineDraft(sku, to_quantity(rng.randint(1, 3))) for sku in skus)
        ref = f"SO-{count + k + 1}"
        placed = orders.place_order(
            orders.OrderDraft(order_ref=ref, customer=f"Customer {count + k}", lines=lines),
            uow=pb.uow(),
            clock=pb.clock,
        ).order
        for line in placed.lines:
            if line.backordered_quantity > 0:
                w.first_promise[(ref, line.line_no)] = None
                w.placed_on[(ref, line.line_no)] = day
                w.sku_of[(ref, line.line_no)] = line.sku
        w.open_orders.add(ref)
    return n


def _plan(pb: Pegboard, w: World, rng: random.Random, day: date) -> None:
    """Plan with the suggestions confirmed; note first dated promises and what suppliers will do."""
    run = planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)
    dates: dict[tuple[str, int], list[tuple[date | None, str]]] = {}
    for p in run.result.promises:
        dates.setdefault((p.order_ref, p.line_no), []).append((p.date, p.reason))
    for key, parts in dates.items():
        if key in w.first_promise and w.first_promise[key] is None and all(d for d, _ in parts):
            w.first_promise[key], w.first_reason[key] = max((d, r) for d, r in parts if d is not None)
            sku = w.sku_of[key]
            suppliers = [w.bought[p] for p in w.products.get(sku, [sku]) if p in w.bought]
            w.informed_at_first[key] = all(w.receipts.get(name, 0) >= MIN_HISTORY for name in suppliers)
    supplier_of = {s.name: s for s in w.suppliers}
    with pb.reader() as uow:
        for ref in run.created:
            po = uow.supply.purchase_order(ref)
            if po is None:
                # Confirmed in the morning: production starts today when the materials are here.
                w.open_mos[ref] = None
                w.mo_opened[ref] = day
                _check_materials(pb, w, ref, day)
                continue
            for line in po.lines:
                come = supplier_of[po.supplier].arrival(rng, ordered=day, expected=line.expected_date)
                come = max(come, day + timedelta(days=1))
                w.arrivals.setdefault(come, []).append((ref, line.sku, line.quantity))
                w.po_dates[(ref, line.sku)] = (line.expected_date, come)
                w.po_created[(ref, line.sku)] = day
    _note_stored(pb, w, [k for k in dates if k in w.first_promise])


def _note_stored(pb: Pegboard, w: World, keys: list[Key]) -> None:
    """Note what Pegboard stored for lines still without one: its first dated promise, and the
    parts of the kept plan's promise (after confirming, resting on real PO and MO refs)."""
    waiting = [k for k in keys if k not in w.stored_first or w.stored_first[k] is None]
    if not waiting:
        return
    with pb.reader() as uow:
        stored = uow.planning.stored_promises(sorted({ref for ref, _ in waiting}))
        kept = uow.plans.last_promises() or []
    parts: dict[Key, list[tuple[date | None, str, str]]] = {}
    for p in kept:
        parts.setdefault((p.order_ref, p.line_no), []).append((p.date, p.reason, p.basis))
    for key in waiting:
        found = stored.get(key)
        first = None if found is None else found.first_date
        w.stored_first[key] = first
        if first is not None:
            w.first_parts[key] = parts.get(key, [])
            w.receipts_at_first[key] = dict(w.receipts)
            w.first_on[key] = pb.clock.today()


def _ship(pb: Pegboard, w: World, day: date) -> None:
    with pb.reader() as uow:
        found = uow.orders.get_many(sorted(w.open_orders))
    for ref, order in found.items():
        shipped_before = {(ref, line.line_no): line.shipped_quantity for line in order.lines}
        if any(line.allocated_quantity > 0 for line in order.lines):
            order = shipping_and_reload(pb, ref)
        for line in order.lines:
            key = (ref, line.line_no)
            if key in w.first_promise and key not in w.shipped_on and line.shipped_quantity >= line.quantity:
                w.shipped_on[key] = day
            if line.shipped_quantity > shipped_before.get(key, 0):
                placed = w.placed_on.get(key, day)
                w.ship_log.setdefault((day, line.sku), []).append((key, placed))
        if all(line.shipped_quantity >= line.quantity for line in order.lines):
            w.open_orders.discard(ref)


def shipping_and_reload(pb: Pegboard, ref: str) -> SalesOrder:
    """Ship what is allocated, then the order as stored."""
    shipping.ship_order(ref, uow=pb.uow(), clock=pb.clock)
    with pb.reader() as uow:
        order = uow.orders.get(ref)
    assert order is not None
    return order


def _measure(w: World, lines: set[Key], *, explain: bool) -> Measure:
    dated = {k: d for k, d in w.first_promise.items() if d is not None and k in lines}
    shipped = {k: d for k, d in dated.items() if k in w.shipped_on}
    on_time = [k for k, d in shipped.items() if w.shipped_on[k] <= d]
    slack = [(d - w.shipped_on[k]).days for k, d in shipped.items() if w.shipped_on[k] <= d]
    late = [(w.shipped_on[k] - d).days for k, d in shipped.items() if w.shipped_on[k] > d]
    return Measure(
        len(dated),
        len(on_time),
        statistics.fmean(slack) if slack else 0.0,
        statistics.fmean(late) if late else 0.0,
        len(dated) - len(shipped),
    )


_PO_REF = re.compile(r"\b(PO-\d+)\b")


def _cause(w: World, key: Key) -> tuple[str, str]:
    """Why a late line is late, and the facts that say so: the supply its first promise rested on
    came after the promised day (whose supplier slipped, with or without enough history), or came
    in time and the line still waited (its stock went to another line), or the MO was made late."""
    promised = w.first_promise[key]
    assert promised is not None
    parts = w.first_parts.get(key, [])
    facts = [f"stored first {w.stored_first.get(key)}"]
    came_on = START
    for _, _, basis in sorted(parts, key=lambda p: p[0] or date.max, reverse=True):
        if basis.startswith("PO-"):
            stated, came = w.po_dates.get((basis, w.sku_of[key]), (None, START))
            came_on = max(came_on, came)
            facts.append(f"{basis} stated {stated} came {came}")
            if came > promised:
                return _supplier_cause(w, key, w.bought[w.sku_of[key]]), "; ".join(facts)
        elif basis.startswith("MO-"):
            ready, done = w.mo_ready.get(basis), w.mo_done.get(basis)
            facts.append(f"{basis} opened {w.mo_opened.get(basis)} ready {ready} made {done}")
            if done is None or done <= promised:
                came_on = max(came_on, done or START)
                continue
            if ready is None or ready + timedelta(days=1) <= promised:
                return "MO made late with materials there", "; ".join(facts)
            return _material_cause(w, key, basis, promised, facts), "; ".join(facts)
        else:
            facts.append(f"basis {basis!r}")
    if not parts:
        return "no stored parts", "; ".join(facts)
    return _elsewhere(w, key, came_on, facts), "; ".join(facts)


def _material_cause(w: World, key: Key, mo: str, promised: date, facts: list[str]) -> str:
    """Why an MO's materials were not all there the day before its promise: a PO of a part, open
    when the promise was made and stated for that day or before (or with no stated date), came
    later (its supplier slipped, with or without enough history); or every such PO came in time
    and the parts went elsewhere (other lines or MOs)."""
    needed, made_on = promised - timedelta(days=1), w.first_on[key]
    parts = w.products[w.sku_of[key]]
    late = sorted(
        (came, ref, part)
        for (ref, part), (stated, came) in w.po_dates.items()
        if part in parts
        and w.po_created[(ref, part)] <= made_on < came
        and came > needed
        and (stated is None or stated <= needed)
    )
    if not late:
        return "MO materials: parts counted on came in time, went elsewhere"
    came, ref, part = late[-1]
    facts.append(f"{part} on {ref} stated {w.po_dates[(ref, part)][0]} came {came}")
    return "MO materials: " + _supplier_cause(w, key, w.bought[part])


def _supplier_cause(w: World, key: Key, supplier: str) -> str:
    if w.receipts_at_first.get(key, {}).get(supplier, 0) < MIN_HISTORY:
        return "supplier short of history: stated date"
    if supplier == w.suppliers[-1].name:
        return "no stated lead time: beyond the learned bound"
    return "supplier slipped beyond the learned margin"


def _elsewhere(w: World, key: Key, came: date, facts: list[str]) -> str:
    """A line whose supply came in time but which shipped later: who shipped the SKU that day."""
    sku = w.sku_of[key]
    others = w.ship_log.get((came, sku), [])
    facts.append(f"shipped {sku} on {came}: {[(o, p, w.first_promise.get(o)) for o, p in others]}")
    mine = w.placed_on[key]
    if any(placed == came and other not in w.first_promise for other, placed in others):
        return "stock taken by an order placed that day"
    # An older line promised that day or before, whose own supply had not come: it slipped.
    if any(placed < mine and (w.first_promise.get(other) or date.max) <= came for other, placed in others):
        return "knock-on: an older line whose own supply slipped took it (fifo)"
    if any(placed < mine for _, placed in others):
        return "stock went to an older line"
    return "stock went to other lines"


def _causes(w: World) -> dict[str, int]:
    """Every late line of the run, counted by cause (`_cause`); printed with facts under `--explain`."""
    found: dict[str, int] = {}
    for key, promised in sorted(w.first_promise.items()):
        if promised is None or key not in w.shipped_on or w.shipped_on[key] <= promised:
            continue
        cause, facts = _cause(w, key)
        found[cause] = found.get(cause, 0) + 1
        if EXPLAIN:
            print(f"  late {key} {w.sku_of[key]}: promised {promised}, shipped {w.shipped_on[key]}: {cause}")
            print(f"      {facts}")
            for when, reason, basis in w.first_parts.get(key, []):
                print(f"      part {when} {basis}: {reason}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seeds", type=int, nargs="+", help="several seeds, then the median of each figure")
    parser.add_argument(
        "--days", type=int, default=None, help="days of orders (default: 45 to 90, from the seed)"
    )
    parser.add_argument("--adjust", choices=["both", "on", "off"], default="both")
    parser.add_argument("--confidence", type=float, default=0.90, help="PEGBOARD_PROMISE_CONFIDENCE")
    parser.add_argument("--explain", action="store_true", help="print each late line and its first reason")
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="days of past POs and receipts brought in before the first order (default 0: a cold start)",
    )
    args = parser.parse_args()
    global EXPLAIN
    EXPLAIN = args.explain
    runs = {"both": [True, False], "on": [True], "off": [False]}[args.adjust]
    found: dict[tuple[bool, str], list[Measure]] = {}
    for seed in args.seeds or [args.seed]:
        days = args.days if args.days is not None else random.Random(seed).randint(45, 90)
        print(f"seed {seed}, {days} days of orders, {args.history} of history, confidence {args.confidence}")
        print(HEADER)
        informed: frozenset[Key] | None = None
        for adjusted in runs:
            f = simulate(
                seed=seed,
                days=days,
                adjusted=adjusted,
                confidence=args.confidence,
                informed=informed,
                history=args.history,
            )
            informed = f.informed_keys if adjusted else informed
            assert f.informed is not None
            sets = (("all", f.every), ("from learned", f.learned), ("on history", f.informed))
            for name, m in sets:
                found.setdefault((adjusted, name), []).append(m)
                shown = f"from {f.learned_on}" if name == "from learned" else name
                print(_row(adjusted, shown, f.orders, f.backordered, m))
            if adjusted:
                for kind, m in f.kinds.items():
                    found.setdefault((adjusted, f"  {kind}"), []).append(m)
                    print(_row(adjusted, f"  {kind}", f.orders, f.backordered, m))
            for cause, n in sorted(f.causes.items(), key=lambda c: -c[1]):
                print(f"  late by cause: {n:>3}  {cause}")
            print(
                f"  ({f.seconds:.1f} s; {f.refused} MO completions refused: materials taken by other demand)"
            )
    if args.seeds and len(args.seeds) > 1:
        print(
            f"median over seeds {' '.join(map(str, args.seeds))}: share, slack (d), late by (d), dated lines"
        )
        for (adjusted, name), measures in found.items():
            share = statistics.median(m.share for m in measures)
            slack = statistics.median(m.slack_days for m in measures)
            late = statistics.median(m.late_days for m in measures)
            dated = statistics.median(m.dated for m in measures)
            said = "yes" if adjusted else "no"
            print(f"{said:<9} {name:<14} {share:6.1%}  {slack:5.2f}  {late:5.2f}  {dated:5.0f}")


HEADER = (
    "adjusted  lines          orders  backordered  dated  on time  share   slack (d)  late by (d)  unshipped"
)


def _row(adjusted: bool, name: str, orders: int, backordered: int, m: Measure) -> str:
    return (
        f"{'yes' if adjusted else 'no':<9} {name:<14} {orders:>6}  {backordered:>11}  "
        f"{m.dated:>5}  {m.on_time:>7}  {m.share:6.1%}  {m.slack_days:>9.2f}  {m.late_days:>11.2f}  "
        f"{m.unshipped:>9}"
    )


if __name__ == "__main__":
    main()
