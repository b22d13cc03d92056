"""Sales orders: the ranked list, a new order, one order's page and its actions.

Reads go through `views/`, writes through `services/` (via `writes.perform`, which records who
did it), each POST answered with a redirect (POST-redirect-GET) or, when refused, the page
again with status 422 and the error beside its field.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import DomainError, DuplicateRef, InvalidValue, UnknownSku
from pegboard.domain.sales import ShipPolicy
from pegboard.entrypoints.api.transactions import SharedTransaction
from pegboard.entrypoints.web.auth import EditorDep, PageNotFound, UserDep
from pegboard.entrypoints.web.forms import FieldError, FormData, FormDep, error_for
from pegboard.entrypoints.web.rendering import Renderer, redirect
from pegboard.entrypoints.web.writes import perform
from pegboard.services import order_terms, orders, parsing, shipping, status_links
from pegboard.services.users import User
from pegboard.views.order_detail import OrderDetail, PackingSlip, order_detail
from pegboard.views.orders_page import (
    NEW_ORDER_LINES,
    OrderFilters,
    new_order_page,
    orders_page,
)
from pegboard.views.web import ConfirmPage
from pegboard.views.wording import quantity_words

Text = Annotated[str, Query(max_length=200)]


def make_router(renderer: Renderer) -> APIRouter:
    """/orders, /orders/new, /orders/{ref} and the order's actions."""
    router = APIRouter(include_in_schema=False)

    @router.get("/orders", response_class=HTMLResponse)
    def order_list(
        request: Request,
        user: UserDep,
        status: Text = "active",
        sku: Text = "",
        customer: Text = "",
        q: Text = "",
        backordered: Text = "",
        after: Text = "",
    ) -> HTMLResponse:
        """Orders ranked by priority then date, filtered, 50 to a page."""
        pb: Pegboard = request.app.state.pegboard
        filters = OrderFilters(
            status.strip() or "active", sku.strip(), customer.strip(), q.strip(), bool(backordered), after
        )
        with pb.reader() as uow:
            page = orders_page(uow.connection, filters, today=pb.clock.today(), can_write=user.can_write)
        return renderer.page(request, "orders.html", page, title="Orders", user=user)

    def new_order_form(
        request: Request, user: User, values: dict[str, str], errors: list[FieldError] | None = None
    ) -> HTMLResponse:
        pb: Pegboard = request.app.state.pegboard
        with pb.reader() as uow:
            page = new_order_page(uow.connection, values)
        return renderer.page(
            request, "order_new.html", page, title="New order", user=user, errors=errors or ()
        )

    @router.get("/orders/new", response_class=HTMLResponse)
    def new_order(request: Request, user: EditorDep) -> HTMLResponse:
        """The form for an order taken by phone or at the counter."""
        return new_order_form(request, user, {"ship_policy": "partial", "priority": "0"})

    @router.post("/orders/new", response_class=HTMLResponse)
    def place(request: Request, user: EditorDep, form: FormDep) -> Response:
        """Place the order: stock is reserved at once, the rest goes on backorder."""
        pb: Pegboard = request.app.state.pegboard
        draft, errors = _draft(form)
        if draft is None:
            return new_order_form(request, user, form.values(), errors)
        try:
            placed = perform(
                pb,
                user,
                "placed order",
                draft.order_ref,
                lambda tx: orders.place_order(draft, uow=tx, clock=pb.clock),
            )
        except DomainError as error:
            return new_order_form(request, user, form.values(), [_placing_error(error, draft)])
        order = placed.order
        waiting = sum((line.backordered_quantity for line in order.lines), Decimal(0))
        flash = f"Order {order.order_ref} placed."
        if waiting:
            flash += f" {quantity_words(waiting)} unit(s) on backorder."
        return redirect(f"/orders/{quote(order.order_ref)}", flash=flash)

    def order_view(
        request: Request, user: User, ref: str, errors: list[FieldError] | None = None
    ) -> HTMLResponse:
        pb: Pegboard = request.app.state.pegboard
        with pb.reader() as uow:
            history = uow.users.actions(ref)
            page = order_detail(
                uow.connection, ref, today=pb.clock.today(), history=history, can_write=user.can_write
            )
        if page is None:
            raise PageNotFound(f"There is no order {ref}.", user)
        errors = [_shown(error, page) for error in errors or ()]
        return renderer.page(
            request, "order.html", page, title=f"Order {ref}", user=user, errors=errors or ()
        )

    @router.get("/orders/{ref}", response_class=HTMLResponse)
    def order(request: Request, ref: str, user: UserDep) -> HTMLResponse:
        """One order: lines, promises and what they rest on, shipments, messages, actions."""
        return order_view(request, user, ref)

    def act(
        request: Request,
        user: User,
        ref: str,
        action: str,
        field: str,
        work: Callable[[SharedTransaction], object],
    ) -> Response | None:
        """Run a write for the order; the order page with the error when refused, else None."""
        pb: Pegboard = request.app.state.pegboard
        try:
            perform(pb, user, action, ref, work)
        except DomainError as error:
            return order_view(request, user, ref, [error_for(error, {}, default=field)])
        return None

    @router.post("/orders/{ref}/ship", response_class=HTMLResponse)
    def ship(request: Request, ref: str, user: EditorDep, form: FormDep) -> Response:
        """Ship what is reserved (by the ship policy), with an optional tracking number."""
        pb: Pegboard = request.app.state.pegboard
        tracking = form.get("tracking")[:200] or None
        found: list[str] = []

        def work(tx: SharedTransaction) -> None:
            shipment = shipping.ship_order(ref, tracking=tracking, uow=tx, clock=pb.clock)
            found.append(shipment.shipment_ref)

        refused = act(request, user, ref, "shipped", "tracking", work)
        return refused or redirect(f"/orders/{quote(ref)}", flash=f"Shipped {found[0]}.")

    @router.get("/orders/{ref}/cancel", response_class=HTMLResponse)
    def confirm_cancel(request: Request, ref: str, user: EditorDep, sku: Text = "") -> HTMLResponse:
        """Ask once before cancelling the order (or one SKU's remainder)."""
        what = f"the rest of {sku} on order {ref}" if sku else f"order {ref}"
        page = ConfirmPage(
            heading=f"Cancel {what}?",
            message="Reserved stock goes back to the shelf for the next waiting order; the customer is told.",
            action=f"/orders/{quote(ref)}/cancel",
            button="Yes, cancel the line" if sku else "Yes, cancel the order",
            back=f"/orders/{quote(ref)}",
            fields=(("sku", sku),) if sku else (),
        )
        return renderer.page(request, "confirm.html", page, title=f"Cancel {ref}", user=user)

    @router.post("/orders/{ref}/cancel", response_class=HTMLResponse)
    def cancel(request: Request, ref: str, user: EditorDep, form: FormDep) -> Response:
        """Cancel the order, or one SKU's remainder; its reserved stock goes to the next in line."""
        pb: Pegboard = request.app.state.pegboard
        sku = form.get("sku") or None

        def work(tx: SharedTransaction) -> None:
            orders.cancel_order(ref, sku, uow=tx, clock=pb.clock, policy=pb.policy)

        refused = act(request, user, ref, "cancelled " + (sku or "order"), "actions", work)
        flash = f"Cancelled the rest of {sku}." if sku else f"Order {ref} cancelled."
        return refused or redirect(f"/orders/{quote(ref)}", flash=flash)

    @router.post("/orders/{ref}/priority", response_class=HTMLResponse)
    def priority(request: Request, ref: str, user: EditorDep, form: FormDep) -> Response:
        """A new priority: higher ranks first for new stock and in the plan."""
        pb: Pegboard = request.app.state.pegboard
        back = _back(form, ref)
        try:
            value = order_terms.a_priority(form.get("priority"))
        except InvalidValue as error:
            return order_view(request, user, ref, [FieldError("priority", f"Priority {error.reason}")])

        def work(tx: SharedTransaction) -> None:
            order_terms.change_priority(ref, value, uow=tx, clock=pb.clock)

        refused = act(request, user, ref, "priority", "priority", work)
        return refused or redirect(back, flash=f"{ref} now has priority {value}.")

    @router.post("/orders/{ref}/ship-policy", response_class=HTMLResponse)
    def ship_policy(request: Request, ref: str, user: EditorDep, form: FormDep) -> Response:
        """Ship as it comes (partial) or only complete."""
        try:
            policy = ShipPolicy(form.get("ship_policy"))
        except ValueError:
            return order_view(request, user, ref, [FieldError("ship_policy", "Choose partial or complete")])

        def work(tx: SharedTransaction) -> None:
            order_terms.change_ship_policy(ref, policy, uow=tx)

        refused = act(request, user, ref, "ship policy " + policy.value, "ship_policy", work)
        return refused or redirect(f"/orders/{quote(ref)}", flash=f"Ship policy is now {policy.value}.")

    @router.post("/orders/{ref}/status-link", response_class=HTMLResponse)
    def issue_link(request: Request, ref: str, user: EditorDep) -> Response:
        """A new link to the order's status page for its customer; shown once."""
        pb: Pegboard = request.app.state.pegboard
        tokens: list[str] = []

        def work(tx: SharedTransaction) -> None:
            tokens.append(status_links.issue_link(ref, uow=tx))

        refused = act(request, user, ref, "issued status link", "actions", work)
        if refused:
            return refused
        url = status_links.status_url(pb.settings.public_url, tokens[0])
        return redirect(
            f"/orders/{quote(ref)}", flash=f"New status page link (copy it now, it is shown once): {url}"
        )

    @router.post("/orders/{ref}/status-link/revoke", response_class=HTMLResponse)
    def revoke_links(request: Request, ref: str, user: EditorDep) -> Response:
        """Close every status-page link of the order."""
        counted: list[int] = []

        def work(tx: SharedTransaction) -> None:
            counted.append(status_links.revoke_links(ref, uow=tx))

        refused = act(request, user, ref, "revoked status links", "actions", work)
        return refused or redirect(
            f"/orders/{quote(ref)}", flash=f"Revoked {counted[0]} status page link(s)."
        )

    @router.get("/orders/{ref}/shipments/{shipment_ref}", response_class=HTMLResponse)
    def packing_slip(request: Request, ref: str, shipment_ref: str, user: UserDep) -> HTMLResponse:
        """A printable packing slip: what this parcel holds, and what still waits with its date."""
        pb: Pegboard = request.app.state.pegboard
        with pb.reader() as uow:
            page = order_detail(uow.connection, ref, today=pb.clock.today(), history=[], can_write=False)
        shipment = (
            None
            if page is None
            else next((s for s in page.shipments if s.shipment_ref == shipment_ref), None)
        )
        if page is None or shipment is None:
            raise PageNotFound(f"There is no shipment {shipment_ref} of order {ref}.", user)
        slip = PackingSlip(page, shipment)
        return renderer.page(
            request, "packing_slip.html", slip, title=f"Packing slip {shipment_ref}", user=user
        )

    return router


