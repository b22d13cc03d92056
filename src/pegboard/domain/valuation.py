"""Stock value: what each movement adds to or takes from an item's value, by moving average or FIFO.

Goods come in at a cost (a PO's unit cost, an MO's consumed components plus labour, a count at
the current or standard cost); goods going out (shipments, MO consumption, counts down) take
value by the shop's cost method. Every amount is rounded to the cent when the movement is valued,
and the last unit out takes exactly what is left, so an item with no stock is worth nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

ZERO = Decimal(0)
CENT = Decimal("0.01")


class CostMethod(StrEnum):
    """How goods going out are valued."""

    AVERAGE = "average"
    FIFO = "fifo"


def money(amount: Decimal) -> Decimal:
    """An amount rounded half up to the cent."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Holding:
    """An item's stock and its value; `layers` are the receipts still (partly) held, oldest first,
    as (quantity received, value received, quantity of it already gone)."""

    quantity: Decimal = ZERO
    value: Decimal = ZERO
    layers: tuple[tuple[Decimal, Decimal, Decimal], ...] = ()

    @property
    def unit_cost(self) -> Decimal | None:
        """The average cost of a unit held; None with nothing held."""
        return self.value / self.quantity if self.quantity > 0 else None


def holding(
    quantity: Decimal, value: Decimal, incoming: Sequence[tuple[Decimal, Decimal]], issued: Decimal
) -> Holding:
    """The holding from its totals, its receipts in order and the quantity issued so far: FIFO
    issues take the oldest receipts first, so the first `issued` units of them are gone."""
    layers: list[tuple[Decimal, Decimal, Decimal]] = []
    gone = issued
    for received, received_value in incoming:
        used = min(received, max(gone, ZERO))
        gone -= used
        if used < received:
            layers.append((received, received_value, used))
    return Holding(quantity, value, tuple(layers))


def issue_value(held: Holding, quantity: Decimal, method: CostMethod) -> Decimal:
    """The value `quantity` units take out (a positive amount): the average cost, or the oldest
    receipts' costs for FIFO; all that is held takes exactly the value held."""
    if quantity <= 0:
        raise ValueError(f"an issue takes a positive quantity, not {quantity}")
    if quantity >= held.quantity:
        return held.value
    if method is CostMethod.AVERAGE or not held.layers:
        return money(held.value * quantity / held.quantity)
    taken, wanted = ZERO, quantity
    for received, value, used in held.layers:
        if wanted <= 0:
            break
        take = min(wanted, received - used)
        # What a layer gives up is the difference of its rounded running totals, so a layer
        # consumed in several issues gives up exactly its value.
        taken += money(value * (used + take) / received) - money(value * used / received)
        wanted -= take
    if wanted > 0:  # receipts do not explain all that is held (e.g. a method changed midway)
        taken += money((held.value - taken) * wanted / (held.quantity - quantity + wanted))
    return min(taken, held.value)


def incoming_unit_cost(held: Holding, standard: Decimal) -> Decimal:
    """Goods found in a count: at the average cost of what is held, else at standard cost."""
    unit = held.unit_cost
    return standard if unit is None else unit


@dataclass(frozen=True)
class ValuedMove:
    """One stock movement with its value: positive in, negative out (the stock value ledger)."""

    sku: str
    quantity: Decimal
    value: Decimal
    moved_on: date
    kind: str = ""
    reference: str = ""


def replay(moves: Iterable[ValuedMove], method: CostMethod) -> dict[str, Holding]:
    """Each item's holding after the movements, in order: goods in at their value, goods out
    valued again here by the method (what a stored valuation must agree with)."""
    held: dict[str, Holding] = {}
    incoming: dict[str, list[tuple[Decimal, Decimal]]] = {}
    issued: dict[str, Decimal] = {}
    for move in moves:
        now = held.get(move.sku, Holding())
        if move.quantity > 0:
            incoming.setdefault(move.sku, []).append((move.quantity, move.value))
            value = move.value
        else:
            value = -issue_value(now, -move.quantity, method)
            issued[move.sku] = issued.get(move.sku, ZERO) - move.quantity
        held[move.sku] = holding(
            now.quantity + move.quantity,
            now.value + value,
            incoming.get(move.sku, []),
            issued.get(move.sku, ZERO),
        )
    return held
