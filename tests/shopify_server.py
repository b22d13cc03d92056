"""A stand-in for a Shopify store in tests: orders as Shopify sends them, and a local Admin API.

`order_json` builds an order in the shape of Shopify's webhook payload (with fields Pegboard
ignores, to show they are ignored). `FakeShopify` serves the two Admin REST endpoints of the
fulfilment flow and the three of refunds (an order's transactions, its refunds, a new refund:
against a captured payment, never above what is left of it) on 127.0.0.1, checks each request
as Shopify documents it (path and API version, method, ``X-Shopify-Access-Token``, JSON body
shape, quantities within what is left to fulfil), records every request, and keeps the
fulfillment orders' state: a fulfillment lowers `fulfillable_quantity` as it would in the shop.
Error answers (500, 429 with ``Retry-After``) can be queued to test retries.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "shpat_test_token"
API_VERSION = "2025-01"
LOCATION_ID = 24826418


def order_json(
    order_id: int = 5_001_001,
    name: str = "#1001",
    lines: Sequence[tuple[str | None, int]] = (("KETTLE", 2),),
    *,
    created_at: str = "2026-11-23T09:00:00Z",
    updated_at: str = "2026-11-23T09:00:00Z",
    financial_status: str | None = "paid",
    cancelled_at: str | None = None,
    current: dict[str, int] | None = None,
    price: str = "19.99",
) -> dict[str, Any]:
    """A Shopify order payload; `current` overrides a SKU's `current_quantity` (an edit in the shop)."""
    items = []
    for n, (sku, quantity) in enumerate(lines, start=1):
        items.append(
            {
                "id": line_item_id(order_id, n),
                "admin_graphql_api_id": f"gid://shopify/LineItem/{line_item_id(order_id, n)}",
                "variant_id": 40_000 + n,
                "title": f"Item {sku or 'without SKU'}",
                "quantity": quantity,
                "current_quantity": (current or {}).get(sku or "", quantity),
                "sku": sku,
                "price": price,
                "price_set": {"shop_money": {"amount": price, "currency_code": "EUR"}},
                "requires_shipping": True,
                "gift_card": False,
                "fulfillable_quantity": quantity,
                "properties": [],
                "tax_lines": [{"title": "VAT", "price": "3.33", "rate": 0.2}],
            }
        )
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": name,
        "order_number": int(name.lstrip("#")) if name.lstrip("#").isdigit() else 1,
        "email": "ada@example.com",
        "created_at": created_at,
        "updated_at": updated_at,
        "cancelled_at": cancelled_at,
        "cancel_reason": "customer" if cancelled_at else None,
        "financial_status": financial_status,
        "fulfillment_status": None,
        "currency": "EUR",
        "total_price": "39.98",
        "total_weight": 1.25,
        "tags": "",
        "customer": {"id": 115310627314723954, "first_name": "Ada", "last_name": "Lovelace", "email": None},
        "shipping_address": {
            "name": "Ada Lovelace",
            "address1": "12 Analytical Row",
            "address2": None,
            "city": "London",
            "zip": "W1 2AB",
            "province": None,
            "country": "United Kingdom",
            "company": None,
            "latitude": 51.5,
        },
        "line_items": items,
    }


