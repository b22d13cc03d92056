"""Pages of the navigation not built yet: each says so and where the work can be done meanwhile.

Included after every real page router, so a router that serves one of these paths wins.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pegboard.entrypoints.web.auth import UserDep
from pegboard.entrypoints.web.rendering import Renderer
from pegboard.views.web import PendingPage

PENDING = {
    "/backorders": ("Backorders", "pegboard backorders"),
    "/production": ("Production", "pegboard plan"),
    "/purchasing": ("Purchasing", "pegboard supply"),
    "/items": ("Stock", "pegboard stock SKU"),
    "/plan": ("Plan", "pegboard plan"),
}


def make_router(renderer: Renderer) -> APIRouter:
    """One GET route per page still to come."""
    router = APIRouter(include_in_schema=False)

    def add(path: str, heading: str, instead: str) -> None:
        def pending(request: Request, user: UserDep) -> HTMLResponse:
            page = PendingPage(heading, instead)
            return renderer.page(request, "pending.html", page, title=heading, user=user)

        router.add_api_route(path, pending, methods=["GET"], response_class=HTMLResponse)

    for path, (heading, instead) in PENDING.items():
        add(path, heading, instead)
    return router
