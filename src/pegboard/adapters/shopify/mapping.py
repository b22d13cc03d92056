"""Shopify order JSON read into Pegboard's words: an order draft, plus what ordering and retries need.

The order ref is ``SHOP-`` and the order's `name` without its leading "#": Shopify's "#1001"
becomes ``SHOP-1001``. The name never changes for an order, so every delivery of it finds the
same sales order, and the prefix keeps shop orders apart from refs typed by hand (``SO-42``).

Read from each order: `id`, `name`, `created_at` (the order date), `updated_at` (which version
is newer), `cancelled_at`, `financial_status`, the customer's name and email, the shipping
address as one text, and per line item its `sku`, quantity (`current_quantity`, which counts
removals made in the shop, else `quantity`), unit `price` and `properties` (the customer's
choices, mapped to the item's options by name). For the books: each line item's
`tax_lines` and `discount_allocations`, the order's `shipping_lines` (price, discounts, tax),
`taxes_included` (the prices hold their tax: revenue is booked net of it), and
what was paid (`total_price` less `total_outstanding` once paid) and refunded (`refunds`).
Numbers are read exactly (Decimal, never float). Unknown fields are ignored; a missing or
malformed required field is an error naming it (``line_items[2].quantity``). A line item
without a SKU is not an error: the order is held with that problem. Gift cards are not stock
and are left out; so are line items whose quantity was removed in full.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pegboard.adapters.shopify.charges import line_charges, order_charges, shop_money, taxes_included
from pegboard.adapters.shopify.fields import (
    read_count,
    read_moment,
    read_object,
    read_price,
    read_text,
    required_field,
)
from pegboard.domain import limits
from pegboard.domain.errors import BadInput, InvalidValue
from pegboard.domain.quantities import Money
from pegboard.services.orders import LineDraft, OrderDraft
from pegboard.services.shopify_orders import ShopOrder

ORDER_REF_PREFIX = "SHOP-"
SOURCE = "shopify"
_MAX_REF = limits.ORDER_REF


class MalformedJson(BadInput):
    """The body is not valid JSON."""

    code = "malformed_json"

    def __init__(self, reason: str, *, field: str = "body") -> None:
        super().__init__(f"the {field} is not valid JSON ({reason})")
        self.field = field


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def loads(body: bytes | str, *, field: str = "body") -> Any:
    """JSON with every non-integer number as an exact Decimal; NaN and Infinity are refused."""
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise MalformedJson(str(error), field=field) from None


def dumps(data: Any) -> str:
    """JSON text of parsed data, decimals written as text so they come back exact."""

    def exact(value: object) -> str:
        if isinstance(value, Decimal):
            return str(value)
        raise TypeError(f"{type(value).__name__} is not JSON")

    return json.dumps(data, default=exact, separators=(",", ":"), ensure_ascii=False)


def read_payload(body: bytes | str) -> ShopOrder:
    """A webhook body (UTF-8 JSON, as Shopify sends it) or a stored payload as a Shopify order."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedJson(f"not UTF-8 text: {error.reason} at byte {error.start}") from None
    return read_order(loads(body), payload=body)


def order_list(data: Any) -> list[Any]:
    """The orders of an export: ``{"orders": [...]}`` or a bare list."""
    if isinstance(data, Mapping) and "orders" in data:
        data = data["orders"]
    if not isinstance(data, list):
        raise InvalidValue("orders", type(data).__name__, 'must be a list of orders or {"orders": [...]}')
    return data


def shopify_order_id(data: Any) -> str:
    """The order's Shopify id as text."""
    if not isinstance(data, Mapping):
        raise InvalidValue("body", type(data).__name__, "must be a JSON object (a Shopify order)")
    value = required_field(data, "id", "")
    text = "" if isinstance(value, bool) or not isinstance(value, int | str) else str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text.lstrip("0")) > limits.SHOPIFY_ORDER_ID:
        reason = f"must be a Shopify order id (a whole number of at most {limits.SHOPIFY_ORDER_ID} digits)"
        raise InvalidValue("id", value, reason)
    return str(int(text))


def order_ref(name: str) -> str:
    """SHOP- and the order's name without its leading "#": "#1001" -> "SHOP-1001"."""
    ref = ORDER_REF_PREFIX + name.strip().removeprefix("#").strip()
    if len(ref) > _MAX_REF or ref == ORDER_REF_PREFIX:
        raise InvalidValue(
            "name", name, f"must give an order ref of 1 to {_MAX_REF - len(ORDER_REF_PREFIX)} characters"
        )
    return ref