def _back(form: FormData, ref: str) -> str:
    """Where a priority change returns to: the list it was made from, else the order."""
    back = form.get("back")
    if back.startswith("/orders") and not back.startswith("//"):
        return back
    return f"/orders/{quote(ref)}"


def _draft(form: FormData) -> tuple[orders.OrderDraft | None, list[FieldError]]:
    """The order the form describes, or the errors that stop it (beside each field)."""
    errors: list[FieldError] = []
    ref, customer, email = form.get("order_ref"), form.get("customer"), form.get("email")
    if not ref:
        errors.append(FieldError("order_ref", "Enter an order reference, such as SO-42"))
    elif len(ref) > 100:
        errors.append(FieldError("order_ref", "Enter an order reference of at most 100 characters"))
    if not customer:
        errors.append(FieldError("customer", "Enter the customer's name"))
    if email and ("@" not in email or " " in email or len(email) > 320):
        errors.append(FieldError("email", "Enter an email address like name@example.com, or leave it empty"))
    try:
        policy = ShipPolicy(form.get("ship_policy") or "partial")
    except ValueError:
        errors.append(FieldError("ship_policy", "Choose partial or complete"))
        policy = ShipPolicy.PARTIAL
    priority = 0
    try:
        priority = order_terms.a_priority(form.get("priority") or "0")
    except InvalidValue as error:
        errors.append(FieldError("priority", f"Priority {error.reason}"))
    requested = None
    try:
        requested = parsing.a_date("requested_date", form.get("requested_date"))
    except InvalidValue:
        errors.append(
            FieldError("requested_date", "Enter the requested date as YYYY-MM-DD, or leave it empty")
        )
    lines: list[orders.LineDraft] = []
    for n in range(1, NEW_ORDER_LINES + 1):
        sku, quantity = form.get(f"sku-{n}"), form.get(f"quantity-{n}")
        if not sku and not quantity:
            continue
        if not sku:
            errors.append(FieldError(f"sku-{n}", f"Enter a SKU for line {n}"))
            continue
        try:
            lines.append(orders.LineDraft(sku, parsing.quantity("quantity", quantity)))
        except InvalidValue:
            errors.append(FieldError(f"quantity-{n}", f"Enter a quantity above 0 for line {n}"))
    if not lines and not any(e.field.startswith(("sku-", "quantity-")) for e in errors):
        errors.append(FieldError("sku-1", "Enter at least one line: a SKU and a quantity"))
    if errors:
        return None, errors
    draft = orders.OrderDraft(
        order_ref=ref,
        customer=customer,
        email=email or None,
        lines=tuple(lines),
        priority=priority,
        ship_policy=policy,
        requested_date=requested,
    )
    return draft, []


def _placing_error(error: DomainError, draft: orders.OrderDraft) -> FieldError:
    """The service's refusal, beside the field it is about."""
    if isinstance(error, UnknownSku):
        n = next((i for i, line in enumerate(draft.lines, start=1) if line.sku == error.ref), 1)
        return FieldError(f"sku-{n}", f"No item has SKU {error.ref}: check it on the Stock page")
    if isinstance(error, DuplicateRef):
        return FieldError("order_ref", f"An order {draft.order_ref} exists already: choose another reference")
    return error_for(
        error, {"customer": "customer", "email": "email", "order_ref": "order_ref"}, default="order_ref"
    )


def _shown(error: FieldError, page: OrderDetail) -> FieldError:
    """An error on a field the page shows; one about the order as a whole goes beside its actions."""
    on_form = {"tracking": page.can_write and page.open and page.can_ship}
    on_form |= dict.fromkeys(("priority", "ship_policy"), page.can_write and page.open)
    if on_form.get(error.field, False):
        return error
    return FieldError("actions", error.message)
