"""The planning engine's slow twin: plain Python and Decimal, one demand at a time (tests only).

Items are netted level by level (low-level codes, parents before components); within an item,
demands are taken one at a time in rank order from the item's supplies, earliest first; when
they run out, a planned order is made. Every MO (open or planned) then asks its components for
what it needs, with the rank of the first demand it serves. Dates are worked out afterwards by
recursion over the BOM, from the components up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal

from pegboard.planning.late_supply import late_because
from pegboard.planning.reasons import Supply, SupplyKind, promise_basis, promise_reason
from pegboard.planning.result import FeasibleDates, PlanResult, Promise, PurchaseSuggestion
from pegboard.planning.ship_complete import with_whole_orders
from pegboard.planning.snapshot import MAKE, BackorderDemand, PlanInput, PlanItem
from pegboard.planning.terms import with_sale_terms
from tests.unit.planning.reference_queue import production_plan

NONE = 10**12  # an open-term date: later than any real day
NEG = -(10**12)  # "does not hold anything up": stock, or no components at all
MICRO = Decimal("0.000001")


@dataclass(eq=False)
class Need:
    """A demand on one SKU: a backorder, safety stock, a reorder, or an MO's component need."""

    sku: str
    quantity: Decimal
    rank: int
    tie: tuple[int, ...] = ()
    demand: BackorderDemand | None = None
    stock_rule: bool = False
    pieces: list[tuple[Sup, Decimal]] = field(default_factory=list)


@dataclass(eq=False)
class Sup:
    """A supply of one SKU: stock, an open PO line or MO, or a planned order."""

    kind: SupplyKind
    sku: str
    quantity: Decimal
    pos: int = 0
    ref: str = ""
    seq: int = 0
    expected: date | None = None
    start: date | None = None
    finish: date | None = None
    left: Decimal = Decimal(0)
    pegs: list[tuple[Need, Decimal]] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)


def lot(item: PlanItem, quantity: Decimal) -> Decimal:
    """At least the minimum order quantity, rounded up to the order multiple."""
    size = max(quantity, item.min_order_qty or Decimal(0))
    if item.order_multiple:
        whole, rest = divmod(size, item.order_multiple)
        size = (whole + (1 if rest else 0)) * item.order_multiple
    return size


