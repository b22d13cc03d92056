"""The books: payments and refunds, and the entries that shipments, receipts, counts and
cancellations book in the same transaction as the change that causes them.

Cost is the stock value of what moved (services/valuation.py: moving average or FIFO): a
shipment's cost of goods sold and a count's difference are the values their movements took or
added; a receipt books the PO's unit cost (else the item's); an MO adds its labour.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pegboard.domain import books
from pegboard.domain.books import Account, BalanceLine, JournalEntry
from pegboard.domain.errors import ActionRefused, InvalidValue
from pegboard.domain.items import BillsOfMaterials, Item, Procurement
from pegboard.domain.sales import LineKind, OrderStatus, SalesOrder, Shipment
from pegboard.domain.supply import PurchaseOrder
from pegboard.services.lookup import existing_order
from pegboard.services.ports import Clock, JournalRow, UnitOfWork

ZERO = Decimal(0)


@dataclass(frozen=True)
class OrderMoney:
    """Where an order's money stands after a payment or refund: the entry booked and the balances."""

    order_ref: str
    entry: int
    deposit: Decimal
    receivable: Decimal
    refund_due: Decimal


def pay(
    order_ref: str, amount: Decimal, *, method: str = "", reference: str = "", uow: UnitOfWork, clock: Clock
) -> OrderMoney:
    """Money received for an order: it settles a receivable first, the rest is a customer deposit.

    A cancelled order, or a shipped one beyond what it still owes, takes no payment.
    """
    _whole_cents(amount)
    with uow:
        number = book_payment(uow, order_ref, amount, method=method, reference=reference, on=clock.today())
        result = _order_money(uow, order_ref, number)
        uow.commit()
    return result


def book_payment(
    uow: UnitOfWork, order_ref: str, amount: Decimal, *, method: str = "", reference: str = "", on: date
) -> int:
    """`pay` inside the caller's transaction; returns the entry's number."""
    order = existing_order(uow, order_ref, lock=True)
    balances = uow.journal.order_balances(order_ref)
    receivable = balances.get(Account.RECEIVABLE, ZERO)
    if order.is_closed and amount > receivable:
        what = "cancelled" if order.status is OrderStatus.CANCELLED else "shipped"
        owes = books.money(receivable)
        raise ActionRefused(f"order {order_ref} is {what} and owes {owes}: it takes no payment of {amount}")
    memo = " ".join(
        part for part in ("payment", method and f"by {method}", reference and f"({reference})") if part
    )
    entry = books.payment(
        order_ref,
        amount,
        receivable=receivable,
        on=on,
        reference=reference,
        memo=memo,
        deposit_account=deposit_account(order),
    )
    return uow.journal.add(entry)


def refund(
    order_ref: str, amount: Decimal | None = None, *, reference: str = "", uow: UnitOfWork, clock: Clock
) -> OrderMoney:
    """Money paid back: by default the whole refund due; never more than was paid and not shipped."""
    if amount is not None:
        _whole_cents(amount)
    with uow:
        number = book_refund(uow, order_ref, amount, reference=reference, on=clock.today())
        result = _order_money(uow, order_ref, number)
        uow.commit()
    return result


def _whole_cents(amount: Decimal) -> None:
    """An amount typed for a payment or refund: more than zero, in whole cents (the books' unit)."""
    if amount <= 0:
        raise InvalidValue("amount", amount, "must be more than zero")
    if amount != books.money(amount):
        raise InvalidValue("amount", amount, "has more than 2 decimals: the books keep whole cents")


def refundable(uow: UnitOfWork, order_ref: str) -> Decimal:
    """What an order may still be paid back: its refund due and its deposits."""
    balances = uow.journal.order_balances(order_ref)
    held = sum(books.deposits_held(balances).values(), ZERO)
    return max(-balances.get(Account.REFUNDS_DUE, ZERO), ZERO) + held


