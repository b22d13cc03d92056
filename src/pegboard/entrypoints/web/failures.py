"""When a page fails: people get a plain page, never the error itself, which is logged here; the
API's paths keep their JSON answer.

An unexpected error gives "Something went wrong" (500), a busy or unreachable database "Busy just
now" (503, Retry-After). The customers' status pages (`/status/...`) answer in their own private
style, also for a path with no token or a method they do not take.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match

from pegboard.entrypoints.web.inputs import board
from pegboard.entrypoints.web.rendering import Renderer
from pegboard.entrypoints.web.status import Problem, is_status_path, render_problem
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


BUSY_HEADING = "Busy just now"
BUSY_MESSAGE = (
    "The page could not be shown because the database is busy or cannot be reached. "
    "Nothing was changed by this page. Try again in a moment."
)
#: Told to browsers with a busy page, as the API tells its clients.
RETRY = {"Retry-After": "1"}


def unexpected_error_handler(renderer: Renderer, pages: Collection[BaseRoute], otherwise: Handler) -> Handler:
    """A handler for errors no other handler knows: the message page on the routes in `pages`
    (a status-style page under `/status/`), `otherwise` (the API's JSON answer) elsewhere."""

    async def on_unexpected(request: Request, error: Any) -> Response:
        if not _is_page(request, pages):
            return await _answer(otherwise, request, error)
        log.exception("unexpected error on page %s %s", request.method, request.url.path, exc_info=error)
        return _failure_page(renderer, request, 500, HEADING, MESSAGE)

    return on_unexpected


def busy_handler(renderer: Renderer, pages: Collection[BaseRoute], otherwise: Handler) -> Handler:
    """For a busy or unreachable database: a 503 page that says to try again on the routes in
    `pages` and under `/status/`, `otherwise` (the API's JSON 503) elsewhere."""

    async def on_busy(request: Request, error: Any) -> Response:
        if not _is_page(request, pages):
            return await _answer(otherwise, request, error)
        log.warning("database busy or unreachable on page %s %s: %s", request.method, request.url.path, error)
        return _failure_page(renderer, request, 503, BUSY_HEADING, BUSY_MESSAGE, RETRY)

    return on_busy


def status_http_error_handler(otherwise: Handler) -> Handler:
    """For a refused request (404, 405...) under `/status/`: the status page's own answer, the
    link-not-valid page for a 404; `otherwise` (the API's JSON) on every other path."""

    async def on_http_error(request: Request, error: Any) -> Response:
        if not is_status_path(request.url.path) or not isinstance(error, HTTPException):
            return await _answer(otherwise, request, error)
        headers = dict(error.headers or {})
        problem = None
        if error.status_code != 404:
            problem = Problem("This page cannot do that", "Open the link from our email to see your order.")
        return render_problem(board(request), error.status_code, problem, headers)

    return on_http_error


def status_control_characters_handler(
    otherwise: Handler, renderer: Renderer | None = None, pages: Collection[BaseRoute] = ()
) -> Handler:
    """For a path with a control character under `/status/`: the link-not-valid page (no token
    holds one); on a page's path (one of `pages` matches it): a not-found page, since no order,
    item or document is named with one; `otherwise` (the API's JSON 422) on every other path."""

    async def on_control_characters(request: Request, error: Any) -> Response:
        if is_status_path(request.url.path):
            return render_problem(board(request), 404, None)
        if renderer is not None and _matches_page(request, pages):
            return _failure_page(renderer, request, 404, NOT_FOUND_HEADING, NOT_FOUND_MESSAGE)
        return await _answer(otherwise, request, error)

    return on_control_characters


NOT_FOUND_HEADING = "Not found"
NOT_FOUND_MESSAGE = (
    "There is no such page: its address holds a control character, and nothing is named with one."
)


def _matches_page(request: Request, pages: Collection[BaseRoute]) -> bool:
    """Whether one of the pages' routes would take this request's path (it is refused before routing)."""
    return any(route.matches(request.scope)[0] is not Match.NONE for route in pages)


def _is_page(request: Request, pages: Collection[BaseRoute]) -> bool:
    return request.scope.get("route") in pages or is_status_path(request.url.path)


async def _answer(handler: Handler, request: Request, error: Any) -> Response:
    answer = handler(request, error)
    return await answer if inspect.isawaitable(answer) else answer


def _failure_page(
    renderer: Renderer,
    request: Request,
    status: int,
    heading: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """The message page (the status page's style under `/status/`); a plain one if even that fails."""
    try:
        if is_status_path(request.url.path):
            return render_problem(board(request), status, Problem(heading, message), headers)
        answer = renderer.page(
            request,
            "message.html",
            MessagePage(heading=heading, message=message),
            title=heading,
            user=None,
            status=status,
        )
    except Exception:  # the page is already the last resort: answer without templates
        log.exception("the error page could not be rendered either")
        plain = PLAIN.replace(HEADING, heading).replace(MESSAGE, message)
        return HTMLResponse(
            plain, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})}
        )
    answer.headers.update(headers or {})
    return answer
