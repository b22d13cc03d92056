"""The lightsaber story told to its customers: the right messages reach the right people.

Luke (SO-1), Leia (SO-2) and Han (SO-3) order sabers; the workshop ships what it can, plans the
rest, buys crystals, and the crystal PO slips. Each step is followed by one outbox delivery
pass to a real SMTP server, and the test reads what each customer received.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest

from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain.quantities import to_quantity
from pegboard.entrypoints import demo
from pegboard.entrypoints.delivering import delivery_pass
from pegboard.services import manufacturing, purchasing, shipping
from pegboard.services.imports import ImportKind
from pegboard.services.planning import run_plan
from tests.builders import import_text
from tests.conftest import MONDAY
from tests.invariants import assert_invariants
from tests.smtp_server import Received, SmtpServer

LUKE, LEIA, HAN = "luke@tatooine.example", "leia@alderaan.example", "han@corellia.example"
NEW_DATE = "A new date for your order"


@pytest.fixture
def shop(db_url: str, smtp_server: SmtpServer) -> Iterator[Callable[[date], Pegboard]]:
    """The workshop as seen on a given business day (one database, one SMTP server)."""
    settings = Settings(
        database_url=db_url,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        shop_name="Lightsaber Workshop",
        public_url="https://sabers.example",
    )
    boards: list[Pegboard] = []

    def on(day: date) -> Pegboard:
        boards.append(bootstrap(settings, today=day))
        return boards[-1]

    try:
        yield on
        assert_invariants(boards[0].engine)
    finally:
        for board in boards:
            board.close()


def deliver(pb: Pegboard, smtp: SmtpServer) -> dict[str, list[Received]]:
    """One delivery pass; what each customer received in it."""
    smtp.inbox.clear()
    report = delivery_pass(pb)
    assert report.failed == 0 and report.parked == 0
    got: dict[str, list[Received]] = {}
    for message in smtp.messages():
        for to in message.rcpt_tos:
            got.setdefault(to, []).append(message)
    return got


def text_of(message: Received) -> str:
    return message.part("plain")


def day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def test_each_customer_hears_what_concerns_them_and_only_leia_hears_of_the_slip(
    shop: Callable[[date], Pegboard], smtp_server: SmtpServer
) -> None:
    today = MONDAY
    pb = shop(today)
    demo.load_catalogue(pb)

    # Orders arrive. Each customer gets one confirmation: what ships now and what waits.
    demo.place_orders(pb)
    got = deliver(pb, smtp_server)
    assert {to: len(messages) for to, messages in got.items()} == {LUKE: 1, LEIA: 1, HAN: 1}
    leia = text_of(got[LEIA][0])
    assert "SO-2" in leia and "Green lightsaber" in leia
    assert "follow" in leia.lower(), "an open-term line says that a date will follow"
    assert "https://sabers.example/status/" in leia
    luke = text_of(got[LUKE][0])
    assert day(today + timedelta(days=1)) in luke, "Luke's missing green saber can be made tomorrow"

    # SO-1 and SO-3 ship what is allocated: Luke and Han hear that it left; Leia hears nothing.
    shipping.ship_order("SO-1", tracking="1Z-LUKE", uow=pb.uow(), clock=pb.clock)
    shipping.ship_order("SO-3", tracking="1Z-HAN", uow=pb.uow(), clock=pb.clock)
    got = deliver(pb, smtp_server)
    assert sorted(got) == [HAN, LUKE]
    assert "1Z-LUKE" in text_of(got[LUKE][0]) and "1Z-HAN" in text_of(got[HAN][0])

    # One green saber is made from the crystal on hand; it completes SO-1, which ships.
    mo = manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(1), uow=pb.uow(), clock=pb.clock)
    manufacturing.complete_manufacturing_order(mo.mo_ref, uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    shipping.ship_order("SO-1", tracking="1Z-LUKE-2", uow=pb.uow(), clock=pb.clock)
    got = deliver(pb, smtp_server)
    assert sorted(got) == [LUKE]
    assert "1Z-LUKE-2" in text_of(got[LUKE][0])

    # A PO for 2 green crystals due in 14 days gives SO-2 a date: Leia is told (open term got a date).
    due = today + timedelta(days=14)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-1,Crystal Broker,KYBER-GREEN,2,{due}\n",
    )
    run_plan(uow=pb.uow(), clock=pb.clock)
    got = deliver(pb, smtp_server)
    assert sorted(got) == [LEIA]
    assert [m.subject.startswith(NEW_DATE) for m in got[LEIA]] == [True]
    assert day(due + timedelta(days=1)) in text_of(got[LEIA][0])

    # Two days later the broker says the PO slips a week. Leia, and nobody else, gets exactly
    # one new-date message (at most one a day: the slip is told on the day it is heard of).
    pb = shop(today + timedelta(days=2))
    slipped = due + timedelta(days=7)
    purchasing.reschedule("PO-1", slipped, uow=pb.uow(), clock=pb.clock)
    got = deliver(pb, smtp_server)
    assert sorted(got) == [LEIA]
    assert len(got[LEIA]) == 1 and got[LEIA][0].subject.startswith(NEW_DATE)
    assert day(slipped + timedelta(days=1)) in text_of(got[LEIA][0])

    # Nothing more is owed to anyone: a further pass sends nothing.
    assert deliver(pb, smtp_server) == {}