def book_refund(
    uow: UnitOfWork, order_ref: str, amount: Decimal | None, *, reference: str = "", on: date
) -> int:
    """`refund` inside the caller's transaction; returns the entry's number."""
    existing_order(uow, order_ref, lock=True)
    balances = uow.journal.order_balances(order_ref)
    due = -balances.get(Account.REFUNDS_DUE, ZERO)
    deposit = books.deposits_held(balances)
    if amount is None:
        if due <= 0:
            raise ActionRefused(f"order {order_ref} has no refund due; name the amount to refund")
        amount = due
    memo = " ".join(part for part in ("refund", reference and f"({reference})") if part)
    entry = books.refund(order_ref, amount, refund_due=due, deposit=deposit, on=on, reference=reference)
    return uow.journal.add(_with_memo(entry, memo))


def _with_memo(entry: JournalEntry, memo: str) -> JournalEntry:
    return JournalEntry(entry.booked_on, entry.kind, entry.lines, entry.order_ref, entry.reference, memo)


def _order_money(uow: UnitOfWork, order_ref: str, number: int) -> OrderMoney:
    balances = uow.journal.order_balances(order_ref)
    return OrderMoney(
        order_ref,
        number,
        deposit=sum(books.deposits_held(balances).values(), ZERO),
        receivable=balances.get(Account.RECEIVABLE, ZERO),
        refund_due=-balances.get(Account.REFUNDS_DUE, ZERO),
    )


def deposit_account(order: SalesOrder) -> Account:
    """Where an order's deposits go: a preorder's are counted apart from a backorder's."""
    preorder = any(line.kind is LineKind.PREORDER for line in order.lines)
    return Account.PREORDER_DEPOSITS if preorder else Account.DEPOSITS


def book_shipment(
    uow: UnitOfWork,
    order: SalesOrder,
    shipment: Shipment,
    *,
    costs: Mapping[int, Decimal] | None = None,
    dropship_costs: Mapping[int, Decimal] | None = None,
) -> None:
    """What shipped earns (see `_earned`) comes out of the order's deposits; cost out of inventory
    at the stock value the shipment took (`costs`, per line number; standard cost without), or
    for a drop-ship at the PO's unit cost (`dropship_costs`) owed to the supplier."""
    items, boms = _costing(uow, {line.sku for line in order.lines})
    if dropship_costs is not None:
        line_costs = [dropship_costs.get(s.line_no, ZERO) * s.quantity for s in shipment.lines]
    elif costs is not None:
        line_costs = list(costs.values())
    else:
        line_costs = [books.standard_cost(s.sku, items, boms) * s.quantity for s in shipment.lines]
    leaving: dict[int, Decimal] = {}
    for s in shipment.lines:
        leaving[s.line_no] = leaving.get(s.line_no, ZERO) + s.quantity
    units = {
        line.line_no: (line.shipped_quantity - leaving[line.line_no], line.shipped_quantity)
        for line in order.lines
        if line.line_no in leaving
    }
    first = all(line.shipped_quantity == leaving.get(line.line_no, ZERO) for line in order.lines)
    earned = _earned(order, units, uow.journal.charges.of(order.order_ref), items, with_shipping=first)
    entry = books.shipment_earning(
        order.order_ref,
        shipment.shipment_ref,
        earned,
        cost=sum((books.money(c) for c in line_costs), ZERO),
        deposits=books.deposits_held(uow.journal.order_balances(order.order_ref)),
        on=shipment.shipped_on,
        cost_from=Account.INVENTORY if dropship_costs is None else Account.PAYABLE,
    )
    if entry is not None:
        uow.journal.add(_with_memo(entry, f"shipment {shipment.shipment_ref}"))


