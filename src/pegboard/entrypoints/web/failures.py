"""When a page fails unexpectedly: people get a plain "Something went wrong" page (500), never
the error itself, which is logged here; the API's paths keep their JSON answer."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.routing import BaseRoute

from pegboard.entrypoints.web.rendering import Renderer
from pegboard.views.web import MessagePage

log = logging.getLogger("pegboard.web")

Handler = Callable[[Request, Any], Response | Awaitable[Response]]

HEADING = "Something went wrong"
MESSAGE = (
    "The page could not be shown because of an error on our side; it has been logged. "
    "Nothing was changed by this page. Try again in a moment, or go back to Today."
)
#: Answered when even the message page cannot be rendered (say, a template is missing).
PLAIN = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Something went wrong</title>'
    f'</head><body><main><h1>{HEADING}</h1><p>{MESSAGE}</p><p><a href="/">Back to Today</a></p>'
    "</main></body></html>"
)


def unexpected_error_handler(renderer: Renderer, pages: Collection[BaseRoute], otherwise: Handler) -> Handler:
    """A handler for errors no other handler knows: the message page on the routes in `pages`,
    `otherwise` (the API's JSON answer) on every other path."""

    async def on_unexpected(request: Request, error: Any) -> Response:
        if request.scope.get("route") not in pages:
            answer = otherwise(request, error)
            return await answer if inspect.isawaitable(answer) else answer
        log.exception("unexpected error on page %s %s", request.method, request.url.path, exc_info=error)
        try:
            return renderer.page(
                request,
                "message.html",
                MessagePage(heading=HEADING, message=MESSAGE),
                title=HEADING,
                user=None,
                status=500,
            )
        except Exception:  # the page is already the last resort: answer without templates
            log.exception("the error page could not be rendered either")
            return HTMLResponse(PLAIN, status_code=500, headers={"Cache-Control": "no-store"})

    return on_unexpected
