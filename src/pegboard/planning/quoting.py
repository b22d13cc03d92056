"""Quotes: the promise an order placed now would get, planned with the order added to a snapshot.

The order is added as placing it would add it: each stock line takes what is available of its
SKU at once (`now`), the rest waits as a backorder ranked after every order already waiting at
its priority and moment; a preorder line waits whole for its release date; a drop-ship line is
dated by the drop-ship PO it would open. The engine then plans the snapshot (usually narrowed
around the order's SKUs, `planning.scope`), so a quote follows the very rules of a promise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import date as _date
from decimal import Decimal

from pegboard.planning.engine import plan
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.result import Promise
from pegboard.planning.snapshot import BackorderDemand, DropshipDemand, HeldLine, PlanInput, PlanItem

#: The ref the quoted order carries inside the plan (no real ref holds a control character).
QUOTE_REF = "\x00quote"
#: The quoted order comes after every stored one placed at the same moment (they have smaller ids).
LAST = 2**62
#: The line kinds of `domain.sales.LineKind`, as plain words.
STOCK_LINE, PREORDER_LINE, DROPSHIP_LINE = "stock", "preorder", "dropship"
#: What a drop-ship line's quote names for the PO it would open (its ref is not known yet).
NEW_DROPSHIP_PO = "a new drop-ship PO"


@dataclass(frozen=True, slots=True)
class QuoteLine:
    """One line of the order to quote: a SKU, a quantity, how it would be sold (`kind`), and the
    item's release date for a preorder line."""

    sku: str
    quantity: Decimal
    kind: str = STOCK_LINE
    release_date: date | None = None
    #: A configured line's configuration (`planning.configurations`): made to order, taking only
    #: stock kept for that very configuration (`PlanInput.configured_stock`).
    options: str = ""


@dataclass(frozen=True, slots=True)
class QuotePart:
    """Part of a line that would wait, and when it would ship (None: open term), and why."""

    quantity: Decimal
    date: date | None
    reason: str
    basis: str
    #: The date before suppliers' history moved it (`Promise.stated_date`).
    stated_date: _date | None


@dataclass(frozen=True, slots=True)
class LineQuote:
    """A quoted line: what stock takes now, the parts that would wait, and the day it is whole."""

    sku: str
    quantity: Decimal
    now: Decimal
    parts: tuple[QuotePart, ...]
    date: date | None
    reason: str


@dataclass(frozen=True, slots=True)
class OrderQuote:
    """Each line's quote and the order's date: the day its last line is whole (None: open term)."""

    lines: tuple[LineQuote, ...]
    date: date | None


def quote_order(
    snapshot: PlanInput,
    lines: Sequence[QuoteLine],
    *,
    ordered_at: datetime,
    priority: int = 0,
    ship_complete: bool = False,
) -> OrderQuote:
    """What placing `lines` at `ordered_at` would give: stock now, then the plan's promise for the rest.

    With `ship_complete`, every line is promised the order's date as a placed ship-complete order's
    lines are (`planning.ship_complete`): a line stock covers whole is held for the others.
    """
    available = dict(snapshot.available)
    kept = dict(snapshot.configured_stock)
    items = {item.sku: item for item in snapshot.items}
    demands: list[BackorderDemand] = []
    dropships: list[DropshipDemand] = []
    held: list[HeldLine] = []
    nows: list[Decimal] = []
    for line_no, line in enumerate(lines, start=1):
        now = Decimal(0)
        if line.kind == STOCK_LINE and not line.options:
            now = max(min(line.quantity, available.get(line.sku, Decimal(0))), Decimal(0))
            _take(available, line.sku, now)
        elif line.kind == STOCK_LINE:  # as placing it: only its configuration's kept stock
            key = (line.sku, line.options)
            now = max(min(line.quantity, kept.get(key, Decimal(0))), Decimal(0))
            kept[key] = kept.get(key, Decimal(0)) - now
        nows.append(now)
        rest = line.quantity - now
        if line.kind == DROPSHIP_LINE:
            dropships.append(_dropship(items[line.sku], line_no, line.quantity, ordered_at.date()))
        elif rest > 0:
            release = line.release_date if line.kind == PREORDER_LINE else None
            demands.append(
                BackorderDemand(
                    QUOTE_REF,
                    line_no,
                    line.sku,
                    rest,
                    priority,
                    ordered_at,
                    LAST,
                    release,
                    options=line.options,
                )
            )
        else:
            held.append(HeldLine(QUOTE_REF, line_no, line.sku, now))
    planned = replace(
        snapshot,
        available=available,
        configured_stock={key: quantity for key, quantity in kept.items() if quantity > 0},
        demands=[*snapshot.demands, *demands],
        dropships=[*snapshot.dropships, *dropships],
    )
    if ship_complete:
        planned = replace(
            planned,
            ship_complete=planned.ship_complete | {QUOTE_REF},
            held=[*planned.held, *held],
        )
    parts = _parts_by_line(quoted_promises(plan(planned).promises))
    quoted = tuple(
        line_quote(line, now, parts.get(line_no, []), snapshot.today)
        for line_no, (line, now) in enumerate(zip(lines, nows, strict=True), start=1)
    )
    return OrderQuote(quoted, latest_day(line.date for line in quoted))


