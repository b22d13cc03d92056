"""Telling customers about their orders: what ships now and what waits, new dates, shipments, cancellations.

Each message is decided in one transaction that also records it (`customer_notices`) and what
the customer was told about each line (`line_promises.told_date / told_on`); the transaction
commits only after the mailer has handed the message over. If the commit then fails the
customer may get the message twice, never not at all (at least once).

New dates go out only when a waiting line's promise moved *later* than what the customer was
last told (or an open term got a date), at most once per order per day. What is owed lives in
the tables, not in the events: a change that must wait for tomorrow stays "promised later than
told" until a pass on a later day finds it (`orders_awaiting_new_date`), so it is neither lost
nor sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from pegboard.domain.errors import UnknownOrder
from pegboard.domain.events import OrderCancelled, OrderPlaced, OrderShipped, PromiseChanged
from pegboard.domain.notices import (
    CustomerMessage,
    MessageLine,
    NoticeKind,
    OrderState,
    Refund,
    Section,
    is_refund,
    later_than_told,
    usable_address,
)
from pegboard.domain.quantities import ZERO
from pegboard.domain.sales import LineKind
from pegboard.services.ports import Mailer, StoredEvent, UnitOfWork
from pegboard.services.status_links import issue_link
from pegboard.services.transactions import SharedTransaction

#: The outbox events that may call for a message to the customer.
EVENT_TYPES = frozenset(e.__name__ for e in (OrderPlaced, PromiseChanged, OrderShipped, OrderCancelled))


@dataclass(frozen=True)
class Told:
    """A message decided for an order: sent, or skipped because the order has no usable address."""

    message: CustomerMessage

    @property
    def sent(self) -> bool:
        """The mailer took it (False: recorded as skipped)."""
        return self.message.recipient is not None


@dataclass(frozen=True)
class Decision:
    """A message and, per line number, the date it tells the customer (None: a date will follow)."""

    message: CustomerMessage
    told: dict[int, date | None]


def tell_about_event(event: StoredEvent, *, uow: UnitOfWork, mailer: Mailer, today: date) -> Told | None:
    """Send the message an outbox event calls for, once; None when there is nothing to tell."""
    order_ref = event.order_ref or event.payload.get("order_ref")
    if event.event_type not in EVENT_TYPES or not order_ref:
        return None
    if event.event_type == PromiseChanged.__name__:
        return tell_new_dates(str(order_ref), uow=uow, mailer=mailer, today=today, event_id=event.id)
    with uow:
        state = _locked_state(
            uow, str(order_ref)
        )  # first: a deliverer racing us waits here, then sees our record
        if uow.notices.sent_for_event(event.id):
            return None
        decision = _decide(event.event_type, event.payload, state)
        return _tell(decision, event_id=event.id, uow=uow, mailer=mailer, today=today)


def tell_new_dates(
    order_ref: str, *, uow: UnitOfWork, mailer: Mailer, today: date, event_id: str | None = None
) -> Told | None:
    """One message listing the order's lines now promised later than told, unless one went out today."""
    with uow:
        state = _locked_state(uow, order_ref)
        return _tell(
            new_date_message(state, today=today), event_id=event_id, uow=uow, mailer=mailer, today=today
        )


def orders_awaiting_new_date(*, uow: UnitOfWork, today: date) -> list[str]:
    """Orders owed a new-date message that may have it today (none went out for them today yet)."""
    with uow:
        return uow.notices.awaiting_new_date(today)


def new_date_failed(order_ref: str, reason: str, *, uow: UnitOfWork, today: date) -> None:
    """Record that today's new-date message for the order was refused: it is tried again tomorrow."""
    with uow:
        state = _locked_state(uow, order_ref)
        uow.notices.record(
            order_ref,
            kind=NoticeKind.NEW_DATE.value,
            sent_on=today,
            recipient=usable_address(state.email),
            subject=f"not sent: {reason}",
            event_id=None,
            status="failed",
        )
        uow.commit()


def _locked_state(uow: UnitOfWork, order_ref: str) -> OrderState:
    state = uow.notices.order_state(order_ref, lock=True)
    if state is None:
        raise UnknownOrder(order_ref, field="order_ref")
    return state


def _tell(
    decision: Decision | None, *, event_id: str | None, uow: UnitOfWork, mailer: Mailer, today: date
) -> Told | None:
    """Record the message and the told dates, hand it to the mailer, and only then commit."""
    if decision is None:
        return None
    message = replace(decision.message, event_id=event_id)
    if message.recipient is not None:
        message = replace(
            message, status_token=issue_link(message.order_ref, uow=SharedTransaction.joining(uow))
        )
    uow.notices.record(
        message.order_ref,
        kind=message.kind.value,
        sent_on=today,
        recipient=message.recipient,
        subject=message.subject,
        event_id=event_id,
        status="sent" if message.recipient is not None else "skipped",
    )
    uow.notices.mark_told(message.order_ref, decision.told, on=today)
    if message.recipient is not None:
        mailer.send(message)
    uow.commit()
    return Told(message)


def _decide(event_type: str, payload: dict[str, Any], state: OrderState) -> Decision | None:
    if event_type == OrderPlaced.__name__:
        return confirmation_message(state)
    if event_type == OrderShipped.__name__:
        return shipped_message(state, payload)
    if event_type == OrderCancelled.__name__:
        return cancelled_message(state, payload)
    return None


