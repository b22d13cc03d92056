"""The FastAPI application: wiring, routers under /api/v1, error registry, docs and the web app.

`create_app(settings)` builds it for a given configuration (tests, scripts); uvicorn starts it
through `app_from_environment` (``pegboard serve``), which reads PEGBOARD_* variables. Nothing
here does I/O at import time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from fastapi import FastAPI

from pegboard import __version__
from pegboard.bootstrap import bootstrap
from pegboard.config import Settings
from pegboard.entrypoints.api.docs import add_docs
from pegboard.entrypoints.api.edges import CatchUnexpected, RefuseControlCharacters
from pegboard.entrypoints.api.errors import BodyLimit, register_error_handlers
from pegboard.entrypoints.api.routes import books as books_routes
from pegboard.entrypoints.api.routes import catalogue, imports, orders, plan, stock, supply, tokens
from pegboard.entrypoints.api.routes import kpis as kpi_routes
from pegboard.entrypoints.api.routes import learning as learning_routes
from pegboard.entrypoints.api.routes import public as public_routes
from pegboard.entrypoints.api.routes import quotes as quote_routes
from pegboard.entrypoints.api.routes import shopify as shopify_routes
from pegboard.entrypoints.api.routes import status_links as status_link_routes
from pegboard.entrypoints.api.routes import whatif as whatif_routes
from pegboard.entrypoints.delivering import BackgroundDelivery
from pegboard.entrypoints.intake_process import IntakeProcess
from pegboard.entrypoints.long_lived import freeze_start_up
from pegboard.entrypoints.web import pages
from pegboard.entrypoints.web import status as status_page
from pegboard.services import learning, parsing
from pegboard.services.intake import Intake, OrderIntake
from pegboard.services.tokens import TokenCache

API_PREFIX = "/api/v1"

DESCRIPTION = """Backorder-first inventory, sales orders, purchasing and production.

Every `/api/v1` request needs `Authorization: Bearer TOKEN` (`pegboard token create`): a viewer
token reads, an operator or admin token also writes. Send writes with an `Idempotency-Key` header
to make retries safe. Errors are `{"error": {"code", "message", ...}}`; quantities are JSON numbers
(or strings such as "1.5", taken exactly); dates are `YYYY-MM-DD`.
"""


def create_app(settings: Settings, *, today: date | None = None) -> FastAPI:
    """An app on the settings' database; `today` fixes the business date (reproducible runs)."""
    pb = bootstrap(settings, today=today)
    intake: Intake = (
        IntakeProcess(settings, today=today) if settings.intake_process else OrderIntake(pb.uow, pb.clock)
    )

    # Outbox delivery in the background (0 seconds: off), stopped before the engine closes.
    interval = settings.notify_interval_seconds
    deliverer = BackgroundDelivery(pb, interval=interval) if interval > 0 else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            intake.start()
            if deliverer is not None:
                deliverer.start()
            freeze_start_up()
            yield
        finally:
            if deliverer is not None:
                deliverer.stop()
            intake.close()
            pb.close()

    app = FastAPI(
        title="Pegboard",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
        telemetry=None if settings.telemetry else {"tracing": False, "metrics": False, "logs": False},
    )
    app.state.pegboard = pb
    app.state.intake = intake
    app.state.tokens = TokenCache(settings.token_cache_seconds)
    register_error_handlers(app)
    # First: routes are matched in order, and Shopify's deliveries are the busiest path.
    # Signed by Shopify (HMAC), not by a bearer token.
    app.include_router(shopify_routes.webhooks)
    for module in (orders, stock, supply, catalogue, imports, plan, tokens):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(shopify_routes.router, prefix=API_PREFIX)
    app.include_router(status_page.make_router())
    app.include_router(status_link_routes.router, prefix=API_PREFIX)
    app.include_router(books_routes.router, prefix=API_PREFIX)
    app.include_router(quote_routes.router, prefix=API_PREFIX)
    app.include_router(whatif_routes.router, prefix=API_PREFIX)
    app.include_router(public_routes.make_router(public_routes.Throttle(settings.public_requests_per_minute)))
    app.include_router(kpi_routes.router, prefix=API_PREFIX)
    app.include_router(learning_routes.router, prefix=API_PREFIX)
    add_docs(app)
    pages.install(app, settings)
    # The last added runs first: the body limit, then the refusal of control characters in the
    # path and query, then the catch of unexpected errors around everything else.
    app.add_middleware(CatchUnexpected)
    app.add_middleware(RefuseControlCharacters)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    return app


def app_from_environment() -> FastAPI:
    """The app for `pegboard serve`: settings from PEGBOARD_*, business date from PEGBOARD_TODAY.
    The forecasting models load in the background meanwhile (seconds; an item's forecast needs them),
    unless PEGBOARD_FORECAST_PRELOAD is false."""
    settings = Settings()
    if settings.forecast_preload:
        threading.Thread(target=learning.prepare_forecasts, name="forecast-models", daemon=True).start()
    return create_app(settings, today=parsing.a_date("PEGBOARD_TODAY", os.environ.get("PEGBOARD_TODAY")))
