"""Plan (`/plan`): the plan as it stands; "Run plan" stores every promise, "Confirm suggestions"
also creates the suggested POs (one per supplier) and MOs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pegboard.entrypoints.api.transactions import SharedTransaction
from pegboard.entrypoints.web.auth import EditorDep, UserDep
from pegboard.entrypoints.web.inputs import board
from pegboard.entrypoints.web.rendering import Renderer, redirect
from pegboard.entrypoints.web.writes import perform
from pegboard.services import planning, preorders
from pegboard.views.plan_page import PlanPage, plan_view


def make_router(renderer: Renderer) -> APIRouter:
    """GET /plan, POST /plan/run, POST /plan/confirm."""
    router = APIRouter(include_in_schema=False)

    @router.get("/plan", response_class=HTMLResponse)
    def plan(request: Request, user: UserDep) -> HTMLResponse:
        """Promises, suggestions and the production queue, planned now (nothing stored)."""
        pb = board(request)
        run = planning.run_plan(uow=pb.reader(), clock=pb.clock, store=False)
        with pb.reader() as uow:
            view = plan_view(uow.connection, run.result, today=pb.clock.today())
        page = PlanPage(pb.clock.today(), view, user.can_write)
        return renderer.page(request, "plan.html", page, title="Plan", user=user)

    def run(request: Request, user: EditorDep, *, confirm: bool) -> Response:
        pb = board(request)

        def work(tx: SharedTransaction) -> planning.PlanRun:
            preorders.release_preorders(uow=tx, clock=pb.clock, policy=pb.policy)
            return planning.run_plan(uow=tx, clock=pb.clock, confirm=confirm)

        done = perform(pb, user, "confirm suggestions" if confirm else "run plan", "plan", work)
        said = f"Plan run: {len(done.changed)} promise(s) new or changed."
        if confirm:
            said += f" Created {', '.join(done.created) or 'nothing'}."
            if done.skipped:
                said += f" Not ordered: {'; '.join(done.skipped)}."
        return redirect("/plan", flash=said)

    @router.post("/plan/run", response_class=HTMLResponse)
    def run_plan(request: Request, user: EditorDep) -> Response:
        """Store a promise for every waiting line; changed ones are announced."""
        return run(request, user, confirm=False)

    @router.post("/plan/confirm", response_class=HTMLResponse)
    def confirm(request: Request, user: EditorDep) -> Response:
        """Run the plan and create what it suggests."""
        return run(request, user, confirm=True)

    return router
