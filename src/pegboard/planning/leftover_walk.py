"""One quote's walk over the plan's leftover (`planning.leftover`): the supplies it takes from,
item by item and level by level, and the dated parts it answers with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from pegboard.planning.arrays import NEG, NONE, SCALE
from pegboard.planning.lots import component_need, lot_size
from pegboard.planning.quoting import LineQuote, OrderQuote, QuoteLine, QuotePart, latest_day, line_quote
from pegboard.planning.reasons import Supply, SupplyKind, promise_basis, promise_reason

if TYPE_CHECKING:
    from pegboard.planning.leftover import Leftover


@dataclass(eq=False)
class QuoteSource:
    """One supply as the quote sees it: what is left of it, its date and what that date rests on."""

    item: int
    kind: SupplyKind
    #: Its place among the item's supplies (ties between roots go to the first).
    pos: int
    #: Left after the customer demand ahead (micro-units); None: without end (a planned PO).
    left: int | None
    finish: int = NONE
    #: False for an MO that serves no customer: taking from it would move its date.
    usable: bool = True
    #: The plan's supply id, for supplies of the stored plan (-1: made by the quote).
    sid: int = -1
    held_up: bool = False
    root: QuoteSource | None = None
    pieces: list[tuple[QuoteSource, int]] = field(default_factory=list)

    def copy(self) -> QuoteSource:
        """The same supply with its own `left`, for one quote's walk to take from."""
        return QuoteSource(
            self.item,
            self.kind,
            self.pos,
            self.left,
            self.finish,
            self.usable,
            self.sid,
            self.held_up,
            self.root,
        )


