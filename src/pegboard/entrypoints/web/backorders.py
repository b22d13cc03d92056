"""Backorders (`/backorders`): per SKU, expandable to lines; make what you can, buy what is missing."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pegboard.domain.errors import DomainError
from pegboard.entrypoints.web.auth import EditorDep, PageNotFound, UserDep
from pegboard.entrypoints.web.forms import FieldError
from pegboard.entrypoints.web.inputs import board
from pegboard.entrypoints.web.rendering import Renderer, redirect
from pegboard.entrypoints.web.writes import perform
from pegboard.services import suggestions
from pegboard.services.users import User
from pegboard.views.backorders import BackordersPage, backorder_totals, backorders_by_sku, sku_backorders_page

#: SKUs per page; a SKU's lines are listed on its own page (/backorders/{sku}), which /backorders
#: loads into the SKU's box when it is opened: the figures count them all.
PAGE_SIZE = 50
LINES_SHOWN = 50


def make_router(renderer: Renderer) -> APIRouter:
    """GET /backorders and /backorders/{sku}, POST /backorders/{sku}/make and /backorders/{sku}/buy."""
    router = APIRouter(include_in_schema=False)

    def show(
        request: Request, user: User, errors: tuple[FieldError, ...] = (), status: int = 200, offset: int = 0
    ) -> HTMLResponse:
        pb = board(request)
        today = pb.clock.today()
        offset = max(offset, 0)
        with pb.reader() as uow:
            found = backorders_by_sku(
                uow.connection, today=today, limit=PAGE_SIZE + 1, offset=offset, lines_per_sku=0
            )
            units, skus = backorder_totals(uow.connection)
        more = len(found) > PAGE_SIZE
        page = BackordersPage(
            today, tuple(found[:PAGE_SIZE]), user.can_write, units, skus, offset, PAGE_SIZE, more
        )
        return renderer.page(
            request, "backorders.html", page, title="Backorders", user=user, errors=errors, status=status
        )

    @router.get("/backorders", response_class=HTMLResponse)
    def backorders(request: Request, user: UserDep, offset: int = 0) -> HTMLResponse:
        """What waits, per SKU, the oldest wait first."""
        return show(request, user, offset=offset)

    @router.get("/backorders/{sku}", response_class=HTMLResponse)
    def backorders_of(request: Request, sku: str, user: UserDep) -> HTMLResponse:
        """One SKU's backorders and its oldest waiting lines (for htmx, only the lines)."""
        pb = board(request)
        with pb.reader() as uow:
            page = sku_backorders_page(
                uow.connection,
                today=pb.clock.today(),
                sku=sku,
                lines_per_sku=LINES_SHOWN,
                can_write=user.can_write,
            )
        if page is None:
            raise PageNotFound(f"No item has the SKU {sku}.")
        return renderer.page(request, "backorder.html", page, title=f"Backorders of {sku}", user=user)

    @router.post("/backorders/{sku}/make", response_class=HTMLResponse)
    def make(request: Request, sku: str, user: EditorDep) -> Response:
        """Open the MOs the plan suggests for this SKU."""
        pb = board(request)
        try:
            run = perform(
                pb,
                user,
                "make what you can",
                sku,
                lambda tx: suggestions.make_what_you_can(sku, uow=tx, clock=pb.clock),
            )
        except DomainError as refused:
            return show(request, user, (FieldError(f"sku-{sku}", refused.message),), 422)
        return redirect("/backorders", flash=f"{sku}: opened {', '.join(run.created)}.")

    @router.post("/backorders/{sku}/buy", response_class=HTMLResponse)
    def buy(request: Request, sku: str, user: EditorDep) -> Response:
        """Order what the plan suggests buying for this SKU and its components."""
        pb = board(request)
        try:
            run = perform(
                pb,
                user,
                "buy what is missing",
                sku,
                lambda tx: suggestions.buy_what_is_missing(sku, uow=tx, clock=pb.clock),
            )
        except DomainError as refused:
            return show(request, user, (FieldError(f"sku-{sku}", refused.message),), 422)
        made = ", ".join(run.created) or "nothing"
        skipped = f" Not ordered: {'; '.join(run.skipped)}." if run.skipped else ""
        return redirect("/backorders", flash=f"{sku}: ordered {made}.{skipped}")

    return router
