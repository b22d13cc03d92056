"""Today (`/`): what needs attention now; its figures and lists refresh themselves every 30 s."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pegboard.bootstrap import Pegboard
from pegboard.entrypoints.web.auth import UserDep
from pegboard.entrypoints.web.rendering import Renderer
from pegboard.views.today import today_page


def make_router(renderer: Renderer) -> APIRouter:
    """GET / (Today)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def today(request: Request, user: UserDep) -> HTMLResponse:
        """Orders to ship, backorders by age, supply due, held and parked things, figures."""
        pb: Pegboard = request.app.state.pegboard
        with pb.reader() as uow:
            page = today_page(uow.connection, today=pb.clock.today())
        return renderer.page(request, "today.html", page, title="Today", user=user)

    return router
