"""What history teaches, as `pegboard suppliers`, `forecast` and `reorder-points --json` print it.

Viewers read supplier reliability, forecasts and proposed reorder points; operators (and admins)
apply the proposals (all or nothing) and set an item's own service level, recorded with the
token's name as who did it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from pegboard.domain.errors import InvalidValue, UnknownReference, UnknownSku
from pegboard.domain.limits import SKU
from pegboard.entrypoints.api.deps import Outcome, PegboardDep, ReaderDep, WriteDep
from pegboard.entrypoints.api.routing import api_router, json_response
from pegboard.entrypoints.api.schemas import (
    ForecastOut,
    ReorderPointOut,
    ServiceLevelIn,
    ServiceLevelOut,
    SupplierReliabilityOut,
)
from pegboard.entrypoints.api.transactions import SharedTransaction
from pegboard.services import learning
from pegboard.services.ports import UnitOfWork
from pegboard.views import learning as learned_views

router = api_router("learning")

ServiceLevelQuery = Annotated[
    float | None,
    Query(
        gt=0,
        lt=1,
        description="Share of replenishment cycles without a stockout, e.g. 0.95 (default: the setting)",
    ),
]


def _shared(uow: UnitOfWork) -> SharedTransaction:
    """The writer's unit of work, which also holds the learning history and who did what."""
    assert isinstance(uow, SharedTransaction)
    return uow


@router.get("/suppliers/reliability", response_model=list[SupplierReliabilityOut])
def supplier_reliability(uow: ReaderDep) -> Response:
    """Each supplier's on-time rate, lateness and real lead time from its receipts, with its items'."""
    figures = learning.supplier_figures(uow=uow)
    return json_response(learned_views.suppliers(figures.suppliers, figures.items))


@router.get("/forecasts", response_model=list[ForecastOut])
def forecasts(
    uow: ReaderDep,
    pb: PegboardDep,
    sku: Annotated[
        str | None, Query(max_length=SKU, description="One SKU (default: every SKU with orders)")
    ] = None,
    weeks: Annotated[int, Query(ge=1, le=52, description="How many weeks ahead")] = 8,
    daily: Annotated[bool, Query(description="Daily buckets instead of weekly")] = False,
) -> Response:
    """Demand forecast per SKU by the model a rolling backtest picks; 422 naming `sku` or `weeks`."""
    bucket, horizon = ("day", weeks * 7) if daily else ("week", weeks)
    try:
        found = learning.demand_forecasts(
            sku, uow=uow, today=pb.clock.today(), bucket=bucket, horizon=horizon
        )
    except UnknownReference as unknown:
        # A query parameter, not a resource in the path: bad input (422), not "not found".
        raise InvalidValue("sku", unknown.ref, "is not known") from unknown
    return json_response([learned_views.forecast(f) for f in found])


@router.get("/reorder-points", response_model=list[ReorderPointOut])
def reorder_points(uow: ReaderDep, pb: PegboardDep, service_level: ServiceLevelQuery = None) -> Response:
    """Current and proposed safety stock and reorder point per item, and the effect; writes nothing."""
    level = _level(service_level, pb.settings.service_level)
    proposals = learning.reorder_points(uow=uow, today=pb.clock.today(), service_level=level)
    return json_response([learned_views.reorder_point(p) for p in proposals])


@router.post("/reorder-points/apply", response_model=list[ReorderPointOut])
def apply_reorder_points(write: WriteDep, service_level: ServiceLevelQuery = None) -> Response:
    """Write every proposal that changes an item, all or nothing, recorded with the token's name."""
    level = _level(service_level, write.pb.settings.service_level)
    day = write.clock.today()

    def work(uow: UnitOfWork) -> Outcome:
        tx = _shared(uow)
        proposals = learning.reorder_points(uow=tx, today=day, service_level=level)
        changed = learning.apply_reorder_points(
            uow=tx, today=day, service_level=level, actor=write.caller.name
        )
        written = {c.sku for c in changed}
        return Outcome(200, [learned_views.reorder_point(p, applied=p.sku in written) for p in proposals])

    return write.run(work)


@router.put("/items/{sku}/service-level", response_model=ServiceLevelOut)
def set_service_level(sku: str, body: ServiceLevelIn, write: WriteDep) -> Response:
    """Give one item its own target service level (null: the shop's setting); 404 for an unknown SKU."""
    level = None if body.service_level is None else learning.valid_service_level(body.service_level)

    def work(uow: UnitOfWork) -> Outcome:
        try:
            learning.set_service_level(sku, level, uow=_shared(uow), actor=write.caller.name)
        except UnknownSku as unknown:
            raise UnknownSku(sku, field="sku") from unknown
        return Outcome(200, {"sku": sku, "service_level": level})

    return write.run(work)


def _level(asked: float | None, setting: float) -> float:
    """The service level asked for (checked, naming `service_level`), else the shop's setting."""
    return setting if asked is None else learning.valid_service_level(asked, field="service_level")