class ReferencePlanner:
    """One planning run over one snapshot."""

    def __init__(self, snapshot: PlanInput) -> None:
        self.today = snapshot.today
        self.day = snapshot.today.toordinal()
        self.items = {item.sku: item for item in snapshot.items}
        self.skus = sorted(self.items)
        self.index = {sku: k for k, sku in enumerate(self.skus)}
        per: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        self.parents: dict[str, set[str]] = defaultdict(set)
        for line in snapshot.bom_lines:
            per[line.parent_sku][line.component_sku] += line.quantity_per
            self.parents[line.component_sku].add(line.parent_sku)
        self.components = {parent: sorted(lines.items()) for parent, lines in per.items()}
        self.demands = sorted(
            snapshot.demands,
            key=lambda d: (-d.priority, d.ordered_at, d.order_ref, d.sequence, d.line_no),
        )
        self.customer_needs: list[Need] = []
        self.needs: dict[str, list[Need]] = defaultdict(list)
        for rank, demand in enumerate(self.demands):
            need = Need(demand.sku, demand.quantity, rank, demand=demand)
            self.customer_needs.append(need)
            self.needs[demand.sku].append(need)
        self.supplies = self._existing_supplies(snapshot)
        self.levels: dict[str, int] = {}
        self.dates: dict[int, tuple[int, int]] = {}
        self.roots: dict[int, Sup | None] = {}

    def _existing_supplies(self, snapshot: PlanInput) -> dict[str, list[Sup]]:
        keyed: dict[str, list[tuple[tuple[object, ...], Sup]]] = defaultdict(list)
        for sku, quantity in snapshot.available.items():
            if quantity > 0:
                keyed[sku].append(((0,), Sup(SupplyKind.STOCK, sku, quantity)))
        for k, po in enumerate(snapshot.purchase_lines):
            if po.open_quantity > 0:
                when = NONE if po.expected_date is None else max(po.expected_date.toordinal(), self.day)
                sup = Sup(SupplyKind.PO, po.sku, po.open_quantity, ref=po.po_ref, seq=k)
                sup.expected = po.expected_date
                keyed[po.sku].append(((1, when, 0, po.po_ref, k), sup))
        for k, mo in enumerate(snapshot.manufacturing_orders):
            if mo.open_quantity > 0:
                when = max(mo.finish_date.toordinal(), self.day)
                sup = Sup(SupplyKind.MO, mo.sku, mo.open_quantity, ref=mo.mo_ref, seq=k)
                sup.start, sup.finish = mo.start_date, mo.finish_date
                keyed[mo.sku].append(((1, when, 1, mo.mo_ref, k), sup))
        supplies: dict[str, list[Sup]] = defaultdict(list)
        for sku, pairs in keyed.items():
            for pos, (_, sup) in enumerate(sorted(pairs, key=lambda pair: pair[0])):
                sup.pos = pos
                supplies[sku].append(sup)
        return supplies

    def level(self, sku: str) -> int:
        """0 for an item no BOM uses, else one deeper than its deepest parent."""
        if sku not in self.levels:
            self.levels[sku] = max((self.level(p) + 1 for p in self.parents[sku]), default=0)
        return self.levels[sku]

    def plan(self) -> PlanResult:
        """Net every item, parents before components, then date every supply from the bottom up."""
        for sku in sorted(self.skus, key=lambda s: (self.level(s), s)):
            self.net(sku)
        return PlanResult(
            self.promises(),
            self.purchase_suggestions(),
            *production_plan(self, self.demands),
            feasible_mos=self.feasible_mos(),
        )

    def feasible_mos(self) -> list[FeasibleDates]:
        """Each open MO in the snapshot's order, with its dates and, when held up, the root's words."""
        found = []
        for sups in self.supplies.values():
            for sup in sups:
                if sup.kind is SupplyKind.MO:
                    start, finish = self.dated(sup)
                    why = late_because(self.described(self.root(sup))) if self.delayed(sup) else None
                    found.append((sup.seq, sup.ref, sup.sku, self.as_date(start), self.as_date(finish), why))
        return [FeasibleDates(*row[1:]) for row in sorted(found, key=lambda row: row[0])]

    def net(self, sku: str) -> None:
        """Serve the item's demands one at a time, earliest supply first, then explode its MOs."""
        item, idx = self.items[sku], self.index[sku]
        n_demands, n_items = len(self.demands), len(self.skus)
        supplies = self.supplies[sku]
        for sup in supplies:
            sup.left = sup.quantity
        needs = list(self.needs[sku])
        if item.safety_stock > 0:
            needs.append(Need(sku, item.safety_stock, n_demands + idx, stock_rule=True))
        needs.sort(key=lambda n: (n.rank, n.tie))
        existing = sum((s.quantity for s in supplies), Decimal(0))
        shortfall = max(Decimal(0), sum((n.quantity for n in needs), Decimal(0)) - existing)
        for need in needs:
            self.take(need, item, whole_shortfall=shortfall)
        if item.reorder_point is not None:
            demanded = sum((n.quantity for n in needs if not n.stock_rule), Decimal(0))
            projected = sum((s.quantity for s in supplies), Decimal(0)) - demanded
            if projected <= item.reorder_point:
                extra = item.reorder_qty or item.reorder_point + item.safety_stock - projected + 1
                self.new_planned(item, extra)
                rank = n_demands + n_items + 1 + idx
                self.take(Need(sku, projected - item.safety_stock + extra, rank, stock_rule=True), item)
        for sup in supplies:
            if sup.kind in (SupplyKind.MO, SupplyKind.PLANNED_MO):
                rank = sup.pegs[0][0].rank if sup.pegs else n_demands + n_items
                for component, per_unit in self.components.get(sku, []):
                    need_qty = (sup.quantity * per_unit).quantize(MICRO, rounding=ROUND_CEILING)
                    need = Need(component, need_qty, rank, tie=(self.level(sku), idx, sup.pos))
                    sup.needs.append(need)
                    self.needs[component].append(need)

    def take(self, need: Need, item: PlanItem, whole_shortfall: Decimal | None = None) -> None:
        """Peg one demand on the earliest supply left; make a planned order when none is left."""
        rest = need.quantity
        supplies = self.supplies[item.sku]
        while rest > 0:
            sup = next((s for s in supplies if s.left > 0), None)
            if sup is None:
                # Every planned PO of an item arrives the same day, so one covers the whole shortfall.
                buying = item.procurement != MAKE and whole_shortfall is not None
                sup = self.new_planned(
                    item, whole_shortfall if whole_shortfall is not None and buying else rest
                )
            used = min(rest, sup.left)
            sup.left -= used
            rest -= used
            sup.pegs.append((need, used))
            need.pieces.append((sup, used))

    def new_planned(self, item: PlanItem, quantity: Decimal) -> Sup:
        """A planned MO of a make item, else a planned PO; lot-sized."""
        kind = SupplyKind.PLANNED_MO if item.procurement == MAKE else SupplyKind.PLANNED_PO
        supplies = self.supplies[item.sku]
        sup = Sup(kind, item.sku, lot(item, quantity), pos=len(supplies))
        sup.left = sup.quantity
        supplies.append(sup)
        return sup

    def dated(self, sup: Sup) -> tuple[int, int]:
        """(start, finish) as day numbers; NONE for open term. Stock and POs start = finish."""
        key = id(sup)
        if key not in self.dates:
            self.dates[key] = self._dates(sup)
        return self.dates[key]

    def _dates(self, sup: Sup) -> tuple[int, int]:
        if sup.kind is SupplyKind.STOCK:
            return self.day, self.day
        if sup.kind is SupplyKind.PO:
            when = NONE if sup.expected is None else max(sup.expected.toordinal(), self.day)
            return when, when
        item = self.items[sup.sku]
        if sup.kind is SupplyKind.PLANNED_PO:
            lead = (
                item.lead_time_days if item.supplier_lead_time_days is None else item.supplier_lead_time_days
            )
            when = NONE if lead is None else self.day + lead
            return when, when
        ready = self.ready(sup)
        if ready >= NONE:
            return NONE, NONE
        if sup.kind is SupplyKind.PLANNED_MO:
            start = max(self.day, ready)
            return start, start + (item.lead_time_days or 0)
        assert sup.start is not None and sup.finish is not None
        start = max(sup.start.toordinal(), ready)
        return start, max(start + (sup.finish - sup.start).days, self.day)

    def ready(self, sup: Sup) -> int:
        """The day an MO's last component that is not on hand becomes available."""
        return max(
            (
                self.dated(s)[1]
                for need in sup.needs
                for s, _ in need.pieces
                if s.kind is not SupplyKind.STOCK
            ),
            default=NEG,
        )

    def delayed(self, sup: Sup) -> bool:
        """An MO is held up when its components, not its own dates, set its finish."""
        finish = self.dated(sup)[1]
        if sup.kind is SupplyKind.PLANNED_MO:
            return self.ready(sup) > self.day
        if sup.kind is SupplyKind.MO:
            assert sup.finish is not None
            return finish > max(sup.finish.toordinal(), self.day)
        return False

    def root(self, sup: Sup) -> Sup:
        """The supply a date rests on: the latest component's root (first one on ties), or itself."""
        if not self.delayed(sup):
            return sup
        ready = self.ready(sup)
        roots = [
            self.root(s)
            for need in sup.needs
            for s, _ in need.pieces
            if s.kind is not SupplyKind.STOCK and self.dated(s)[1] == ready
        ]
        return min(roots, key=lambda r: (self.index[r.sku], r.pos))

    def described(self, sup: Sup) -> Supply:
        """The supply as a reason names it."""
        return Supply(sup.kind, sup.ref, sup.sku, self.as_date(self.dated(sup)[1]))

    def as_date(self, day: int) -> date | None:
        """A day number as a date; None for open term."""
        return None if day >= NONE else date.fromordinal(day)

    def promises(self) -> list[Promise]:
        """Every piece of every backorder, most urgent first, each with the supply it rests on."""
        result = []
        served = self.served_in_rank_order()
        for need in self.customer_needs:
            demand = need.demand
            assert demand is not None
            for sup, quantity in served[id(need)]:
                root = self.root(sup)
                supply = self.described(sup)
                reason = promise_reason(
                    supply,
                    root=None if root is sup else self.described(root),
                    expected=sup.expected,
                    today=self.today,
                )
                result.append(
                    Promise(
                        demand.order_ref,
                        demand.line_no,
                        demand.sku,
                        quantity,
                        supply.date,
                        reason,
                        promise_basis(supply),
                        supply.date,  # the twin plans one snapshot as given: nothing is adjusted
                    )
                )
        return result

    def served_in_rank_order(self) -> dict[int, list[tuple[Sup, Decimal]]]:
        """Each backorder's pieces (by id of its need); per SKU where a backorder rests on a piece
        finishing after a piece of a later backorder, pegged again: the SKU's backorders in rank
        order take its supply pieces earliest finish first, as allocation hands out the stock."""
        served = {id(need): list(need.pieces) for need in self.customer_needs}
        by_sku: dict[str, list[Need]] = defaultdict(list)
        for need in self.customer_needs:
            # A preorder is served once released: it keeps its pieces, out of the handing out.
            if need.demand is None or need.demand.release_date is None:
                by_sku[need.sku].append(need)
        for needs in by_sku.values():
            pieces = [(sup, quantity) for need in needs for sup, quantity in need.pieces]
            finishes = [self.dated(sup)[1] for sup, _ in pieces]
            ends = [[self.dated(sup)[1] for sup, _ in need.pieces] for need in needs]
            if all(max(a) <= min(b) for k, a in enumerate(ends) for b in ends[k + 1 :]):
                continue
            order = sorted(range(len(pieces)), key=lambda k: (finishes[k], k))
            supply = [pieces[k][0] for k in order]
            left = [pieces[k][1] for k in order]
            at = 0
            for need in needs:
                wanted, got = sum((q for _, q in need.pieces), Decimal(0)), served[id(need)]
                got.clear()
                while wanted > 0:
                    sup = supply[at]
                    taken = min(wanted, left[at])
                    if got and got[-1][0] is sup:
                        got[-1] = (sup, got[-1][1] + taken)
                    else:
                        got.append((sup, taken))
                    wanted -= taken
                    left[at] -= taken
                    if left[at] == 0:
                        at += 1
        return served

    def purchase_suggestions(self) -> list[PurchaseSuggestion]:
        """One line per bought SKU: everything planned for it, ordered today."""
        result = []
        for sku in self.skus:
            planned = [s for s in self.supplies[sku] if s.kind is SupplyKind.PLANNED_PO]
            if planned:
                total = sum((s.quantity for s in planned), Decimal(0))
                expected = self.as_date(self.dated(planned[0])[1])
                result.append(PurchaseSuggestion(self.items[sku].supplier, sku, total, self.today, expected))
        return sorted(result, key=lambda s: (s.supplier is None, s.supplier or "", s.sku))


def reference_plan(snapshot: PlanInput) -> PlanResult:
    """The plan, worked out the slow and obvious way; the sale terms (preorder release dates,
    drop-ship lines) and ship-complete orders' dates are applied by the functions the engine uses too."""
    return with_whole_orders(snapshot, with_sale_terms(snapshot, ReferencePlanner(snapshot).plan()))
