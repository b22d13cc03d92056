"""A Shopify order's tax, discounts and shipping, per line and for the order, and what was paid
and refunded, read exactly."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pegboard.adapters.shopify.fields import field_path, read_count, required_field
from pegboard.domain.books import OrderCharges, money
from pegboard.domain.errors import InvalidValue
from pegboard.domain.quantities import Money, QuantityError, to_money
from pegboard.services.shop_payments import ShopMoney


def _amount(value: Any, path: str) -> Money:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidValue(path, value, "must be an amount")
    try:
        return to_money(value)
    except QuantityError as error:
        raise InvalidValue(path, value, str(error).replace(f"{value!r} ", "")) from None


def _sum(data: Mapping[str, Any], name: str, key: str, prefix: str) -> Money:
    """The sum of `key` over the list `name` (`tax_lines` prices, `discount_allocations` amounts)."""
    entries = data.get(name) or []
    if not isinstance(entries, list):
        raise InvalidValue(field_path(prefix, name), type(entries).__name__, "must be a list")
    total = Money(Decimal(0))
    for n, entry in enumerate(entries):
        path = f"{field_path(prefix, name)}[{n}]"
        if not isinstance(entry, Mapping):
            raise InvalidValue(path, type(entry).__name__, "must be a JSON object")
        total = Money(total + _amount(required_field(entry, key, path), f"{path}.{key}"))
    return total


def line_charges(item: Mapping[str, Any], n: int, quantity: Decimal) -> tuple[Money, Money]:
    """A line item's tax (its `tax_lines`) and discount (its `discount_allocations`), for the
    quantity still ordered when some was removed in the shop."""
    prefix = f"line_items[{n}]"
    tax = _sum(item, "tax_lines", "price", prefix)
    discount = _sum(item, "discount_allocations", "amount", prefix)
    ordered = read_count(item, "quantity", prefix, required=True)
    if ordered and quantity < ordered:
        tax, discount = (Money(money(x * quantity / ordered)) for x in (tax, discount))
    return tax, discount


def taxes_included(data: Mapping[str, Any]) -> bool:
    """Whether the order's prices hold their tax (`taxes_included`; absent or null: they do not)."""
    included = data.get("taxes_included")
    if included is None:
        return False
    if not isinstance(included, bool):
        raise InvalidValue("taxes_included", included, "must be true or false")
    return included


def order_charges(
    data: Mapping[str, Any], line_tax: dict[int, Money], line_discount: dict[int, Money], *, included: bool
) -> OrderCharges:
    """The order's charges; when the shop's prices include tax (`taxes_included`), the lines' and
    the shipping's tax is inside their prices, so shipping is charged net of its tax."""
    shipping, shipping_tax = _shipping(data)
    taxes = {n: x for n, x in line_tax.items() if x}
    discounts = {n: x for n, x in line_discount.items() if x}
    if not included:
        return OrderCharges(taxes, discounts, shipping, shipping_tax)
    if shipping_tax > shipping:
        raise InvalidValue(
            "shipping_lines", shipping_tax, f"tax is more than the shipping charged ({shipping})"
        )
    return OrderCharges({}, discounts, Money(shipping - shipping_tax), shipping_tax, taxes)


def _shipping(data: Mapping[str, Any]) -> tuple[Money, Money]:
    """The order's shipping (its `shipping_lines`' prices less their discounts) and that tax."""
    lines = data.get("shipping_lines") or []
    if not isinstance(lines, list):
        raise InvalidValue("shipping_lines", type(lines).__name__, "must be a list")
    shipping, tax = Decimal(0), Decimal(0)
    for n, line in enumerate(lines):
        prefix = f"shipping_lines[{n}]"
        if not isinstance(line, Mapping):
            raise InvalidValue(prefix, type(line).__name__, "must be a JSON object")
        price = _amount(required_field(line, "price", prefix), f"{prefix}.price")
        shipping += max(price - _sum(line, "discount_allocations", "amount", prefix), Decimal(0))
        tax += _sum(line, "tax_lines", "price", prefix)
    return Money(shipping), Money(tax)


#: Financial statuses under which the customer has paid (all of `total_price` but what is outstanding).
_PAID = {"paid", "partially_paid", "refunded", "partially_refunded"}


def shop_money(data: Mapping[str, Any], status: str | None) -> ShopMoney | None:
    """What the customer paid (`total_price` less `total_outstanding`) and was paid back (the
    successful refund transactions of `refunds`; all that was paid for `refunded` without them)."""
    if status not in _PAID:
        return None
    total = _amount(required_field(data, "total_price", ""), "total_price")
    outstanding = data.get("total_outstanding")
    owed = _amount(outstanding, "total_outstanding") if outstanding is not None else Decimal(0)
    if status == "partially_paid" and outstanding is None:
        return None  # how much was paid is not said
    received = max(total - owed, Decimal(0))
    refunds = data.get("refunds") or []
    if not isinstance(refunds, list):
        raise InvalidValue("refunds", type(refunds).__name__, "must be a list")
    refunded = Decimal(0)
    for n, refund in enumerate(refunds):
        if not isinstance(refund, Mapping):
            raise InvalidValue(f"refunds[{n}]", type(refund).__name__, "must be a JSON object")
        for m, deal in enumerate(refund.get("transactions") or []):
            path = f"refunds[{n}].transactions[{m}]"
            if not isinstance(deal, Mapping):
                raise InvalidValue(path, type(deal).__name__, "must be a JSON object")
            if deal.get("kind") == "refund" and deal.get("status", "success") == "success":
                refunded += _amount(required_field(deal, "amount", path), f"{path}.amount")
    if status == "refunded" and not refunds:
        refunded = received
    return ShopMoney(received, refunded)