def line_item_id(order_id: int, n: int) -> int:
    """The id of an order's n-th line item (1-based)."""
    return order_id * 100 + n


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeShopify:
    """A local Admin API for one shop: fulfillment orders per order, fulfillments made, requests seen."""

    token: str = TOKEN
    version: str = API_VERSION
    fulfillment_orders: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    fulfillments: list[dict[str, Any]] = field(default_factory=list)
    #: Requests that broke the documented contract (the test fails on any).
    violations: list[str] = field(default_factory=list)
    #: An order's payment transactions (a paid order's sale, then refunds) and its refunds.
    transactions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    refunds: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    #: The status new refund transactions get ("pending" while a gateway takes its time).
    refund_status: str = "success"
    _errors: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def add_order(self, order: dict[str, Any]) -> None:
        """Shopify splits a new order into one open fulfillment order (one location here)."""
        order_id = order["id"]
        self.fulfillment_orders[order_id] = [
            {
                "id": order_id + 7,
                "order_id": order_id,
                "assigned_location_id": LOCATION_ID,
                "status": "open",
                "request_status": "unsubmitted",
                "supported_actions": ["create_fulfillment", "move", "hold"],
                "line_items": [
                    {
                        "id": item["id"] + 50,
                        "fulfillment_order_id": order_id + 7,
                        "line_item_id": item["id"],
                        "inventory_item_id": 900 + n,
                        "variant_id": item["variant_id"],
                        "quantity": item["current_quantity"],
                        "fulfillable_quantity": item["current_quantity"],
                    }
                    for n, item in enumerate(order["line_items"])
                    if item["current_quantity"] > 0
                ],
            }
        ]

    def add_payment(self, order: dict[str, Any]) -> None:
        """A paid order's captured payment: one successful sale of its whole total."""
        order_id = order["id"]
        self.transactions.setdefault(order_id, []).append(
            {
                "id": order_id + 900,
                "order_id": order_id,
                "kind": "sale",
                "status": "success",
                "amount": order["total_price"],
                "currency": order["currency"],
                "gateway": "shopify_payments",
                "parent_id": None,
            }
        )
        self.refunds.setdefault(order_id, [])

    def refunded(self, order_id: int) -> list[str]:
        """The amounts of the order's refund transactions, in order."""
        return [d["amount"] for r in self.refunds.get(order_id, []) for d in r["transactions"]]

    def fail_next(self, status: int, *, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` requests with this error status (and Retry-After, if given)."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self._errors.extend([(status, headers)] * times)

    def fulfilled(self) -> list[tuple[int, int]]:
        """(fulfillment order line item id, quantity) of every fulfillment made, in order."""
        return [
            (item["id"], item["quantity"])
            for made in self.fulfillments
            for group in made["line_items_by_fulfillment_order"]
            for item in group["fulfillment_order_line_items"]
        ]

    # --- the Admin API -----------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                self.violations.append(f"{method} {path}: the body is not JSON")
                return 400, {"errors": "bad JSON"}, {}
        with self._lock:
            self.requests.append(Recorded(method, path, headers, body))
            if headers.get("x-shopify-access-token") != self.token:
                self.violations.append(f"{method} {path}: no valid X-Shopify-Access-Token")
                return 401, {"errors": "[API] Invalid API key or access token"}, {}
            if self._errors:
                status, extra = self._errors.pop(0)
                return status, {"errors": "Exceeded 2 calls per second" if status == 429 else "Error"}, extra
            prefix = f"/admin/api/{self.version}/"
            if not path.startswith(prefix):
                self.violations.append(f"{method} {path}: not under {prefix}")
                return 404, {"errors": "Not Found"}, {}
            rest = path[len(prefix) :]
            found = re.fullmatch(r"orders/(\d+)/fulfillment_orders\.json", rest)
            if method == "GET" and found:
                orders = self.fulfillment_orders.get(int(found.group(1)))
                if orders is None:
                    return 404, {"errors": "Not Found"}, {}
                return 200, {"fulfillment_orders": orders}, {}
            if method == "POST" and rest == "fulfillments.json":
                return self._create(headers, body)
            found = re.fullmatch(r"orders/(\d+)/(transactions|refunds)\.json", rest)
            if found and int(found.group(1)) in self.refunds:
                order_id, what = int(found.group(1)), found.group(2)
                if method == "GET":
                    listed = self.transactions if what == "transactions" else self.refunds
                    return 200, {what: listed[order_id]}, {}
                if method == "POST" and what == "refunds":
                    return self._refund(order_id, headers, body)
            self.violations.append(f"{method} {path}: no such endpoint")
            return 404, {"errors": "Not Found"}, {}

    def _create(self, headers: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        if not headers.get("content-type", "").startswith("application/json"):
            self.violations.append("POST fulfillments.json without Content-Type: application/json")
        problem = _check_fulfillment(body)
        if problem:
            self.violations.append(f"POST fulfillments.json: {problem}")
            return 400, {"errors": {"fulfillment": [problem]}}, {}
        fulfillment = body["fulfillment"]
        lines = {
            line["id"]: (fo, line)
            for orders in self.fulfillment_orders.values()
            for fo in orders
            for line in fo["line_items"]
        }
        for group in fulfillment["line_items_by_fulfillment_order"]:
            for item in group["fulfillment_order_line_items"]:
                fo, line = lines.get(item["id"], (None, None))
                if fo is None or line is None or fo["id"] != group["fulfillment_order_id"]:
                    return 422, {"errors": ["Invalid fulfillment order line item id."]}, {}
                if item["quantity"] > line["fulfillable_quantity"]:
                    return 422, {"errors": ["Invalid fulfillment order line item quantity requested."]}, {}
        for group in fulfillment["line_items_by_fulfillment_order"]:
            for item in group["fulfillment_order_line_items"]:
                fo, line = lines[item["id"]]
                line["fulfillable_quantity"] -= item["quantity"]
                left = sum(li["fulfillable_quantity"] for li in fo["line_items"])
                fo["status"] = "in_progress" if left else "closed"
        self.fulfillments.append(fulfillment)
        tracking = (fulfillment.get("tracking_info") or {}).get("number")
        return (
            201,
            {
                "fulfillment": {
                    "id": 255858046 + len(self.fulfillments),
                    "status": "success",
                    "tracking_number": tracking,
                }
            },
            {},
        )

    def _refund(self, order_id: int, headers: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        if not headers.get("content-type", "").startswith("application/json"):
            self.violations.append("POST refunds.json without Content-Type: application/json")
        problem = _check_refund(body)
        if problem:
            self.violations.append(f"POST refunds.json: {problem}")
            return 400, {"errors": {"refund": [problem]}}, {}
        deals = self.transactions[order_id]
        captured = {
            d["id"]: d for d in deals if d["kind"] in ("sale", "capture") and d["status"] == "success"
        }
        wanted: dict[int, Decimal] = {}
        for asked in body["refund"]["transactions"]:
            parent = asked["parent_id"]
            if parent not in captured:
                return 422, {"errors": {"parent_id": ["is not a captured payment of this order"]}}, {}
            wanted[parent] = wanted.get(parent, Decimal(0)) + Decimal(asked["amount"])
        for parent, amount in wanted.items():
            paid_back = sum(
                (Decimal(d["amount"]) for d in deals if d["kind"] == "refund" and d["parent_id"] == parent),
                Decimal(0),
            )
            if amount > Decimal(captured[parent]["amount"]) - paid_back:
                return 422, {"errors": {"amount": ["exceeds what is left of the payment"]}}, {}
        made = [
            {
                "id": order_id + 1000 + len(deals) + n,
                "order_id": order_id,
                "kind": "refund",
                "status": self.refund_status,
                "amount": asked["amount"],
                "gateway": asked.get("gateway") or "",
                "parent_id": asked["parent_id"],
            }
            for n, asked in enumerate(body["refund"]["transactions"])
        ]
        deals.extend(made)
        refund = {
            "id": 509562969 + sum(len(r) for r in self.refunds.values()),
            "order_id": order_id,
            "note": body["refund"].get("note"),
            "transactions": made,
        }
        self.refunds[order_id].append(refund)
        return 201, {"refund": refund}, {}


def _check_refund(body: Any) -> str | None:
    """What is wrong with a refund request body, by the documented shape; None when nothing."""
    if not isinstance(body, dict) or not isinstance(body.get("refund"), dict):
        return 'the body must be {"refund": {...}}'
    refund = body["refund"]
    if not isinstance(refund.get("currency"), str) or len(refund["currency"]) != 3:
        return "currency must be a three-letter code"
    deals = refund.get("transactions")
    if not isinstance(deals, list) or not deals:
        return "transactions must be a non-empty list"
    for deal in deals:
        if not isinstance(deal, dict) or deal.get("kind") != "refund":
            return "each transaction must be an object of kind refund"
        if not isinstance(deal.get("parent_id"), int):
            return "each transaction needs the parent_id of the payment it refunds"
        if not isinstance(deal.get("amount"), str) or not re.fullmatch(r"\d+(\.\d{1,2})?", deal["amount"]):
            return "amount must be a decimal string with at most two places"
        if Decimal(deal["amount"]) <= 0:
            return "amount must be positive"
    if "notify" in refund and not isinstance(refund["notify"], bool):
        return "notify must be true or false"
    return None


def _check_fulfillment(body: Any) -> str | None:
    """What is wrong with a fulfillment request body, by the documented shape; None when nothing."""
    if not isinstance(body, dict) or not isinstance(body.get("fulfillment"), dict):
        return 'the body must be {"fulfillment": {...}}'
    fulfillment = body["fulfillment"]
    groups = fulfillment.get("line_items_by_fulfillment_order")
    if not isinstance(groups, list) or not groups:
        return "line_items_by_fulfillment_order must be a non-empty list"
    for group in groups:
        if not isinstance(group.get("fulfillment_order_id"), int):
            return "fulfillment_order_id must be a number"
        items = group.get("fulfillment_order_line_items")
        if not isinstance(items, list) or not items:
            return "fulfillment_order_line_items must be a non-empty list"
        for item in items:
            if not isinstance(item.get("id"), int) or not isinstance(item.get("quantity"), int):
                return "each fulfillment order line item needs a numeric id and quantity"
            if item["quantity"] <= 0:
                return "quantities must be positive"
    tracking = fulfillment.get("tracking_info")
    if tracking is not None and not (isinstance(tracking, dict) and isinstance(tracking.get("number"), str)):
        return "tracking_info must be an object with a number"
    if "notify_customer" in fulfillment and not isinstance(fulfillment["notify_customer"], bool):
        return "notify_customer must be true or false"
    return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, answer, extra = self.server.shop.handle(self.command, self.path, headers, raw)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = _serve
    do_POST = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        """Quiet: tests read the recorded requests instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, shop: FakeShopify) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.shop = shop


@contextmanager
def running_shop() -> Iterator[FakeShopify]:
    """A FakeShopify serving on a free local port for the length of the block."""
    shop = FakeShopify()
    server = _Server(shop)
    shop.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-shopify", daemon=True)
    thread.start()
    try:
        yield shop
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
