"""The landing page: what Pegboard is, and where the API documentation lives."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse


def landing_html() -> str:
    """The landing page's HTML, shipped with the package."""
    return files("pegboard.entrypoints.web").joinpath("landing.html").read_text(encoding="utf-8")


def make_router() -> APIRouter:
    """Routes for people's pages; the HTML is read once, when the app is built."""
    router = APIRouter(include_in_schema=False)
    page = landing_html()

    @router.get("/", response_class=HTMLResponse)
    async def landing() -> HTMLResponse:
        """What Pegboard is, with a link to /docs."""
        return HTMLResponse(page)

    return router
