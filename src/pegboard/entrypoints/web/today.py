"""Today (`/`): what needs attention now; its figures and lists refresh themselves every 30 s."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pegboard.entrypoints.web.auth import UserDep
from pegboard.entrypoints.web.rendering import Renderer
from pegboard.views.web import PendingPage


def make_router(renderer: Renderer) -> APIRouter:
    """GET / (Today)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def today(request: Request, user: UserDep) -> HTMLResponse:
        """Orders to ship, backorders by age, supply due, held and parked things, figures."""
        page = PendingPage("Today", "pegboard backorders")
        return renderer.page(request, "pending.html", page, title="Today", user=user)

    return router
