"""Customer email through a real SMTP server: confirmations, new dates (later only, once a day),
shipments, cancellations and refunds, the status link, and what happens when the server is down."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import insert, select, update

from pegboard.adapters.clock import FixedClock
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.planning import promises as promise_store
from pegboard.adapters.db.repositories import outbox as outbox_store
from pegboard.adapters.notify.email import EmailChannel, long_date
from pegboard.bootstrap import Pegboard
from pegboard.config import Settings
from pegboard.domain.items import Item, Procurement, Supplier
from pegboard.domain.notices import later_than_told
from pegboard.domain.quantities import to_money, to_quantity
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine
from pegboard.entrypoints.delivering import delivery_pass
from pegboard.services import catalogue, orders, planning, purchasing, shipping
from pegboard.services.ports import StoredEvent
from pegboard.services.status_links import order_ref_for_link
from tests.builders import set_stock
from tests.conftest import MONDAY
from tests.smtp_server import Received, SmtpServer

TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)


@dataclass
class Mail:
    """The email channel on a test's database and SMTP server; hands it the outbox's new events."""

    pb: Pegboard
    server: SmtpServer
    given: set[str] = field(default_factory=set)

    def settings(self, **settings: object) -> Settings:
        """The test's settings with email going to the test's SMTP server."""
        return self.pb.settings.model_copy(
            update={
                "smtp_host": self.server.host,
                "smtp_port": self.server.port,
                "smtp_timeout_seconds": 5.0,
                "shop_name": "Kyber & Sons",
                "smtp_from": "orders@kyber.example",
                "public_url": "https://shop.kyber.example/",
                **settings,
            }
        )

    def channel(self, day: date = MONDAY, **settings: object) -> EmailChannel:
        return EmailChannel(self.settings(**settings), uow_factory=self.pb.uow, clock=FixedClock(day))

    def events(self) -> list[StoredEvent]:
        """Events in the outbox the channel has not taken yet and wants, oldest first."""
        with self.pb.engine.connect() as conn:
            rows = conn.execute(select(t.outbox).order_by(t.outbox.c.created_at)).all()
        return [
            StoredEvent(r.id, r.event_type, json.loads(r.payload), r.created_at, r.attempts, r.order_ref)
            for r in rows
            if r.id not in self.given and r.event_type in EVENT_TYPES
        ]

    def deliver(self, day: date = MONDAY, *, channel: EmailChannel | None = None) -> dict[str, str]:
        """One pass of a fresh channel on `day` (or of `channel`); delivered events are not given again."""
        events = self.events()
        failures = (channel or self.channel(day)).deliver(events)
        self.given |= {event.id for event in events if event.id not in failures}
        return failures

    def messages(self) -> list[Received]:
        return self.server.messages()


EVENT_TYPES = {"OrderPlaced", "PromiseChanged", "OrderShipped", "OrderCancelled"}


@pytest.fixture
def mail(pb: Pegboard, smtp_server: SmtpServer) -> Mail:
    return Mail(pb, smtp_server)


def workshop(pb: Pegboard) -> None:
    """KETTLE in stock; LAMP and KYBER from suppliers, KYBER's with no lead time (open term)."""
    catalogue.save_suppliers(
        [Supplier("Passing Traders", lead_time_days=3), Supplier("Crystal Broker")], uow=pb.uow()
    )
    catalogue.save_items(
        [
            Item("KETTLE", "Copper kettle", Procurement.BUY, supplier="Passing Traders"),
            Item("LAMP", "Desk lamp", Procurement.BUY, supplier="Passing Traders"),
            Item("KYBER", "Kyber crystal", Procurement.BUY, supplier="Crystal Broker"),
        ],
        uow=pb.uow(),
    )
    set_stock(pb, KETTLE=5)


def order_lamps(pb: Pegboard, po_ref: str, due: date, quantity: int = 5, sku: str = "LAMP") -> None:
    supplier = "Crystal Broker" if sku == "KYBER" else "Passing Traders"
    purchasing.add_purchase_orders(
        [PurchaseOrder(po_ref, supplier, [PurchaseOrderLine(sku, to_quantity(quantity), due)])], uow=pb.uow()
    )


def place(
    pb: Pegboard,
    ref: str,
    *lines: tuple[str, int],
    customer: str = "Ada",
    email: str | None = "ada@example.com",
    financial_status: str | None = None,
) -> None:
    draft = orders.OrderDraft(
        order_ref=ref,
        customer=customer,
        email=email,
        financial_status=financial_status,
        lines=tuple(orders.LineDraft(sku, to_quantity(q), to_money("12.50")) for sku, q in lines),
    )
    orders.place_order(draft, uow=pb.uow(), clock=pb.clock)


