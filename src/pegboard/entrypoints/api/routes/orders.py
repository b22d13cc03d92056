"""Sales orders: place (idempotent by ref), list, look up, ship, cancel; and open backorders."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Body, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from pegboard.domain.errors import UnknownOrder, UnknownSku
from pegboard.domain.sales import OrderStatus
from pegboard.entrypoints import render
from pegboard.entrypoints.api.deps import Outcome, PegboardDep, ReaderDep, WriteDep
from pegboard.entrypoints.api.errors import in_lines
from pegboard.entrypoints.api.routing import api_router, json_response, paged
from pegboard.entrypoints.api.schemas import (
    BackorderOut,
    CancelIn,
    OrderIn,
    OrderOut,
    PreorderOut,
    ReleasedOut,
    ReleaseIn,
    ShipIn,
    ShipmentOut,
    Sku,
)
from pegboard.services import orders, preorders, shipping
from pegboard.services.ports import UnitOfWork
from pegboard.views import lists
from pegboard.views.json import number
from pegboard.views.models import OrderView

router = api_router("orders")

MAX_PAGE = 500
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"At most this many (1 to {MAX_PAGE})")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many first")]


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderOut,
    responses={200: {"model": OrderOut, "description": "The identical order already existed"}},
)
async def place_order(body: OrderIn, write: WriteDep) -> Response:
    """Allocate what is in stock at once and backorder the rest; the same order again is a 200."""
    draft = body.to_draft()

    def work(uow: UnitOfWork) -> Outcome:
        placed = orders.place_order(draft, uow=uow, clock=write.clock)
        return Outcome(201 if placed.created else 200, OrderView.of(placed.order).to_json())

    try:
        if write.idempotency is not None:
            return await run_in_threadpool(write.run, work)
        # Without a key there is no stored answer to keep: the order can share a transaction
        # with the orders arriving at the same moment (group commit, services/intake.py); the
        # request waits for it on the event loop, not in a worker thread.
        placed = await asyncio.wrap_future(write.intake.submit(draft))
        return json_response(OrderView.of(placed.order).to_json(), status=201 if placed.created else 200)
    except UnknownSku as error:
        located = in_lines(error, [line.sku for line in body.lines])
        if located is error:
            raise
        raise located from error


@router.get("/orders", response_model=list[OrderOut])
def list_orders(
    request: Request,
    uow: ReaderDep,
    status: Annotated[OrderStatus | None, Query()] = None,
    sku: Annotated[Sku | None, Query(description="Only orders with a line for this SKU")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Orders oldest first, filtered by status and SKU; a Link header points to the next page."""
    found = lists.orders(
        uow.connection, status=status.value if status else None, sku=sku, limit=limit + 1, offset=offset
    )
    return paged(request, [row.to_json() for row in found], limit=limit, offset=offset)


@router.get("/orders/{order_ref}", response_model=OrderOut)
def get_order(order_ref: str, uow: ReaderDep) -> Response:
    """One order with its lines; 404 when the ref is unknown."""
    found = lists.orders(uow.connection, order_ref=order_ref, limit=1)
    if not found:
        raise UnknownOrder(order_ref, field="order_ref")
    return json_response(found[0].to_json())


@router.post("/orders/{order_ref}/ship", status_code=201, response_model=ShipmentOut)
def ship_order(order_ref: str, write: WriteDep, body: Annotated[ShipIn | None, Body()] = None) -> Response:
    """Ship what is allocated, by the order's ship policy; refused (409) when nothing may leave."""
    tracking = body.tracking if body else None

    def work(uow: UnitOfWork) -> Outcome:
        shipment = shipping.ship_order(order_ref, tracking=tracking, uow=uow, clock=write.clock)
        return Outcome(201, render.shipment(shipment))

    return write.run(work)


@router.post("/orders/{order_ref}/cancel", response_model=OrderOut)
def cancel_order(
    order_ref: str, write: WriteDep, body: Annotated[CancelIn | None, Body()] = None
) -> Response:
    """Cancel the order, or one SKU's remainder; freed stock goes to the next waiting lines."""
    chosen = body or CancelIn()

    def work(uow: UnitOfWork) -> Outcome:
        order = orders.cancel_order(
            order_ref, chosen.sku, uow=uow, clock=write.clock, policy=write.policy(chosen.policy)
        )
        return Outcome(200, OrderView.of(order).to_json())

    return write.run(work)


@router.get("/backorders", response_model=list[BackorderOut])
def list_backorders(
    request: Request,
    uow: ReaderDep,
    pb: PegboardDep,
    sku: Annotated[Sku | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Open backorders, oldest first, with their age in days."""
    found = lists.backorders(uow.connection, today=pb.clock.today(), sku=sku, limit=limit + 1, offset=offset)
    return paged(request, [row.to_json() for row in found], limit=limit, offset=offset)


@router.get("/preorders", response_model=list[PreorderOut])
def list_preorders(
    request: Request,
    uow: ReaderDep,
    pb: PegboardDep,
    sku: Annotated[Sku | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Open preorders, earliest release first; they are never counted as backorders."""
    found = lists.preorders(uow.connection, today=pb.clock.today(), sku=sku, limit=limit + 1, offset=offset)
    return paged(request, [row.to_json() for row in found], limit=limit, offset=offset)


@router.post("/preorders/release", response_model=list[ReleasedOut])
def release_preorders(write: WriteDep, body: Annotated[ReleaseIn | None, Body()] = None) -> Response:
    """Hand stock on hand to the preorders whose release date has come, by the allocation policy."""
    chosen = body or ReleaseIn()

    def work(uow: UnitOfWork) -> Outcome:
        granted = preorders.release_preorders(uow=uow, clock=write.clock, policy=write.policy(chosen.policy))
        return Outcome(
            200,
            [
                {
                    "order_ref": g.order_ref,
                    "line_no": g.line_no,
                    "sku": g.sku,
                    "quantity": number(g.quantity),
                    "reason": g.reason,
                }
                for g in granted
            ],
        )

    return write.run(work)
