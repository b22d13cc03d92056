"""Production (`/production`, `/manufacturing-orders/{ref}`): the queue from the plan, the shop-floor
view, an MO with its printable pick list; confirm a planned MO, complete (partly), reschedule."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pegboard.domain.errors import DomainError, MissingMaterials
from pegboard.entrypoints.web.auth import EditorDep, PageNotFound, UserDep
from pegboard.entrypoints.web.forms import FieldError, FormData, FormDep
from pegboard.entrypoints.web.inputs import board, date_in, quantity_in
from pegboard.entrypoints.web.plans import shown_plan
from pegboard.entrypoints.web.rendering import Renderer, redirect
from pegboard.entrypoints.web.writes import perform
from pegboard.planning.configurations import split_sku
from pegboard.services import manufacturing, purchasing, suggestions, users
from pegboard.services.users import User
from pegboard.views.production import (
    MoPage,
    ProductionPage,
    manufacturing_order,
    production_queue,
    with_late_materials,
)
from pegboard.views.stored_plan import PLANNED_NOW, plan_state
from pegboard.views.wording import long_date, quantity_words

#: Queue entries per page (what can be made now comes first, so the first page is today's work).
QUEUE_PAGE = 50


def make_router(renderer: Renderer) -> APIRouter:
    """The production pages and the MO actions."""
    router = APIRouter(include_in_schema=False)

    def queue_page(
        request: Request,
        user: User,
        *,
        floor: bool,
        offset: int = 0,
        errors: tuple[FieldError, ...] = (),
        form: FormData | None = None,
    ) -> HTMLResponse:
        pb = board(request)
        # One entry more than a page, to know whether another page follows.
        state, result = shown_plan(pb, queue=slice(offset, offset + QUEUE_PAGE + 1))
        with pb.reader() as uow:
            queue = production_queue(uow.connection, result, first_rank=offset + 1)
            if state.planned_now:
                dates = {found.ref: found for found in result.feasible_mos}
            else:
                mos = {row.ref: split_sku(row.sku)[0] for row in queue if not row.planned}
                dates = manufacturing.feasible_dates(mos, uow=uow, today=pb.clock.today())
            queue = with_late_materials(uow.connection, queue, dates)
        values = form.values() if form else {}
        page = ProductionPage(
            pb.clock.today(),
            tuple(queue[:QUEUE_PAGE]),
            floor,
            user.can_write,
            values,
            state,
            offset=offset,
            limit=QUEUE_PAGE,
            more=len(queue) > QUEUE_PAGE,
        )
        title = "Shop floor" if floor else "Production"
        return renderer.page(
            request,
            "production.html",
            page,
            title=title,
            user=user,
            errors=errors,
        )

    def mo_page(
        request: Request,
        user: User,
        ref: str,
        *,
        errors: tuple[FieldError, ...] = (),
        form: FormData | None = None,
        template: str = "manufacturing_order.html",
    ) -> HTMLResponse:
        pb = board(request)
        with pb.reader() as uow:
            mo = manufacturing_order(uow.connection, ref)
            materials, state = None, PLANNED_NOW
            if mo is not None and not mo.closed:
                dates = manufacturing.feasible_dates({ref: mo.sku}, uow=uow, today=pb.clock.today())
                materials, state = dates.get(ref), plan_state(uow.connection)
        if mo is None:
            raise PageNotFound(f"There is no manufacturing order {ref}.")
        history = tuple(users.actions(ref, uow=pb.reader()))
        late = materials if materials is not None and materials.late_because is not None else None
        values = form.values() if form else {}
        page = MoPage(pb.clock.today(), mo, user.can_write, values, history, late, state)
        title = f"Pick list {ref}" if template != "manufacturing_order.html" else ref
        return renderer.page(request, template, page, title=title, user=user, errors=errors)

    def again(
        request: Request, user: User, ref: str, form: FormData, errors: tuple[FieldError, ...]
    ) -> Response:
        """The page the form came from, with its errors."""
        if form.get("back") == "/production":
            return queue_page(request, user, floor=False, errors=errors, form=form)
        return mo_page(request, user, ref, errors=errors, form=form)

    @router.get("/production", response_class=HTMLResponse)
    def production(request: Request, user: UserDep, view: str = "", offset: int = 0) -> HTMLResponse:
        """The queue in the order to make things, a page at a time; `?view=floor` for the shop floor."""
        return queue_page(request, user, floor=view == "floor", offset=max(offset, 0))

    @router.post("/production/confirm", response_class=HTMLResponse)
    def confirm(request: Request, user: EditorDep, form: FormDep) -> Response:
        """Open the MO the plan suggests as `ref`."""
        pb = board(request)
        ref, sku = form.get("ref"), form.get("sku")
        try:
            created = perform(
                pb,
                user,
                "confirm planned MO",
                ref,
                lambda tx: suggestions.confirm_planned_mo(ref, sku, uow=tx, clock=pb.clock),
            )
        except DomainError as refused:
            return queue_page(
                request, user, floor=False, errors=(FieldError(f"confirm-{ref}", refused.message),)
            )
        return redirect("/production", flash=f"{ref} confirmed as {', '.join(created)}.")

    @router.get("/manufacturing-orders/{ref}", response_class=HTMLResponse)
    def manufacturing_order_page(request: Request, ref: str, user: UserDep) -> HTMLResponse:
        """One MO: progress, what to pick, completions and reschedules."""
        return mo_page(request, user, ref)

    @router.get("/manufacturing-orders/{ref}/pick-list", response_class=HTMLResponse)
    def pick_list(request: Request, ref: str, user: UserDep) -> HTMLResponse:
        """The MO's pick list, laid out for printing."""
        return mo_page(request, user, ref, template="pick_list.html")

    @router.post("/manufacturing-orders/{ref}/complete", response_class=HTMLResponse)
    def complete(request: Request, ref: str, user: EditorDep, form: FormDep) -> Response:
        """Book output (all that is open when no quantity is given), consuming the components."""
        pb = board(request)
        field = f"quantity-{ref}"
        errors: list[FieldError] = []
        quantity = quantity_in(form, field, errors, required=False)
        if errors:
            return again(request, user, ref, form, tuple(errors))
        try:
            mo = perform(
                pb,
                user,
                "complete",
                ref,
                lambda tx: manufacturing.complete_manufacturing_order(
                    ref, quantity, uow=tx, clock=pb.clock, policy=pb.policy
                ),
                detail="" if quantity is None else quantity_words(quantity),
            )
        except MissingMaterials as missing:
            what = ", ".join(
                f"{quantity_words(s.quantity)} {s.sku}" for s in missing.shortages if s.level == 1
            )
            message = f"Materials are missing: {what}. Complete fewer, or receive them first"
            return again(request, user, ref, form, (FieldError(field, message),))
        except DomainError as refused:
            return again(request, user, ref, form, (FieldError(field, refused.message),))
        done = quantity_words(mo.completed_quantity)
        back = "/production" if form.get("back") == "/production" else f"/manufacturing-orders/{ref}"
        return redirect(back, flash=f"{ref}: {done} of {quantity_words(mo.quantity)} {mo.sku} made.")

    @router.post("/manufacturing-orders/{ref}/reschedule", response_class=HTMLResponse)
    def reschedule(request: Request, ref: str, user: EditorDep, form: FormDep) -> Response:
        """A new finish date; the orders it serves are promised again."""
        pb = board(request)
        field = f"date-{ref}"
        errors: list[FieldError] = []
        new_date = date_in(form, field, errors)
        if new_date is None:
            return again(request, user, ref, form, tuple(errors))
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
            return again(request, user, ref, form, (FieldError(field, refused.message),))
        back = "/production" if form.get("back") == "/production" else f"/manufacturing-orders/{ref}"
        return redirect(back, flash=f"{ref} now finishes {long_date(new_date)}.")

    return router
