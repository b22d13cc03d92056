"""Planning runs on a real database: promises stored, changes announced, suggestions confirmed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pytest import MonkeyPatch
from sqlalchemy import select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.planning import promises as promise_store
from pegboard.bootstrap import Pegboard
from pegboard.domain.quantities import to_quantity
from pegboard.entrypoints import demo
from pegboard.planning.promises import by_line
from pegboard.planning.result import PlanResult
from pegboard.planning.scope import narrowed
from pegboard.services import manufacturing, order_terms, orders, planning, purchasing, shipping
from pegboard.services.imports import ImportKind
from pegboard.services.ports import UnitOfWork
from tests.builders import import_text


def lightsaber_after_first_shipments(pb: Pegboard) -> None:
    """SO-1 and SO-3 have shipped what was allocated; SO-1 waits for 1 green, SO-2 for 2."""
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    for ref in ("SO-1", "SO-3"):
        shipping.ship_order(ref, uow=pb.uow(), clock=pb.clock)


def order_green_crystals(pb: Pegboard, due: date) -> None:
    """PO-1: 2 green crystals from the Crystal Broker, expected on `due`."""
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-1,Crystal Broker,KYBER-GREEN,2,{due}\n",
    )


def promised(run: planning.PlanRun) -> dict[str, date | None]:
    return {p.order_ref: p.date for p in run.result.promises}


def promise_events(pb: Pegboard) -> list[dict[str, object]]:
    with pb.engine.connect() as conn:
        rows = conn.execute(
            select(t.outbox.c.payload)
            .where(t.outbox.c.event_type == "PromiseChanged")
            .order_by(t.outbox.c.created_at)
        ).scalars()
        return [json.loads(r) for r in rows]


def test_the_lightsaber_plan_makes_one_now_and_leaves_two_open_term(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    today = pb.clock.today()

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert promised(run) == {"SO-1": today + timedelta(days=1), "SO-2": None}
    so2 = next(p for p in run.result.promises if p.order_ref == "SO-2")
    assert "open term" in so2.reason
    crystals = [s for s in run.result.purchase_suggestions if s.sku == "KYBER-GREEN"]
    assert [(s.supplier, s.quantity, s.expected_date) for s in crystals] == [("Crystal Broker", 2, None)]


def test_a_po_gives_the_open_term_line_a_date_and_its_slip_is_announced_only_to_that_line(
    pb: Pegboard,
) -> None:
    lightsaber_after_first_shipments(pb)
    today = pb.clock.today()
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    due = today + timedelta(days=14)
    order_green_crystals(pb, due)
    dated = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    purchasing.reschedule("PO-1", due + timedelta(days=7), uow=pb.uow(), clock=pb.clock)
    slipped = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert promised(dated)["SO-2"] == due + timedelta(days=1)
    assert promised(slipped) == {"SO-1": today + timedelta(days=1), "SO-2": due + timedelta(days=8)}
    assert [(e["order_ref"], e["old_date"], e["new_date"]) for e in promise_events(pb)] == [
        ("SO-2", None, (due + timedelta(days=1)).isoformat()),
        ("SO-2", (due + timedelta(days=1)).isoformat(), (due + timedelta(days=8)).isoformat()),
    ]


def test_the_first_promise_is_kept_for_promise_accuracy(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    due = pb.clock.today() + timedelta(days=14)
    order_green_crystals(pb, due)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    purchasing.reschedule("PO-1", due + timedelta(days=7), uow=pb.uow(), clock=pb.clock)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    with pb.engine.connect() as conn:
        rows = conn.execute(select(t.line_promises.c.first_date, t.line_promises.c.promised_date)).all()
    assert sorted((r.first_date, r.promised_date) for r in rows) == [
        (pb.clock.today() + timedelta(days=1), pb.clock.today() + timedelta(days=1)),
        (due + timedelta(days=1), due + timedelta(days=8)),
    ]


def test_running_the_same_plan_twice_announces_nothing_new(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)

    first = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    second = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert len(first.changed) == 2
    assert second.changed == []
    assert first.result == second.result


def test_confirming_creates_the_suggested_po_and_mos_in_one_go(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)
    after = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert sorted(run.created) == ["MO-1", "MO-2", "PO-1"]
    with pb.reader() as uow:
        po = uow.supply.purchase_order("PO-1")
    assert po is not None and [(line.sku, line.quantity) for line in po.lines] == [("KYBER-GREEN", 2)]
    assert after.result.purchase_suggestions == [] and after.result.production_suggestions == []
    so1 = next(p for p in after.result.promises if p.order_ref == "SO-1")
    assert so1.basis.startswith("MO-")


def stored_dates(pb: Pegboard) -> dict[str, date | None]:
    """Each order's stored line promise date, by order ref (one line each)."""
    lp, ol, so = t.line_promises, t.order_lines, t.sales_orders
    with pb.engine.connect() as conn:
        rows = conn.execute(
            select(so.c.order_ref, lp.c.promised_date)
            .join(ol, ol.c.id == lp.c.line_id)
            .join(so, so.c.id == ol.c.order_id)
        ).all()
    return {str(ref): promised for ref, promised in rows}


