"""A small client for the Shopify Admin REST API: an order's fulfillment orders, and new fulfillments.

Shopify's fulfilment flow (Admin REST API, 2023-01 and later): every order is split into
fulfillment orders (one per location), each with line items that know how many units are
still `fulfillable_quantity`. Shipping is reported by creating a fulfillment for some of those
line items:

- ``GET /admin/api/{version}/orders/{order_id}/fulfillment_orders.json``
- ``POST /admin/api/{version}/fulfillments.json`` with ``{"fulfillment": {"notify_customer": ...,
  "tracking_info": {"number": ...}, "line_items_by_fulfillment_order": [{"fulfillment_order_id": ...,
  "fulfillment_order_line_items": [{"id": ..., "quantity": ...}]}]}}``

Refunds (a cancelled, paid remainder paid back through the shop):

- ``GET /admin/api/{version}/orders/{order_id}/refunds.json``: what was paid back so far;
- ``GET /admin/api/{version}/orders/{order_id}/transactions.json``: the captured payments a refund
  is made against (its ``parent_id``);
- ``POST /admin/api/{version}/orders/{order_id}/refunds.json`` with ``{"refund": {"currency": ...,
  "notify": ..., "note": ..., "transactions": [{"parent_id": ..., "amount": ..., "kind": "refund",
  "gateway": ...}]}}``.

Every request carries ``X-Shopify-Access-Token`` and JSON. A 429 (rate limit, with
``Retry-After``), a 5xx or a network failure is a `ShopifyError` worth retrying later; another
4xx is one that will not pass unchanged. Requests go through httpx.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from pegboard.services.shop_refunds import ShopRefunds

#: Shopify answers within a few seconds; a hung connection must not stall delivery for long.
TIMEOUT_SECONDS = 10.0
ZERO = Decimal(0)


class ShopifyError(Exception):
    """A call to the Shopify Admin API failed; `retryable` says whether the same call may pass later."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None, retryable: bool
    ) -> None:
        super().__init__(message)
        self.status, self.retry_after, self.retryable = status, retry_after, retryable


@dataclass(frozen=True)
class FulfillmentOrderLine:
    """One line item of a fulfillment order: its id, the order's line item, and what is left to send."""

    id: int
    line_item_id: int
    quantity: int
    fulfillable_quantity: int


@dataclass(frozen=True)
class FulfillmentOrder:
    """The part of an order one location ships, with its status and line items."""

    id: int
    status: str
    assigned_location_id: int | None
    supported_actions: tuple[str, ...] | None
    line_items: tuple[FulfillmentOrderLine, ...]

    @property
    def can_fulfil(self) -> bool:
        """Open (or started), and Shopify lists creating a fulfillment among its actions when it says."""
        allowed = self.supported_actions is None or "create_fulfillment" in self.supported_actions
        return self.status in ("open", "in_progress") and allowed


#: fulfillment order id -> [(fulfillment order line item id, quantity), ...]
FulfillmentLines = Mapping[int, Sequence[tuple[int, int]]]


