"""Shipping: what is allocated leaves, by the order's ship policy, through the ledger."""

from __future__ import annotations

from decimal import Decimal

from pegboard.domain.ledger import MoveKind, StockMove
from pegboard.domain.sales import Shipment
from pegboard.domain.sales import shipped_event as shipped_event
from pegboard.services import books
from pegboard.services.lookup import existing_order
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.valuation import move_stock


def ship_order(order_ref: str, *, tracking: str | None = None, uow: UnitOfWork, clock: Clock) -> Shipment:
    """Ship the allocated quantity (all of it for `partial`; only a whole order for `complete`)."""
    with uow:
        order = existing_order(uow, order_ref)
        stocks = uow.stock.lock(line.sku for line in order.lines)
        order = existing_order(uow, order_ref, lock=True)
        number = uow.orders.shipment_count(order_ref) + 1
        shipment = order.ship(
            shipment_ref=f"{order_ref}-S{number}", on=clock.today(), tracking=tracking or None
        )
        costs: dict[int, Decimal] = {}
        for line in shipment.lines:
            stocks[line.sku].release(line.quantity)
            stocks[line.sku].move(-line.quantity)
            move = StockMove(
                line.sku, -line.quantity, MoveKind.SHIPMENT, shipment.shipped_on, shipment.shipment_ref
            )
            costs[line.line_no] = costs.get(line.line_no, Decimal(0)) - move_stock(uow, move)
        uow.orders.save(order)
        uow.orders.add_shipment(shipment)
        books.book_shipment(uow, order, shipment, costs=costs)
        uow.commit()
    return shipment
