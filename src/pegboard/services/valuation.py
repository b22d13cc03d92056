"""Stock value: every stock movement is written with the value it adds or takes, and the
valuation report (per item: on hand, value, unit cost) reads their sums.

Goods in: a receipt at the PO's unit cost (else the item's cost), an MO's output at the value of
the components it consumed plus the item's labour cost, a count up at the average cost held (else
the standard cost). Goods out: by the shop's cost method, moving average or FIFO.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pegboard.domain.ledger import StockMove
from pegboard.domain.valuation import ValuedMove, incoming_unit_cost, issue_value, money
from pegboard.services import books
from pegboard.services.ports import Clock, UnitOfWork

ZERO = Decimal(0)


def move_stock(
    uow: UnitOfWork,
    move: StockMove,
    *,
    value: Decimal | None = None,
    unit_cost: Decimal | None = None,
    standard_cost: Decimal = ZERO,
) -> Decimal:
    """Write the movement to the stock ledger and its value to the value ledger; returns the value
    (negative for goods out). Goods in take `value`, else `unit_cost` x quantity, else the
    average cost held (the standard cost with nothing held)."""
    uow.stock.add_move(move)
    held = uow.valuation.holdings([move.sku], uow.cost_method)[move.sku]
    if move.quantity < 0:
        amount = -issue_value(held, -move.quantity, uow.cost_method)
    elif value is not None:
        amount = value
    else:
        unit = unit_cost if unit_cost is not None else incoming_unit_cost(held, standard_cost)
        amount = money(unit * move.quantity)
    kind, ref = move.kind.value, move.reference
    uow.valuation.add(ValuedMove(move.sku, move.quantity, amount, move.moved_on, kind, ref))
    return amount


@dataclass(frozen=True)
class ItemValue:
    """One item's stock and its value on a day."""

    sku: str
    on_hand: Decimal
    value: Decimal

    @property
    def unit_cost(self) -> Decimal | None:
        """The average value of a unit held, to the cent; None with nothing held."""
        return money(self.value / self.on_hand) if self.on_hand > 0 else None


@dataclass(frozen=True)
class Valuation:
    """Every item's stock value on a day (items with stock or value only), and their total."""

    as_of: date | None
    items: list[ItemValue]

    @property
    def total(self) -> Decimal:
        return sum((item.value for item in self.items), ZERO)


def valuation(uow: UnitOfWork, *, as_of: date | None = None) -> Valuation:
    """The value of the stock held at the end of `as_of` (default: now), from the value ledger."""
    with uow:
        totals = uow.valuation.totals(as_of=as_of)
    items = [
        ItemValue(sku, quantity, value)
        for sku, (quantity, value) in totals.items()
        if quantity != 0 or value != 0
    ]
    return Valuation(as_of, items)


#: The kind and reference of the value rows that give stock from before stock values its value.
OPENING = "opening"


def open_values(*, uow: UnitOfWork, clock: Clock) -> dict[str, Decimal]:
    """Stock held with no value at all (a database from before stock values) is valued once, at
    standard cost, against stock adjustments; returns the value given per SKU (none the second time)."""
    with uow:
        uow.stock.lock(uow.valuation.unvalued())
        held = uow.valuation.unvalued()
        if not held:
            return {}
        costs = books.standard_costs(uow, held)
        values = {sku: money(costs[sku] * quantity) for sku, quantity in held.items()}
        for sku, quantity in held.items():
            uow.valuation.add(ValuedMove(sku, quantity, values[sku], clock.today(), OPENING, OPENING))
        books.book_count(uow, held, values, reason="opening stock value", on=clock.today())
        uow.commit()
    return values