def _earned(
    order: SalesOrder,
    units: Mapping[int, tuple[Decimal, Decimal]],
    charges: books.OrderCharges,
    items: Mapping[str, Item],
    *,
    with_shipping: bool,
) -> books.Earned:
    """What the units of each line from `before` to `after` (line number: (before, after)) earn:
    the price (the line's, else the item's) x quantity, less their share of the line's discount,
    plus their share of its tax (the order's own tax lines, else the item's tax rate on the net
    price); with the order's shipping and its tax when `with_shipping`. Tax inside the price (a
    shop whose prices include tax) is taken out of the goods and collected as tax."""
    goods = discount = tax = ZERO
    own_tax = (
        any(charges.line_tax.values()) or any(charges.line_included_tax.values()) or charges.shipping_tax > 0
    )
    for line in order.lines:
        if line.line_no not in units:
            continue
        before, after = units[line.line_no]
        item = items.get(line.sku)
        price = _price(line.unit_price, item)
        line_discount = charges.line_discount.get(line.line_no, ZERO)
        if own_tax:
            line_tax = charges.line_tax.get(line.line_no, ZERO)
        elif item is not None and item.tax_rate:
            line_tax = books.money((books.money(price * line.quantity) - line_discount) * item.tax_rate)
        else:
            line_tax = ZERO
        included = books.share(
            charges.line_included_tax.get(line.line_no, ZERO),
            before=before,
            after=after,
            quantity=line.quantity,
        )
        goods += books.money(price * (after - before)) - included
        discount += books.share(line_discount, before=before, after=after, quantity=line.quantity)
        tax += books.share(line_tax, before=before, after=after, quantity=line.quantity) + included
    if not with_shipping:
        return books.Earned(goods, discount, tax)
    return books.Earned(goods, discount, tax, charges.shipping, charges.shipping_tax)


def receipt_unit_cost(uow: UnitOfWork, po: PurchaseOrder, sku: str) -> Decimal:
    """What a unit received costs: the PO line's unit cost, else the item's cost, else nothing."""
    unit_cost: Decimal | None = next(
        (line.unit_cost for line in po.lines if line.sku == sku and line.unit_cost is not None), None
    )
    if unit_cost is None:
        item = uow.catalogue.item(sku)
        unit_cost = item.cost if item is not None and item.cost is not None else ZERO
    return unit_cost


def book_receipt(
    uow: UnitOfWork, po: PurchaseOrder, sku: str, quantity: Decimal, *, value: Decimal, on: date
) -> None:
    """Goods received into inventory at the value the receipt added, owed to the supplier."""
    entry = books.receipt(po.po_ref, sku, value, on=on)
    if entry is not None:
        uow.journal.add(_with_memo(entry, f"receipt {po.po_ref}: {quantity} {sku}"))


def standard_costs(uow: UnitOfWork, skus: Iterable[str]) -> dict[str, Decimal]:
    """Each item's standard cost (what goods found in a count come in at with none held)."""
    wanted = set(skus)
    items, boms = _costing(uow, wanted)
    known: dict[str, Decimal] = {}
    return {sku: books.standard_cost(sku, items, boms, known) for sku in wanted}


def labour(uow: UnitOfWork, sku: str, quantity: Decimal) -> Decimal:
    """The labour put into making `quantity` of the item, to the cent (none without a labour cost)."""
    item = uow.catalogue.item(sku)
    if item is None or item.labour_cost is None:
        return ZERO
    return books.money(item.labour_cost * quantity)


def book_labour(
    uow: UnitOfWork, mo_ref: str, sku: str, quantity: Decimal, labour: Decimal, *, on: date
) -> None:
    """An MO's labour adds to inventory (no entry without labour: components only change form)."""
    entry = books.production(mo_ref, labour, on=on, memo=f"labour {mo_ref}: {quantity} {sku}")
    if entry is not None:
        uow.journal.add(entry)


def book_count(
    uow: UnitOfWork,
    changes: Mapping[str, Decimal],
    values: Mapping[str, Decimal],
    *,
    reason: str,
    on: date,
) -> None:
    """One entry per count: the value its movements added or took, against stock adjustments."""
    if not changes:
        return
    value = sum(values.values(), ZERO)
    counted = ", ".join(f"{change} {sku}" for sku, change in sorted(changes.items())[:5])
    more = f" and {len(changes) - 5} more" if len(changes) > 5 else ""
    entry = books.count(value, on=on, memo=f"{reason}: {counted}{more}"[:500])
    if entry is not None:
        uow.journal.add(entry)


