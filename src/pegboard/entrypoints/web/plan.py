"""Plan (`/plan`): the plan as it stands; "Run plan" stores every promise, "Confirm suggestions"
also creates the suggested POs (one per supplier) and MOs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pegboard.entrypoints.api.transactions import SharedTransaction
from pegboard.entrypoints.web.auth import EditorDep, UserDep
from pegboard.entrypoints.web.forms import FormDep
from pegboard.entrypoints.web.inputs import board
from pegboard.entrypoints.web.plans import shown_plan
from pegboard.entrypoints.web.rendering import Renderer, redirect
from pegboard.entrypoints.web.writes import perform
from pegboard.services import planning, preorders
from pegboard.views.created import created_words
from pegboard.views.plan_page import PlanPage, plan_view

#: The plan page lists the promises of the first orders by rank; each order's page has its own.
PROMISES_SHOWN = 500
#: The head of the production queue; the production page pages through all of it.
QUEUE_SHOWN = 50
#: The pages that offer "Run plan" when their plan is out of date, and get the user back.
BACK_TO = ("/plan", "/production", "/production?view=floor", "/purchasing")


def make_router(renderer: Renderer) -> APIRouter:
    """GET /plan, POST /plan/run, POST /plan/confirm."""
    router = APIRouter(include_in_schema=False)

    @router.get("/plan", response_class=HTMLResponse)
    def plan(request: Request, user: UserDep) -> HTMLResponse:
        """Promises, suggestions and the production queue of the stored plan."""
        pb = board(request)
        state, result = shown_plan(pb, promises=PROMISES_SHOWN, queue=slice(0, QUEUE_SHOWN))
        with pb.reader() as uow:
            view = plan_view(uow.connection, result, today=pb.clock.today(), promise_limit=PROMISES_SHOWN)
        page = PlanPage(pb.clock.today(), view, user.can_write, state)
        return renderer.page(request, "plan.html", page, title="Plan", user=user)

    def run(request: Request, user: EditorDep, *, confirm: bool, back: str = "/plan") -> Response:
        pb = board(request)

        def work(tx: SharedTransaction) -> planning.PlanRun:
            preorders.release_preorders(uow=tx, clock=pb.clock, policy=pb.policy)
            return planning.run_plan(uow=tx, clock=pb.clock, confirm=confirm)

        done = perform(pb, user, "confirm suggestions" if confirm else "run plan", "plan", work)
        said = f"Plan run: {len(done.changed)} promise(s) new or changed."
        if confirm:
            said += f" Created {created_words(done.created)}."
            if done.skipped:
                said += f" Not ordered: {'; '.join(done.skipped)}."
        return redirect(back if back in BACK_TO else "/plan", flash=said)

    @router.post("/plan/run", response_class=HTMLResponse)
    def run_plan(request: Request, user: EditorDep, form: FormDep) -> Response:
        """Store a promise for every waiting line (changed ones are announced) and keep the plan;
        back to the supply page the button was on."""
        return run(request, user, confirm=False, back=form.get("back"))

    @router.post("/plan/confirm", response_class=HTMLResponse)
    def confirm(request: Request, user: EditorDep) -> Response:
        """Run the plan and create what it suggests."""
        return run(request, user, confirm=True)

    return router
