"""Shopify: the webhook that brings the store's orders in, and the orders held for a problem.

`POST /shopify/webhooks` is not behind the bearer token: Shopify signs each body with the
app's shared secret (``PEGBOARD_SHOPIFY_SECRET``), and only a body whose
``X-Shopify-Hmac-Sha256`` matches is read. Bodies over ``PEGBOARD_MAX_REQUEST_BYTES`` are
refused with 413 before they are read whole (the app's `BodyLimit`). Each delivery is applied
in one transaction and answered 200 at once; the same event id again is a 200 that changes
nothing. Shopify gives up on an answer after 5 seconds, so the route does only that work.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from pegboard.adapters.shopify import mapping
from pegboard.adapters.shopify.verify import is_authentic
from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import DomainError, Unauthorised
from pegboard.entrypoints.api.deps import Outcome, ReaderDep, WriteDep
from pegboard.entrypoints.api.errors import MissingHeader
from pegboard.entrypoints.api.routing import api_router, json_response
from pegboard.entrypoints.api.schemas import ErrorOut
from pegboard.services import shopify
from pegboard.services.intake import CannotShareTransaction, Intake
from pegboard.services.ports import ShopifyOrderRecord, UnitOfWork
from pegboard.services.runner import with_retries

webhooks = APIRouter(
    tags=["shopify"],
    responses={
        400: {"model": ErrorOut, "description": "A Shopify header is missing, or the body is not JSON"},
        401: {"model": ErrorOut, "description": "The HMAC signature is missing or wrong"},
        413: {"model": ErrorOut, "description": "The body is larger than PEGBOARD_MAX_REQUEST_BYTES"},
        422: {"model": ErrorOut, "description": "The order lacks a required field (the error names it)"},
    },
)
router = api_router("shopify")

HMAC_HEADER = "X-Shopify-Hmac-Sha256"
TOPIC_HEADER = "X-Shopify-Topic"
EVENT_HEADERS = ("X-Shopify-Event-Id", "X-Shopify-Webhook-Id")


@webhooks.post("/shopify/webhooks")
async def receive_webhook(request: Request) -> Response:
    """Take one Shopify delivery: verified by HMAC, applied once per event id, answered 200.

    Topics orders/create, orders/updated and orders/cancelled are applied; any other topic is
    acknowledged and recorded only. An order with an unknown SKU is held, not refused. A new
    order takes the group-commit lane (it shares a transaction with the orders arriving with it).
    """
    # Read from the app's state, not through dependencies: FastAPI solves those on every request.
    pb: Pegboard = request.app.state.pegboard
    intake: Intake = request.app.state.intake
    body = await request.body()
    if not is_authentic(body, pb.settings.shopify_secret, request.headers.get(HMAC_HEADER)):
        raise Unauthorised("the Shopify HMAC signature of the body is missing or does not match")
    topic = _header(request, TOPIC_HEADER)
    event_id = next((v.strip() for h in EVENT_HEADERS if (v := request.headers.get(h)) and v.strip()), None)
    if not event_id:
        raise MissingHeader(" or ".join(EVENT_HEADERS))

    event_id = event_id[:200]
    order = mapping.read_payload(body) if topic in shopify.ORDER_TOPICS else None
    if order is not None and shopify.fast_lane(topic, order):
        # A new order shares a transaction with the orders arriving with it (group commit);
        # the request waits for the commit on the event loop, not in a worker thread.
        try:
            await asyncio.wrap_future(
                shopify.submit_new_order(intake, topic, event_id, order, clock=pb.clock)
            )
        except (CannotShareTransaction, DomainError):
            pass  # a replay, an order heard of before, a refusal: the full rules below decide
        else:
            return json_response({"outcome": shopify.Outcome.PLACED.value, "order_ref": order.order_ref})

    def work() -> shopify.Applied:
        take = partial(shopify.receive_webhook, topic, event_id, order, clock=pb.clock, policy=pb.policy)
        return with_retries(lambda: take(uow=pb.uow()))

    applied = await run_in_threadpool(work)
    return json_response({"outcome": applied.outcome.value, "order_ref": applied.order_ref})


def _header(request: Request, name: str) -> str:
    value = (request.headers.get(name) or "").strip()
    if not value:
        raise MissingHeader(name)
    return value[:60]


def _held(record: ShopifyOrderRecord) -> dict[str, Any]:
    return {
        "shopify_order_id": record.shopify_order_id,
        "order_ref": record.order_ref,
        "problem": record.problem,
        "financial_status": record.financial_status,
        "shop_updated_at": record.shop_updated_at.isoformat() if record.shop_updated_at else None,
        "received_at": record.received_at.isoformat(timespec="seconds"),
    }


@router.get("/shopify/held")
def list_held(uow: ReaderDep) -> Response:
    """Shopify orders on hold (unknown SKU, changed in the shop), oldest first, with the problem."""
    return json_response([_held(record) for record in shopify.held_orders(uow=uow)])


@router.post("/shopify/held/{shopify_order_id}/retry")
def retry_held(shopify_order_id: str, write: WriteDep) -> Response:
    """Apply a held order again: placed once its SKUs exist; additions made in the shop are added."""

    def work(uow: UnitOfWork) -> Outcome:
        applied = shopify.retry_held(
            shopify_order_id,
            read=mapping.read_payload,
            uow=uow,
            clock=write.clock,
            policy=write.policy(),
        )
        return Outcome(
            200,
            {"outcome": applied.outcome.value, "order_ref": applied.order_ref, "problem": applied.problem},
        )

    return write.run(work)
