"""Supply: purchase orders and their receipts, manufacturing orders, material checks, new dates."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Query
from fastapi.responses import Response

from pegboard.domain.errors import UnknownSku
from pegboard.entrypoints import render
from pegboard.entrypoints.api.deps import Outcome, PegboardDep, ReaderDep, WriteDep
from pegboard.entrypoints.api.errors import in_lines
from pegboard.entrypoints.api.routing import api_router, json_response
from pegboard.entrypoints.api.schemas import (
    CompleteIn,
    ManufacturingOrderIn,
    ManufacturingOrderOut,
    MaterialCheckOut,
    Positive,
    PurchaseOrderIn,
    PurchaseOrderOut,
    ReceiptIn,
    RescheduleIn,
    RescheduleOut,
    Sku,
    SupplyOut,
)
from pegboard.services import manufacturing, purchasing
from pegboard.services.lookup import existing_mo, existing_po
from pegboard.services.ports import UnitOfWork
from pegboard.views import lists
from pegboard.views.json import day, number
from pegboard.views.stored_plan import plan_state

router = api_router("supply")


@router.post(
    "/purchase-orders",
    status_code=201,
    response_model=PurchaseOrderOut,
    responses={200: {"model": PurchaseOrderOut, "description": "The identical PO already existed"}},
)
def add_purchase_order(body: PurchaseOrderIn, write: WriteDep) -> Response:
    """Store a new PO; the same PO again is a 200, the same ref with other content a 409."""
    po = body.to_purchase_order()

    def work(uow: UnitOfWork) -> Outcome:
        created = purchasing.add_purchase_orders([po], uow=uow)
        with uow:
            stored = existing_po(uow, po.po_ref)
        return Outcome(201 if created else 200, render.purchase_order(stored))

    try:
        return write.run(work)
    except UnknownSku as error:
        located = in_lines(error, [line.sku for line in body.lines])
        if located is error:
            raise
        raise located from error


@router.get("/purchase-orders/{po_ref}", response_model=PurchaseOrderOut)
def get_purchase_order(po_ref: str, uow: ReaderDep) -> Response:
    """One PO with what is expected and what came in."""
    return json_response(render.purchase_order(existing_po(uow, po_ref)))


@router.post("/purchase-orders/{po_ref}/receipts", response_model=PurchaseOrderOut)
def receive(po_ref: str, body: ReceiptIn, write: WriteDep) -> Response:
    """Book a (partial) receipt; the new stock goes to waiting backorders by the policy.

    On a drop-ship PO it is the supplier's confirmation of dispatch: the order's lines ship.
    """

    def work(uow: UnitOfWork) -> Outcome:
        po = purchasing.receive(
            po_ref,
            body.sku,
            body.quantity,
            uow=uow,
            clock=write.clock,
            policy=write.policy(body.policy),
            tracking=body.tracking,
        )
        return Outcome(200, render.purchase_order(po))

    return write.run(work)


@router.post("/supply/{ref}/reschedule", response_model=RescheduleOut)
def reschedule(ref: str, body: RescheduleIn, write: WriteDep) -> Response:
    """Give a PO or MO a new expected date; the change is kept as history and announced."""

    def work(uow: UnitOfWork) -> Outcome:
        old = purchasing.reschedule(ref, body.date, uow=uow, clock=write.clock)
        return Outcome(200, {"ref": ref, "expected_date": day(body.date), "previous_date": day(old)})

    return write.run(work)


@router.get("/supply", response_model=list[SupplyOut])
def list_supply(
    uow: ReaderDep,
    pb: PegboardDep,
    sku: Annotated[Sku | None, Query()] = None,
    include_closed: Annotated[bool, Query(description="Also received and completed ones")] = False,
) -> Response:
    """Open POs and MOs, one row per SKU, earliest expected first; an open MO also with the dates
    its materials allow (`feasible_start`, `feasible_due`) and why they are later (`late_because`), as
    the last plan run kept them (out of date or not, as the supply pages show it); an MO opened
    since, or every MO before any plan run, is dated now. Each dated MO says how old its dates
    are: `plan_as_of` (the stored plan's day, or today when dated now) and `plan_out_of_date`
    (something planning reads changed since that plan: run the plan to bring them up to date)."""
    found = lists.supply(uow.connection, include_closed=include_closed, sku=sku)
    making = {row.ref: row.sku for row in found if row.kind == "mo"}
    today = pb.clock.today()
    stored, now = manufacturing.feasible_dates_by_source(making, uow=uow, today=today)
    found = lists.with_feasible_as_of(found, stored, now, state=plan_state(uow.connection), today=today)
    return json_response([row.to_json() for row in found])


@router.post("/manufacturing-orders", status_code=201, response_model=ManufacturingOrderOut)
def open_manufacturing_order(body: ManufacturingOrderIn, write: WriteDep) -> Response:
    """Open an MO for a make item; the answer lists the components missing today."""

    def work(uow: UnitOfWork) -> Outcome:
        mo = manufacturing.open_manufacturing_order(body.sku, body.quantity, uow=uow, clock=write.clock)
        missing = manufacturing.material_check(body.sku, body.quantity, uow=uow, reserved=mo.reserved)
        return Outcome(201, render.manufacturing_order(mo, missing))

    return write.run(work)


@router.get("/manufacturing-orders/check", response_model=MaterialCheckOut)
def material_check(
    uow: ReaderDep, sku: Annotated[Sku, Query()], quantity: Annotated[Positive, Query()]
) -> Response:
    """Each component missing to make `quantity` of `sku`, through every BOM level."""
    missing = manufacturing.material_check(sku, quantity, uow=uow)
    return json_response({"sku": sku, "quantity": number(quantity), "missing": render.shortages(missing)})


@router.get("/manufacturing-orders/{mo_ref}", response_model=ManufacturingOrderOut)
def get_manufacturing_order(mo_ref: str, uow: ReaderDep) -> Response:
    """One MO with its dates and progress."""
    return json_response(render.manufacturing_order(existing_mo(uow, mo_ref)))


@router.post("/manufacturing-orders/{mo_ref}/complete", response_model=ManufacturingOrderOut)
def complete_manufacturing_order(
    mo_ref: str, write: WriteDep, body: Annotated[CompleteIn | None, Body()] = None
) -> Response:
    """Finish all or part of an MO; refused (409, with the shortages) when materials are missing."""
    chosen = body or CompleteIn()

    def work(uow: UnitOfWork) -> Outcome:
        mo = manufacturing.complete_manufacturing_order(
            mo_ref, chosen.quantity, uow=uow, clock=write.clock, policy=write.policy(chosen.policy)
        )
        return Outcome(200, render.manufacturing_order(mo))

    return write.run(work)