def _message(state: OrderState, kind: NoticeKind, subject: str, lines: list[MessageLine]) -> CustomerMessage:
    return CustomerMessage(
        kind=kind,
        order_ref=state.order_ref,
        customer=state.customer,
        recipient=usable_address(state.email),
        subject=subject,
        lines=tuple(lines),
        ships_whole=state.ships_whole,
    )


def confirmation_message(state: OrderState) -> Decision | None:
    """What ships now, what waits (with its promised date, or that one will follow), and preorders."""
    lines: list[MessageLine] = []
    told: dict[int, date | None] = {}
    for line in state.lines:
        if line.kind is LineKind.PREORDER:
            if line.quantity - line.cancelled > 0:
                day = line.promised_date if line.promised else line.release_date
                lines.append(
                    MessageLine(Section.PREORDER, line.sku, line.name, line.quantity - line.cancelled, day)
                )
                if line.promised:
                    told[line.line_no] = line.promised_date
            continue
        if line.allocated + line.shipped > 0:
            lines.append(MessageLine(Section.SHIPS_NOW, line.sku, line.name, line.allocated + line.shipped))
        if line.waiting > 0:
            lines.append(MessageLine(Section.WAITING, line.sku, line.name, line.waiting, line.promised_date))
            if line.promised:
                told[line.line_no] = line.promised_date
    if not lines:
        return None  # everything was cancelled before we got to it: the cancellation says so
    later = any(m.section is not Section.SHIPS_NOW for m in lines)
    subject = (
        f"Your order {state.order_ref}: what ships now and what follows"
        if later
        else f"Your order {state.order_ref} is confirmed"
    )
    return Decision(_message(state, NoticeKind.CONFIRMATION, subject, lines), told)


def new_date_message(state: OrderState, *, today: date) -> Decision | None:
    """The lines now promised later than the customer was told; nothing if a new date went out today."""
    if state.last_new_date_on == today:
        return None
    changed = [line for line in state.lines if later_than_told(line, confirmed=state.confirmed)]
    if not changed:
        return None
    lines = [
        MessageLine(
            Section.CHANGED,
            line.sku,
            line.name,
            line.waiting,
            line.promised_date,
            previous_date=line.told_date,
        )
        for line in changed
    ]
    subject = f"A new date for your order {state.order_ref}"
    told = {line.line_no: line.promised_date for line in changed}
    return Decision(_message(state, NoticeKind.NEW_DATE, subject, lines), told)


def shipped_message(state: OrderState, payload: dict[str, Any]) -> Decision | None:
    """What left (with the tracking number), and what still waits with its date."""
    lines: list[MessageLine] = []
    for shipped in payload.get("lines", []):
        line = state.line(int(shipped["line_no"]))
        name = line.name if line is not None else str(shipped["sku"])
        lines.append(
            MessageLine(Section.SHIPPED, str(shipped["sku"]), name, Decimal(str(shipped["quantity"])))
        )
    if not lines:
        return None
    told: dict[int, date | None] = {}
    for line in state.lines:
        if line.allocated > 0:
            lines.append(MessageLine(Section.STILL_TO_COME, line.sku, line.name, line.allocated, ready=True))
        if line.waiting > 0:
            lines.append(
                MessageLine(Section.STILL_TO_COME, line.sku, line.name, line.waiting, line.promised_date)
            )
            if line.promised:
                told[line.line_no] = line.promised_date
    rest = any(m.section is Section.STILL_TO_COME for m in lines)
    subject = (
        f"Part of your order {state.order_ref} is on its way"
        if rest
        else f"Your order {state.order_ref} is on its way"
    )
    message = replace(
        _message(state, NoticeKind.SHIPPED, subject, lines), tracking=payload.get("tracking") or None
    )
    return Decision(message, told)


def cancelled_message(state: OrderState, payload: dict[str, Any]) -> Decision | None:
    """What was cancelled; for a paid order, that the payment for it will be refunded."""
    lines: list[MessageLine] = []
    for cancelled in payload.get("lines", []):
        quantity = Decimal(str(cancelled["quantity"]))
        if quantity <= 0:
            continue
        line = state.line(int(cancelled["line_no"]))
        name = line.name if line is not None else str(cancelled["sku"])
        price = line.unit_price if line is not None else None
        lines.append(MessageLine(Section.CANCELLED, str(cancelled["sku"]), name, quantity, unit_price=price))
    if not lines:
        return None
    still_open = any(line.allocated + line.waiting > 0 for line in state.lines)
    refund = None
    if is_refund(state.financial_status):
        prices = [m.unit_price for m in lines]
        amount = (
            sum((m.quantity * (m.unit_price or ZERO) for m in lines), ZERO)
            if all(p is not None for p in prices)
            else None
        )
        partly = (state.financial_status or "").strip().lower() == "partially_paid"
        refund = Refund(amount, partly_paid=partly)
    what = "Part of your order" if still_open else "Your order"
    if refund is not None:
        kind, subject = NoticeKind.REFUNDED, f"{what} {state.order_ref} is cancelled and will be refunded"
    else:
        kind, subject = NoticeKind.CANCELLED, f"{what} {state.order_ref} is cancelled"
    message = replace(_message(state, kind, subject, lines), refund=refund, still_open=still_open)
    return Decision(message, {})
