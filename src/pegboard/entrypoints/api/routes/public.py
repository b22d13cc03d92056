"""`GET /public/availability/{sku}?quantity=N`: the line a shop's product page shows, for anyone.

No token: the answer says only what the page says (a date, in stock or not, a sentence), is
cacheable for a short while and readable from any site (the shop's theme fetches it from the
customer's browser); each client address gets a limited number of answers per minute.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from pegboard.domain.errors import InvalidValue
from pegboard.entrypoints.api.deps import PegboardDep
from pegboard.entrypoints.api.errors import error_json, error_response
from pegboard.entrypoints.api.routing import json_response
from pegboard.entrypoints.api.schemas import ErrorOut
from pegboard.services import parsing
from pegboard.services.availability import NotOnSale, availability
from pegboard.views.quotes import availability_json

#: Anyone may read it from any page; no cookie or token is ever involved.
OPEN_TO_ALL = {"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
#: Longer SKUs are not looked up.
MAX_SKU = 100


class Throttle:
    """At most `limit` answers per client address in any `window` seconds (a sliding window)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, address: str) -> float:
        """Seconds until `address` may ask again (0: now, and this request is counted)."""
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 100_000:  # bounded memory under a flood of addresses
                self._seen.clear()
            times = self._seen.setdefault(address, deque())
            while times and now - times[0] >= self.window:
                times.popleft()
            if len(times) >= self.limit:
                return self.window - (now - times[0])
            times.append(now)
            return 0.0


class AvailabilityOut(BaseModel):
    """The line a product page shows; `available` only where the shop allows stock counts."""

    sku: str
    quantity: float | int
    date: dt.date | None = Field(description="When it would ship if ordered now; null: no date yet")
    in_stock: bool
    message: str
    available: float | int | None = None


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": AvailabilityOut, "description": "The availability line"},
    404: {"model": ErrorOut, "description": "No item on sale has this SKU (or the line is turned off)"},
    422: {"model": ErrorOut, "description": "A bad quantity"},
    429: {"model": ErrorOut, "description": "Too many requests from this address: see Retry-After"},
}


def make_router(throttle: Throttle) -> APIRouter:
    """The public availability route, limited by `throttle`."""
    router = APIRouter(tags=["public"])

    @router.get("/public/availability/{sku}", response_model=None, responses=RESPONSES)
    async def product_availability(
        sku: str,
        request: Request,
        pb: PegboardDep,
        quantity: Annotated[str, Query(max_length=30, description="How many the customer wants")] = "1",
    ) -> Response:
        """When `quantity` of an item on sale would ship if ordered now: `sku, quantity, date,
        in_stock, message`. Unknown SKUs and items not on sale are 404; no stock figures."""
        address = request.client.host if request.client is not None else "unknown"
        wait = throttle.wait(address)
        if wait > 0:
            seconds = str(int(wait) + 1)
            body = error_json("rate_limited", f"too many requests: try again in {seconds} s")
            return error_response(429, body, {**OPEN_TO_ALL, "Retry-After": seconds})
        settings = pb.settings
        if not settings.public_availability or len(sku) > MAX_SKU:
            return _not_found()
        try:
            wanted = _quantity(quantity)
            found = await run_in_threadpool(
                availability,
                sku,
                wanted,
                uow=pb.reader(),
                clock=pb.clock,
                show_stock=settings.public_stock_counts,
                leftovers=pb.leftovers,
            )
        except NotOnSale:
            return _not_found()
        except InvalidValue as error:
            body = error_json("invalid_value", error.reason, field="quantity", value=quantity)
            return error_response(422, body, OPEN_TO_ALL)
        cache = {"Cache-Control": f"public, max-age={settings.public_cache_seconds}"}
        return json_response(availability_json(found), headers={**OPEN_TO_ALL, **cache})

    return router


def _quantity(text: str) -> Decimal:
    """A positive quantity, at most a million: a product page asks for a few."""
    found = parsing.quantity("quantity", text)
    if found > 1_000_000:
        raise InvalidValue("quantity", text, "must be at most 1,000,000")
    return found


def _not_found() -> Response:
    """The one 404 for any SKU that is not on sale: it tells nothing about what exists."""
    body = error_json("not_found", "no product on sale has this SKU")
    return error_response(404, body, {**OPEN_TO_ALL, "Cache-Control": "public, max-age=60"})
