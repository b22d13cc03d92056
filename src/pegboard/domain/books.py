"""The books: a chart of accounts and journal entries that always balance, in exact money.

A backordered sale is a customer deposit (a liability) until it ships; each shipment turns what
left into revenue and its standard cost into cost of goods sold; a cancelled paid remainder
becomes a refund due. The rules here decide the lines; storing them is an adapter's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from pegboard.domain.errors import InvalidValue
from pegboard.domain.items import BillsOfMaterials, Item

ZERO = Decimal(0)
#: Amounts booked are rounded half up to the cent, line by line (price x quantity may not be).
CENT = Decimal("0.01")


class Account(StrEnum):
    """The chart of accounts, by code; names come from settings (`DEFAULT_NAMES` otherwise)."""

    CASH = "1000"
    RECEIVABLE = "1100"
    INVENTORY = "1200"
    PAYABLE = "2000"
    DEPOSITS = "2100"
    PREORDER_DEPOSITS = "2110"
    REFUNDS_DUE = "2150"
    TAX = "2200"
    ADJUSTMENTS = "3900"
    REVENUE = "4000"
    DISCOUNTS = "4050"
    SHIPPING = "4100"
    COST_OF_GOODS_SOLD = "5000"
    LABOUR = "5100"


DEFAULT_NAMES: dict[str, str] = {
    Account.CASH: "Cash",
    Account.RECEIVABLE: "Accounts receivable",
    Account.INVENTORY: "Inventory",
    Account.PAYABLE: "Accounts payable",
    Account.DEPOSITS: "Customer deposits",
    Account.PREORDER_DEPOSITS: "Preorder deposits",
    Account.REFUNDS_DUE: "Refunds due",
    Account.TAX: "Tax collected",
    Account.ADJUSTMENTS: "Stock adjustments",
    Account.REVENUE: "Revenue",
    Account.DISCOUNTS: "Discounts given",
    Account.SHIPPING: "Shipping charged",
    Account.COST_OF_GOODS_SOLD: "Cost of goods sold",
    Account.LABOUR: "Labour applied to production",
}


def account_names(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every account's name: the default unless settings rename it."""
    names = dict(DEFAULT_NAMES)
    for code, name in (overrides or {}).items():
        if code not in names:
            raise InvalidValue("account_names", code, f"is not an account code ({', '.join(names)})")
        names[code] = name
    return names


class EntryKind(StrEnum):
    """What caused an entry."""

    PAYMENT = "payment"
    SHIPMENT = "shipment"
    RECEIPT = "receipt"
    CANCELLATION = "cancellation"
    REFUND = "refund"
    COUNT = "count"
    PRODUCTION = "production"
    CHARGES = "charges"


class UnbalancedEntry(ValueError):
    """An entry whose debits and credits differ, or with a line that is not one-sided and positive."""


@dataclass(frozen=True)
class JournalLine:
    """One side of an entry: a positive debit or a positive credit to one account."""

    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO


@dataclass(frozen=True)
class JournalEntry:
    """Lines that balance exactly (debits = credits), booked on one day for one cause."""

    booked_on: date
    kind: EntryKind
    lines: tuple[JournalLine, ...]
    order_ref: str | None = None
    reference: str = ""
    memo: str = ""

    def __post_init__(self) -> None:
        for line in self.lines:
            if line.debit < 0 or line.credit < 0 or (line.debit > 0) == (line.credit > 0):
                raise UnbalancedEntry(f"{line} must have either a positive debit or a positive credit")
        debits, credits = self.totals
        if len(self.lines) < 2 or debits != credits:
            raise UnbalancedEntry(f"{self.kind} {self.reference}: debits {debits} != credits {credits}")

    @property
    def totals(self) -> tuple[Decimal, Decimal]:
        """(total debits, total credits)."""
        return sum((x.debit for x in self.lines), ZERO), sum((x.credit for x in self.lines), ZERO)


def entry(
    kind: EntryKind,
    on: date,
    amounts: Sequence[tuple[Account, Decimal]],
    *,
    order_ref: str | None = None,
    reference: str = "",
    memo: str = "",
) -> JournalEntry | None:
    """An entry from signed amounts (positive debits, negative credits); zero amounts are left out."""
    lines = tuple(
        JournalLine(account, debit=amount) if amount > 0 else JournalLine(account, credit=-amount)
        for account, amount in amounts
        if amount != 0
    )
    if not lines:
        return None
    return JournalEntry(on, kind, lines, order_ref=order_ref, reference=reference, memo=memo)


