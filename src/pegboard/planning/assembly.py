"""From arrays back to words: promises with their reasons, and purchase suggestions per supplier."""

from __future__ import annotations

from itertools import repeat

import numpy as np

from pegboard.planning.arrays import Demands, Existing, Items
from pegboard.planning.dating import Dated
from pegboard.planning.late_supply import feasible_mos
from pegboard.planning.netting import CUSTOMER, Pegging
from pegboard.planning.promise_table import PromiseTable, iso_dates
from pegboard.planning.queue import CustomerPieces, production_plan
from pegboard.planning.rank_order import in_rank_order, preorder_ranks
from pegboard.planning.reasons import (
    Supply,
    SupplyKind,
    mo_reason,
    planned_mo_reason,
    promise_basis,
    promise_reason,
    waits_for,
)
from pegboard.planning.reliable import DateNote, DateNotes
from pegboard.planning.result import PLANNED_MO, PlanResult, PurchaseSuggestion
from pegboard.planning.segments import Ints, segment_starts
from pegboard.planning.snapshot import PlanInput
from pegboard.planning.sorting import stable_order
from pegboard.planning.values import as_dates, as_decimals, distinct, objects

KINDS = list(SupplyKind)


class Describer:
    """Words promises by the supply they rest on."""

    def __init__(
        self,
        snapshot: PlanInput,
        items: Items,
        existing: Existing,
        pegging: Pegging,
        dated: Dated,
        notes: DateNotes | None = None,
    ):
        self.snapshot, self.items, self.pegging, self.dated = snapshot, items, pegging, dated
        self.notes = notes
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
        kind = self.pegging.supplies.kind[sids]
        made = (kind == SupplyKind.PLANNED_MO) | (kind == SupplyKind.MO)
        if not made.any():
            return self._word_each(sids)
        worded: list[tuple[str, str]] = [("", "")] * len(sids)
        rest = np.flatnonzero(~made)
        for k, wording in zip(rest.tolist(), self._word_each(sids[rest]), strict=True):
            worded[k] = wording
        for k, wording in zip(np.flatnonzero(made).tolist(), self._word_mos(sids[made]), strict=True):
            worded[k] = wording
        return worded

    def _word_mos(self, sids: Ints) -> list[tuple[str, str]]:
        """`_word` of open and planned MOs, many at once: each distinct day and root is put in
        words once."""
        mos = self.snapshot.manufacturing_orders
        days = iso_dates(self.dated.finish[sids])
        held = self.dated.held_up[sids]
        root_ids, root_of = distinct(self.dated.root[sids[held]])
        roots = self.supplies(root_ids)
        waits = iter(objects([waits_for(root, self._note(root)) for root in roots], root_of))
        root_skus = iter(objects([root.sku for root in roots], root_of))
        worded = []
        for day, late, seq in zip(days, held.tolist(), self.seq[sids].tolist(), strict=True):
            waiting, root_sku = (next(waits), next(root_skus)) if late else (None, None)
            if seq < 0:
                worded.append((planned_mo_reason(day, waiting), PLANNED_MO))
            else:
                ref = mos[seq].mo_ref
                worded.append((mo_reason(ref, day, waiting, root_sku), ref))
        return worded

    def _word_each(self, sids: Ints) -> list[tuple[str, str]]:
        """`_word`, one supply at a time."""
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
            reason = promise_reason(
                supply,
                root=root if held else None,
                expected=expected,
                today=today,
                note=self._note(supply),
                root_note=self._note(root) if held else None,
            )
            worded.append((reason, promise_basis(supply)))
        return worded

    def _note(self, supply: Supply) -> DateNote | None:
        """What the supplier's history says about a PO's or planned PO's date (`planning.reliable`)."""
        if self.notes is None:
            return None
        if supply.kind is SupplyKind.PO:
            return self.notes.po.get((supply.ref, supply.sku))
        if supply.kind is SupplyKind.PLANNED_PO:
            return self.notes.planned.get(supply.sku)
        return None