def test_confirming_on_a_stale_plan_announces_each_moved_line_once_with_its_final_date(
    pb: Pegboard, monkeypatch: MonkeyPatch
) -> None:
    # Two widget orders promised on a planned PO; then a late PO-1 makes the stored plan stale.
    demo.load_catalogue(pb)
    today = pb.clock.today()
    import_text(
        pb,
        ImportKind.ITEMS,
        "sku,name,procurement,unit,price,cost,lead_time_days,supplier\n"
        "WIDGET,Widget,buy,pcs,10,5,5,Passing Traders\n",
    )
    import_text(
        pb,
        ImportKind.ORDERS,
        "order_ref,customer,email,ordered_at,sku,quantity,unit_price,priority,ship_policy\n"
        f"SO-A,Ann,ann@example.com,{today - timedelta(days=2)},WIDGET,1,10,0,partial\n"
        f"SO-B,Bob,bob@example.com,{today - timedelta(days=1)},WIDGET,1,10,0,partial\n",
    )
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    before = stored_dates(pb)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date\n"
        f"PO-1,Passing Traders,WIDGET,1,{today + timedelta(days=10)}\n",
    )
    # The supplier answers with a later date than planned: the confirmed PO moves the dates again.
    confirm = planning._confirm

    def answered_later(result: PlanResult, uow: UnitOfWork, on: date) -> tuple[list[str], list[str]]:
        later = [
            s._replace(expected_date=s.expected_date and s.expected_date + timedelta(days=14))
            for s in result.purchase_suggestions
        ]
        return confirm(replace(result, purchase_suggestions=later), uow, on)

    monkeypatch.setattr(planning, "_confirm", answered_later)
    events_before = len(promise_events(pb))

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)

    after = stored_dates(pb)
    events = promise_events(pb)[events_before:]
    assert run.created == ["PO-2"]
    moved = {ref for ref in after if after[ref] != before[ref]}
    assert moved == {"SO-A", "SO-B"}
    assert sorted(str(e["order_ref"]) for e in events) == sorted(moved)
    for event in events:
        ref = str(event["order_ref"])
        assert (event["old_date"], event["new_date"]) == (str(before[ref]), str(after[ref]))
    assert run.new_dates == len(events)


def test_confirming_passes_over_refs_that_imported_documents_already_use(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    due = pb.clock.today() + timedelta(days=30)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date\n"
        f"PO-1,Passing Traders,HILT,1,{due}\nMO-1,Passing Traders,EMITTER,1,{due}\n",
    )

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)

    assert run.created == ["PO-2", "MO-2", "MO-3"]
    with pb.reader() as uow:
        made = [uow.supply.manufacturing_order(ref) for ref in ("MO-2", "MO-3")]
        assert uow.supply.next_ref("MO") == "MO-4"
    made_skus = [(mo.sku, mo.quantity) for mo in made if mo is not None]
    assert made_skus == [("SABER-GREEN", 1), ("SABER-GREEN", 2)]


