"""Housekeeping forgets rows kept only to de-duplicate or deliver, and nothing else."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Table, func, insert, select, update

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import InvalidValue
from pegboard.entrypoints.cli import main
from pegboard.services.housekeeping import forget_old_records
from tests.builders import make_items, make_order


def count(pb: Pegboard, table: Table) -> int:
    with pb.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def age_rows(pb: Pegboard, *, days: int) -> int:
    """SO-OLD's events were delivered `days` ago (but one is parked, one pending); SO-NEW's today.

    Also an old and a new stored answer and Shopify event id. Returns how many old events were delivered.
    """
    long_ago = pb.clock.now() - timedelta(days=days)
    make_items(pb, "KETTLE", "MUG")
    make_order(pb, "SO-OLD", ("KETTLE", 1), ("MUG", 1))
    make_order(pb, "SO-NEW", ("KETTLE", 1))
    with pb.engine.begin() as conn:
        old_ids = conn.execute(select(t.outbox.c.id).where(t.outbox.c.order_ref == "SO-OLD")).scalars().all()
        assert len(old_ids) >= 3
        delivered, parked, pending = old_ids[:-2], old_ids[-2], old_ids[-1]
        conn.execute(update(t.outbox).where(t.outbox.c.id.in_(delivered)).values(delivered_at=long_ago))
        conn.execute(
            insert(t.outbox_deliveries),
            [{"event_id": i, "channel": "email", "delivered_at": long_ago} for i in delivered],
        )
        conn.execute(update(t.outbox).where(t.outbox.c.id == parked).values(parked_at=long_ago))
        conn.execute(update(t.outbox).where(t.outbox.c.id == pending).values(created_at=long_ago))
        conn.execute(
            update(t.outbox).where(t.outbox.c.order_ref == "SO-NEW").values(delivered_at=pb.clock.now())
        )
        for key, when in (("old-key", long_ago), ("new-key", pb.clock.now())):
            conn.execute(
                insert(t.idempotency_keys).values(
                    token_name="shop",
                    key=key,
                    request_hash="h",
                    status_code=201,
                    response="{}",
                    created_at=when,
                )
            )
            conn.execute(
                insert(t.shopify_events).values(event_id=key, topic="orders/create", received_at=when)
            )
    return len(delivered)


def test_old_delivered_events_answers_and_webhook_ids_are_forgotten_and_the_rest_stays(pb: Pegboard) -> None:
    old_delivered = age_rows(pb, days=40)
    orders_before, events_before = count(pb, t.sales_orders), count(pb, t.outbox)

    forgotten = forget_old_records(30, uow=pb.uow(), clock=pb.clock)

    assert forgotten.to_json() == {
        "delivered_events": old_delivered,
        "idempotency_keys": 1,
        "shopify_event_ids": 1,
        "unused_promise_parts": 0,
    }
    assert count(pb, t.outbox) == events_before - old_delivered
    assert count(pb, t.outbox_deliveries) == 0
    with pb.engine.connect() as conn:
        assert conn.execute(select(t.idempotency_keys.c.key)).scalars().all() == ["new-key"]
        assert conn.execute(select(t.shopify_events.c.event_id)).scalars().all() == ["new-key"]
        left = conn.execute(select(t.outbox.c.order_ref, t.outbox.c.parked_at.is_not(None))).all()
    assert sum(1 for ref, _ in left if ref == "SO-OLD") == 2, "the parked and the pending event stay"
    assert count(pb, t.sales_orders) == orders_before


def test_a_retention_shorter_than_a_week_is_refused_and_forgets_nothing(pb: Pegboard) -> None:
    age_rows(pb, days=40)
    before = count(pb, t.outbox)

    with pytest.raises(InvalidValue, match="retention_days"):
        forget_old_records(6, uow=pb.uow(), clock=pb.clock)

    assert count(pb, t.outbox) == before


def test_the_cli_reports_what_it_forgot_and_refuses_a_short_retention(
    pb: Pegboard, capsys: pytest.CaptureFixture[str]
) -> None:
    age_rows(pb, days=40)
    url = pb.settings.database_url
    today = pb.clock.today().isoformat()

    assert main(["housekeeping", "--retention-days", "3", "--db", url, "--today", today]) == 2
    assert "retention_days" in capsys.readouterr().err

    assert main(["housekeeping", "--json", "--db", url, "--today", today]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["idempotency_keys"] == 1 and report["shopify_event_ids"] == 1
