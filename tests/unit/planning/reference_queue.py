"""The reference planner's production side: suggested MOs and the production queue, the slow way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from pegboard.planning.reasons import SupplyKind
from pegboard.planning.result import MissingMaterial, ProductionSuggestion, QueueEntry
from pegboard.planning.snapshot import BackorderDemand

if TYPE_CHECKING:
    from tests.unit.planning.reference_planner import Need, ReferencePlanner, Sup


def production_plan(
    planner: ReferencePlanner, demands: Sequence[BackorderDemand]
) -> tuple[list[ProductionSuggestion], list[QueueEntry]]:
    """Planned MOs merged by SKU and dates, and every firm and planned MO in the order to make them."""
    groups: dict[tuple[int, int, int], list[Sup]] = defaultdict(list)
    for sku in planner.skus:
        for sup in planner.supplies[sku]:
            if sup.kind is SupplyKind.PLANNED_MO:
                start, finish = planner.dated(sup)
                groups[(planner.index[sku], start, finish)].append(sup)
    suggestions = []
    members: list[tuple[tuple[object, ...], str, list[Sup]]] = []
    for k, key in enumerate(sorted(groups), start=1):
        sups = groups[key]
        ref = f"PLANNED-{k}"
        total = sum((s.quantity for s in sups), Decimal(0))
        begin, end = planner.as_date(key[1]), planner.as_date(key[2])
        suggestions.append(ProductionSuggestion(ref, sups[0].sku, total, begin, end))
        members.append(((1, "", k), ref, sups))
    for sku in planner.skus:
        for sup in planner.supplies[sku]:
            if sup.kind is SupplyKind.MO:
                members.append(((0, sup.ref, sup.seq), sup.ref, [sup]))
    # Orders are made whole by the pieces as stock will be handed out, as their promises say.
    served = planner.served_in_rank_order()
    latest: dict[str, int] = {}
    order_rank: dict[str, int] = {}
    serves: dict[int, list[Need]] = defaultdict(list)
    for need in planner.customer_needs:
        assert need.demand is not None
        ref = need.demand.order_ref
        order_rank.setdefault(ref, need.rank)
        for sup, _ in served[id(need)]:
            latest[ref] = max(latest.get(ref, -(10**13)), planner.dated(sup)[1])
            serves[id(sup)].append(need)
    entries = [
        _entry(planner, tiebreak, ref, sups, latest, order_rank, serves) for tiebreak, ref, sups in members
    ]
    entries.sort(key=lambda pair: pair[0])
    return suggestions, [entry for _, entry in entries]


def _entry(
    planner: ReferencePlanner,
    tiebreak: tuple[object, ...],
    ref: str,
    sups: list[Sup],
    latest: dict[str, int],
    order_rank: dict[str, int],
    serves: dict[int, list[Need]],
) -> tuple[tuple[object, ...], QueueEntry]:
    start, finish = planner.dated(sups[0])
    completes: set[str] = set()
    missing: dict[str, tuple[Decimal, int]] = {}
    for sup in sups:
        for need in serves[id(sup)]:
            if need.demand is not None and latest[need.demand.order_ref] == finish:
                completes.add(need.demand.order_ref)
        for need in sup.needs:
            for piece, quantity in need.pieces:
                if piece.kind is not SupplyKind.STOCK:
                    before = missing.get(need.sku, (Decimal(0), -(10**13)))
                    missing[need.sku] = (before[0] + quantity, max(before[1], planner.dated(piece)[1]))
    made_whole = tuple(sorted(completes, key=lambda r: order_rank[r]))
    key = (
        bool(missing),
        -len(made_whole),
        order_rank[made_whole[0]] if made_whole else 10**13,
        start,
        finish,
        tiebreak,
    )
    lacking = tuple(
        MissingMaterial(sku, quantity, planner.as_date(day))
        for sku, (quantity, day) in sorted(missing.items())
    )
    quantity = sum((s.quantity for s in sups), Decimal(0))
    entry = QueueEntry(
        ref, sups[0].sku, quantity, planner.as_date(start), planner.as_date(finish), made_whole, lacking
    )
    return key, entry