def promise_everything(pb: Pegboard) -> None:
    """What the promises channel does for a new order before email runs."""
    planning.run_plan(uow=pb.uow(), clock=pb.clock)


def reschedule(pb: Pegboard, po_ref: str, due: date) -> None:
    purchasing.reschedule(po_ref, due, uow=pb.uow(), clock=pb.clock)


def notices(pb: Pegboard) -> list[tuple[str, str, str, date]]:
    """(order_ref, kind, status, sent_on) of every recorded notice, in order."""
    with pb.engine.connect() as conn:
        rows = conn.execute(
            select(t.sales_orders.c.order_ref, t.customer_notices)
            .join(t.sales_orders, t.sales_orders.c.id == t.customer_notices.c.order_id)
            .order_by(t.customer_notices.c.id)
        ).all()
    return [(r.order_ref, r.kind, r.status, r.sent_on) for r in rows]


def told(pb: Pegboard, order_ref: str) -> dict[str, tuple[date | None, date | None]]:
    """SKU -> (told_date, told_on) of the order's promised lines."""
    with pb.engine.connect() as conn:
        rows = conn.execute(
            select(t.items.c.sku, t.line_promises.c.told_date, t.line_promises.c.told_on)
            .join(t.order_lines, t.order_lines.c.id == t.line_promises.c.line_id)
            .join(t.items, t.items.c.id == t.order_lines.c.item_id)
            .join(t.sales_orders, t.sales_orders.c.id == t.order_lines.c.order_id)
            .where(t.sales_orders.c.order_ref == order_ref)
        ).all()
    return {r.sku: (r.told_date, r.told_on) for r in rows}


def text_of(message: Received) -> str:
    """The plain-text part with its lines joined, so wrapped sentences still match."""
    return " ".join(message.part("plain").split())


def confirmed_with_lamp_due(pb: Pegboard, mail: Mail, due: date) -> None:
    """SO-1 waits for a lamp that PO-1 brings on `due`; its confirmation went out on Monday."""
    workshop(pb)
    order_lamps(pb, "PO-1", due)
    place(pb, "SO-1", ("KETTLE", 1), ("LAMP", 1))
    promise_everything(pb)
    mail.deliver()
    assert [m.subject for m in mail.messages()] == ["Your order SO-1: what ships now and what follows"]
    mail.server.inbox.clear()


def test_the_confirmation_says_what_ships_now_and_when_the_rest_follows(pb: Pegboard, mail: Mail) -> None:
    workshop(pb)
    lamp_due = MONDAY + timedelta(days=10)
    order_lamps(pb, "PO-1", lamp_due)
    place(pb, "SO-1", ("KETTLE", 2), ("LAMP", 1), ("KYBER", 1))
    promise_everything(pb)

    failures = mail.deliver()

    assert failures == {}
    [message] = mail.messages()
    assert message.rcpt_tos == ("ada@example.com",)
    assert message.subject == "Your order SO-1: what ships now and what follows"
    text = text_of(message)
    ships_now, rest = text.split("Not in stock yet", 1)
    assert "2 x Copper kettle (KETTLE)" in ships_now and "LAMP" not in ships_now
    assert f"1 x Desk lamp (LAMP): expected to ship on {long_date(lamp_due)}" in rest
    assert "1 x Kyber crystal (KYBER): date to follow" in rest
    assert told(pb, "SO-1") == {"LAMP": (lamp_due, MONDAY), "KYBER": (None, MONDAY)}
    assert notices(pb) == [("SO-1", "confirmation", "sent", MONDAY)]


def test_a_line_without_a_stored_promise_is_told_its_date_will_follow(pb: Pegboard, mail: Mail) -> None:
    workshop(pb)
    order_lamps(pb, "PO-1", MONDAY + timedelta(days=10))
    place(pb, "SO-1", ("LAMP", 1))

    mail.deliver()

    [message] = mail.messages()
    assert "1 x Desk lamp (LAMP): date to follow" in text_of(message)
    assert "expected to ship" not in text_of(message)

    promise_everything(pb)  # the first promise is no change: no event, the channel's pass finds it
    mail.deliver()

    confirmation, dated = mail.messages()
    assert f"1 x Desk lamp (LAMP): expected to ship on {long_date(MONDAY + timedelta(days=10))}" in text_of(
        dated
    )


