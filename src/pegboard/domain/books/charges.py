"""An order's tax, shipping and discounts, and each shipment's share of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    tax belong to the order and are earned with its first shipment. `line_included_tax` is tax
    already inside a line's price (a shop whose prices include tax): it is collected, not earned.
    """

    line_tax: Mapping[int, Decimal] = field(default_factory=dict)
    line_discount: Mapping[int, Decimal] = field(default_factory=dict)
    shipping: Decimal = ZERO
    shipping_tax: Decimal = ZERO
    line_included_tax: Mapping[int, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, amounts in self.by_line().items():
            for line_no, amount in amounts.items():
                if amount < 0:
                    raise InvalidValue(f"lines[{line_no}].{name}", amount, "must not be negative")
        for name in ("shipping", "shipping_tax"):
            if getattr(self, name) < 0:
                raise InvalidValue(name, getattr(self, name), "must not be negative")

    def by_line(self) -> dict[str, Mapping[int, Decimal]]:
        """The per-line amounts by kind (`tax`, `discount`, `included_tax`)."""
        return {"tax": self.line_tax, "discount": self.line_discount, "included_tax": self.line_included_tax}

    def __bool__(self) -> bool:
        return bool(
            any(any(amounts.values()) for amounts in self.by_line().values())
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


def charges_change(
    order_ref: str,
    before: Earned,
    after: Earned,
    *,
    deposits: Mapping[Account, Decimal],
    receivable: Decimal,
    on: date,
    deposit_account: Account = Account.DEPOSITS,
) -> JournalEntry | None:
    """What shipped goods earned, booked again at the order's new tax, discounts or shipping: the
    difference moves revenue, discounts, tax and shipping. More due comes out of the deposits
    (the rest is owed); less due clears what is owed first, and the rest goes back to the deposit."""
    due = after.due - before.due
    if due >= 0:
        drawn = draw_deposits(due, deposits)
        settled = [*drawn, (Account.RECEIVABLE, due - sum((x for _, x in drawn), ZERO))]
    else:
        clears = min(-due, max(receivable, ZERO))
        settled = [(Account.RECEIVABLE, -clears), (deposit_account, due + clears)]
    amounts = [
        *settled,
        (Account.REVENUE, before.goods - after.goods),
        (Account.DISCOUNTS, after.discount - before.discount),
        (Account.TAX, before.tax + before.shipping_tax - after.tax - after.shipping_tax),
        (Account.SHIPPING, before.shipping - after.shipping),
    ]
    return entry(EntryKind.CHARGES, on, _netted(amounts), order_ref=order_ref)


def _netted(amounts: Sequence[tuple[Account, Decimal]]) -> list[tuple[Account, Decimal]]:
    """One amount per account (a debit and a credit to the same account cancel out)."""
    totals: dict[Account, Decimal] = {}
    for account, amount in amounts:
        totals[account] = totals.get(account, ZERO) + amount
    return list(totals.items())
