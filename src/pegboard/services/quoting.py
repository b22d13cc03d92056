"""Quotes: the dates an order would get if placed now, by the same rules as a promise, writing nothing.

Only what the order's own lines rest on is read (`planning.scope.narrowed_for_new_lines`: the
supply below its SKUs and every demand on that supply, the part of a re-promise's scope that a
new line needs), the order is added in memory (`planning.quoting`) and planned; the
transaction is never committed. Placing the same order next, with nothing else changing, gives
each line the promise its quote stated (property tests hold the two together).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from pegboard.domain.errors import InvalidValue
from pegboard.domain.items import BomLine
from pegboard.domain.options import choices_text
from pegboard.domain.quantities import Quantity
from pegboard.domain.sales import LineKind, ShipPolicy
from pegboard.planning.quoting import LineQuote, OrderQuote, QuoteLine, from_stock, quote_order
from pegboard.planning.snapshot import PlanConfiguration, PlanInput, PlanItem
from pegboard.services.orders import line_configuration
from pegboard.services.ports import Clock, UnitOfWork

#: More lines than an order may carry through the API is not a quote anyone needs.
MAX_LINES = 1000


@dataclass(frozen=True)
class QuoteRequest:
    """An order as it would be placed, without a ref: (SKU, quantity) lines, priority, ship policy."""

    lines: tuple[tuple[str, Decimal], ...]
    priority: int = 0
    ship_policy: ShipPolicy = ShipPolicy.PARTIAL
    #: Each line's choices by option name (none: every line plain), as an order line takes them.
    options: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class Quote:
    """Each line's quote and the order's date; with ship policy complete, every line leaves on it."""

    lines: tuple[LineQuote, ...]
    date: dt.date | None
    ship_policy: ShipPolicy
    today: dt.date
    #: Each quoted SKU's free stock before the quote (not part of the quote's JSON).
    available: dict[str, Decimal]

    def line_date(self, line: LineQuote) -> dt.date | None:
        """When the line leaves: its own date, or the order's when the order ships complete."""
        return self.date if self.ship_policy is ShipPolicy.COMPLETE else line.date


def quote(request: QuoteRequest, *, uow: UnitOfWork, clock: Clock) -> Quote:
    """What an order placed now would get: stock now, then the plan's dates for the rest; nothing written."""
    with uow:
        return quote_within(request, uow=uow, clock=clock)
        # Leaving the block without commit: nothing read here is kept or changed.


def quote_within(request: QuoteRequest, *, uow: UnitOfWork, clock: Clock) -> Quote:
    """As `quote`, inside the caller's open transaction."""
    _check(request)
    skus = sorted({sku for sku, _ in request.lines})
    now = clock.now()
    terms = uow.catalogue.sale_terms(skus)
    free = {sku: level.available for sku, level in uow.stock.levels(skus).items()}
    configurations = _configurations(request, uow)
    wanted = [
        QuoteLine(sku, quantity, terms[sku].line_kind(now.date()).value, terms[sku].release_date, options)
        for (sku, quantity), options in zip(request.lines, configurations, strict=True)
    ]
    in_stock = from_stock(wanted, free, today=clock.today())
    if in_stock is not None:  # nothing waits: no plan to read or run
        return Quote(in_stock.lines, in_stock.date, request.ship_policy, clock.today(), free)
    # Only what the order's own lines rest on is read (`planning.scope.narrowed_for_new_lines`).
    snapshot = uow.planning.snapshot(clock.today(), around=skus, lines_of_around=True)
    snapshot = with_configurations(snapshot, {(q.sku, q.options) for q in wanted if q.options}, uow)
    for line in wanted:
        if line.kind == LineKind.DROPSHIP.value and not _supplier(snapshot.items, line.sku):
            raise InvalidValue("sku", line.sku, "is a dropship item without a supplier to ship it")
    found: OrderQuote = quote_order(snapshot, wanted, ordered_at=now, priority=request.priority)
    return Quote(found.lines, found.date, request.ship_policy, clock.today(), free)


def _configurations(request: QuoteRequest, uow: UnitOfWork) -> list[str]:
    """Each line's configuration ("" = plain), refused as an order line's would be."""
    if not any(request.options):
        return [""] * len(request.lines)
    options = uow.catalogue.options({sku for sku, _ in request.lines})
    choices = list(request.options) + [{}] * (len(request.lines) - len(request.options))
    return [
        line_configuration(sku, choices_text(chosen), options.get(sku), where=f"lines[{n}].options")
        for n, ((sku, _), chosen) in enumerate(zip(request.lines, choices, strict=True), start=1)
    ]


def with_configurations(snapshot: PlanInput, wanted: set[tuple[str, str]], uow: UnitOfWork) -> PlanInput:
    """The snapshot with the BOM of each quoted configuration it does not hold yet."""
    missing = wanted - {(c.sku, c.options) for c in snapshot.configurations}
    if not missing:
        return snapshot
    options = uow.catalogue.options({sku for sku, _ in missing})
    added = []
    for sku, chosen in sorted(missing):
        base = [
            BomLine(b.component_sku, Quantity(b.quantity_per))
            for b in snapshot.bom_lines
            if b.parent_sku == sku
        ]
        lines = options[sku].bom(base, chosen)
        added.append(PlanConfiguration(sku, chosen, tuple((x.component_sku, x.quantity_per) for x in lines)))
    return replace(snapshot, configurations=[*snapshot.configurations, *added])


def _check(request: QuoteRequest) -> None:
    if not request.lines:
        raise InvalidValue("lines", "", "a quote needs at least one line")
    if len(request.lines) > MAX_LINES:
        raise InvalidValue("lines", len(request.lines), f"at most {MAX_LINES} lines")
    for sku, quantity in request.lines:
        if quantity <= 0:
            raise InvalidValue("quantity", quantity, f"{sku}: must be above 0")


def _supplier(items: Sequence[PlanItem], sku: str) -> bool:
    return any(item.sku == sku and item.supplier for item in items)