def test_a_later_promise_is_announced_with_the_old_and_the_new_date(pb: Pegboard, mail: Mail) -> None:
    due = MONDAY + timedelta(days=10)
    confirmed_with_lamp_due(pb, mail, due)

    reschedule(pb, "PO-1", due + timedelta(days=7))
    mail.deliver()

    [message] = mail.messages()
    assert message.subject == "A new date for your order SO-1"
    text = text_of(message)
    assert (
        f"1 x Desk lamp (LAMP): now expected to ship on {long_date(due + timedelta(days=7))}, "
        f"not {long_date(due)}" in text
    )
    assert "KETTLE" not in text
    assert told(pb, "SO-1") == {"LAMP": (due + timedelta(days=7), MONDAY)}


def test_an_earlier_promise_is_not_announced_and_later_than_told_only_counts_from_what_was_told(
    pb: Pegboard, mail: Mail
) -> None:
    due = MONDAY + timedelta(days=10)
    confirmed_with_lamp_due(pb, mail, due)

    reschedule(pb, "PO-1", due - timedelta(days=4))
    mail.deliver(TUESDAY)
    reschedule(pb, "PO-1", due - timedelta(days=1))
    mail.deliver(WEDNESDAY)

    assert mail.messages() == []
    assert told(pb, "SO-1") == {"LAMP": (due, MONDAY)}

    reschedule(pb, "PO-1", due + timedelta(days=1))
    mail.deliver(WEDNESDAY)

    [message] = mail.messages()
    assert f"not {long_date(due)}" in text_of(message)


def test_an_open_term_line_getting_a_date_is_announced(pb: Pegboard, mail: Mail) -> None:
    workshop(pb)
    place(pb, "SO-1", ("KYBER", 2))
    promise_everything(pb)
    mail.deliver()
    mail.server.inbox.clear()
    crystals_due = MONDAY + timedelta(days=14)

    order_lamps(pb, "PO-7", crystals_due, sku="KYBER")
    promise_everything(pb)
    mail.deliver()

    [message] = mail.messages()
    assert message.subject == "A new date for your order SO-1"
    assert f"2 x Kyber crystal (KYBER): expected to ship on {long_date(crystals_due)}" in text_of(message)
    assert "sorry" not in text_of(message)
    assert told(pb, "SO-1") == {"KYBER": (crystals_due, MONDAY)}


def test_a_dated_line_losing_its_date_is_told_a_new_one_will_follow(pb: Pegboard, mail: Mail) -> None:
    workshop(pb)
    due = MONDAY + timedelta(days=14)
    order_lamps(pb, "PO-7", due, sku="KYBER")
    place(pb, "SO-1", ("KYBER", 2))
    promise_everything(pb)
    mail.deliver()
    mail.server.inbox.clear()

    with pb.engine.begin() as conn:  # the broker withdrew: the PO is cancelled
        conn.execute(update(t.purchase_orders).values(status="cancelled"))
        # Logged as a change to what planning reads, as the app's own writes are at commit.
        conn.execute(insert(t.plan_input_changes).values(changed_at=datetime(2026, 11, 23, 12)))
    promise_everything(pb)
    mail.deliver()

    [message] = mail.messages()
    assert f"we can no longer promise {long_date(due)}; a new date will follow" in text_of(message)
    assert told(pb, "SO-1") == {"KYBER": (None, MONDAY)}


def test_two_changes_on_one_day_make_one_message_and_the_second_goes_out_the_next_day(
    pb: Pegboard, mail: Mail
) -> None:
    due = MONDAY + timedelta(days=10)
    confirmed_with_lamp_due(pb, mail, due)

    reschedule(pb, "PO-1", due + timedelta(days=3))
    mail.deliver(MONDAY)
    reschedule(pb, "PO-1", due + timedelta(days=9))
    mail.deliver(MONDAY)

    [first] = mail.messages()
    assert f"ship on {long_date(due + timedelta(days=3))}, not {long_date(due)}" in text_of(first)
    assert told(pb, "SO-1") == {"LAMP": (due + timedelta(days=3), MONDAY)}

    mail.deliver(TUESDAY)  # no new event: the channel's pass finds the change that waited
    mail.deliver(TUESDAY)
    mail.deliver(WEDNESDAY)

    first_again, second = mail.messages()
    assert first_again == first
    assert (
        f"ship on {long_date(due + timedelta(days=9))}, not {long_date(due + timedelta(days=3))}"
        in text_of(second)
    )
    assert told(pb, "SO-1") == {"LAMP": (due + timedelta(days=9), TUESDAY)}
    assert [n[1:] for n in notices(pb)] == [
        ("confirmation", "sent", MONDAY),
        ("new_date", "sent", MONDAY),
        ("new_date", "sent", TUESDAY),
    ]


