"""Preorders: ordered before the item's release, they wait apart from backorders and are promised
for the release date; from that day on they take stock by the allocation policy."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from pegboard.adapters.clock import FixedClock
from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import NothingToShip
from pegboard.domain.items import Item, Procurement, Supplier
from pegboard.domain.quantities import to_quantity
from pegboard.domain.sales import LineKind, OrderStatus, ShipPolicy
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine
from pegboard.entrypoints.cli import main
from pegboard.planning.terms import RELEASE
from pegboard.services import catalogue, imports, orders, planning, preorders, purchasing, shipping
from pegboard.services.imports import ImportKind, ImportRejected
from pegboard.views import lists
from tests.builders import import_text, line_state, make_items, make_order, set_stock
from tests.e2e.test_api_support import Api, assert_error, open_api, order_body, row_counts

FIFO = AllocationPolicy.FIFO
#: The pb fixture's business date is Monday 2026-11-23; the lamp is released the next Tuesday.
RELEASE_DAY = date(2026, 12, 1)


def add_lamp(pb: Pegboard, *, release: date | None = RELEASE_DAY) -> None:
    """GALAXY-LAMP, bought from Acme (3 days), released on `release`; and KETTLE, an ordinary item."""
    catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=pb.uow())
    catalogue.save_items(
        [
            Item("GALAXY-LAMP", "Galaxy lamp", Procurement.BUY, supplier="Acme", release_date=release),
            Item("KETTLE", "Kettle", Procurement.BUY, supplier="Acme"),
        ],
        uow=pb.uow(),
    )


def on(pb: Pegboard, day: date) -> Pegboard:
    """The same database, with the business date moved to `day`."""
    return replace(pb, clock=FixedClock(day))


def release(pb: Pegboard, policy: AllocationPolicy = FIFO) -> list[tuple[str, str, Decimal]]:
    granted = preorders.release_preorders(uow=pb.uow(), clock=pb.clock, policy=policy)
    return [(g.order_ref, g.sku, g.quantity) for g in granted]


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour)


def events(pb: Pegboard, event_type: str) -> list[dict[str, Any]]:
    with pb.engine.connect() as conn:
        rows = conn.execute(
            select(t.outbox.c.payload)
            .where(t.outbox.c.event_type == event_type)
            .order_by(t.outbox.c.created_at)
        ).scalars()
        return [json.loads(r) for r in rows]


def test_an_order_before_the_release_date_is_a_preorder_that_takes_no_stock_even_when_some_is_on_hand(
    pb: Pegboard,
) -> None:
    add_lamp(pb)
    set_stock(pb, GALAXY_LAMP=5, KETTLE=5)

    order = make_order(pb, "SO-1", ("GALAXY-LAMP", 2), ("KETTLE", 1))

    lamp, kettle = order.lines
    assert (lamp.kind, kettle.kind) == (LineKind.PREORDER, LineKind.STOCK)
    assert line_state(pb, "SO-1") == [("GALAXY-LAMP", 0, 0, 0, 0), ("KETTLE", 1, 0, 0, 0)]
    with pb.reader() as uow:
        stored = uow.orders.get("SO-1")
        levels = uow.stock.levels(["GALAXY-LAMP"])["GALAXY-LAMP"]
    assert stored is not None
    assert stored.lines[0].kind is LineKind.PREORDER
    assert stored.lines[0].preordered_quantity == 2
    assert stored.lines[0].backordered_on is None
    assert stored.status is OrderStatus.OPEN
    assert (levels.on_hand, levels.allocated) == (5, 0)
    assert events(pb, "LineBackordered") == []


def test_an_order_on_the_release_date_is_an_ordinary_stock_line(pb: Pegboard) -> None:
    add_lamp(pb, release=pb.clock.today())
    set_stock(pb, GALAXY_LAMP=1)

    order = make_order(pb, "SO-1", ("GALAXY-LAMP", 3))

    assert order.lines[0].kind is LineKind.STOCK
    assert line_state(pb, "SO-1") == [("GALAXY-LAMP", 1, 0, 2, 0)]


def test_the_order_date_not_the_day_it_is_entered_decides_a_preorder(pb: Pegboard) -> None:
    add_lamp(pb, release=date(2026, 11, 20))
    set_stock(pb, GALAXY_LAMP=4)

    early = make_order(pb, "SO-1", ("GALAXY-LAMP", 1), ordered_at=at(19))
    late = make_order(pb, "SO-2", ("GALAXY-LAMP", 1), ordered_at=at(20))

    assert early.lines[0].kind is LineKind.PREORDER
    assert late.lines[0].kind is LineKind.STOCK


def test_a_receipt_before_the_release_date_leaves_preorders_waiting_and_serves_backorders(
    pb: Pegboard,
) -> None:
    add_lamp(pb)
    make_order(pb, "SO-1", ("GALAXY-LAMP", 2), ordered_at=at(20))
    make_order(pb, "SO-2", ("KETTLE", 1), ordered_at=at(21))
    purchasing.add_purchase_orders(
        [
            PurchaseOrder(
                "PO-1",
                "Acme",
                [
                    PurchaseOrderLine("GALAXY-LAMP", to_quantity(5), RELEASE_DAY),
                    PurchaseOrderLine("KETTLE", to_quantity(5), RELEASE_DAY),
                ],
            )
        ],
        uow=pb.uow(),
    )

    for sku in ("GALAXY-LAMP", "KETTLE"):
        purchasing.receive("PO-1", sku, Decimal(5), uow=pb.uow(), clock=pb.clock, policy=FIFO)

    assert line_state(pb, "SO-1") == [("GALAXY-LAMP", 0, 0, 0, 0)]
    assert line_state(pb, "SO-2") == [("KETTLE", 1, 0, 0, 0)]


def test_a_receipt_from_the_release_date_on_serves_preorders_by_their_order_date(pb: Pegboard) -> None:
    add_lamp(pb)
    make_order(pb, "SO-2", ("GALAXY-LAMP", 2), ordered_at=at(21))
    make_order(pb, "SO-1", ("GALAXY-LAMP", 2), ordered_at=at(20))
    purchasing.add_purchase_orders(
        [PurchaseOrder("PO-1", "Acme", [PurchaseOrderLine("GALAXY-LAMP", to_quantity(5), RELEASE_DAY)])],
        uow=pb.uow(),
    )
    later = on(pb, RELEASE_DAY)

    purchasing.receive("PO-1", "GALAXY-LAMP", Decimal(3), uow=later.uow(), clock=later.clock, policy=FIFO)

    assert line_state(pb, "SO-1") == [("GALAXY-LAMP", 2, 0, 0, 0)]
    assert line_state(pb, "SO-2") == [("GALAXY-LAMP", 1, 0, 0, 0)]
    with pb.reader() as uow:
        so2 = uow.orders.get("SO-2")
    assert so2 is not None and so2.lines[0].preordered_quantity == 1
    assert so2.lines[0].backordered_on is None


def test_release_before_the_release_date_allocates_nothing(pb: Pegboard) -> None:
    add_lamp(pb)
    make_order(pb, "SO-1", ("GALAXY-LAMP", 2))
    set_stock(pb, GALAXY_LAMP=5)

    assert release(pb) == []
    assert line_state(pb, "SO-1") == [("GALAXY-LAMP", 0, 0, 0, 0)]


def three_preorders_and_three_lamps(pb: Pegboard) -> Pegboard:
    """SO-1 (2 lamps, oldest), SO-2 (3 lamps, priority 5), SO-3 (1 lamp); 3 lamps on hand."""
    add_lamp(pb)
    make_order(pb, "SO-1", ("GALAXY-LAMP", 2), ordered_at=at(20))
    make_order(pb, "SO-2", ("GALAXY-LAMP", 3), ordered_at=at(21), priority=5)
    make_order(pb, "SO-3", ("GALAXY-LAMP", 1), ordered_at=at(22))
    set_stock(pb, GALAXY_LAMP=3)
    return on(pb, RELEASE_DAY)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (AllocationPolicy.FIFO, [("SO-1", "GALAXY-LAMP", 2), ("SO-2", "GALAXY-LAMP", 1)]),
        (AllocationPolicy.PRIORITY, [("SO-2", "GALAXY-LAMP", 3)]),
        (AllocationPolicy.COMPLETE_FIRST, [("SO-1", "GALAXY-LAMP", 2), ("SO-3", "GALAXY-LAMP", 1)]),
    ],
    ids=["fifo", "priority", "complete-first"],
)
def test_on_the_release_date_release_hands_stock_on_hand_to_preorders_by_the_policy(
    pb: Pegboard, policy: AllocationPolicy, expected: list[tuple[str, str, int]]
) -> None:
    released_day = three_preorders_and_three_lamps(pb)

    granted = release(released_day, policy)

    assert sorted(granted) == expected
    with pb.reader() as uow:
        allocated = uow.stock.levels(["GALAXY-LAMP"])["GALAXY-LAMP"].allocated
    assert allocated == 3
    assert release(released_day, policy) == []


def test_a_released_preorder_ships_like_any_allocated_line(pb: Pegboard) -> None:
    released_day = three_preorders_and_three_lamps(pb)
    release(released_day)

    shipment = shipping.ship_order("SO-1", uow=released_day.uow(), clock=released_day.clock)

    assert [(line.sku, line.quantity) for line in shipment.lines] == [("GALAXY-LAMP", 2)]
    with pb.reader() as uow:
        so1 = uow.orders.get("SO-1")
    assert so1 is not None and so1.status is OrderStatus.SHIPPED


def test_a_count_after_the_release_feeds_preorders_and_one_below_takes_it_back_without_a_backorder(
    pb: Pegboard,
) -> None:
    add_lamp(pb)
    make_order(pb, "SO-1", ("GALAXY-LAMP", 2), ordered_at=at(20))
    released_day = on(pb, RELEASE_DAY)

    set_stock(released_day, GALAXY_LAMP=2)
    assert line_state(pb, "SO-1") == [("GALAXY-LAMP", 2, 0, 0, 0)]

    set_stock(released_day, GALAXY_LAMP=1)
    assert line_state(pb, "SO-1") == [("GALAXY-LAMP", 1, 0, 0, 0)]
    with pb.reader() as uow:
        so1 = uow.orders.get("SO-1")
    assert so1 is not None and so1.lines[0].preordered_quantity == 1
    assert so1.lines[0].backordered_on is None
    assert events(pb, "LineBackordered") == []


def test_a_complete_order_with_a_preorder_waits_for_the_release(pb: Pegboard) -> None:
    add_lamp(pb)
    set_stock(pb, KETTLE=1, GALAXY_LAMP=1)
    make_order(pb, "SO-1", ("KETTLE", 1), ("GALAXY-LAMP", 1), ship_policy=ShipPolicy.COMPLETE)

    with pytest.raises(NothingToShip):
        shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)

    released_day = on(pb, RELEASE_DAY)
    release(released_day)
    shipping.ship_order("SO-1", uow=released_day.uow(), clock=released_day.clock)
    assert line_state(pb, "SO-1") == [("KETTLE", 0, 1, 0, 0), ("GALAXY-LAMP", 0, 1, 0, 0)]


def test_cancelling_a_preorder_cancels_what_waits(pb: Pegboard) -> None:
    add_lamp(pb)
    make_order(pb, "SO-1", ("GALAXY-LAMP", 2))

    order = orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=FIFO)

    assert order.status is OrderStatus.CANCELLED
    assert line_state(pb, "SO-1") == [("GALAXY-LAMP", 0, 0, 0, 2)]


# Promises


def promises(run: planning.PlanRun) -> dict[tuple[str, str], tuple[date | None, str, str]]:
    return {(p.order_ref, p.sku): (p.date, p.reason, p.basis) for p in run.result.promises}


def test_a_preorder_is_promised_for_its_release_date_even_with_stock_on_hand(pb: Pegboard) -> None:
    add_lamp(pb)
    set_stock(pb, GALAXY_LAMP=5)
    make_order(pb, "SO-1", ("GALAXY-LAMP", 2))

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert promises(run) == {("SO-1", "GALAXY-LAMP"): (RELEASE_DAY, "preorder: releases 2026-12-01", RELEASE)}
    assert run.result.purchase_suggestions == []
    with pb.reader() as uow:
        stored = uow.planning.stored_promises(["SO-1"])
    assert stored[("SO-1", 1)].promised_date == RELEASE_DAY


def test_a_preorder_whose_supply_comes_after_the_release_is_promised_by_that_supply(pb: Pegboard) -> None:
    add_lamp(pb)
    make_order(pb, "SO-1", ("GALAXY-LAMP", 2))
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date\nPO-1,Acme,GALAXY-LAMP,2,2026-12-09\n",
    )

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert promises(run) == {("SO-1", "GALAXY-LAMP"): (date(2026, 12, 9), "PO-1 due 2026-12-09", "PO-1")}


def test_preorder_demand_is_planned_like_any_demand(pb: Pegboard) -> None:
    add_lamp(pb)
    make_order(pb, "SO-1", ("GALAXY-LAMP", 2))

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    suggested = [(s.supplier, s.sku, s.quantity) for s in run.result.purchase_suggestions]
    assert suggested == [("Acme", "GALAXY-LAMP", 2)]
    # The planned PO arrives on 2026-11-26, before the release: the release date is the promise.
    assert promises(run)[("SO-1", "GALAXY-LAMP")][0] == RELEASE_DAY


# Lists


def test_preorders_are_listed_apart_from_backorders_in_every_figure(pb: Pegboard) -> None:
    add_lamp(pb)
    make_order(pb, "SO-1", ("GALAXY-LAMP", 2), ("KETTLE", 1), customer="Ada")

    with pb.reader() as uow:
        backordered = [row.to_json() for row in lists.backorders(uow.connection, today=pb.clock.today())]
        preordered = [row.to_json() for row in lists.preorders(uow.connection, today=pb.clock.today())]
        listed = [row.to_json() for row in lists.orders(uow.connection, order_ref="SO-1")]

    assert [(b["order_ref"], b["sku"], b["quantity"]) for b in backordered] == [("SO-1", "KETTLE", 1)]
    assert preordered == [
        {
            "order_ref": "SO-1",
            "line_no": 1,
            "sku": "GALAXY-LAMP",
            "quantity": 2,
            "release_date": "2026-12-01",
            "released": False,
            "ordered_at": "2026-11-23",
            "customer": "Ada",
            "priority": 0,
        }
    ]
    lines = listed[0]["lines"]
    assert [
        (line["sku"], line["kind"], line["backordered"], line["preordered"], line["awaiting_supplier"])
        for line in lines
    ] == [("GALAXY-LAMP", "preorder", 0, 2, 0), ("KETTLE", "stock", 1, 0, 0)]


# CSV import of items


def test_the_items_csv_takes_an_optional_release_date(pb: Pegboard) -> None:
    catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=pb.uow())

    import_text(
        pb,
        ImportKind.ITEMS,
        "sku,name,procurement,supplier,release_date\n"
        "GALAXY-LAMP,Galaxy lamp,buy,Acme,2026-12-01\n"
        "KETTLE,Kettle,buy,Acme,\n",
    )

    with pb.reader() as uow:
        found = uow.catalogue.items()
    assert (found["GALAXY-LAMP"].release_date, found["KETTLE"].release_date) == (RELEASE_DAY, None)


def test_a_bad_release_date_names_its_row_field_and_value_and_nothing_is_written(pb: Pegboard) -> None:
    catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=pb.uow())
    text = (
        "sku,name,procurement,supplier,release_date\n"
        "KETTLE,Kettle,buy,Acme,\n"
        "GALAXY-LAMP,Galaxy lamp,buy,Acme,2026-13-01\n"
    )

    with pytest.raises(ImportRejected) as rejected:
        imports.import_csv(
            ImportKind.ITEMS, io.StringIO(text), source="items.csv", uow=pb.uow(), clock=pb.clock, policy=FIFO
        )

    assert rejected.value.problems == [
        "line 3: row 2, field 'release_date', value '2026-13-01': is not a date (YYYY-MM-DD)"
    ]
    with pb.reader() as uow:
        assert uow.catalogue.items() == {}


# The CLI and the REST API


def test_the_cli_lists_preorders_apart_and_release_allocates_them(
    pb: Pegboard, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    add_lamp(pb)
    make_order(pb, "SO-1", ("GALAXY-LAMP", 2), ("KETTLE", 1))
    set_stock(pb, GALAXY_LAMP=2)

    def cli(*args: str, today: str = "2026-11-23") -> tuple[int, str, str]:
        code = main(["--db", db_url, "--today", today, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    code, out, _ = cli("preorders", "--json")
    assert code == 0
    assert [(r["order_ref"], r["sku"], r["quantity"], r["release_date"]) for r in json.loads(out)] == [
        ("SO-1", "GALAXY-LAMP", 2, "2026-12-01")
    ]
    code, out, _ = cli("backorders", "--json")
    assert [(r["sku"], r["quantity"]) for r in json.loads(out)] == [("KETTLE", 1)]
    code, out, _ = cli("orders", "--json")
    assert [
        (line["sku"], line["backordered"], line["preordered"]) for line in json.loads(out)[0]["lines"]
    ] == [
        ("GALAXY-LAMP", 0, 2),
        ("KETTLE", 1, 0),
    ]
    code, out, _ = cli("preorders")
    assert code == 0 and "Preorders (1)" in out and "SO-1" in out

    code, _, err = cli("release")
    assert code == 0 and "No released preorder" in err
    code, _, err = cli("release", "--policy", "priority", today="2026-12-01")
    assert code == 0
    assert "SO-1 line 1: 2 GALAXY-LAMP allocated" in err
    assert line_state(pb, "SO-1") == [("GALAXY-LAMP", 2, 0, 0, 0), ("KETTLE", 0, 0, 1, 0)]


def test_a_plan_run_from_the_cli_first_releases_preorders_whose_day_has_come(
    pb: Pegboard, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    add_lamp(pb)
    make_order(pb, "SO-1", ("GALAXY-LAMP", 2))
    set_stock(pb, GALAXY_LAMP=2)

    code = main(["--db", db_url, "--today", "2026-12-02", "plan", "--json"])

    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out)["promises"] == []
    assert "Released 1 preorder line(s)" in captured.err
    assert line_state(pb, "SO-1") == [("GALAXY-LAMP", 2, 0, 0, 0)]


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def test_the_api_keeps_release_dates_lists_preorders_and_releases_them(api: Api) -> None:
    if True:
        make_items(api.pb, "KETTLE")
        item = {"sku": "GALAXY-LAMP", "name": "Galaxy lamp", "procurement": "buy", "supplier": "Acme"}

        created = api.post("/items", {**item, "release_date": "2026-12-01"})
        assert created.status_code == 201, created.text
        assert api.get("/items/GALAXY-LAMP").json()["release_date"] == "2026-12-01"
        bad = api.post("/items", {**item, "release_date": "first of December"})
        assert_error(bad, 422, "invalid_value")

        placed = api.post("/orders", order_body("SO-1", ("GALAXY-LAMP", 2), ("KETTLE", 1)))
        assert placed.status_code == 201, placed.text
        assert [
            (line["kind"], line["backordered"], line["preordered"]) for line in placed.json()["lines"]
        ] == [
            ("preorder", 0, 2),
            ("stock", 1, 0),
        ]
        listed = api.get("/preorders").json()
        assert [(r["order_ref"], r["sku"], r["quantity"], r["release_date"]) for r in listed] == [
            ("SO-1", "GALAXY-LAMP", 2, "2026-12-01")
        ]
        assert [b["sku"] for b in api.get("/backorders").json()] == ["KETTLE"]

        set_stock(api.pb, GALAXY_LAMP=2)
        before = row_counts(api.pb)
        nothing = api.post("/preorders/release", {"policy": "fifo"})
        assert nothing.status_code == 200 and nothing.json() == []
        assert row_counts(api.pb) == before
        assert api.post("/preorders/release", {"policy": "slowest"}).status_code == 422
        assert api.post("/preorders/release", None, token="viewer").status_code == 403

        # A lamp released last Friday, ordered the day before (entered late): a preorder that may
        # take stock today, once released.
        old_lamp = {**item, "sku": "OLD-LAMP", "release_date": "2026-11-20"}
        assert api.post("/items", old_lamp).status_code == 201
        set_stock(api.pb, OLD_LAMP=3)
        early = order_body("SO-2", ("OLD-LAMP", 1), ordered_at="2026-11-19T10:00")
        assert api.post("/orders", early).json()["lines"][0]["preordered"] == 1
        assert [(r["sku"], r["released"]) for r in api.get("/preorders").json()] == [
            ("OLD-LAMP", True),
            ("GALAXY-LAMP", False),
        ]
        granted = api.post("/preorders/release")
        assert granted.status_code == 200, granted.text
        assert granted.json() == [
            {"order_ref": "SO-2", "line_no": 1, "sku": "OLD-LAMP", "quantity": 1, "reason": ""}
        ]
        assert api.get("/orders/SO-2").json()["lines"][0]["allocated"] == 1
