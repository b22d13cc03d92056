"""The lightsaber workshop after its first shipments, shared by the read-model tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pegboard.bootstrap import Pegboard
from pegboard.domain.notices import CustomerMessage
from pegboard.entrypoints import demo
from pegboard.services import notices, shipping
from pegboard.services.imports import ImportKind
from pegboard.services.ports import StoredEvent
from tests.builders import import_text


def after_first_shipments(pb: Pegboard) -> None:
    """SO-1 and SO-3 have shipped what was allocated; SO-1 waits for 1 green saber, SO-2 for 2."""
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    for ref in ("SO-1", "SO-3"):
        shipping.ship_order(ref, uow=pb.uow(), clock=pb.clock)


def order_green_crystals(pb: Pegboard, due: date, ref: str = "PO-1") -> None:
    """A PO for 2 green crystals from the Crystal Broker, expected on `due`."""
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\n{ref},Crystal Broker,KYBER-GREEN,2,{due}\n",
    )


class Mailbox:
    """A mailer that keeps what it is given."""

    def __init__(self) -> None:
        self.sent: list[CustomerMessage] = []

    def send(self, message: CustomerMessage) -> None:
        self.sent.append(message)


def confirm_to_customer(pb: Pegboard, order_ref: str) -> None:
    """The order's confirmation goes out (through the notices service), so later slips are told."""
    event = StoredEvent(
        id=f"confirm-{order_ref}",
        event_type="OrderPlaced",
        payload={"order_ref": order_ref},
        created_at=datetime.combine(pb.clock.today(), datetime.min.time()),
        attempts=0,
        order_ref=order_ref,
    )
    notices.tell_about_event(event, uow=pb.uow(), mailer=Mailbox(), today=pb.clock.today())


def in_days(pb: Pegboard, days: int) -> date:
    return pb.clock.today() + timedelta(days=days)
