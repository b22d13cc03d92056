"""Purchasing (`/purchasing`, `/purchase-orders/{ref}`): suggestions per supplier turned into POs in
one action, open POs with late ones marked, receipts, and reschedules previewed before saving."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pegboard.domain.errors import DomainError
from pegboard.entrypoints.web.auth import EditorDep, PageNotFound, UserDep
from pegboard.entrypoints.web.forms import FieldError, FormData, FormDep
from pegboard.entrypoints.web.inputs import board, date_in, quantity_in
from pegboard.entrypoints.web.plans import shown_plan
from pegboard.entrypoints.web.rendering import Renderer, redirect
from pegboard.entrypoints.web.writes import perform
from pegboard.services import purchasing, suggestions, users
from pegboard.services.rescheduling import ReschedulePreview, preview_reschedule
from pegboard.services.users import User
from pegboard.views.po_page import PoPage
from pegboard.views.purchasing import (
    PurchasingPage,
    numbered_forms,
    open_purchase_orders,
    purchase_order,
    suggestions_by_supplier,
)
from pegboard.views.wording import long_date, quantity_words

#: Open POs per page, the earliest expected first.
OPEN_POS_PAGE = 50


def make_router(renderer: Renderer) -> APIRouter:
    """The purchasing pages and the PO actions."""
    router = APIRouter(include_in_schema=False)

    def purchasing_page(
        request: Request,
        user: User,
        *,
        offset: int = 0,
        errors: tuple[FieldError, ...] = (),
        form: FormData | None = None,
    ) -> HTMLResponse:
        pb = board(request)
        today = pb.clock.today()
        # Only the plan's suggestions are shown here: none of its production queue is read.
        state, result = shown_plan(pb, queue=slice(0, 0))
        with pb.reader() as uow:
            groups = suggestions_by_supplier(uow.connection, result)
            pos = open_purchase_orders(uow.connection, today=today, limit=OPEN_POS_PAGE + 1, offset=offset)
        page = PurchasingPage(
            today,
            numbered_forms(groups),
            tuple(pos[:OPEN_POS_PAGE]),
            user.can_write,
            form.values() if form else {},
            state,
            offset=offset,
            limit=OPEN_POS_PAGE,
            more=len(pos) > OPEN_POS_PAGE,
        )
        return renderer.page(
            request,
            "purchasing.html",
            page,
            title="Purchasing",
            user=user,
            errors=errors,
        )

    def po_page(
        request: Request,
        user: User,
        ref: str,
        *,
        errors: tuple[FieldError, ...] = (),
        form: FormData | None = None,
        preview: ReschedulePreview | None = None,
    ) -> HTMLResponse:
        pb = board(request)
        today = pb.clock.today()
        with pb.reader() as uow:
            po = purchase_order(uow.connection, ref, today=today)
        if po is None:
            raise PageNotFound(f"There is no purchase order {ref}.")
        history = tuple(users.actions(ref, uow=pb.reader()))
        page = PoPage(today, po, user.can_write, form.values() if form else {}, preview, history)
        return renderer.page(
            request,
            "purchase_order.html",
            page,
            title=ref,
            user=user,
            errors=errors,
        )

    @router.get("/purchasing", response_class=HTMLResponse)
    def purchasing_(request: Request, user: UserDep, offset: int = 0) -> HTMLResponse:
        """Suggested purchases per supplier and the open POs, a page at a time."""
        return purchasing_page(request, user, offset=max(offset, 0))

    @router.post("/purchasing/order", response_class=HTMLResponse)
    def order(request: Request, user: EditorDep, form: FormDep) -> Response:
        """Every supplier's suggested lines, with the quantities as edited, become POs at once."""
        pb = board(request)
        errors: list[FieldError] = []
        quantities: dict[tuple[str, str], Decimal] = {}
        n = 1
        while form.get(f"sku-{n}"):
            quantity = quantity_in(form, f"qty-{n}", errors, allow_zero=True)
            if quantity is not None:
                quantities[(form.get(f"supplier-{n}"), form.get(f"sku-{n}"))] = quantity
            n += 1
        if errors:
            return purchasing_page(request, user, errors=tuple(errors), form=form)
        try:
            created = perform(
                pb,
                user,
                "order suggestions",
                ",".join(sorted({s for s, _ in quantities})),
                lambda tx: suggestions.order_suggested(quantities, uow=tx, clock=pb.clock),
            )
        except DomainError as refused:
            return purchasing_page(request, user, errors=(FieldError("qty-1", refused.message),), form=form)
        return redirect("/purchasing", flash=f"Created {', '.join(created)}.")

    @router.get("/purchase-orders/{ref}", response_class=HTMLResponse)
    def purchase_order_page(request: Request, ref: str, user: UserDep) -> HTMLResponse:
        """One PO: lines, receipts, reschedule history, and its forms."""
        return po_page(request, user, ref)

    @router.post("/purchase-orders/{ref}/receive", response_class=HTMLResponse)
    def receive(request: Request, ref: str, user: EditorDep, form: FormDep) -> Response:
        """A (partial) receipt of one SKU; the stock goes to waiting backorders by the policy."""
        pb = board(request)
        errors: list[FieldError] = []
        sku = form.get("sku")
        quantity = quantity_in(form, "quantity", errors)
        if quantity is None:
            return po_page(request, user, ref, errors=tuple(errors), form=form)
        try:
            perform(
                pb,
                user,
                "receive",
                ref,
                lambda tx: purchasing.receive(ref, sku, quantity, uow=tx, clock=pb.clock, policy=pb.policy),
                detail=f"{quantity_words(quantity)} {sku}",
            )
        except DomainError as refused:
            return po_page(request, user, ref, errors=(FieldError("quantity", refused.message),), form=form)
        return redirect(
            f"/purchase-orders/{ref}", flash=f"Received {quantity_words(quantity)} {sku} on {ref}."
        )

    @router.post("/purchase-orders/{ref}/preview", response_class=HTMLResponse)
    def preview(request: Request, ref: str, user: EditorDep, form: FormDep) -> Response:
        """What the new date would do to promises and customers; nothing is written."""
        pb = board(request)
        errors: list[FieldError] = []
        new_date = date_in(form, "new_date", errors)
        if new_date is None:
            return po_page(request, user, ref, errors=tuple(errors), form=form)
        try:
            found = preview_reschedule(ref, new_date, uow=pb.uow(), today=pb.clock.today())
        except DomainError as refused:
            return po_page(request, user, ref, errors=(FieldError("new_date", refused.message),), form=form)
        return po_page(request, user, ref, form=form, preview=found)

    @router.post("/purchase-orders/{ref}/reschedule", response_class=HTMLResponse)
    def reschedule(request: Request, ref: str, user: EditorDep, form: FormDep) -> Response:
        """Save the new expected date; the orders it serves are promised again."""
        pb = board(request)
        errors: list[FieldError] = []
        new_date = date_in(form, "new_date", errors)
        if new_date is None:
            return po_page(request, user, ref, errors=tuple(errors), form=form)
        try:
            perform(
                pb,
                user,
                "reschedule",
                ref,
                lambda tx: purchasing.reschedule(ref, new_date, uow=tx, clock=pb.clock),
                detail=new_date.isoformat(),
            )
        except DomainError as refused:
            return po_page(request, user, ref, errors=(FieldError("new_date", refused.message),), form=form)
        return redirect(f"/purchase-orders/{ref}", flash=f"{ref} is now expected {long_date(new_date)}.")

    return router
