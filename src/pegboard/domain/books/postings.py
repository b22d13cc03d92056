"""The entry each business event books: payment, shipment, receipt, count, production, cancellation,
refund; a deposit until the goods ship, revenue and cost of goods sold when they do."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from pegboard.domain.books.balances import draw_deposits
from pegboard.domain.books.journal import ZERO, Account, EntryKind, JournalEntry, entry
from pegboard.domain.errors import InvalidValue
from pegboard.domain.items import BillsOfMaterials, Item


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