class QuoteWalk:
    """One quote's walk over the leftover; the leftover itself is changed only by `keep`."""

    def __init__(self, leftover: Leftover) -> None:
        self.lo = leftover
        self.items = leftover.items
        self.sources: dict[int, QuoteSource] = {}
        self.lists: dict[int, list[QuoteSource]] = {}
        self.planned_po: dict[int, QuoteSource] = {}
        self.made: list[QuoteSource] = []
        #: What each line placed rests on, in line order: (item, finish of each piece).
        self.placed: list[tuple[int, list[int]]] = []

    def run(self, lines: Sequence[QuoteLine]) -> OrderQuote | None:
        lo, items = self.lo, self.items
        sold: dict[str, Decimal] = {}  # what earlier lines of this quote took from stock now
        wants: list[tuple[int, int]] = []
        nows: list[Decimal] = []
        for line in lines:
            if line.sku not in items.index:
                return None
            item = items.index[line.sku]
            free = lo.available.get(line.sku, Decimal(0)) - sold.get(line.sku, Decimal(0))
            now = max(min(line.quantity, free), Decimal(0))
            sold[line.sku] = sold.get(line.sku, Decimal(0)) + now
            nows.append(now)
            if now > 0 and not self.take_stock(item, micro_units(now)):
                return None
            wants.append((item, micro_units(line.quantity - now)))
        pieces_of = self.place(wants)
        if pieces_of is None:
            return None
        today = lo.snapshot.today
        quoted = []
        for k, (line, now) in enumerate(zip(lines, nows, strict=True)):
            parts = [self._part(source, quantity) for source, quantity in pieces_of.get(k, [])]
            quoted.append(line_quote(line, now, parts, today))
        found: tuple[LineQuote, ...] = tuple(quoted)
        return OrderQuote(found, latest_day(line.date for line in found))

    def place(self, wants: Sequence[tuple[int, int]]) -> dict[int, list[tuple[QuoteSource, int]]] | None:
        """Net what each line waits for ((item, micro-units), in line order) level by level, as
        the engine nets a new order's demand, and date the MOs made for it: what each line rests
        on; None when that cannot be exact (a supply it would take serves no customer)."""
        items = self.items
        needs: list[list[tuple[tuple[int, int, str, int], int, int]]] = [[] for _ in range(self._levels())]
        for k, (item, rest) in enumerate(wants):
            if rest > 0:
                needs[int(items.level[item])].append(((k, -1, "", 0), item, rest))
        pieces_of: dict[int, list[tuple[QuoteSource, int]]] = {}
        for level in range(len(needs)):
            for key, item, quantity in sorted(needs[level], key=lambda need: need[0]):
                taken = self._net(item, quantity, key[0], needs)
                if taken is None:
                    return None
                if key[1] == -1:
                    pieces_of[key[0]] = taken
                else:
                    self.made[key[3]].pieces.extend(taken)
        self._date()
        self.placed = [
            (item, [s.finish for s, _ in pieces_of.get(k, [])]) for k, (item, _) in enumerate(wants)
        ]
        return pieces_of

    def keep(self) -> None:
        """Make what this walk took, and the MOs it made, the leftover's own (an order placed)."""
        for mo in self.made:
            mo.pieces = []  # only its own walk dates it
        self.lo._supplies_of.update(self.lists)
        self.lo.made += len(self.made)

    def _levels(self) -> int:
        return int(self.items.level.max()) + 1 if len(self.items.skus) else 0

    def _list(self, item: int) -> list[QuoteSource]:
        found = self.lists.get(item)
        if found is None:
            found = self.lists[item] = [source.copy() for source in self.lo.supplies_of(item)]
        return found

    def take_stock(self, item: int, quantity: int) -> bool:
        """Stock sold now: only what the customer demand ahead did not use (else None upstream)."""
        for source in self._list(item):
            if source.kind is SupplyKind.STOCK:
                if source.left is None or source.left < quantity:
                    return False
                source.left -= quantity
                return True
        return False

    def _net(
        self,
        item: int,
        quantity: int,
        rank: int,
        needs: list[list[tuple[tuple[int, int, str, int], int, int]]],
    ) -> list[tuple[QuoteSource, int]] | None:
        """Take `quantity` of `item` from what is left, in supply order, then from new supply."""
        taken: list[tuple[QuoteSource, int]] = []
        for source in self._list(item):
            if quantity == 0:
                break
            if source.left is None or source.left <= 0:
                continue
            if not source.usable:
                return None
            part = min(source.left, quantity)
            source.left -= part
            quantity -= part
            taken.append((source, part))
        if quantity == 0:
            return taken
        items = self.items
        if not items.make[item]:
            taken.append((self._planned_po(item), quantity))
            return taken
        size = int(lot_size(np.array([quantity]), items.min_qty[[item]], items.multiple[[item]])[0])
        mo = QuoteSource(
            item, SupplyKind.PLANNED_MO, (1 << 50) + self.lo.made + len(self.made), size - quantity
        )
        self._list(item).append(mo)
        self.made.append(mo)
        taken.append((mo, quantity))
        start, end = int(items.bom_start[item]), int(items.bom_start[item + 1])
        for line in range(start, end):
            component = int(items.bom_component[line])
            need = int(component_need(np.array([size]), items.bom_per[[line]])[0])
            key = (rank, int(items.level[item]), items.skus[item], len(self.made) - 1)
            needs[int(items.level[component])].append((key, component, need))
        return taken

    def _planned_po(self, item: int) -> QuoteSource:
        found = self.planned_po.get(item)
        if found is None:
            days = int(self.items.purchase_days[item])
            finish = NONE if days >= NONE else self.lo.today + days
            found = QuoteSource(item, SupplyKind.PLANNED_PO, int(self.lo.existing_count[item]), None, finish)
            self.planned_po[item] = found
        return found

    def _date(self) -> None:
        """Date the new planned MOs, deepest first: they start when their components are there."""
        lo, items = self.lo, self.items
        for mo in sorted(self.made, key=lambda m: -int(items.level[m.item])):
            values = [(NEG if s.kind is SupplyKind.STOCK else self._finish(s), s) for s, _ in mo.pieces]
            ready = max((v for v, _ in values), default=NEG)
            if ready >= NONE:
                mo.finish = NONE
            else:
                mo.finish = max(ready, lo.today) + int(items.production_days[mo.item])
            mo.held_up = ready > lo.today
            if mo.held_up:
                late = [self._root(s) for v, s in values if v == ready]
                mo.root = min(late, key=self._order_key)

    def _finish(self, source: QuoteSource) -> int:
        return source.finish

    def _root(self, source: QuoteSource) -> QuoteSource:
        if source.sid >= 0:
            root = int(self.lo.dated.root[source.sid])
            return self._stored(root)
        return source.root if source.held_up and source.root is not None else source

    def _stored(self, sid: int) -> QuoteSource:
        found = self.sources.get(sid)
        if found is None:
            sup = self.lo.pegging.supplies
            found = QuoteSource(
                int(sup.item[sid]), SupplyKind(int(sup.kind[sid])), int(sup.pos[sid]), 0, sid=sid
            )
            found.finish = int(self.lo.dated.finish[sid])
            self.sources[sid] = found
        return found

    def _order_key(self, source: QuoteSource) -> tuple[int, int]:
        return (source.item, source.pos)

    def _part(self, source: QuoteSource, quantity: int) -> QuotePart:
        """The part of a line resting on `source`, worded as the plan words it."""
        amount = Decimal(quantity // SCALE) if quantity % SCALE == 0 else Decimal(quantity) / SCALE
        if source.sid >= 0:
            reason, basis = self.lo.wording(source.sid)
            # No supplier's history moves a date here (`Leftover` refuses such workshops).
            return QuotePart(amount, _day(source.finish), reason, basis, _day(source.finish))
        supply = self._supply(source)
        root = self._supply(source.root) if source.held_up and source.root is not None else None
        reason = promise_reason(supply, root=root, expected=None, today=self.lo.snapshot.today)
        return QuotePart(amount, _day(source.finish), reason, promise_basis(supply), _day(source.finish))

    def _supply(self, source: QuoteSource) -> Supply:
        if source.sid >= 0:
            return self.lo.describer.supplies(np.array([source.sid], dtype=np.int64))[0]
        return Supply(source.kind, "", self.items.skus[source.item], _day(source.finish))


def micro_units(quantity: Decimal) -> int:
    return int(quantity * SCALE)


def _day(day: int) -> date | None:
    return None if day >= NONE else date.fromordinal(day)
