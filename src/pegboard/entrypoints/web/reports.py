"""Reports (`/reports`): the KPIs over a period, for all items, a SKU or a supplier, with charts."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import InvalidValue, UnknownReference
from pegboard.entrypoints.web.auth import UserDep
from pegboard.entrypoints.web.forms import FieldError
from pegboard.entrypoints.web.rendering import Renderer
from pegboard.views.kpis import kpis
from pegboard.views.reports_page import ReportsPage

FIELDS = ("from", "to", "sku", "supplier")


def _day(values: dict[str, str], name: str, errors: list[FieldError]) -> date | None:
    text = values.get(name, "")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(name, f"Enter the {name} date as YYYY-MM-DD, for example 2026-11-02"))
        return None


def make_router(renderer: Renderer) -> APIRouter:
    """GET /reports."""
    router = APIRouter(include_in_schema=False)

    @router.get("/reports", response_class=HTMLResponse)
    def reports(request: Request, user: UserDep) -> HTMLResponse:
        """The KPIs for the period and scope in the query; a bad field is shown beside it (422)."""
        pb: Pegboard = request.app.state.pegboard
        values = {name: request.query_params.get(name, "").strip()[:200] for name in FIELDS}
        errors: list[FieldError] = []
        start, end = _day(values, "from", errors), _day(values, "to", errors)
        report = None
        if not errors:
            try:
                with pb.reader() as uow:
                    report = kpis(
                        uow.connection,
                        today=pb.clock.today(),
                        start=start,
                        end=end,
                        sku=values["sku"] or None,
                        supplier=values["supplier"] or None,
                    )
            except InvalidValue as bad:
                errors.append(FieldError(bad.field, f"The {bad.field.capitalize()} date {bad.reason}"))
            except UnknownReference as unknown:
                name = unknown.field or "sku"
                errors.append(
                    FieldError(name, f"There is no {name.upper() if name == 'sku' else name} {unknown.ref!r}")
                )
        page = ReportsPage(today=pb.clock.today(), kpis=report, values=values)
        return renderer.page(request, "reports.html", page, title="Reports", user=user, errors=errors)

    return router
