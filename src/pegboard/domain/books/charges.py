"""An order's tax, shipping and discounts, and each shipment's share of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pegboard.domain.books.balances import draw_deposits
from pegboard.domain.books.journal import ZERO, Account, EntryKind, JournalEntry, entry, money
from pegboard.domain.errors import InvalidValue


@dataclass(frozen=True)
class OrderCharges:
    """An order's tax, discounts and shipping, in the shop's currency, as the order brought them.

    `line_tax` and `line_discount` are per line number, for the whole line; shipping and its
    tax belong to the order and are earned with its first shipment.
    """

    line_tax: Mapping[int, Decimal] = field(default_factory=dict)
    line_discount: Mapping[int, Decimal] = field(default_factory=dict)
    shipping: Decimal = ZERO
    shipping_tax: Decimal = ZERO

    def __post_init__(self) -> None:
        for name, amounts in (("tax", self.line_tax), ("discount", self.line_discount)):
            for line_no, amount in amounts.items():
                if amount < 0:
                    raise InvalidValue(f"lines[{line_no}].{name}", amount, "must not be negative")
        for name in ("shipping", "shipping_tax"):
            if getattr(self, name) < 0:
                raise InvalidValue(name, getattr(self, name), "must not be negative")

    def __bool__(self) -> bool:
        return bool(
            any(self.line_tax.values())
            or any(self.line_discount.values())
            or self.shipping
            or self.shipping_tax
        )


def share(total: Decimal, *, before: Decimal, after: Decimal, quantity: Decimal) -> Decimal:
    """The part of a line's `total` that goes with the units from `before` to `after` of `quantity`:
    differences of rounded running totals, so all the parts add up to the total exactly."""
    if quantity <= 0 or total == 0:
        return ZERO
    return money(total * after / quantity) - money(total * before / quantity)


@dataclass(frozen=True)
class Earned:
    """What a shipment earns: goods at full price, less discounts, plus tax, plus shipping."""

    goods: Decimal = ZERO
    discount: Decimal = ZERO
    tax: Decimal = ZERO
    shipping: Decimal = ZERO
    shipping_tax: Decimal = ZERO

    @property
    def due(self) -> Decimal:
        """What the customer pays for it."""
        return self.goods - self.discount + self.tax + self.shipping + self.shipping_tax


def shipment_earning(
    order_ref: str,
    shipment_ref: str,
    earned: Earned,
    *,
    cost: Decimal,
    deposits: Mapping[Account, Decimal],
    on: date,
    cost_from: Account = Account.INVENTORY,
) -> JournalEntry | None:
    """Revenue, discounts, tax collected and shipping for what shipped come out of the order's
    deposits (what they do not cover is owed, a receivable); the cost leaves inventory (a drop-ship's
    is owed to the supplier)."""
    drawn = draw_deposits(earned.due, deposits)
    from_deposits = sum((amount for _, amount in drawn), ZERO)
    amounts = [
        *drawn,
        (Account.RECEIVABLE, earned.due - from_deposits),
        (Account.REVENUE, -earned.goods),
        (Account.DISCOUNTS, earned.discount),
        (Account.TAX, -(earned.tax + earned.shipping_tax)),
        (Account.SHIPPING, -earned.shipping),
        (Account.COST_OF_GOODS_SOLD, cost),
        (cost_from, -cost),
    ]
    return entry(EntryKind.SHIPMENT, on, amounts, order_ref=order_ref, reference=shipment_ref)