class Calendar:
    """A clock whose day the test turns."""

    def __init__(self, day: date) -> None:
        self.day = day

    def today(self) -> date:
        return self.day

    def now(self) -> datetime:
        return datetime.combine(self.day, time(12))


def test_a_long_running_channel_sends_the_held_over_date_as_soon_as_the_day_turns(
    pb: Pegboard, mail: Mail
) -> None:
    due = MONDAY + timedelta(days=10)
    confirmed_with_lamp_due(pb, mail, due)
    calendar = Calendar(MONDAY)
    channel = EmailChannel(mail.settings(), uow_factory=pb.uow, clock=calendar)
    reschedule(pb, "PO-1", due + timedelta(days=3))
    mail.deliver(channel=channel)
    reschedule(pb, "PO-1", due + timedelta(days=9))
    mail.deliver(channel=channel)
    assert len(mail.messages()) == 1

    calendar.day = TUESDAY
    place(pb, "SO-2", ("KETTLE", 1))
    mail.deliver(channel=channel)

    assert (channel.last_report.sent, channel.last_report.failed) == (2, 0)
    assert sorted(m.subject for m in mail.messages()[1:]) == [
        "A new date for your order SO-1",
        "Your order SO-2 is confirmed",
    ]
    assert told(pb, "SO-1") == {"LAMP": (due + timedelta(days=9), TUESDAY)}
    assert channel.sweep().sent == 0


def test_only_the_orders_whose_lines_moved_hear_of_it(pb: Pegboard, mail: Mail) -> None:
    workshop(pb)
    due = MONDAY + timedelta(days=10)
    order_lamps(pb, "PO-1", due, quantity=1)
    order_lamps(pb, "PO-2", due + timedelta(days=2), quantity=1)
    place(pb, "SO-1", ("LAMP", 1), customer="Ada")
    place(pb, "SO-2", ("LAMP", 1), customer="Bob", email="bob@example.com")
    promise_everything(pb)
    mail.deliver()
    mail.server.inbox.clear()

    reschedule(pb, "PO-2", due + timedelta(days=20))
    mail.deliver()

    [message] = mail.messages()
    assert message.rcpt_tos == ("bob@example.com",)


def test_a_shipment_names_what_left_its_tracking_number_and_what_still_waits(
    pb: Pegboard, mail: Mail
) -> None:
    due = MONDAY + timedelta(days=10)
    confirmed_with_lamp_due(pb, mail, due)

    shipping.ship_order("SO-1", tracking="1Z999AA10123456784", uow=pb.uow(), clock=pb.clock)
    mail.deliver()

    [message] = mail.messages()
    assert message.subject == "Part of your order SO-1 is on its way"
    text = text_of(message)
    shipped, still = text.split("Still to come:", 1)
    assert "1 x Copper kettle (KETTLE)" in shipped and "Tracking number: 1Z999AA10123456784" in shipped
    assert f"1 x Desk lamp (LAMP): expected to ship on {long_date(due)}" in still
    assert [n[1] for n in notices(pb)] == ["confirmation", "shipped"]


def test_a_whole_shipment_says_the_order_is_on_its_way(pb: Pegboard, mail: Mail) -> None:
    workshop(pb)
    place(pb, "SO-1", ("KETTLE", 2))
    shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)

    mail.deliver()

    confirmation, shipped = mail.messages()
    assert confirmation.subject == "Your order SO-1 is confirmed"
    assert shipped.subject == "Your order SO-1 is on its way"
    assert "Still to come" not in text_of(shipped) and "Tracking" not in text_of(shipped)


