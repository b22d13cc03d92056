"""Stock counts and the ledger view of one SKU."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pegboard.domain.allocation import AllocationPolicy, ItemStock
from pegboard.domain.ledger import MoveKind, StockMove
from pegboard.services import books, configured_stock, reserving
from pegboard.services.allocating import TakenBack, allocate_waiting, take_back
from pegboard.services.holds import release_for_count
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.valuation import move_stock


def count_stock(
    counts: dict[str, Decimal],
    *,
    reason: str,
    uow: UnitOfWork,
    clock: Clock,
    policy: AllocationPolicy,
) -> dict[str, Decimal]:
    """Set on hand to what was counted (see `count`); returns the movement written per SKU."""
    return count(counts, reason=reason, uow=uow, clock=clock, policy=policy).changes


@dataclass(frozen=True)
class Counted:
    """What a count changed: the movement written per SKU, and the stock taken back from orders."""

    changes: dict[str, Decimal]
    taken_back: list[TakenBack]


def count(
    counts: dict[str, Decimal],
    *,
    reason: str,
    uow: UnitOfWork,
    clock: Clock,
    policy: AllocationPolicy,
) -> Counted:
    """Set on hand to what was counted by writing the difference as an adjustment movement.

    A count above what was on hand feeds waiting backorders and MOs; one below what is reserved
    takes back stock kept for configurations, then holds, then the newest MOs' components, then
    the reservation of the lines the policy serves last (the newest orders), which go back on
    backorder.
    """
    with uow:
        stocks = uow.stock.lock(counts)
        changes: dict[str, Decimal] = {}
        taken_back: list[TakenBack] = []
        values: dict[str, Decimal] = {}
        elsewhere: set[str] = set()  # SKUs not counted whose stock a released hold freed
        standard = books.standard_costs(uow, counts)
        for sku, counted in counts.items():
            difference = stocks[sku].count(counted, reason=reason)
            if difference == 0:
                continue
            changes[sku] = difference
            move = StockMove(sku, difference, MoveKind.ADJUSTMENT, clock.today(), "count", reason)
            values[sku] = move_stock(uow, move, standard_cost=standard[sku])
            configured_stock.release_for_count(uow, stocks[sku])
            elsewhere |= release_for_count(uow, stocks, sku, clock.now())
            reserving.release_for_count(uow, stocks[sku])
            taken, _ = take_back(uow, stocks[sku], on=clock.today(), policy=policy)
            taken_back += taken
        books.book_count(uow, changes, values, reason=reason, on=clock.today())
        allocate_waiting(uow, {**stocks, **uow.stock.lock(elsewhere)} if elsewhere else stocks, policy=policy)
        uow.commit()
    return Counted(changes, taken_back)


@dataclass(frozen=True)
class StockView:
    """On hand, allocated and available for one SKU, with its latest movements."""

    stock: ItemStock
    moves: list[StockMove]


def stock_of(sku: str, *, uow: UnitOfWork, limit: int = 50) -> StockView:
    """One SKU's stock figures and its newest movements first."""
    with uow:
        stock = uow.stock.levels([sku])[sku]
        return StockView(stock, uow.stock.moves(sku, limit=limit))
