"""Stock (`/items`, `/items/{sku}`): figures per item; an item's ledger, BOM, projection and count."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pegboard.domain.errors import DomainError
from pegboard.entrypoints.web.auth import EditorDep, PageNotFound, UserDep
from pegboard.entrypoints.web.forms import FieldError, FormData, FormDep
from pegboard.entrypoints.web.inputs import board, quantity_in
from pegboard.entrypoints.web.rendering import Renderer, redirect
from pegboard.entrypoints.web.writes import perform
from pegboard.services import holds, learning, stock, users
from pegboard.services.users import User
from pegboard.views.item_page import ItemPage, item_detail
from pegboard.views.items import ItemsPage, item_rows
from pegboard.views.wording import quantity_words

PAGE_SIZE = 100


def make_router(renderer: Renderer) -> APIRouter:
    """GET /items, GET /items/{sku}, GET /items/{sku}/forecast, POST /items/{sku}/count,
    POST /items/{sku}/holds/{quote_id}/release."""
    router = APIRouter(include_in_schema=False)

    @router.get("/items", response_class=HTMLResponse)
    def items(request: Request, user: UserDep, q: str = "", short: str = "", offset: int = 0) -> HTMLResponse:
        """Items by SKU with on hand, allocated, available, incoming, safety stock and shortage."""
        pb = board(request)
        offset = max(offset, 0)
        with pb.reader() as uow:
            rows = item_rows(
                uow.connection, search=q or None, short_only=bool(short), limit=PAGE_SIZE + 1, offset=offset
            )
        page = ItemsPage(tuple(rows[:PAGE_SIZE]), q, bool(short), offset, PAGE_SIZE, len(rows) > PAGE_SIZE)
        return renderer.page(request, "items.html", page, title="Stock", user=user)

    def item_page(
        request: Request,
        user: User,
        sku: str,
        *,
        errors: tuple[FieldError, ...] = (),
        form: FormData | None = None,
    ) -> HTMLResponse:
        pb = board(request)
        today = pb.clock.today()
        with pb.reader() as uow:
            found = item_detail(uow.connection, sku, today=today)
        if found is None:
            raise PageNotFound(f"No item has the SKU {sku}.")
        history = tuple(users.actions(sku, uow=pb.reader()))
        page = ItemPage(
            today, found, user.can_write, form.values() if form else {}, history, now=pb.clock.now()
        )
        return renderer.page(request, "item.html", page, title=sku, user=user, errors=errors)

    @router.get("/items/{sku}", response_class=HTMLResponse)
    def item(request: Request, sku: str, user: UserDep) -> HTMLResponse:
        """One item: figures, projection, ledger, BOM and where it is used; the forecast loads after."""
        return item_page(request, user, sku)

    @router.get("/items/{sku}/forecast", response_class=HTMLResponse)
    def item_forecast(request: Request, sku: str, user: UserDep) -> HTMLResponse:
        """The item's demand forecast with its history, and its projected stock less the forecast
        demand (for htmx, only the forecast panel and the projected stock chart, swapped in)."""
        pb = board(request)
        today = pb.clock.today()
        with pb.reader() as uow:
            found = item_detail(uow.connection, sku, today=today, projection_only=True)
        if found is None:
            raise PageNotFound(f"No item has the SKU {sku}.")
        (demand,) = learning.demand_forecasts(sku, uow=pb.reader(), today=today, bucket="week", horizon=8)
        page = ItemPage(today, found, user.can_write, {}, forecast=demand, now=pb.clock.now())
        return renderer.page(request, "item_forecast.html", page, title=f"{sku} forecast", user=user)

    @router.post("/items/{sku}/count", response_class=HTMLResponse)
    def count(request: Request, sku: str, user: EditorDep, form: FormDep) -> Response:
        """A stock count: on hand becomes what was counted; the ledger keeps the difference."""
        pb = board(request)
        errors: list[FieldError] = []
        counted = quantity_in(form, "counted", errors, allow_zero=True)
        reason = form.get("reason") or "count"
        if counted is None:
            return item_page(request, user, sku, errors=tuple(errors), form=form)
        try:
            changes = perform(
                pb,
                user,
                "count",
                sku,
                lambda tx: stock.count_stock(
                    {sku: counted}, reason=reason, uow=tx, clock=pb.clock, policy=pb.policy
                ),
                detail=quantity_words(counted),
            )
        except DomainError as refused:
            return item_page(request, user, sku, errors=(FieldError("counted", refused.message),), form=form)
        moved = changes.get(sku)
        said = "no change" if moved is None else f"{'+' if moved > 0 else ''}{quantity_words(moved)}"
        return redirect(f"/items/{sku}", flash=f"{sku} counted: {quantity_words(counted)} on hand ({said}).")

    @router.post("/items/{sku}/holds/{quote_id}/release", response_class=HTMLResponse)
    def release(request: Request, sku: str, quote_id: str, user: EditorDep) -> Response:
        """End a quote's hold early: its stock goes to the lines waiting for it, else back to available."""
        pb = board(request)
        try:
            freed = perform(
                pb,
                user,
                "release hold",
                sku,
                lambda tx: holds.release_hold(quote_id, uow=tx, clock=pb.clock),
                detail=quote_id,
            )
        except DomainError as refused:
            return redirect(f"/items/{sku}", flash=refused.message)
        said = ", ".join(f"{quantity_words(q)} {s}" for s, q in sorted(freed.items()))
        return redirect(f"/items/{sku}", flash=f"Hold of quote {quote_id} released ({said}).")

    return router
