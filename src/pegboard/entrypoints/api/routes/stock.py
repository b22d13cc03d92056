"""Stock: count a SKU (the difference is a ledger movement) and look at its figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from pegboard.domain.quantities import ZERO
from pegboard.entrypoints import render
from pegboard.entrypoints.api.deps import Outcome, ReaderDep, WriteDep
from pegboard.entrypoints.api.routing import api_router, json_response
from pegboard.entrypoints.api.schemas import CountIn, CountOut, StockOut
from pegboard.services import stock
from pegboard.services.ports import UnitOfWork
from pegboard.views.json import number
from pegboard.views.models import StockFigures

router = api_router("stock")


@router.post("/stock/{sku}/count", response_model=CountOut)
def count_stock(sku: str, body: CountIn, write: WriteDep) -> Response:
    """Set on hand to the counted quantity; the difference is written with the reason.

    A count below what orders hold takes stock back from the newest of them (by the policy):
    `taken_back` lists each order line that lost stock and is on backorder again.
    """

    def work(uow: UnitOfWork) -> Outcome:
        counted = stock.count(
            {sku: body.quantity},
            reason=body.reason,
            uow=uow,
            clock=write.clock,
            policy=write.policy(body.policy),
        )
        return Outcome(
            200,
            {
                "sku": sku,
                "quantity": number(body.quantity),
                "change": number(counted.changes.get(sku, ZERO)),
                "reason": body.reason,
                "taken_back": [render.taken_back(taken) for taken in counted.taken_back],
            },
        )

    return write.run(work)


@router.get("/stock/{sku}", response_model=StockOut)
def get_stock(
    sku: str,
    uow: ReaderDep,
    limit: Annotated[int, Query(ge=1, le=500, description="How many movements, newest first")] = 50,
) -> Response:
    """On hand, allocated and available for a SKU, with its newest movements first."""
    return json_response(StockFigures.of(sku, stock.stock_of(sku, uow=uow, limit=limit)).to_json())
