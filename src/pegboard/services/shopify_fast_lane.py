"""The group-commit lane for Shopify deliveries: a plain new order placed in a shared transaction."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from pegboard.domain.errors import DomainError
from pegboard.services import shop_payments
from pegboard.services.intake import CannotShareTransaction, Intake
from pegboard.services.orders import Placed
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.shopify_orders import Applied, Outcome, ShopOrder, State, as_record, screened


def fast_lane(topic: str, order: ShopOrder) -> bool:
    """Whether a delivery can take the group-commit lane: a plain `orders/create` with lines."""
    return (
        topic == "orders/create"
        and not order.problems
        and screened(order) is order
        and bool(order.draft.lines)
        and order.cancelled_at is None
    )


def submit_new_order(
    intake: Intake, topic: str, event_id: str, order: ShopOrder, *, clock: Clock
) -> Future[Placed]:
    """Queue a fast-lane delivery (see `take_new_order`); the future fails with CannotShareTransaction or a
    DomainError when the full rules must apply instead."""

    return intake.submit(order.draft, write_with_order=NewOrderBookkeeping(event_id, topic, order, clock))


@dataclass(frozen=True)
class NewOrderBookkeeping:
    """The delivery's event id and the Shopify order's row, written with the order it placed."""

    event_id: str
    topic: str
    order: ShopOrder
    clock: Clock

    def __call__(self, uow: UnitOfWork, placed: Placed) -> None:
        NewOrderBookkeeping.write_all(uow, [(self, placed)])

    @staticmethod
    def write_all(uow: UnitOfWork, items: Sequence[tuple[NewOrderBookkeeping, Placed]]) -> None:
        """One statement for the events and one for the order rows of a whole shared transaction.

        Anything but a first delivery of a new order (a replay, an order heard of before, a
        ref taken) refuses the shared transaction: each order is then placed on its own.
        """
        if not all(placed.created for _, placed in items):
            raise CannotShareTransaction("an order ref was taken before")
        events = [(b.event_id, b.topic, b.order.shopify_order_id) for b, _ in items]
        if len(uow.shopify.record_events(events)) != len(items):
            raise CannotShareTransaction("a delivery was taken before")
        records = [as_record(b.order, State.PLACED, b.clock) for b, _ in items]
        if len(uow.shopify.claim_new(records)) != len(items):
            raise CannotShareTransaction("an order was heard of before")
        for b, placed in items:
            shop_payments.settle(uow, placed.order.order_ref, b.order.money, on=b.clock.today())


def take_new_order(
    intake: Intake, topic: str, event_id: str, order: ShopOrder, *, clock: Clock
) -> Applied | None:
    """Place a first-heard, plain `orders/create` through group commit; None when the full rules apply.

    The fast lane covers the delivery nearly every webhook is: a new order whose SKUs are all
    known. It records the event and the order's bookkeeping in the same shared transaction as
    the order. Anything else (a replay, an order already heard of, a problem, a refusal) comes
    back as None and the caller applies `receive_webhook`, whose rules cover every case.
    """
    if not fast_lane(topic, order):
        return None
    try:
        submit_new_order(intake, topic, event_id, order, clock=clock).result()
    except (CannotShareTransaction, DomainError):
        return None
    return Applied(Outcome.PLACED, order.order_ref)
