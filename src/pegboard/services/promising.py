"""The promises channel: a newly placed order's lines get their promise once its event is delivered."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from pegboard.domain.events import OrderPlaced
from pegboard.services.planning import repromise
from pegboard.services.ports import Clock, StoredEvent, UnitOfWork
from pegboard.services.runner import with_retries


class PromisesChannel:
    """Re-promises the SKUs of every order placed in a batch, in one transaction for the batch.

    Placing an order stays fast (intake may bring hundreds a second); its promise follows
    moments later, as a full plan would give it. Repeats are harmless: re-promising the same
    SKUs again stores nothing new.
    """

    name = "promises"

    def __init__(self, *, uow_factory: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow_factory, self.clock = uow_factory, clock

    def wants(self, event_type: str) -> bool:
        """Only new orders: every other change re-promises in its own transaction."""
        return event_type == OrderPlaced.__name__

    def deliver(self, events: Sequence[StoredEvent]) -> dict[str, str]:
        """Re-plan the SKUs of these orders (and those joined to them by BOMs); nothing fails alone."""
        refs = {ref for ref in (event.order_ref or event.payload.get("order_ref") for event in events) if ref}
        if refs:
            with_retries(lambda: self._repromise(refs))
        return {}

    def _repromise(self, order_refs: Iterable[str]) -> None:
        with self.uow_factory() as uow:
            orders = uow.orders.get_many(order_refs)
            skus = {line.sku for order in orders.values() for line in order.lines}
            if skus:
                repromise(skus, uow=uow, today=self.clock.today())
                uow.commit()
