"""The KPIs: `GET /api/v1/kpis`, the same figures and keys as `pegboard kpis --json`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from pegboard.domain.errors import InvalidValue, UnknownReference
from pegboard.domain.limits import SKU, SUPPLIER_NAME
from pegboard.entrypoints.api.deps import PegboardDep, ReaderDep
from pegboard.entrypoints.api.routing import api_router, json_response
from pegboard.views import kpis as kpi_views

router = api_router("kpis")


@router.get("/kpis")
def kpis(
    uow: ReaderDep,
    pb: PegboardDep,
    start: Annotated[
        date | None, Query(alias="from", description="First day of the period (default: 29 days before `to`)")
    ] = None,
    end: Annotated[
        date | None, Query(alias="to", description="Last day of the period (default: today)")
    ] = None,
    sku: Annotated[str | None, Query(max_length=SKU, description="Only this SKU's lines")] = None,
    supplier: Annotated[
        str | None, Query(max_length=SUPPLIER_NAME, description="Only this supplier's items and POs")
    ] = None,
) -> Response:
    """Open backorders now and the period's rates and percentiles; 422 naming `from`, `sku` or `supplier`."""
    try:
        report = kpi_views.kpis(
            uow.connection, today=pb.clock.today(), start=start, end=end, sku=sku, supplier=supplier
        )
    except UnknownReference as unknown:
        # A query parameter, not a resource in the path: bad input (422), not "not found".
        raise InvalidValue(unknown.field or "sku", unknown.ref, "is not known") from unknown
    return json_response(kpi_views.kpis_json(report))
