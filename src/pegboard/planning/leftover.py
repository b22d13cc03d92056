"""Quotes from what the plan leaves over: an incremental answer instead of a re-plan.

A quoted order placed now ranks after every backorder waiting (when none ranks after it: see
`Leftover.answers`), and before safety stock, reorders and MOs that serve no customer (they
rank after all customer demand, `planning.netting`). So on each item it takes what the
customer demand ahead of it left over, in supply order: stock, open POs and MOs, the planned
MOs of customers (their lot-size excess); then the item's planned PO (bought: one per item,
arriving after the lead time) or a new planned MO, lot-sized, whose components are taken the
same way, level by level, and which starts when they are there. This is what the engine does
with the order added, step by step, without netting anything else again.

Where that would not hold, `quote` answers None and the caller plans in full
(`planning.quoting.quote_order`): a backorder ranking after the quote (a lower priority, or
the same moment), a line that is not a stock line, stock taken now that customer demand
ahead was using, or an MO that serves no customer yet (taking from it would move its date).

An order placed takes from the leftover what its quote would have taken (`Leftover.with_placed`):
the leftover then answers as one built again from the snapshot with the order in it, so a server
keeps it current under order load instead of planning the whole workshop after every order.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import numpy as np

from pegboard.planning.arrays import Items, build_demands, build_existing, build_items
from pegboard.planning.assembly import Describer, customer_pieces
from pegboard.planning.dating import Dated, date_supplies
from pegboard.planning.engine import net_all, supply_table
from pegboard.planning.leftover_walk import QuoteSource, QuoteWalk, micro_units
from pegboard.planning.netting import COMPONENT, CUSTOMER, Pegging
from pegboard.planning.quoting import (
    LAST,
    QUOTE_REF,
    STOCK_LINE,
    OrderQuote,
    QuoteLine,
)
from pegboard.planning.rank_order import latest_served, preorder_ranks
from pegboard.planning.reasons import SupplyKind
from pegboard.planning.reliable import reliable_snapshot
from pegboard.planning.snapshot import BackorderDemand, PlanInput

_UNRANKED = 1 << 62


class Leftover:
    """What each item has left, per supply, after the plan gave existing demand its share."""

    def __init__(self, snapshot: PlanInput) -> None:
        self.snapshot = snapshot
        #: Suppliers' history moves dates here (`planning.reliable`): the leftover does not follow
        #: that, so it answers nothing and every quote is planned in full.
        self.dates_learned = reliable_snapshot(snapshot)[1] is not None
        self.today = snapshot.today.toordinal()
        self.items: Items = build_items(snapshot)
        existing = build_existing(snapshot, self.items)
        demands = build_demands(snapshot, self.items)
        self.pegging: Pegging = net_all(self.items, existing, demands)
        self.dated: Dated = date_supplies(supply_table(existing, self.pegging), self.items, self.today)
        #: Per item, the latest finish the backorders waiting rest on: stock is handed out in rank
        #: order, so a new order's line is promised no earlier (`planning.rank_order`).
        self.latest = latest_served(
            customer_pieces(self.pegging, self.dated),
            demands.item,
            len(self.items.skus),
            preorder_ranks(snapshot, demands),
        )
        self.describer = Describer(snapshot, self.items, existing, self.pegging, self.dated)
        self.n_demands = len(demands.row)
        self.last = max((_rank(d) for d in snapshot.demands), default=None)
        self._sources(len(existing.item))
        #: Free stock per SKU, less what orders placed since took (`with_placed`).
        self.available: dict[str, Decimal] = dict(snapshot.available)
        #: The planned MOs that orders placed since made, numbered after the plan's own.
        self.made = 0
        # Worked out on first use and kept: a dict write is atomic, so threads may share them.
        self._supplies_of: dict[int, list[QuoteSource]] = {}
        self._wordings: dict[int, tuple[str, str]] = {}

    def _sources(self, n_existing: int) -> None:
        """Each item's supplies the quote may take from, in supply order; and what is left of each."""
        supplies, p = self.pegging.supplies, self.pegging
        n = len(supplies.id)
        rank = np.full(n, _UNRANKED, dtype=np.int64)
        level = self.items.level[supplies.item[p.piece_supply]] if len(p.piece_supply) else p.piece_supply
        top = int(self.items.level.max()) + 1 if len(self.items.skus) else 0
        piece_rank = np.full(len(p.piece_supply), _UNRANKED, dtype=np.int64)
        for at in range(top):
            here = np.flatnonzero(level == at)
            kind, src = p.piece_kind[here], p.piece_src[here]
            ranks = np.where(kind == CUSTOMER, src, _UNRANKED)
            component = kind == COMPONENT
            ranks[component] = rank[src[component]]
            piece_rank[here] = ranks
            np.minimum.at(rank, p.piece_supply[here], ranks)
        ahead = piece_rank < self.n_demands
        used = np.zeros(n, dtype=np.int64)
        np.add.at(used, p.piece_supply[ahead], p.piece_qty[ahead])
        self.left = supplies.quantity - used
        self.rank = rank
        # Every bought item has one planned PO, without end (`QuoteWalk._planned_po`); planned MOs
        # for safety stock or reorders are made again after the quote's demand.
        planned_po = supplies.kind == SupplyKind.PLANNED_PO
        after = (supplies.kind == SupplyKind.PLANNED_MO) & (rank >= self.n_demands)
        kept = np.flatnonzero(~planned_po & ~after)
        # Ids are in supply order within an item: existing ones by place, then planned ones as made.
        self._kept = kept[np.argsort(supplies.item[kept], kind="stable")]
        size = len(self.items.skus)
        self._bounds = np.searchsorted(supplies.item[self._kept], np.arange(size + 1))
        self.existing_count = np.bincount(supplies.item[:n_existing], minlength=size)

    def supplies_of(self, item: int) -> list[QuoteSource]:
        """Each supply of `item` a quote may take from, in supply order, with what is left of it;
        worked out once per item and kept (quotes copy them, never change them)."""
        found = self._supplies_of.get(item)
        if found is None:
            sup, n = self.pegging.supplies, self.n_demands
            found = []
            for sid in self.kept(item):
                kind = SupplyKind(int(sup.kind[sid]))
                is_mo = kind in (SupplyKind.MO, SupplyKind.PLANNED_MO)
                usable = not (is_mo and self.rank[sid] >= n)
                left, finish = int(self.left[sid]), int(self.dated.finish[sid])
                found.append(QuoteSource(item, kind, int(sup.pos[sid]), left, finish, usable=usable, sid=sid))
            self._supplies_of[item] = found
        return found

    def wording(self, sid: int) -> tuple[str, str]:
        """The reason and basis a promise resting on supply `sid` gives (kept once worked out)."""
        found = self._wordings.get(sid)
        if found is None:
            reasons, bases = self.describer.reasons(np.array([sid], dtype=np.int64))
            found = self._wordings[sid] = (reasons[0], bases[0])
        return found

    def kept(self, item: int) -> list[int]:
        """The supply ids of `item` a quote may take from, in supply order."""
        found: list[int] = self._kept[self._bounds[item] : self._bounds[item + 1]].tolist()
        return found

    def answers(self, priority: int, ordered_at: datetime) -> bool:
        """Whether an order of this priority placed at this moment ranks after every backorder."""
        if self.last is None:
            return True
        try:
            return self.last < (-priority, ordered_at, QUOTE_REF, LAST, 0)
        except TypeError:  # aware and naive moments: let the engine rank them
            return False

    def quote(
        self, lines: Sequence[QuoteLine], *, ordered_at: datetime, priority: int = 0
    ) -> OrderQuote | None:
        """The quote `planning.quoting.quote_order` gives on the same snapshot; None when it cannot
        be answered from the leftover exactly (the caller plans in full)."""
        if any(line.kind != STOCK_LINE for line in lines) or not self.answers(priority, ordered_at):
            return None
        if self.dates_learned:
            return None
        # Configurations are planned as items of their own (`planning.configurations`), which the
        # leftover is not built over: a configured line, or any in a workshop that has one, plans in full.
        if self.snapshot.configurations or any(line.options for line in lines):
            return None
        walk = QuoteWalk(self)
        found = walk.run(lines)
        if found is None or not self.served_in_turn(walk.placed):
            return None
        return found

    def served_in_turn(self, placed: Sequence[tuple[int, list[int]]]) -> bool:
        """Whether lines of an order placed now, ((item, finish of each piece) in line order),
        rest on supply finishing no earlier than what every line ahead of them rests on: else the
        plan hands them other supply (`planning.rank_order`) and the leftover cannot answer."""
        latest: dict[int, int] = {}
        for item, finishes in placed:
            before = latest.get(item, int(self.latest[item]))
            if finishes and min(finishes) < before:
                return False
            latest[item] = max([before, *finishes])
        return True

    def _served(self, placed: Sequence[tuple[int, list[int]]]) -> None:
        """Note what lines placed rest on as the latest finish of their items."""
        for item, finishes in placed:
            if finishes:
                self.latest[item] = max(int(self.latest[item]), *finishes)

    def with_placed(
        self, taken: Mapping[str, Decimal], demands: Sequence[BackorderDemand]
    ) -> Leftover | None:
        """This leftover once orders are placed that took `taken` from free stock and wait for
        `demands` (their backorders); None when that cannot be worked out exactly here (the
        caller builds it again from a snapshot). This leftover itself is not changed.

        Each order takes what a quote for it would use (`quote`): the stock it was given, then,
        in its turn after every order waiting, what the demand ahead of it left, and new supply.
        It cannot be exact when an order ranks before one already waiting (a higher priority,
        an earlier moment), takes stock that demand ahead was using, waits on a line that is
        configured or a preorder, or would take from an MO that serves no customer."""
        if self.dates_learned or self.snapshot.configurations:
            return self  # it answers no quote (`quote`), before or after the orders
        after = copy.copy(self)
        after.latest = self.latest.copy()
        after.available = dict(self.available)
        after._supplies_of = dict(self._supplies_of)
        walk = QuoteWalk(after)
        for sku, quantity in sorted(taken.items()):
            if quantity <= 0:
                continue
            item = self.items.index.get(sku)
            if item is None or not _take_free(after.available, sku, quantity):
                return None
            if not walk.take_stock(item, micro_units(quantity)):
                return None
        walk.keep()
        try:
            placed = _by_order(demands)
        except TypeError:  # aware and naive moments: let the engine rank them
            return None
        for order in placed:
            if any(d.options or d.release_date is not None or d.sku not in self.items.index for d in order):
                return None
            first = order[0]
            try:
                if after.last is not None and not after.last < _rank(first):
                    return None
            except TypeError:  # aware and naive moments: let the engine rank them
                return None
            walk = QuoteWalk(after)
            if walk.place([(self.items.index[d.sku], micro_units(d.quantity)) for d in order]) is None:
                return None
            if not after.served_in_turn(walk.placed):
                return None
            after._served(walk.placed)
            walk.keep()
            after.last = max(_rank(d) for d in order)
        return after


def _rank(demand: BackorderDemand) -> tuple[int, datetime, str, int, int]:
    """Where a backorder waits in line: priority (higher first), moment, order ref, then line."""
    return (-demand.priority, demand.ordered_at, demand.order_ref, demand.sequence, demand.line_no)


def _by_order(demands: Sequence[BackorderDemand]) -> list[list[BackorderDemand]]:
    """The demands grouped by order, orders in their place in line, lines in order."""
    orders: dict[tuple[str, int], list[BackorderDemand]] = {}
    for demand in sorted(demands, key=_rank):
        orders.setdefault((demand.order_ref, demand.sequence), []).append(demand)
    return list(orders.values())


def _take_free(available: dict[str, Decimal], sku: str, quantity: Decimal) -> bool:
    """Take from free stock (a SKU with none left is absent, as in a snapshot); False: not there."""
    left = available.get(sku, Decimal(0)) - quantity
    if left < 0:
        return False
    if left > 0:
        available[sku] = left
    else:
        available.pop(sku, None)
    return True