class AdminClient:
    """The store's Admin API at `shop_url` (e.g. https://my-shop.myshopify.com), one API version."""

    def __init__(
        self, shop_url: str, access_token: str, *, api_version: str, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.base = f"{shop_url.rstrip('/')}/admin/api/{api_version}"
        self.access_token, self.timeout = access_token, timeout

    def fulfillment_orders(self, order_id: str) -> list[FulfillmentOrder]:
        """The order's fulfillment orders, with what each line item has left to fulfil."""
        answer = self._request("GET", f"/orders/{int(order_id)}/fulfillment_orders.json")
        found = answer.get("fulfillment_orders") if isinstance(answer, Mapping) else None
        if not isinstance(found, list):
            raise ShopifyError("Shopify answered without a fulfillment_orders list", retryable=True)
        return [_fulfillment_order(raw) for raw in found]

    def create_fulfillment(
        self, lines: FulfillmentLines, *, tracking: str | None, notify_customer: bool = False
    ) -> dict[str, Any]:
        """Fulfil these fulfillment order line items, with the tracking number if there is one."""
        fulfillment: dict[str, Any] = {
            "notify_customer": notify_customer,
            "line_items_by_fulfillment_order": [
                {
                    "fulfillment_order_id": fo_id,
                    "fulfillment_order_line_items": [{"id": line_id, "quantity": q} for line_id, q in items],
                }
                for fo_id, items in lines.items()
            ],
        }
        if tracking:
            fulfillment["tracking_info"] = {"number": tracking}
        answer = self._request("POST", "/fulfillments.json", {"fulfillment": fulfillment})
        created = answer.get("fulfillment") if isinstance(answer, Mapping) else None
        if not isinstance(created, dict):
            raise ShopifyError("Shopify answered without the fulfillment it created", retryable=True)
        return created

    def refunds(self, order_id: str) -> ShopRefunds:
        """What the shop has paid back on the order so far (its refunds' refund transactions), and
        what it is still paying back (pending)."""
        answer = self._request("GET", f"/orders/{int(order_id)}/refunds.json")
        found = answer.get("refunds") if isinstance(answer, Mapping) else None
        if not isinstance(found, list):
            raise ShopifyError("Shopify answered without a refunds list", retryable=True)
        totals = [_refunded_by(raw) for raw in found]
        return ShopRefunds(sum((c for c, _ in totals), ZERO), sum((p for _, p in totals), ZERO))

    def create_refund(
        self, order_id: str, amount: Decimal, *, currency: str, note: str, notify_customer: bool = False
    ) -> ShopRefunds:
        """Pay back `amount` against the order's captured payments; returns what Shopify confirmed
        (its successful refund transactions) and what it is still paying back (pending)."""
        answer = self._request("GET", f"/orders/{int(order_id)}/transactions.json")
        found = answer.get("transactions") if isinstance(answer, Mapping) else None
        if not isinstance(found, list):
            raise ShopifyError("Shopify answered without a transactions list", retryable=True)
        parts = refund_parts([raw for raw in found if isinstance(raw, Mapping)], amount)
        refund = {
            "currency": currency,
            "notify": notify_customer,
            "note": note,
            "transactions": [
                {"parent_id": parent, "amount": f"{part:.2f}", "kind": "refund", "gateway": gateway}
                for parent, gateway, part in parts
            ],
        }
        answer = self._request("POST", f"/orders/{int(order_id)}/refunds.json", {"refund": refund})
        created = answer.get("refund") if isinstance(answer, Mapping) else None
        if not isinstance(created, Mapping):
            raise ShopifyError("Shopify answered without the refund it created", retryable=True)
        confirmed, pending = _refunded_by(created)
        return ShopRefunds(confirmed, pending)

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {"X-Shopify-Access-Token": self.access_token, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        where = f"{method} {path}"
        try:
            response = httpx.request(
                method,
                self.base + path,
                content=data,
                headers=headers,
                timeout=self.timeout,
                follow_redirects=True,
            )
        except httpx.TransportError as error:
            raise ShopifyError(f"{where}: Shopify cannot be reached ({error})", retryable=True) from None
        if response.is_error:
            raise _http_error(where, response)
        raw = response.content
        try:
            return json.loads(raw, parse_float=Decimal) if raw.strip() else {}
        except ValueError:
            raise ShopifyError(
                f"{where}: Shopify answered with something that is not JSON", retryable=True
            ) from None


def refund_parts(
    transactions: Sequence[Mapping[str, Any]], amount: Decimal
) -> list[tuple[int, str, Decimal]]:
    """(parent transaction id, gateway, amount) refunds paying back `amount`: from the successful
    captured payments (`sale`, `capture`), oldest first, each up to what is left of it after the
    refunds already made against it. More than they hold is refused (it will not pass unchanged)."""
    refunded: dict[int, Decimal] = {}
    for deal in transactions:
        if deal.get("kind") == "refund" and deal.get("status") == "success":
            parent = deal.get("parent_id")
            if isinstance(parent, int):
                refunded[parent] = refunded.get(parent, Decimal(0)) + _money(deal)
    parts: list[tuple[int, str, Decimal]] = []
    left = amount
    for deal in transactions:
        if left <= 0:
            break
        if deal.get("kind") not in ("sale", "capture") or deal.get("status") != "success":
            continue
        deal_id = _int(deal, "id", "transaction")
        room = _money(deal) - refunded.get(deal_id, Decimal(0))
        if room > 0:
            take = min(room, left)
            parts.append((deal_id, str(deal.get("gateway") or ""), take))
            left -= take
    if left > 0:
        raise ShopifyError(
            f"Shopify holds {amount - left} of captured payments to refund, not {amount}", retryable=False
        )
    return parts


def _money(raw: Mapping[str, Any]) -> Decimal:
    try:
        return Decimal(str(raw.get("amount")))
    except ArithmeticError:
        raise ShopifyError(
            f"Shopify sent an amount that is not a number: {raw.get('amount')!r}", retryable=False
        ) from None


def _refunded_by(refund: Any) -> tuple[Decimal, Decimal]:
    """A refund's refund transactions, summed: (successful, pending)."""
    if not isinstance(refund, Mapping):
        raise ShopifyError("Shopify sent a refund that is not an object", retryable=False)
    confirmed = pending = ZERO
    for deal in refund.get("transactions") or []:
        if isinstance(deal, Mapping) and deal.get("kind") == "refund":
            if deal.get("status") == "success":
                confirmed += _money(deal)
            elif deal.get("status") == "pending":
                pending += _money(deal)
    return confirmed, pending


def _http_error(where: str, response: httpx.Response) -> ShopifyError:
    """429 and 5xx may pass later (429 says when: Retry-After); other answers will not."""
    status = response.status_code
    detail = response.content[:500].decode("utf-8", "replace").strip()
    if status == 429:
        retry_after = _seconds(response.headers.get("Retry-After"))
        wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        return ShopifyError(
            f"{where}: Shopify's rate limit was hit (429){wait}",
            status=429,
            retry_after=retry_after,
            retryable=True,
        )
    said = f": {detail}" if detail else ""
    return ShopifyError(f"{where}: Shopify answered {status}{said}", status=status, retryable=status >= 500)


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _int(raw: Mapping[str, Any], key: str, what: str = "fulfillment order") -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShopifyError(f"Shopify sent a {what} without a whole-number {key!r}", retryable=False)
    return value


def _fulfillment_order(raw: Any) -> FulfillmentOrder:
    if not isinstance(raw, Mapping):
        raise ShopifyError("Shopify sent a fulfillment order that is not an object", retryable=False)
    actions = raw.get("supported_actions")
    items = raw.get("line_items") or []
    location = raw.get("assigned_location_id")
    return FulfillmentOrder(
        id=_int(raw, "id"),
        status=str(raw.get("status") or ""),
        assigned_location_id=location if isinstance(location, int) else None,
        supported_actions=tuple(str(a) for a in actions) if isinstance(actions, list) else None,
        line_items=tuple(
            FulfillmentOrderLine(
                id=_int(item, "id"),
                line_item_id=_int(item, "line_item_id"),
                quantity=_int(item, "quantity"),
                fulfillable_quantity=_int(item, "fulfillable_quantity"),
            )
            for item in items
            if isinstance(item, Mapping)
        ),
    )