def book_cancellation(uow: UnitOfWork, order: SalesOrder, *, on: date, why: str = "cancellation") -> None:
    """What the order's deposits hold beyond what is still to ship (its goods, less discounts, plus
    tax, plus shipping while nothing has shipped) becomes a refund due."""
    items = uow.catalogue.items({line.sku for line in order.lines})
    remaining = {
        line.line_no: (
            line.shipped_quantity,
            line.shipped_quantity + line.allocated_quantity + line.open_quantity,
        )
        for line in order.lines
    }
    nothing_shipped = all(line.shipped_quantity == 0 for line in order.lines)
    something_left = any(after > before for before, after in remaining.values())
    charges = uow.journal.charges.of(order.order_ref)
    still_owed = _earned(
        order, remaining, charges, items, with_shipping=nothing_shipped and something_left
    ).due
    deposits = books.deposits_held(uow.journal.order_balances(order.order_ref))
    entry = books.cancellation(order.order_ref, deposit=deposits, still_owed=still_owed, on=on)
    if entry is not None:
        uow.journal.add(_with_memo(entry, f"{why} of {order.order_ref}: refund due"))


def book_charges_change(uow: UnitOfWork, order: SalesOrder, charges: books.OrderCharges, *, on: date) -> bool:
    """The order's tax, discounts or shipping changed after placing: keep the new ones, book what
    already shipped again at them (one correcting entry; the journal is never edited), and what
    the deposits now hold beyond what is still to ship becomes a refund due. False if unchanged."""
    before = uow.journal.charges.of(order.order_ref)
    if before == charges:
        return False
    uow.journal.charges.replace(order.order_ref, charges)
    items = uow.catalogue.items({line.sku for line in order.lines})
    shipped = {line.line_no: (ZERO, line.shipped_quantity) for line in order.lines if line.shipped_quantity}
    balances = uow.journal.order_balances(order.order_ref)
    entry = books.charges_change(
        order.order_ref,
        _earned(order, shipped, before, items, with_shipping=bool(shipped)),
        _earned(order, shipped, charges, items, with_shipping=bool(shipped)),
        deposits=books.deposits_held(balances),
        receivable=balances.get(Account.RECEIVABLE, ZERO),
        on=on,
        deposit_account=deposit_account(order),
    )
    if entry is not None:
        uow.journal.add(_with_memo(entry, f"tax, shipping or discounts of {order.order_ref} changed"))
    book_cancellation(uow, order, on=on, why="change")
    return True


def _price(unit_price: Decimal | None, item: Item | None) -> Decimal:
    if unit_price is not None:
        return unit_price
    return item.price if item is not None and item.price is not None else ZERO


def _costing(uow: UnitOfWork, skus: Iterable[str]) -> tuple[dict[str, Item], BillsOfMaterials]:
    """The items, and the BOMs with every component below, read only when a make item without
    its own cost needs them."""
    items = uow.catalogue.items(set(skus))
    if not any(item.cost is None and item.procurement is Procurement.MAKE for item in items.values()):
        return items, BillsOfMaterials()
    boms = uow.catalogue.boms()
    below, todo = set(items), list(items)
    while todo:
        for line in boms.components(todo.pop()):
            if line.component_sku not in below:
                below.add(line.component_sku)
                todo.append(line.component_sku)
    return uow.catalogue.items(below), boms


def journal(uow: UnitOfWork, *, start: date | None = None, end: date | None = None) -> list[JournalRow]:
    """The journal's lines in the order booked, between two dates (both included)."""
    if start is not None and end is not None and start > end:
        raise InvalidValue("--from", start, f"is after --to {end}")
    with uow:
        return uow.journal.rows(start=start, end=end)


def trial_balance(uow: UnitOfWork, *, names: Mapping[str, str] | None = None) -> list[BalanceLine]:
    """Every account with postings: its debits, credits and balance (names from settings)."""
    with uow:
        totals = uow.journal.totals()
    return books.trial_balance(totals, books.account_names(names))