def read_order(data: Any, *, payload: str | None = None) -> ShopOrder:
    """One Shopify order (the webhook's JSON, parsed) as a draft and its bookkeeping."""
    shop_id = shopify_order_id(data)
    name = read_text(data, "name", "", required=True)
    assert name is not None
    created_at = read_moment(data, "created_at", "", required=True)
    updated_at = read_moment(data, "updated_at", "", required=True)
    assert created_at is not None and updated_at is not None
    items = required_field(data, "line_items", "")
    if not isinstance(items, list):
        raise InvalidValue("line_items", type(items).__name__, "must be a list")
    lines: list[LineDraft] = []
    problems: list[str] = []
    line_tax: dict[int, Money] = {}
    line_discount: dict[int, Money] = {}
    included = taxes_included(data)
    for n, item in enumerate(items):
        line, problem = _line(item, n)
        if line is not None:
            lines.append(line)
            tax, discount = line_charges(item, n, line.quantity)
            gross = (line.unit_price or 0) * line.quantity - discount
            if included and tax > gross:
                raise InvalidValue(
                    f"line_items[{n}].tax_lines", tax, f"is more than the price with tax ({gross})"
                )
            line_tax[len(lines)], line_discount[len(lines)] = tax, discount
        if problem:
            problems.append(problem)
    draft = OrderDraft(
        order_ref=order_ref(name),
        customer=_customer(data, shop_id),
        lines=tuple(lines),
        email=_email(data),
        ordered_at=created_at,
        ship_to=_address(data.get("shipping_address"), "shipping_address"),
        source=SOURCE,
        financial_status=read_text(data, "financial_status", "", max_length=limits.FINANCIAL_STATUS),
        charges=order_charges(data, line_tax, line_discount, included=included),
    )
    return ShopOrder(
        shopify_order_id=shop_id,
        draft=draft,
        updated_at=updated_at,
        cancelled_at=read_moment(data, "cancelled_at", ""),
        payload=payload if payload is not None else dumps(data),
        problems=tuple(problems),
        money=shop_money(data, draft.financial_status),
    )


def line_item_skus(payload: str) -> dict[str, str]:
    """Each line item's id (as text) and its SKU, from a stored order payload."""
    data = loads(payload, field="stored order")
    items = data.get("line_items") if isinstance(data, Mapping) else None
    found: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("sku"), str) and item.get("id") is not None:
            found[str(item["id"])] = item["sku"].strip()
    return found


def _line(item: Any, n: int) -> tuple[LineDraft | None, str | None]:
    """A line item as an order line; (None, problem) when it has no SKU, (None, None) when left out."""
    prefix = f"line_items[{n}]"
    if not isinstance(item, Mapping):
        raise InvalidValue(prefix, type(item).__name__, "must be a JSON object (a line item)")
    ordered = read_count(item, "quantity", prefix, required=True)
    current = read_count(item, "current_quantity", prefix)
    quantity = current if current is not None else ordered
    assert quantity is not None
    price = read_price(item, prefix)
    title = read_text(item, "title", prefix) or f"line item {n + 1}"
    sku = read_text(item, "sku", prefix, max_length=limits.SKU)
    if item.get("gift_card") is True or quantity == 0:
        return None, None
    if sku is None:
        return None, f"line item {n + 1} ({title!r}) has no SKU"
    return LineDraft(sku, quantity, price, options=_properties(item, prefix)), None


def _properties(item: Mapping[str, Any], prefix: str) -> dict[str, str]:
    """The line item's properties by name, the customer's choices of the item's options (the
    service keeps those that name one); private ones (a leading "_") and empty values are left out."""
    found: dict[str, str] = {}
    properties = item.get("properties")
    if not isinstance(properties, list):
        return found
    for k, entry in enumerate(properties):
        if not isinstance(entry, Mapping):
            raise InvalidValue(f"{prefix}.properties[{k}]", type(entry).__name__, "must be a JSON object")
        name, value = entry.get("name"), entry.get("value")
        if not isinstance(name, str) or name.startswith("_") or value is None or str(value).strip() == "":
            continue
        found[name.strip()] = str(value).strip()
    return found


def _customer(data: Mapping[str, Any], shop_id: str) -> str:
    """The customer's name; else the name on the shipping or billing address; else the email."""
    customer = read_object(data, "customer")
    parts = [read_text(customer, key, "customer") for key in ("first_name", "last_name")]
    name = " ".join(p for p in parts if p)
    for address in ("shipping_address", "billing_address"):
        if not name:
            name = read_text(read_object(data, address), "name", address) or ""
    return name or _email(data) or f"Shopify customer of order {shop_id}"


def _email(data: Mapping[str, Any]) -> str | None:
    return (
        read_text(data, "email", "", max_length=limits.EMAIL)
        or read_text(data, "contact_email", "", max_length=limits.EMAIL)
        or read_text(read_object(data, "customer"), "email", "customer", max_length=limits.EMAIL)
    )


def _address(value: Any, field: str) -> str | None:
    """An address as one text, a line each: name, company, street, "zip city", province, country."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidValue(field, type(value).__name__, "must be a JSON object")
    part = {key: read_text(value, key, field) for key in _ADDRESS_KEYS}
    town = " ".join(p for p in (part["zip"], part["city"]) if p)
    lines = [part["name"], part["company"], part["address1"], part["address2"], town]
    lines += [part["province"], part["country"]]
    text = "\n".join(line for line in lines if line)
    return text or None


_ADDRESS_KEYS = ("name", "company", "address1", "address2", "zip", "city", "province", "country")
