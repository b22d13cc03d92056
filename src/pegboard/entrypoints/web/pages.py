"""The web app for people: pages under /, sign-in, static files, CSRF guard and refusal pages.

`install(app)` adds it all to the FastAPI app. Page routers are listed in `page_routers`.

Adding a page (see `today.py` and `orders.py`):

- a read model in `views/` (a frozen dataclass per page) and a template extending `base.html`
  with a `main` block (and, for htmx, a `fragment` block inside it, rendered alone when the
  request carries HX-Request); import macros inside each block that uses them, since a
  block rendered alone does not run the template's top-level imports;
- a module here with `make_router(renderer)`: `user: UserDep` to read (redirects to /login),
  `user: EditorDep` to write (403 for a viewer), `form: FormDep` for posted fields;
  `renderer.page(request, "x.html", page, title=..., user=user, errors=[FieldError(...)])`
  (a page with errors is answered 422); writes through `writes.perform(pb, user, action, ref, work)`
  (records who did it) and answer with `rendering.redirect(url, flash="Done.")`;
- its router added to `page_routers` below.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException

from pegboard.config import Settings
from pegboard.entrypoints.api.edges import ControlCharacters, control_characters_json
from pegboard.entrypoints.api.errors import BUSY_ERRORS
from pegboard.entrypoints.web import (
    auth,
    backorders,
    imports,
    items,
    orders,
    plan,
    production,
    purchasing,
    reports,
    today,
    whatif,
)
from pegboard.entrypoints.web import settings as settings_pages
from pegboard.entrypoints.web.assets import Assets
from pegboard.entrypoints.web.csrf import CsrfGuard
from pegboard.entrypoints.web.failures import (
    busy_handler,
    status_control_characters_handler,
    status_http_error_handler,
    unexpected_error_handler,
)
from pegboard.entrypoints.web.rendering import Renderer
from pegboard.services.users import LoginThrottle


def page_routers(renderer: Renderer) -> list[APIRouter]:
    """Every page's routes, in the order they are matched."""
    return [
        today.make_router(renderer),
        orders.make_router(renderer),
        backorders.make_router(renderer),
        production.make_router(renderer),
        purchasing.make_router(renderer),
        items.make_router(renderer),
        whatif.make_router(renderer),
        plan.make_router(renderer),
        imports.make_router(renderer),
        reports.make_router(renderer),
        settings_pages.make_router(renderer),
    ]


def install(app: FastAPI, settings: Settings) -> None:
    """Add the pages, their assets, sign-in and the CSRF guard to `app`."""
    assets = Assets(settings.assets_dir)
    renderer = Renderer(assets)
    throttle = LoginThrottle(
        per_name=settings.login_failures_per_name,
        per_address=settings.login_failures_per_address,
        window=settings.login_window_seconds,
    )
    app.state.renderer = renderer
    app.include_router(assets.router())
    first_page = len(app.router.routes)
    routers = [auth.make_router(renderer, throttle), *page_routers(renderer)]
    for router in routers:
        app.include_router(router)
    handlers: dict[type[Exception], Any] = auth.refusal_handlers(renderer)
    for error, handler in handlers.items():
        app.add_exception_handler(error, handler)
    # After the API's handlers: an error none of them knows gets a page on the pages' paths.
    # The routes as included, and as made (FastAPI may answer through either).
    page_routes = (*app.router.routes[first_page:], *(route for router in routers for route in router.routes))
    api_answer = app.exception_handlers[Exception]
    app.add_exception_handler(Exception, unexpected_error_handler(renderer, page_routes, api_answer))
    for busy in BUSY_ERRORS:
        app.add_exception_handler(busy, busy_handler(renderer, page_routes, app.exception_handlers[busy]))
    refused = app.exception_handlers[StarletteHTTPException]
    app.add_exception_handler(StarletteHTTPException, status_http_error_handler(refused))
    app.add_exception_handler(
        ControlCharacters,
        status_control_characters_handler(
            app.exception_handlers.get(ControlCharacters, control_characters_json), renderer, page_routes
        ),
    )
    app.add_middleware(CsrfGuard)
