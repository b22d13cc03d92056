"""Outbox delivery on a real database: retries with backoff, parking, per-channel records, order."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain.events import Event, OrderCancelled, OrderShipped, StockAdjusted
from pegboard.entrypoints import demo
from pegboard.services import delivery, planning
from pegboard.services.delivery import (
    LEASE_SECONDS,
    DeliveryReport,
    EventNotParked,
    UnknownEvent,
    deliver_pending,
)
from pegboard.services.ports import Channel, StoredEvent
from pegboard.services.promising import PromisesChannel
from tests.builders import make_items, set_stock
from tests.conftest import MONDAY


class StepClock:
    """A clock the test moves by hand, so backoff and leases run out when the test says so."""

    def __init__(self) -> None:
        self.at = datetime.combine(MONDAY, clock_time(9, 0))

    def today(self) -> Any:
        return self.at.date()

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class Recording:
    """A channel that records what it was given and fails every event of its first `failures` calls."""

    def __init__(self, name: str, *, wants: set[str] | None = None, failures: int = 0, failing: Any = ()):
        self.name = name
        self.types = wants
        self.failures = failures
        self.failing = set(failing)
        self.calls: list[list[str]] = []

    def wants(self, event_type: str) -> bool:
        return self.types is None or event_type in self.types

    def deliver(self, events: Sequence[StoredEvent]) -> dict[str, str]:
        ids = [event.id for event in events]
        self.calls.append(ids)
        if self.failures > 0:
            self.failures -= 1
            return dict.fromkeys(ids, "mail server said 451")
        failed = {i: "refused by the shop" for i in ids if i in self.failing}
        self.failing -= set(failed)
        return failed

    @property
    def got(self) -> list[str]:
        return [event_id for call in self.calls for event_id in call]


class Exploding(Recording):
    """A channel whose every call raises."""

    def deliver(self, events: Sequence[StoredEvent]) -> dict[str, str]:
        self.calls.append([event.id for event in events])
        raise RuntimeError("connection reset by peer")


class PowerCut(BaseException):
    """The process dies in the middle of a delivery (not an error a channel could report)."""


class Crashing(Recording):
    def deliver(self, events: Sequence[StoredEvent]) -> dict[str, str]:
        raise PowerCut()


def add_event(pb: Pegboard, event: Event) -> str:
    """Write one event to the outbox in its own transaction; returns its id."""
    with pb.uow() as uow:
        uow.outbox.append([event])
        uow.commit()
    with pb.engine.connect() as conn:
        newest = select(t.outbox.c.id).order_by(t.outbox.c.created_at.desc()).limit(1)
        return str(conn.execute(newest).scalar_one())


def shipped(order_ref: str) -> OrderShipped:
    return OrderShipped(order_ref, f"SH-{order_ref}", None, [])


def adjusted(sku: str = "KETTLE") -> StockAdjusted:
    return StockAdjusted(sku, Decimal("1"), "count")


def row(pb: Pegboard, event_id: str) -> Any:
    with pb.engine.connect() as conn:
        return conn.execute(select(t.outbox).where(t.outbox.c.id == event_id)).one()


def taken_by(pb: Pegboard, event_id: str) -> set[str]:
    d = t.outbox_deliveries
    with pb.engine.connect() as conn:
        return set(conn.execute(select(d.c.channel).where(d.c.event_id == event_id)).scalars())


def deliver(
    pb: Pegboard, clock: StepClock, *channels: Channel, max_attempts: int = 5, **options: Any
) -> DeliveryReport:
    return deliver_pending(
        channels, uow_factory=pb.uow, clock=clock, max_attempts=max_attempts, backoff_seconds=30, **options
    )


def test_each_event_goes_once_to_every_channel_that_wants_it_and_is_then_delivered(pb: Pegboard) -> None:
    clock = StepClock()
    stock_event = add_event(pb, adjusted())
    ship_event = add_event(pb, shipped("SO-1"))
    everything = Recording("audit")
    shop = Recording("shop", wants={"OrderShipped"})

    report = deliver(pb, clock, everything, shop)
    again = deliver(pb, clock, everything, shop)

    assert (report.delivered, report.failed, report.parked) == (2, 0, 0)
    assert everything.got == [stock_event, ship_event] and shop.got == [ship_event]
    assert taken_by(pb, stock_event) == {"audit"} and taken_by(pb, ship_event) == {"audit", "shop"}
    assert row(pb, stock_event).delivered_at == clock.now() and row(pb, ship_event).delivered_at is not None
    assert again.delivered == 0 and len(everything.calls) == 1


def test_an_event_no_channel_wants_is_delivered_at_once(pb: Pegboard) -> None:
    clock = StepClock()
    event = add_event(pb, adjusted())
    shop = Recording("shop", wants={"OrderShipped"})

    report = deliver(pb, clock, shop)

    assert report.delivered == 1 and shop.calls == []
    assert row(pb, event).delivered_at is not None and taken_by(pb, event) == set()


def test_a_failed_event_is_tried_again_after_a_backoff_that_doubles(pb: Pegboard) -> None:
    clock = StepClock()
    event = add_event(pb, shipped("SO-1"))
    mail = Recording("email", failures=2)

    first = deliver(pb, clock, mail)
    failed_at = clock.now()
    after_one = row(pb, event)
    clock.advance(29)
    deliver(pb, clock, mail)
    calls_before_backoff = len(mail.calls)
    clock.advance(34 - 29)
    deliver(pb, clock, mail)
    second_failed_at = clock.now()
    after_two = row(pb, event)
    clock.advance(59)
    deliver(pb, clock, mail)
    calls_before_second_backoff = len(mail.calls)
    clock.advance(67 - 59)
    last = deliver(pb, clock, mail)

    assert (first.failed, first.delivered) == (1, 0)
    assert after_one.attempts == 1 and "451" in after_one.last_error and "email" in after_one.last_error
    assert failed_at + timedelta(seconds=30) <= after_one.next_attempt_at <= failed_at + timedelta(seconds=33)
    assert calls_before_backoff == 1
    assert after_two.attempts == 2
    assert (
        second_failed_at + timedelta(seconds=60)
        <= after_two.next_attempt_at
        <= second_failed_at + timedelta(seconds=66)
    )
    assert calls_before_second_backoff == 2
    assert last.delivered == 1 and len(mail.calls) == 3
    assert row(pb, event).delivered_at is not None


def test_after_the_last_attempt_an_event_is_parked_until_retried(pb: Pegboard) -> None:
    clock = StepClock()
    event = add_event(pb, shipped("SO-1"))
    mail = Recording("email", failures=3)

    reports = []
    for _ in range(3):
        reports.append(deliver(pb, clock, mail, max_attempts=3))
        clock.advance(3600)
    clock.advance(86_400)
    idle = deliver(pb, clock, mail, max_attempts=3)
    calls_while_parked = len(mail.calls)
    parked = row(pb, event)
    listed = delivery.outbox_entries(uow=pb.reader())
    retried = delivery.retry_parked(None, uow=pb.uow())
    unparked = row(pb, event)
    final = deliver(pb, clock, mail, max_attempts=3)

    assert [(r.failed, r.parked) for r in reports] == [(1, 0), (1, 0), (0, 1)]
    assert idle.delivered == 0 and calls_while_parked == 3
    assert parked.parked_at is not None and parked.attempts == 3 and parked.delivered_at is None
    assert [(e.id, e.status, e.attempts) for e in listed] == [(event, "parked", 3)]
    assert retried == [event]
    assert (unparked.parked_at, unparked.attempts, unparked.next_attempt_at) == (None, 0, None)
    assert final.delivered == 1 and row(pb, event).delivered_at is not None


def test_a_parked_event_does_not_hold_back_the_later_events_of_its_order(pb: Pegboard) -> None:
    clock = StepClock()
    first = add_event(pb, shipped("SO-1"))
    second = add_event(pb, OrderCancelled("SO-1", None, []))
    shop = Recording("shop", failing={first})

    report = deliver(pb, clock, shop, max_attempts=1)

    assert (report.parked, report.delivered) == (1, 1)
    assert shop.got == [first, second]
    assert row(pb, first).parked_at is not None and row(pb, second).delivered_at is not None


def test_retrying_an_unknown_or_unparked_event_is_refused_and_changes_nothing(pb: Pegboard) -> None:
    clock = StepClock()
    stuck = add_event(pb, shipped("SO-1"))
    deliver(pb, clock, Recording("email", failing={stuck}), max_attempts=1)
    pending = add_event(pb, shipped("SO-2"))
    deliver(pb, clock, Recording("email", failing={pending}), max_attempts=5)

    with pytest.raises(UnknownEvent, match="no-such-event"):
        delivery.retry_parked([stuck, "no-such-event"], uow=pb.uow())
    with pytest.raises(EventNotParked, match="pending"):
        delivery.retry_parked([stuck, pending], uow=pb.uow())

    assert row(pb, stuck).parked_at is not None and row(pb, stuck).attempts == 1
    assert row(pb, pending).parked_at is None and row(pb, pending).attempts == 1


def test_an_event_id_spelt_in_capitals_is_no_event_and_retries_nothing(pb: Pegboard) -> None:
    clock = StepClock()
    stuck = add_event(pb, shipped("SO-1"))
    deliver(pb, clock, Recording("email", failing={stuck}), max_attempts=1)

    with pytest.raises(UnknownEvent):
        delivery.retry_parked([stuck.upper()], uow=pb.uow())
    everything = delivery.retry_parked(None, uow=pb.uow())

    assert everything == [stuck]


def test_a_channel_that_took_an_event_is_not_given_it_again_when_a_later_one_failed(pb: Pegboard) -> None:
    clock = StepClock()
    event = add_event(pb, shipped("SO-1"))
    promises = Recording("promises")
    mail = Recording("email", failures=1)

    first = deliver(pb, clock, promises, mail)
    clock.advance(3600)
    second = deliver(pb, clock, promises, mail)

    assert first.failed == 1 and taken_by(pb, event) == {"promises", "email"}
    assert promises.calls == [[event]] and mail.calls == [[event], [event]]
    assert second.delivered == 1 and row(pb, event).delivered_at is not None


def test_a_later_channel_gets_an_event_only_after_the_earlier_ones_took_it(pb: Pegboard) -> None:
    clock = StepClock()
    event = add_event(pb, shipped("SO-1"))
    promises = Recording("promises", failures=1)
    mail = Recording("email")

    deliver(pb, clock, promises, mail)
    mail_calls_while_promises_failed = len(mail.calls)
    clock.advance(3600)
    deliver(pb, clock, promises, mail)

    assert mail_calls_while_promises_failed == 0
    assert mail.calls == [[event]] and taken_by(pb, event) == {"promises", "email"}


def test_one_orders_events_go_out_in_order_and_wait_behind_a_failed_one(pb: Pegboard) -> None:
    clock = StepClock()
    first = add_event(pb, shipped("SO-1"))
    other_order = add_event(pb, shipped("SO-2"))
    second = add_event(pb, OrderCancelled("SO-1", None, []))
    shop = Recording("shop", failing={first})

    held = deliver(pb, clock, shop)
    waiting = row(pb, second)
    deliver(pb, clock, shop)
    calls_while_backing_off = len(shop.calls)
    clock.advance(3600)
    later = deliver(pb, clock, shop)

    assert shop.calls[0] == [first, other_order] and calls_while_backing_off == 1
    assert (held.failed, held.delivered, held.waiting) == (1, 1, 1)
    assert waiting.delivered_at is None and waiting.attempts == 0 and waiting.next_attempt_at is None
    assert shop.calls[1:] == [[first], [second]]
    assert later.delivered == 2


def test_a_channel_that_raises_fails_only_the_events_it_was_given(pb: Pegboard) -> None:
    clock = StepClock()
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)
    with pb.engine.connect() as conn:
        counted = conn.execute(select(t.outbox.c.id).where(t.outbox.c.event_type == "StockAdjusted")).scalar()
    ship_event = add_event(pb, shipped("SO-1"))
    broken = Exploding("warehouse", wants={"StockAdjusted"})
    audit = Recording("audit")

    report = deliver(pb, clock, broken, audit)

    assert (report.failed, report.delivered) == (1, 1)
    failed = row(pb, str(counted))
    assert failed.attempts == 1 and "RuntimeError: connection reset by peer" in failed.last_error
    assert audit.got == [ship_event] and row(pb, ship_event).delivered_at is not None
    with pb.reader() as uow:
        assert uow.stock.levels(["KETTLE"])["KETTLE"].on_hand == 4


def test_a_crash_after_the_claim_delays_the_event_until_the_lease_ends_then_it_goes_out_once(
    pb: Pegboard,
) -> None:
    clock = StepClock()
    event = add_event(pb, shipped("SO-1"))
    mail = Recording("email")

    with pytest.raises(PowerCut):
        deliver(pb, clock, Crashing("email"))
    deliver(pb, clock, mail)
    clock.advance(LEASE_SECONDS - 1)
    deliver(pb, clock, mail)
    calls_within_lease = len(mail.calls)
    clock.advance(2)
    report = deliver(pb, clock, mail)
    deliver(pb, clock, mail)

    assert calls_within_lease == 0
    assert report.delivered == 1 and mail.calls == [[event]]
    assert row(pb, event).attempts == 0 and row(pb, event).delivered_at is not None


def test_a_pass_stops_at_its_limit_and_reports_progress(pb: Pegboard) -> None:
    clock = StepClock()
    events = [add_event(pb, shipped(f"SO-{n}")) for n in range(5)]
    audit = Recording("audit")
    progress: list[int] = []

    first = deliver(pb, clock, audit, limit=3, batch_size=2, on_progress=progress.append)
    rest = deliver(pb, clock, audit)

    assert first.delivered == 3 and progress == [2, 1]
    assert rest.delivered == 2 and audit.got == events


def test_placing_orders_then_one_pass_stores_the_promises_a_full_plan_gives(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    with pb.reader() as uow:
        before = uow.planning.stored_promises()

    report = deliver_pending(
        pb.channels(), uow_factory=pb.uow, clock=pb.clock, max_attempts=3, backoff_seconds=30
    )

    with pb.reader() as uow:
        after_delivery = uow.planning.stored_promises()
    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    with pb.reader() as uow:
        after_plan = uow.planning.stored_promises()
    assert before == {} and report.failed == 0 and report.parked == 0
    planned = {p.order_ref for p in run.result.promises}
    assert {ref for ref, _ in after_delivery} == planned == {"SO-1", "SO-2"}
    assert run.changed == []
    assert _promised(after_delivery) == _promised(after_plan)
    assert delivery.outbox_entries(uow=pb.reader(), include_pending=True) == []


def _promised(stored: dict[tuple[str, int], Any]) -> dict[tuple[str, int], tuple[Any, str, Any]]:
    return {line: (p.promised_date, p.reason, p.basis) for line, p in stored.items()}


def test_the_promises_channel_repromises_a_whole_batch_of_orders_in_one_go(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    with pb.engine.connect() as conn:
        rows = conn.execute(select(t.outbox).where(t.outbox.c.event_type == "OrderPlaced")).all()
    placed = [StoredEvent(r.id, r.event_type, {}, r.created_at, 0, r.order_ref) for r in rows]
    channel = PromisesChannel(uow_factory=pb.uow, clock=pb.clock)

    failures = channel.deliver(placed)
    again = channel.deliver(placed)

    with pb.reader() as uow:
        stored = uow.planning.stored_promises()
    run = planning.run_plan(uow=pb.uow(), clock=pb.clock, store=False)
    assert failures == {} and again == {}
    assert channel.wants("OrderPlaced") and not channel.wants("LineBackordered")
    assert {ref for ref, _ in stored} == {"SO-1", "SO-2"}
    assert {(p.order_ref, p.line_no): p.date for p in run.result.promises} == {
        line: p.promised_date for line, p in stored.items()
    }


def test_two_concurrent_passes_on_postgresql_never_deliver_one_event_twice(postgres_url: str) -> None:
    pb = bootstrap(Settings(database_url=postgres_url), today=MONDAY)
    try:
        with pb.uow() as uow:
            uow.outbox.append(
                [event for n in range(40) for event in (shipped(f"SO-{n}"), adjusted(f"SKU-{n}"))]
            )
            uow.commit()
        for n in range(40):
            add_event(pb, OrderCancelled(f"SO-{n}", None, []))
        log: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(2)

        class Slow(Recording):
            def deliver(self, events: Sequence[StoredEvent]) -> dict[str, str]:
                with lock:
                    log.extend(event.id for event in events)
                time.sleep(0.01)  # let the other pass claim meanwhile
                return super().deliver(events)

        def run(channel: Slow, reports: list[DeliveryReport]) -> None:
            start.wait()
            reports.append(deliver(pb, StepClock(), channel, batch_size=7))

        channels = [Slow("shop"), Slow("shop")]
        reports: list[DeliveryReport] = []
        threads = [threading.Thread(target=run, args=(channel, reports)) for channel in channels]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        with pb.engine.connect() as conn:
            rows = conn.execute(select(t.outbox).order_by(t.outbox.c.created_at, t.outbox.c.id)).all()
        assert len(log) == len(set(log)) == len(rows) == 120
        assert all(r.delivered_at is not None for r in rows)
        assert sum(r.delivered for r in reports) == 120
        assert all(channel.calls for channel in channels), "both passes took part"
        position = {event_id: n for n, event_id in enumerate(log)}
        for ref in {r.order_ref for r in rows if r.order_ref}:
            mine = [r.id for r in rows if r.order_ref == ref]
            assert sorted(mine, key=position.__getitem__) == mine, f"{ref}'s events went out of order"
    finally:
        pb.close()