def test_cancelling_an_unpaid_order_says_cancelled_and_a_paid_one_says_refunded(
    pb: Pegboard, mail: Mail
) -> None:
    workshop(pb)
    place(pb, "SO-1", ("KETTLE", 2))
    place(pb, "SO-2", ("KETTLE", 2), ("LAMP", 1), financial_status="paid")
    mail.deliver()
    mail.server.inbox.clear()

    orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    orders.cancel_order("SO-2", "KETTLE", uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    mail.deliver()

    cancelled, refunded = mail.messages()
    assert cancelled.subject == "Your order SO-1 is cancelled"
    assert "2 x Copper kettle (KETTLE)" in text_of(cancelled)
    assert "refund" not in text_of(cancelled).lower()
    assert refunded.subject == "Part of your order SO-2 is cancelled and will be refunded"
    text = text_of(refunded)
    assert "Your payment of 25.00 for these items will be refunded." in text
    assert "The rest of your order goes ahead as planned." in text
    assert "LAMP" not in text
    assert [n[:2] for n in notices(pb)][-2:] == [("SO-1", "cancelled"), ("SO-2", "refunded")]


def test_a_partly_paid_order_is_refunded_up_to_the_value_of_what_was_cancelled(
    pb: Pegboard, mail: Mail
) -> None:
    workshop(pb)
    place(pb, "SO-1", ("KETTLE", 4), financial_status="partially_paid")

    orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    mail.deliver()

    refunded = mail.messages()[-1]
    assert "What you paid for the order, up to 50.00, will be refunded." in text_of(refunded)


def test_the_status_link_in_a_message_opens_that_order(pb: Pegboard, mail: Mail) -> None:
    workshop(pb)
    place(pb, "SO-1", ("KETTLE", 1))
    place(pb, "SO-2", ("KETTLE", 1))

    mail.deliver()

    first, second = mail.messages()
    links = [
        re.findall(r"https://shop\.kyber\.example/status/([A-Za-z0-9_-]+)", text_of(m))
        for m in (first, second)
    ]
    assert len(links[0]) == 1 and len(links[1]) == 1
    assert f'href="https://shop.kyber.example/status/{links[0][0]}"' in first.part("html")
    with pb.reader() as uow:
        assert order_ref_for_link(links[0][0], uow=uow) == "SO-1"
        assert order_ref_for_link(links[1][0], uow=uow) == "SO-2"


def test_a_message_has_a_plain_text_and_an_html_part_and_the_html_escapes_what_customers_typed(
    pb: Pegboard, mail: Mail
) -> None:
    workshop(pb)
    place(pb, "SO-1", ("KETTLE", 1), customer='<script>alert("x")</script> & Co')

    mail.deliver()

    [message] = mail.messages()
    assert message.email.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.email.iter_parts()] == ["text/plain", "text/html"]
    html = message.part("html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert 'Hello <script>alert("x")</script> & Co,' in message.part("plain")
    [sender] = message.email["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Kyber & Sons", "orders@kyber.example")
    assert message.email["Message-ID"].endswith("@kyber.example>")
    assert message.mail_from == "orders@kyber.example"


def test_reply_to_is_set_when_configured(pb: Pegboard, mail: Mail) -> None:
    workshop(pb)
    place(pb, "SO-1", ("KETTLE", 1))

    mail.channel(reply_to="help@kyber.example").deliver(mail.events())

    [message] = mail.messages()
    assert message.email["Reply-To"] == "help@kyber.example"
    assert "Just reply to this email" in text_of(message)


def test_an_order_without_an_email_address_is_skipped_not_failed(pb: Pegboard, mail: Mail) -> None:
    workshop(pb)
    place(pb, "SO-1", ("KETTLE", 1), email=None)
    place(pb, "SO-2", ("KETTLE", 1), email="not an address")
    channel = mail.channel()

    failures = channel.deliver(mail.events())

    assert failures == {}
    assert mail.messages() == []
    assert notices(pb) == [
        ("SO-1", "confirmation", "skipped", MONDAY),
        ("SO-2", "confirmation", "skipped", MONDAY),
    ]
    assert (channel.last_report.sent, channel.last_report.skipped) == (0, 2)


def test_when_the_server_is_down_the_events_fail_and_nothing_is_recorded_then_they_go_once(
    pb: Pegboard, mail: Mail
) -> None:
    due = MONDAY + timedelta(days=10)
    workshop(pb)
    order_lamps(pb, "PO-1", due)
    place(pb, "SO-1", ("LAMP", 1))
    place(pb, "SO-2", ("KETTLE", 1))
    promise_everything(pb)
    mail.server.stop()

    failures = mail.deliver()

    assert len(failures) == 2
    assert all("cannot connect" in reason for reason in failures.values())
    assert notices(pb) == []
    assert told(pb, "SO-1") == {"LAMP": (None, None)}
    with pb.engine.connect() as conn:
        assert conn.execute(select(t.status_links)).all() == []

    mail.server.start()
    assert mail.deliver() == {}
    mail.deliver()

    assert sorted(m.rcpt_tos[0] + " " + m.subject for m in mail.messages()) == [
        "ada@example.com Your order SO-1: what ships now and what follows",
        "ada@example.com Your order SO-2 is confirmed",
    ]
    assert [n[:2] for n in notices(pb)] == [("SO-1", "confirmation"), ("SO-2", "confirmation")]


def test_a_batch_goes_over_one_connection_and_a_refused_address_fails_only_its_own_event(
    pb: Pegboard, mail: Mail
) -> None:
    workshop(pb)
    place(pb, "SO-1", ("KETTLE", 1), email="gone@example.com")
    place(pb, "SO-2", ("KETTLE", 1))
    place(pb, "SO-3", ("KETTLE", 1))
    mail.server.inbox.refuse.add("gone@example.com")
    [refused] = [e for e in mail.events() if e.order_ref == "SO-1"]

    failures = mail.deliver()

    assert list(failures) == [refused.id]
    assert "refused gone@example.com: 550 5.1.1 No such mailbox here" in failures[refused.id]
    assert [m.subject for m in mail.messages()] == [
        "Your order SO-2 is confirmed",
        "Your order SO-3 is confirmed",
    ]
    assert mail.server.inbox.sessions == 1
    assert [n[0] for n in notices(pb)] == ["SO-2", "SO-3"]


def test_the_channel_logs_in_when_a_user_is_set_and_a_wrong_password_fails_the_events(
    pb: Pegboard, mail: Mail
) -> None:
    workshop(pb)
    place(pb, "SO-1", ("KETTLE", 1))
    mail.server.stop()
    mail.server.credentials = ("shop", "s3cret")
    mail.server.start()
    events = mail.events()

    refused = mail.channel(smtp_user="shop", smtp_password="wrong").deliver(events)
    taken = mail.channel(smtp_user="shop", smtp_password="s3cret").deliver(events)

    assert list(refused) == [events[0].id] and "cannot start a session" in refused[events[0].id]
    assert taken == {}
    assert mail.server.logins == ["shop"]
    assert [m.subject for m in mail.messages()] == ["Your order SO-1 is confirmed"]


def test_two_deliverers_working_at_once_send_each_message_once(pb: Pegboard, mail: Mail) -> None:
    due = MONDAY + timedelta(days=10)
    confirmed_with_lamp_due(pb, mail, due)
    reschedule(pb, "PO-1", due + timedelta(days=3))
    mail.deliver(MONDAY)
    reschedule(pb, "PO-1", due + timedelta(days=5))  # waits for Tuesday
    mail.deliver(MONDAY)
    place(pb, "SO-2", ("KETTLE", 1))
    events = mail.events()
    mail.server.inbox.clear()
    mail.server.inbox.delay = 0.2
    failures: list[dict[str, str]] = []

    deliverers = [
        threading.Thread(target=lambda: failures.append(mail.channel(TUESDAY).deliver(events)))
        for _ in range(2)
    ]
    for deliverer in deliverers:
        deliverer.start()
    for deliverer in deliverers:
        deliverer.join()

    assert failures == [{}, {}]
    assert sorted(m.subject for m in mail.messages()) == [
        "A new date for your order SO-1",
        "Your order SO-2 is confirmed",
    ]


def test_an_event_delivered_again_after_a_crash_sends_nothing_twice(pb: Pegboard, mail: Mail) -> None:
    workshop(pb)
    place(pb, "SO-1", ("KETTLE", 1))
    events = mail.events()

    mail.channel().deliver(events)
    mail.channel().deliver(events)

    assert len(mail.messages()) == 1


def test_a_deferred_new_date_waits_while_the_server_is_down_and_goes_once_it_is_back(
    pb: Pegboard, mail: Mail
) -> None:
    due = MONDAY + timedelta(days=10)
    confirmed_with_lamp_due(pb, mail, due)
    reschedule(pb, "PO-1", due + timedelta(days=3))
    mail.deliver()
    reschedule(pb, "PO-1", due + timedelta(days=5))
    mail.deliver()
    mail.server.stop()

    mail.deliver(TUESDAY)
    mail.server.start()
    mail.deliver(TUESDAY)
    mail.deliver(TUESDAY)

    assert len(mail.messages()) == 2
    assert told(pb, "SO-1") == {"LAMP": (due + timedelta(days=5), TUESDAY)}


def test_a_preorder_line_is_listed_as_a_preorder_with_its_date(pb: Pegboard, mail: Mail) -> None:
    workshop(pb)
    release = MONDAY + timedelta(days=30)
    catalogue.save_items(
        [
            Item(
                "SABER-27",
                "Saber, 2027 edition",
                Procurement.BUY,
                supplier="Passing Traders",
                release_date=release,
            )
        ],
        uow=pb.uow(),
    )
    place(pb, "SO-1", ("KETTLE", 1), ("SABER-27", 2))
    promise_everything(pb)

    mail.deliver()

    text = text_of(mail.messages()[0])
    assert (
        "Preorders, shipped when the item is released: "
        f"- 2 x Saber, 2027 edition (SABER-27): expected to ship on {long_date(release)}" in text
    )
    assert "Not in stock yet" not in text
    assert told(pb, "SO-1") == {"SABER-27": (release, MONDAY)}


def test_through_the_outbox_deliverer_the_confirmation_quotes_the_promise_made_just_before(
    pb: Pegboard, mail: Mail
) -> None:
    workshop(pb)
    due = MONDAY + timedelta(days=10)
    order_lamps(pb, "PO-1", due)
    place(pb, "SO-1", ("KETTLE", 1), ("LAMP", 1))
    board = replace(pb, settings=mail.settings())
    assert [channel.name for channel in board.channels()] == ["promises", "email"]

    report = delivery_pass(board)
    again = delivery_pass(board)

    assert report.delivered > 0 and (report.failed, report.parked, again.delivered) == (0, 0, 0)
    [message] = mail.messages()
    assert f"1 x Desk lamp (LAMP): expected to ship on {long_date(due)}" in text_of(message)
    assert told(pb, "SO-1") == {"LAMP": (due, MONDAY)}


def test_without_an_smtp_host_there_is_no_email_channel(pb: Pegboard) -> None:
    assert "email" not in [channel.name for channel in pb.channels()]


def test_the_pass_looks_for_exactly_the_orders_the_rule_says_are_owed_a_new_date(pb: Pegboard) -> None:
    workshop(pb)
    due = MONDAY + timedelta(days=10)
    order_lamps(pb, "PO-1", due)
    place(pb, "SO-1", ("LAMP", 1))
    promise_everything(pb)
    owed = []
    for confirmed in (False, True):
        if confirmed:
            with pb.uow() as uow:
                uow.notices.record(
                    "SO-1",
                    kind="confirmation",
                    sent_on=MONDAY,
                    recipient=None,
                    subject="-",
                    event_id=None,
                    status="skipped",
                )
                uow.commit()
        for told_on, told_date in ((None, None), (MONDAY, None), (MONDAY, due)):
            for promised_date in (None, due - timedelta(days=1), due, due + timedelta(days=1)):
                with pb.engine.begin() as conn:
                    conn.execute(
                        update(t.line_promises).values(
                            promised_date=promised_date, told_date=told_date, told_on=told_on
                        )
                    )
                with pb.uow() as uow:
                    state = uow.notices.order_state("SO-1")
                    assert state is not None
                    rule = later_than_told(state.lines[0], confirmed=state.confirmed)
                    found = uow.notices.awaiting_new_date(TUESDAY) == ["SO-1"]
                assert found == rule, (confirmed, told_on, told_date, promised_date)
                owed.append(rule)
    assert 0 < sum(owed) < len(owed)

    with pb.uow() as uow:
        uow.notices.record(
            "SO-1",
            kind="new_date",
            sent_on=TUESDAY,
            recipient="ada@example.com",
            subject="-",
            event_id=None,
            status="sent",
        )
        uow.commit()
        assert uow.notices.awaiting_new_date(TUESDAY) == []
        assert uow.notices.awaiting_new_date(WEDNESDAY) == ["SO-1"]


@pytest.mark.parametrize("ahead", [True, False], ids=["read-beside-the-engine", "read-after"])
def test_the_next_days_whole_plan_moves_the_same_lines_whether_it_reads_stored_promises_beside_the_engine(
    pb: Pegboard, mail: Mail, monkeypatch: pytest.MonkeyPatch, ahead: bool
) -> None:
    """On the next business day, with promises resting on planned orders, a whole plan may read
    every stored promise while the engine plans (`planning._stored_ahead`, PostgreSQL): it stores
    and announces what it would reading them after."""
    monkeypatch.setattr(promise_store, "BULK", 0)
    monkeypatch.setattr(outbox_store, "BULK", 0)
    monkeypatch.setattr(planning, "MOVING_WITH_THE_DAY", 0 if ahead else 10**9)
    read: list[bool] = []
    every = promise_store.PromiseStore.every_stored_line

    def spied(store: promise_store.PromiseStore) -> object:
        found = every(store)
        read.append(found is not None)
        return found

    monkeypatch.setattr(promise_store.PromiseStore, "every_stored_line", spied)
    workshop(pb)
    catalogue.save_items(
        [Item("LANTERN", "Brass lantern", Procurement.BUY, supplier="Passing Traders")], uow=pb.uow()
    )
    place(pb, "SO-1", ("KETTLE", 1), ("LAMP", 2), ("LANTERN", 1), customer="Ada", email="ada@example.com")
    place(pb, "SO-3", ("KETTLE", 2), customer="Cy", email="cy@example.com")  # in stock: nothing moves
    place(pb, "SO-4", ("LANTERN", 3), ("LAMP", 1), customer="Dee", email="dee@example.com")
    promise_everything(pb)

    run = planning.run_plan(uow=pb.uow(), clock=FixedClock(TUESDAY))

    postgres = pb.engine.dialect.name == "postgresql"
    assert read == ([True] if ahead and postgres else [False] if ahead else [])
    assert run.new_dates == 4
    moved = [e for e in mail.events() if e.event_type == "PromiseChanged"]
    assert sorted(e.order_ref or "" for e in moved) == ["SO-1", "SO-1", "SO-4", "SO-4"]
    preview = planning.run_plan(uow=pb.uow(), clock=FixedClock(TUESDAY), store=False)
    assert list(preview.changed) == []


def test_the_next_days_whole_plan_tells_each_customer_whose_lines_slid_once_listing_every_such_line(
    pb: Pegboard, mail: Mail, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shop that confirmed no suggestion: on the next business day every line resting on a planned
    PO slides a day. Written as a large shop's are (COPY into the outbox and the promise UPDATE
    from a scratch table on PostgreSQL), each moved line is one PromiseChanged, and each customer
    hears once, of all their moved lines: no message lost, none doubled, none to a customer whose
    lines stayed, and nothing more when the events are delivered again."""
    monkeypatch.setattr(promise_store, "BULK", 0)
    monkeypatch.setattr(outbox_store, "BULK", 0)
    workshop(pb)
    catalogue.save_items(
        [Item("LANTERN", "Brass lantern", Procurement.BUY, supplier="Passing Traders")], uow=pb.uow()
    )
    place(pb, "SO-1", ("KETTLE", 1), ("LAMP", 2), ("LANTERN", 1), customer="Ada", email="ada@example.com")
    place(pb, "SO-2", ("LAMP", 1), customer="Bob", email="bob@example.com")
    place(pb, "SO-3", ("KETTLE", 2), customer="Cy", email="cy@example.com")  # in stock: nothing moves
    place(pb, "SO-4", ("LANTERN", 3), ("LAMP", 1), customer="Dee", email="dee@example.com")
    promise_everything(pb)
    mail.deliver()
    assert len(mail.messages()) == 4  # the confirmations
    mail.server.inbox.clear()

    run = planning.run_plan(uow=pb.uow(), clock=FixedClock(TUESDAY))
    assert run.new_dates == 5
    moved = mail.events()
    assert mail.channel(TUESDAY).deliver(moved) == {}
    assert mail.channel(TUESDAY).deliver(moved) == {}  # again, as after a crash: at least once

    got = sorted(mail.messages(), key=lambda m: m.rcpt_tos)
    assert [(m.rcpt_tos, m.subject) for m in got] == [
        (("ada@example.com",), "A new date for your order SO-1"),
        (("bob@example.com",), "A new date for your order SO-2"),
        (("dee@example.com",), "A new date for your order SO-4"),
    ]
    was, now = long_date(MONDAY + timedelta(days=3)), long_date(MONDAY + timedelta(days=4))
    slid = f"now expected to ship on {now}, not {was}"
    texts = [text_of(m) for m in got]
    assert f"2 x Desk lamp (LAMP): {slid}" in texts[0] and f"1 x Brass lantern (LANTERN): {slid}" in texts[0]
    assert "KETTLE" not in texts[0]
    assert f"1 x Desk lamp (LAMP): {slid}" in texts[1]
    assert f"3 x Brass lantern (LANTERN): {slid}" in texts[2] and f"1 x Desk lamp (LAMP): {slid}" in texts[2]
    assert sorted(e.order_ref or "" for e in moved) == ["SO-1", "SO-1", "SO-2", "SO-4", "SO-4"]
    assert {e.event_type for e in moved} == {"PromiseChanged"}