def test_a_reschedule_re_promises_its_lines_at_once_as_a_full_plan_would(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    import_text(
        pb,
        ImportKind.ITEMS,
        "sku,name,procurement,lead_time_days,supplier\nKETTLE,Kettle,buy,3,Passing Traders\n",
    )
    import_text(pb, ImportKind.ORDERS, "order_ref,customer,sku,quantity\nSO-9,Rey,KETTLE,2\n")
    due = pb.clock.today() + timedelta(days=14)
    order_green_crystals(pb, due)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    events_before = len(promise_events(pb))

    purchasing.reschedule("PO-1", due + timedelta(days=7), uow=pb.uow(), clock=pb.clock)

    announced = promise_events(pb)[events_before:]
    assert [(e["order_ref"], e["new_date"]) for e in announced] == [
        ("SO-2", (due + timedelta(days=8)).isoformat())
    ]
    with pb.engine.connect() as conn:
        stored = {
            (r.order_ref, r.promised_date)
            for r in conn.execute(
                select(t.sales_orders.c.order_ref, t.line_promises.c.promised_date)
                .join(t.order_lines, t.order_lines.c.id == t.line_promises.c.line_id)
                .join(t.sales_orders, t.sales_orders.c.id == t.order_lines.c.order_id)
            )
        }
    full = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    assert full.changed == []
    assert stored == {(p.order_ref, p.date) for p in full.result.promises}


def test_a_narrow_snapshot_read_from_the_database_is_the_full_one_narrowed(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    import_text(
        pb,
        ImportKind.ITEMS,
        "sku,name,procurement,lead_time_days,supplier\nKETTLE,Kettle,buy,3,Passing Traders\n",
    )
    import_text(pb, ImportKind.ORDERS, "order_ref,customer,sku,quantity\nSO-9,Rey,KETTLE,2\n")
    today = pb.clock.today()

    with pb.reader() as uow:
        full = uow.planning.snapshot(today)
        for sku in ("KYBER-GREEN", "KETTLE", "SABER-BLUE"):
            assert uow.planning.snapshot(today, around=[sku]) == narrowed(full, [sku])
        assert {i.sku for i in uow.planning.snapshot(today, around=["KETTLE"]).items} == {"KETTLE"}


def stored_line_dates(pb: Pegboard) -> dict[tuple[str, int], date | None]:
    with pb.engine.connect() as conn:
        rows = conn.execute(
            select(t.sales_orders.c.order_ref, t.order_lines.c.line_no, t.line_promises.c.promised_date)
            .join(t.order_lines, t.order_lines.c.id == t.line_promises.c.line_id)
            .join(t.sales_orders, t.sales_orders.c.id == t.order_lines.c.order_id)
            .where(
                t.order_lines.c.quantity
                > t.order_lines.c.allocated + t.order_lines.c.shipped + t.order_lines.c.cancelled
            )
        )
        return {(r.order_ref, r.line_no): r.promised_date for r in rows}


def full_plan_line_dates(pb: Pegboard) -> dict[tuple[str, int], date | None]:
    preview = planning.run_plan(uow=pb.uow(), clock=pb.clock, store=False)
    return {(p.order_ref, p.line_no): p.promised_date for p in by_line(preview.result.promises)}


def test_receipts_completions_and_cancellations_re_promise_as_a_full_plan_would(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    due = pb.clock.today() + timedelta(days=14)
    order_green_crystals(pb, due)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    purchasing.receive("PO-1", "KYBER-GREEN", Decimal(1), uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    assert stored_line_dates(pb) == full_plan_line_dates(pb)

    mo = manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(2), uow=pb.uow(), clock=pb.clock)
    manufacturing.complete_manufacturing_order(
        mo.mo_ref, Decimal(1), uow=pb.uow(), clock=pb.clock, policy=pb.policy
    )
    assert stored_line_dates(pb) == full_plan_line_dates(pb)

    orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    assert stored_line_dates(pb) == full_plan_line_dates(pb)
    assert set(stored_line_dates(pb)) == {("SO-2", 1)}


def test_promises_written_in_bulk_are_stored_as_one_by_one(pb: Pegboard, monkeypatch: MonkeyPatch) -> None:
    """Many promises at once take PostgreSQL's COPY path (here forced for a handful, a block of
    one promise at a time)."""
    monkeypatch.setattr(promise_store, "BULK", 0)
    monkeypatch.setattr(promise_store, "CHUNK", 1)
    lightsaber_after_first_shipments(pb)
    due = pb.clock.today() + timedelta(days=14)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    order_green_crystals(pb, due)

    dated = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    purchasing.reschedule("PO-1", due + timedelta(days=7), uow=pb.uow(), clock=pb.clock)

    assert [(p.order_ref, p.promised_date) for p in dated.changed] == [("SO-2", due + timedelta(days=1))]
    with pb.engine.connect() as conn:
        rows = conn.execute(
            select(t.sales_orders.c.order_ref, t.line_promises.c.first_date, t.line_promises.c.promised_date)
            .add_columns(t.line_promises.c.promised_on, t.promise_parts.c.parts)
            .join(t.promise_parts, t.promise_parts.c.parts_key == t.line_promises.c.parts_key)
            .join(t.order_lines, t.order_lines.c.id == t.line_promises.c.line_id)
            .join(t.sales_orders, t.sales_orders.c.id == t.order_lines.c.order_id)
            .order_by(t.sales_orders.c.order_ref)
        ).all()
    today = pb.clock.today()
    assert [(r.order_ref, r.first_date, r.promised_date, r.promised_on) for r in rows] == [
        ("SO-1", today + timedelta(days=1), today + timedelta(days=1), today),
        ("SO-2", due + timedelta(days=1), due + timedelta(days=8), today),
    ]
    full = by_line(planning.run_plan(uow=pb.uow(), clock=pb.clock, store=False).result.promises)
    assert [json.loads(r.parts) for r in rows] == [line.parts for line in full]
    assert [r.parts for r in rows] == [json.dumps(line.parts, sort_keys=True) for line in full]


@pytest.mark.parametrize("bulk", [promise_store.BULK, 0], ids=["one-by-one", "bulk"])
def test_every_stored_promise_carries_its_lines_item_and_its_parts_key_from_a_plan_or_a_re_promise(
    pb: Pegboard, monkeypatch: MonkeyPatch, bulk: int
) -> None:
    monkeypatch.setattr(promise_store, "BULK", bulk)
    lightsaber_after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    # A new order's lines are first promised by a re-promise (its new priority's), not a plan run;
    # then a PO for green crystals, so the next plan rewrites a green line's promise and parts.
    import_text(
        pb,
        ImportKind.ORDERS,
        "order_ref,customer,ordered_at,sku,quantity\n"
        "SO-4,Han,2026-11-24T10:00:00,SABER-BLUE,9\nSO-4,Han,2026-11-24T10:00:00,SABER-GREEN,1\n",
    )
    order_terms.change_priority("SO-4", 5, uow=pb.uow(), clock=pb.clock)
    order_green_crystals(pb, pb.clock.today() + timedelta(days=14))
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    with pb.engine.connect() as conn:
        lp, ol, so, pp = t.line_promises.c, t.order_lines.c, t.sales_orders.c, t.promise_parts.c
        rows = conn.execute(
            select(
                so.order_ref, ol.line_no, lp.item_id, ol.item_id.label("line_item"), pp.parts, lp.parts_key
            )
            .join(t.promise_parts, pp.parts_key == lp.parts_key)
            .join(t.order_lines, ol.id == lp.line_id)
            .join(t.sales_orders, so.id == ol.order_id)
        ).all()
    assert {(r.order_ref, r.line_no) for r in rows} >= {("SO-1", 1), ("SO-2", 1), ("SO-4", 1), ("SO-4", 2)}
    assert any("PO-1" in r.parts for r in rows)
    assert [(r.order_ref, r.line_no) for r in rows if r.item_id != r.line_item] == []
    assert [(r.order_ref, r.line_no) for r in rows if r.parts_key != promise_store.parts_key(r.parts)] == []