def assemble(
    snapshot: PlanInput,
    items: Items,
    existing: Existing,
    demands: Demands,
    pegging: Pegging,
    dated: Dated,
    notes: DateNotes | None = None,
    stated_finish: Ints | None = None,
) -> PlanResult:
    """The plan in words: promises, suggested purchases and production, the production queue;
    `stated_finish` (every supply's finish day on stated dates) gives promises their stated date."""
    describer = Describer(snapshot, items, existing, pegging, dated, notes)
    # The queue's "completes" and the promises both follow the pieces as stock will be handed out.
    customer = _served(snapshot, demands, customer_pieces(pegging, dated))
    suggestions, queue = production_plan(snapshot, items, existing, demands, pegging, dated, customer)
    return PlanResult(
        promises=_promises(demands, customer, describer, stated_finish),
        purchase_suggestions=_purchases(snapshot, items, pegging, dated),
        production_suggestions=suggestions,
        production_queue=queue,
        feasible_mos=feasible_mos(snapshot, existing, dated, describer.supplies),
    )


def _served(snapshot: PlanInput, demands: Demands, customer: CustomerPieces) -> CustomerPieces:
    """The pieces as stock will be handed out: each item's earliest supply to its most urgent
    backorders (`planning.rank_order`); preorders, served once released, keep theirs."""
    return in_rank_order(customer, demands.item, preorder_ranks(snapshot, demands))


def customer_pieces(pegging: Pegging, dated: Dated) -> CustomerPieces:
    """The pieces of backorders, most urgent first (a backorder's pieces in their own order)."""
    # Columns are picked in piece order (a streaming read of the large piece arrays), then
    # put in rank order.
    customer = pegging.piece_kind == CUSTOMER
    rank = pegging.piece_src[customer]
    order = stable_order(rank)
    supply = pegging.piece_supply[customer][order]
    return CustomerPieces(rank[order], supply, pegging.piece_qty[customer][order], dated.finish[supply])


def _promises(
    demands: Demands, customer: CustomerPieces, describer: Describer, stated_finish: Ints | None
) -> PromiseTable:
    """Every piece of every backorder, most urgent first, each naming the supply it rests on."""
    wording, reasons, bases = describer.wordings(customer.supply)
    return PromiseTable(
        refs=demands.refs,
        line_nos=demands.line_nos,
        skus=demands.skus,
        line_ids=demands.line_ids,
        line=demands.row[customer.rank],
        quantity=customer.quantity,
        day=customer.finish,
        wording=wording,
        reasons=reasons,
        bases=bases,
        stated=None if stated_finish is None else stated_finish[customer.supply],
    )


def _purchases(snapshot: PlanInput, items: Items, pegging: Pegging, dated: Dated) -> list[PurchaseSuggestion]:
    """One line per bought SKU: everything planned for it, ordered today, with its supplier."""
    planned = np.flatnonzero(pegging.supplies.kind == SupplyKind.PLANNED_PO)
    planned = planned[np.argsort(pegging.supplies.item[planned], kind="stable")]
    item = pegging.supplies.item[planned]
    starts = segment_starts(item)
    totals = np.add.reduceat(pegging.supplies.quantity[planned], starts) if len(starts) else starts
    bought = item[starts].tolist()
    suppliers = list(map(items.supplier.__getitem__, bought))
    # Lines come in SKU order (items are), so a stable sort by supplier (None last) is enough.
    names = sorted({name for name in suppliers if name is not None})
    place = {name: k for k, name in enumerate(names)}
    rank = np.array([len(names) if name is None else place[name] for name in suppliers], dtype=np.int64)
    columns = (
        suppliers,
        list(map(items.skus.__getitem__, bought)),
        as_decimals(totals),
        [snapshot.today] * len(bought),
        as_dates(dated.finish[planned[starts]]),
    )
    order = stable_order(rank).tolist()
    return list(
        map(
            tuple.__new__,
            repeat(PurchaseSuggestion),
            zip(*([c[k] for k in order] for c in columns), strict=True),
        )
    )
