"""From arrays back to words: promises with their reasons, and purchase suggestions per supplier."""

from __future__ import annotations

from itertools import repeat

import numpy as np

from pegboard.planning.arrays import Demands, Existing, Items
from pegboard.planning.dating import Dated
from pegboard.planning.netting import CUSTOMER, Pegging
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.queue import production_plan
from pegboard.planning.reasons import Supply, SupplyKind, promise_basis, promise_reason
from pegboard.planning.result import PlanResult, PurchaseSuggestion
from pegboard.planning.segments import Ints, segment_starts, stable_order
from pegboard.planning.snapshot import PlanInput
from pegboard.planning.values import as_dates, as_decimals, distinct, objects

KINDS = list(SupplyKind)


class Describer:
    """Words promises by the supply they rest on."""

    def __init__(self, snapshot: PlanInput, items: Items, existing: Existing, pegging: Pegging, dated: Dated):
        self.snapshot, self.items, self.pegging, self.dated = snapshot, items, pegging, dated
        self.seq = np.r_[existing.seq, np.full(len(pegging.supplies.id) - len(existing.seq), -1)]

    def supplies(self, sids: Ints) -> list[Supply]:
        """The supplies with these ids, as reasons name them."""
        lines, mos = self.snapshot.purchase_lines, self.snapshot.manufacturing_orders
        kinds = [KINDS[k] for k in self.pegging.supplies.kind[sids].tolist()]
        skus = [self.items.skus[k] for k in self.pegging.supplies.item[sids].tolist()]
        refs = [
            lines[seq].po_ref if kind is SupplyKind.PO else mos[seq].mo_ref if kind is SupplyKind.MO else ""
            for kind, seq in zip(kinds, self.seq[sids].tolist(), strict=True)
        ]
        days = as_dates(self.dated.finish[sids])
        return list(map(tuple.__new__, repeat(Supply), zip(kinds, refs, skus, days, strict=True)))

    def reasons(self, sids: Ints) -> tuple[list[str], list[str]]:
        """Reason and basis for each supply id; each distinct wording is made once."""
        pick, reasons, bases = self.wordings(sids)
        return objects(reasons, pick), objects(bases, pick)

    def wordings(self, sids: Ints) -> tuple[Ints, list[str], list[str]]:
        """Each supply id's wording (an index), and the distinct reasons and bases it indexes.

        Supplies word alike when they share kind, firm order, SKU of a planned PO, date and
        root: planned MOs finishing the same day for the same cause, for instance.
        """
        unique, back = distinct(sids)
        kind = self.pegging.supplies.kind[unique]
        firm = (kind == SupplyKind.PO) | (kind == SupplyKind.MO)
        item = np.where(kind == SupplyKind.PLANNED_PO, self.pegging.supplies.item[unique], -1)
        root = np.where(self.dated.held_up[unique], self.dated.root[unique], -1)
        keys = (kind, np.where(firm, self.seq[unique], -1), item, self.dated.finish[unique], root)
        by = np.lexsort(keys[::-1])
        new = np.ones(len(by), dtype=np.bool_)
        if len(by) > 1:
            new[1:] = np.any([k[by][1:] != k[by][:-1] for k in keys], axis=0)
        wording_of = np.empty(len(unique), dtype=np.int64)
        wording_of[by] = np.cumsum(new) - 1
        reasons, bases = zip(*self._word(unique[by[new]]), strict=True) if len(by) else ((), ())
        return wording_of[back], list(reasons), list(bases)

    def _word(self, sids: Ints) -> list[tuple[str, str]]:
        """Reason and basis of a promise resting on each of these supplies."""
        lines, today = self.snapshot.purchase_lines, self.snapshot.today
        roots = self.supplies(self.dated.root[sids])
        worded = []
        for supply, root, held, seq in zip(
            self.supplies(sids),
            roots,
            self.dated.held_up[sids].tolist(),
            self.seq[sids].tolist(),
            strict=True,
        ):
            expected = lines[seq].expected_date if supply.kind is SupplyKind.PO else None
            reason = promise_reason(supply, root=root if held else None, expected=expected, today=today)
            worded.append((reason, promise_basis(supply)))
        return worded


def assemble(
    snapshot: PlanInput, items: Items, existing: Existing, demands: Demands, pegging: Pegging, dated: Dated
) -> PlanResult:
    """The plan in words: promises, suggested purchases and production, the production queue."""
    describer = Describer(snapshot, items, existing, pegging, dated)
    suggestions, queue = production_plan(snapshot, items, existing, demands, pegging, dated)
    return PlanResult(
        promises=_promises(snapshot, demands, pegging, dated, describer),
        purchase_suggestions=_purchases(snapshot, items, pegging, dated),
        production_suggestions=suggestions,
        production_queue=queue,
    )


def _promises(
    snapshot: PlanInput, demands: Demands, pegging: Pegging, dated: Dated, describer: Describer
) -> PromiseTable:
    """Every piece of every backorder, most urgent first, each naming the supply it rests on."""
    pieces = np.flatnonzero(pegging.piece_kind == CUSTOMER)
    rank = pegging.piece_src[pieces]
    order = stable_order(rank)
    pieces, rank = pieces[order], rank[order]
    sids = pegging.piece_supply[pieces]
    wording, reasons, bases = describer.wordings(sids)
    return PromiseTable(
        refs=demands.refs,
        line_nos=demands.line_nos,
        skus=demands.skus,
        line_ids=demands.line_ids,
        line=demands.row[rank],
        quantity=pegging.piece_qty[pieces],
        day=dated.finish[sids],
        wording=wording,
        reasons=reasons,
        bases=bases,
    )


def _purchases(snapshot: PlanInput, items: Items, pegging: Pegging, dated: Dated) -> list[PurchaseSuggestion]:
    """One line per bought SKU: everything planned for it, ordered today, with its supplier."""
    planned = np.flatnonzero(pegging.supplies.kind == SupplyKind.PLANNED_PO)
    planned = planned[np.argsort(pegging.supplies.item[planned], kind="stable")]
    item = pegging.supplies.item[planned]
    starts = segment_starts(item)
    totals = np.add.reduceat(pegging.supplies.quantity[planned], starts) if len(starts) else starts
    lines = [
        PurchaseSuggestion(items.supplier[k], items.skus[k], quantity, snapshot.today, expected)
        for k, quantity, expected in zip(
            item[starts].tolist(),
            as_decimals(totals),
            as_dates(dated.finish[planned[starts]]),
            strict=True,
        )
    ]
    return sorted(lines, key=lambda s: (s.supplier is None, s.supplier or "", s.sku))