def money(amount: Decimal) -> Decimal:
    """An amount rounded half up to the cent."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def standard_cost(
    sku: str, items: Mapping[str, Item], boms: BillsOfMaterials, known: dict[str, Decimal] | None = None
) -> Decimal:
    """The item's cost; a make item without one costs its components at their standard cost,
    plus its labour per unit.

    `known` keeps the costs worked out so far, so a component shared by many parents is costed once.
    """
    known = {} if known is None else known
    if sku not in known:
        item = items.get(sku)
        if item is not None and item.cost is not None:
            known[sku] = item.cost
        else:
            labour = item.labour_cost if item is not None and item.labour_cost is not None else ZERO
            known[sku] = labour + sum(
                (
                    line.quantity_per * standard_cost(line.component_sku, items, boms, known)
                    for line in boms.components(sku)
                ),
                ZERO,
            )
    return known[sku]


def payment(
    order_ref: str,
    amount: Decimal,
    *,
    receivable: Decimal,
    on: date,
    reference: str = "",
    memo: str = "",
    deposit_account: Account = Account.DEPOSITS,
) -> JournalEntry:
    """Money received settles what the order owes for shipped goods first; the rest is a deposit
    (a preorder's is counted apart, in `Account.PREORDER_DEPOSITS`)."""
    if amount <= 0:
        raise InvalidValue("amount", amount, "must be more than zero")
    settles = min(amount, max(receivable, ZERO))
    amounts = [(Account.CASH, amount), (Account.RECEIVABLE, -settles), (deposit_account, settles - amount)]
    made = entry(EntryKind.PAYMENT, on, amounts, order_ref=order_ref, reference=reference, memo=memo)
    assert made is not None
    return made


def shipment(
    order_ref: str,
    shipment_ref: str,
    *,
    revenue: Decimal,
    cost: Decimal,
    deposit: Decimal,
    on: date,
    cost_from: Account = Account.INVENTORY,
) -> JournalEntry | None:
    """Revenue for what shipped comes out of the order's deposit, and what the deposit does not
    cover is owed (a receivable); its cost leaves inventory (a drop-ship's is owed to the supplier)."""
    from_deposit = min(revenue, max(deposit, ZERO))
    amounts = [
        (Account.DEPOSITS, from_deposit),
        (Account.RECEIVABLE, revenue - from_deposit),
        (Account.REVENUE, -revenue),
        (Account.COST_OF_GOODS_SOLD, cost),
        (cost_from, -cost),
    ]
    return entry(EntryKind.SHIPMENT, on, amounts, order_ref=order_ref, reference=shipment_ref)


def receipt(po_ref: str, sku: str, value: Decimal, *, on: date) -> JournalEntry | None:
    """Goods received go into inventory at the PO's cost, owed to the supplier."""
    amounts = [(Account.INVENTORY, value), (Account.PAYABLE, -value)]
    return entry(EntryKind.RECEIPT, on, amounts, reference=po_ref, memo=sku)


def count(value: Decimal, *, on: date, memo: str = "") -> JournalEntry | None:
    """A stock count's differences at standard cost move inventory against stock adjustments."""
    amounts = [(Account.INVENTORY, value), (Account.ADJUSTMENTS, -value)]
    return entry(EntryKind.COUNT, on, amounts, reference="count", memo=memo)


def production(mo_ref: str, labour: Decimal, *, on: date, memo: str = "") -> JournalEntry | None:
    """Labour put into what an MO made adds to inventory (the components only change form)."""
    amounts = [(Account.INVENTORY, labour), (Account.LABOUR, -labour)]
    return entry(EntryKind.PRODUCTION, on, amounts, reference=mo_ref, memo=memo)


def _held(deposit: Decimal | Mapping[Account, Decimal]) -> Mapping[Account, Decimal]:
    return {Account.DEPOSITS: deposit} if isinstance(deposit, Decimal) else deposit


def cancellation(
    order_ref: str, *, deposit: Decimal | Mapping[Account, Decimal], still_owed: Decimal, on: date
) -> JournalEntry | None:
    """The part of the deposits above the value still to ship is due back to the customer."""
    held = _held(deposit)
    due = sum(held.values(), ZERO) - max(still_owed, ZERO)
    if due <= 0:
        return None
    amounts = [*draw_deposits(due, held), (Account.REFUNDS_DUE, -due)]
    return entry(EntryKind.CANCELLATION, on, amounts, order_ref=order_ref)


def refund(
    order_ref: str,
    amount: Decimal,
    *,
    refund_due: Decimal,
    deposit: Decimal | Mapping[Account, Decimal],
    on: date,
    reference: str = "",
) -> JournalEntry:
    """Money paid back clears the refund due first, then the deposits; never more than they hold."""
    held = _held(deposit)
    refundable = max(refund_due, ZERO) + sum((max(d, ZERO) for d in held.values()), ZERO)
    if amount <= 0:
        raise InvalidValue("amount", amount, "must be more than zero")
    if amount > refundable:
        raise InvalidValue(
            "amount",
            amount,
            f"is more than the {refundable} paid for {order_ref} and not yet shipped or refunded",
        )
    from_due = min(amount, max(refund_due, ZERO))
    amounts = [
        (Account.REFUNDS_DUE, from_due),
        *draw_deposits(amount - from_due, held),
        (Account.CASH, -amount),
    ]
    made = entry(EntryKind.REFUND, on, amounts, order_ref=order_ref, reference=reference)
    assert made is not None
    return made


@dataclass(frozen=True)
class BalanceLine:
    """An account's total debits and credits, and its balance (debit positive)."""

    account: str
    name: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


def trial_balance(
    totals: Mapping[str, tuple[Decimal, Decimal]], names: Mapping[str, str]
) -> list[BalanceLine]:
    """Each account with postings, by code; in a sound journal the debits and credits add up equal."""
    return [
        BalanceLine(code, names.get(code, code), debit, credit)
        for code, (debit, credit) in sorted(totals.items())
    ]


#: The accounts that hold an order's deposits, in the order they are drawn on.
DEPOSIT_ACCOUNTS = (Account.PREORDER_DEPOSITS, Account.DEPOSITS)


def deposits_held(balances: Mapping[str, Decimal]) -> dict[Account, Decimal]:
    """What each deposit account holds for an order, from its balances (credits are positive here)."""
    return {account: max(-balances.get(account, ZERO), ZERO) for account in DEPOSIT_ACCOUNTS}


def draw_deposits(amount: Decimal, held: Mapping[Account, Decimal]) -> list[tuple[Account, Decimal]]:
    """Up to `amount` taken from the deposits held (preorder deposits first), as debits."""
    drawn: list[tuple[Account, Decimal]] = []
    left = max(amount, ZERO)
    for account in DEPOSIT_ACCOUNTS:
        take = min(left, held.get(account, ZERO))
        drawn.append((account, take))
        left -= take
    return drawn


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