def from_stock(
    lines: Sequence[QuoteLine], available: Mapping[str, Decimal], *, today: date
) -> OrderQuote | None:
    """The quote when free stock covers every line at once (nothing to plan); None otherwise."""
    left = dict(available)
    for line in lines:
        if line.kind != STOCK_LINE or line.options or left.get(line.sku, Decimal(0)) < line.quantity:
            return None
        left[line.sku] -= line.quantity
    quoted = tuple(line_quote(line, line.quantity, [], today) for line in lines)
    return OrderQuote(quoted, today)


def _take(available: dict[str, Decimal], sku: str, quantity: Decimal) -> None:
    """Take from available stock; a SKU with none left is absent, as in a stored snapshot."""
    if quantity <= 0:
        return
    left = available[sku] - quantity
    if left > 0:
        available[sku] = left
    else:
        del available[sku]


def _dropship(item: PlanItem, line_no: int, quantity: Decimal, ordered_on: date) -> DropshipDemand:
    """The drop-ship line as its new PO would date it: the supplier's lead time, else the item's."""
    lead = item.supplier_lead_time_days if item.supplier_lead_time_days is not None else item.lead_time_days
    expected = None if lead is None else ordered_on + timedelta(days=lead)
    return DropshipDemand(QUOTE_REF, line_no, item.sku, quantity, NEW_DROPSHIP_PO, item.supplier, expected)


def quoted_promises(promises: Sequence[Promise]) -> list[Promise]:
    """The promises of the quoted order only, without building a tuple for any other line."""
    if not isinstance(promises, PromiseTable):
        return [p for p in promises if p.order_ref == QUOTE_REF]
    return promises.of_orders(lambda ref: ref == QUOTE_REF).rows()


def _parts_by_line(promises: Sequence[Promise]) -> dict[int, list[QuotePart]]:
    found: dict[int, list[QuotePart]] = {}
    for p in promises:
        found.setdefault(p.line_no, []).append(
            QuotePart(p.quantity, p.date, p.reason, p.basis, p.stated_date)
        )
    return found


def line_quote(line: QuoteLine, now: Decimal, parts: list[QuotePart], today: date) -> LineQuote:
    """A line is whole when its last part comes; an open-term part makes it open term (as `by_line`)."""
    if not parts:
        return LineQuote(line.sku, line.quantity, now, (), today, "in stock")
    undated = [p for p in parts if p.date is None]
    deciding = undated[0] if undated else max(parts, key=lambda p: p.date or date.min)
    return LineQuote(line.sku, line.quantity, now, tuple(parts), deciding.date, deciding.reason)


def latest_day(days: Iterable[date | None]) -> date | None:
    """The latest day, or None (open term) when any is None."""
    found = list(days)
    if any(d is None for d in found):
        return None
    return max(d for d in found if d is not None) if found else None
