"""Drop-ship: a line for a dropship item opens a PO to its supplier with the customer's address;
the supplier's dispatch ships the line; our stock never moves; the PO's date is the promise."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import InvalidTransition, InvalidValue, NothingToShip, OverReceipt
from pegboard.domain.items import Item, Procurement, Supplier
from pegboard.domain.quantities import to_money, to_quantity
from pegboard.domain.sales import LineKind, OrderStatus, SalesOrder, ShipPolicy
from pegboard.domain.supply import PurchaseOrder, SupplyStatus
from pegboard.entrypoints.cli import main
from pegboard.services import catalogue, orders, planning, purchasing, shipping
from pegboard.services.imports import ImportKind
from pegboard.views import lists
from tests.builders import import_text, line_state, make_items, set_stock
from tests.e2e.test_api_support import Api, assert_error, open_api, order_body

FIFO = AllocationPolicy.FIFO
ADDRESS = "Ada Lovelace, 12 St James's Square, London"


def add_catalogue(pb: Pegboard) -> None:
    """CHAIR and LAMP drop-shipped by Chair Co (5 days); RUG by Rug Ltd (no lead time; the item
    says 9 days); KETTLE stocked, bought from Acme."""
    catalogue.save_suppliers(
        [Supplier("Chair Co", lead_time_days=5), Supplier("Rug Ltd"), Supplier("Acme", lead_time_days=3)],
        uow=pb.uow(),
    )
    catalogue.save_items(
        [
            Item("CHAIR", "Chair", Procurement.DROPSHIP, supplier="Chair Co", cost=to_money("40")),
            Item("LAMP", "Lamp", Procurement.DROPSHIP, supplier="Chair Co", cost=to_money("12.5")),
            Item("RUG", "Rug", Procurement.DROPSHIP, supplier="Rug Ltd", lead_time_days=9),
            Item("KETTLE", "Kettle", Procurement.BUY, supplier="Acme"),
        ],
        uow=pb.uow(),
    )


def place(
    pb: Pegboard,
    ref: str,
    *lines: tuple[str, int],
    ship_to: str | None = ADDRESS,
    ship_policy: ShipPolicy = ShipPolicy.PARTIAL,
) -> SalesOrder:
    draft = orders.OrderDraft(
        order_ref=ref,
        customer="Ada",
        email="ada@example.com",
        ordered_at=datetime(2026, 11, 23, 9),
        ship_policy=ship_policy,
        ship_to=ship_to,
        lines=tuple(orders.LineDraft(sku, to_quantity(q), to_money("99")) for sku, q in lines),
    )
    return orders.place_order(draft, uow=pb.uow(), clock=pb.clock).order


def dropship_pos(pb: Pegboard, order_ref: str) -> list[PurchaseOrder]:
    with pb.reader() as uow:
        return uow.supply.dropship_orders(order_ref)


def receive(pb: Pegboard, ref: str, sku: str, quantity: int, tracking: str | None = None) -> PurchaseOrder:
    return purchasing.receive(
        ref, sku, Decimal(quantity), uow=pb.uow(), clock=pb.clock, policy=FIFO, tracking=tracking
    )


def events(pb: Pegboard, event_type: str) -> list[dict[str, Any]]:
    with pb.engine.connect() as conn:
        rows = conn.execute(
            select(t.outbox.c.payload)
            .where(t.outbox.c.event_type == event_type)
            .order_by(t.outbox.c.created_at)
        ).scalars()
        return [json.loads(r) for r in rows]


def stock_moves(pb: Pegboard) -> int:
    with pb.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.stock_moves)).scalar_one())


def test_a_dropship_line_opens_a_po_to_the_supplier_with_the_customers_address(pb: Pegboard) -> None:
    add_catalogue(pb)
    set_stock(pb, CHAIR=4)

    order = place(pb, "SO-1", ("CHAIR", 2))

    assert order.lines[0].kind is LineKind.DROPSHIP
    assert line_state(pb, "SO-1") == [("CHAIR", 0, 0, 0, 0)]
    [po] = dropship_pos(pb, "SO-1")
    assert (po.supplier, po.order_ref, po.ship_to, po.status) == (
        "Chair Co",
        "SO-1",
        ADDRESS,
        SupplyStatus.OPEN,
    )
    assert [(li.sku, li.quantity, li.expected_date, li.unit_cost, li.order_line_no) for li in po.lines] == [
        ("CHAIR", 2, date(2026, 11, 28), 40, 1)
    ]
    with pb.reader() as uow:
        stored = uow.orders.get("SO-1")
        chairs = uow.stock.levels(["CHAIR"])["CHAIR"]
    assert stored is not None and stored.lines[0].awaiting_supplier_quantity == 2
    assert stored.lines[0].backordered_on is None
    assert (chairs.on_hand, chairs.allocated) == (4, 0)
    assert events(pb, "LineBackordered") == []


def test_the_same_dropship_order_placed_twice_opens_one_po(pb: Pegboard) -> None:
    add_catalogue(pb)
    place(pb, "SO-1", ("CHAIR", 2))

    again = place(pb, "SO-1", ("CHAIR", 2))

    assert again.lines[0].kind is LineKind.DROPSHIP
    assert len(dropship_pos(pb, "SO-1")) == 1
    with pb.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.purchase_order_lines)).scalar_one() == 1


def test_lines_for_one_supplier_share_one_po_and_each_other_supplier_gets_its_own(pb: Pegboard) -> None:
    add_catalogue(pb)
    set_stock(pb, KETTLE=1)

    place(pb, "SO-1", ("CHAIR", 1), ("KETTLE", 1), ("LAMP", 3), ("RUG", 1))

    found = {po.supplier: po for po in dropship_pos(pb, "SO-1")}
    assert sorted(found) == ["Chair Co", "Rug Ltd"]
    assert [(li.sku, li.quantity, li.order_line_no) for li in found["Chair Co"].lines] == [
        ("CHAIR", 1, 1),
        ("LAMP", 3, 3),
    ]
    # Rug Ltd gives no lead time: the item's 9 days count.
    assert [(li.sku, li.expected_date, li.order_line_no) for li in found["Rug Ltd"].lines] == [
        ("RUG", date(2026, 12, 2), 4)
    ]
    assert line_state(pb, "SO-1")[1] == ("KETTLE", 1, 0, 0, 0)


def test_a_drop_ship_line_added_to_an_order_joins_its_open_po_for_that_supplier(pb: Pegboard) -> None:
    add_catalogue(pb)
    place(pb, "SO-1", ("CHAIR", 1))
    [before] = dropship_pos(pb, "SO-1")
    with pb.engine.begin() as conn:  # an amendment (the shop added a lamp), as its service stores it
        order_id = conn.execute(select(t.sales_orders.c.id)).scalar_one()
        lamp_id = conn.execute(select(t.items.c.id).where(t.items.c.sku == "LAMP")).scalar_one()
        conn.execute(
            t.order_lines.insert().values(
                order_id=order_id, line_no=2, item_id=lamp_id, quantity=Decimal(2), kind="dropship"
            )
        )

    with pb.uow() as uow:
        order = uow.orders.get("SO-1")
        assert order is not None
        added = replace(order, lines=order.lines[1:])
        purchasing.open_dropship_orders([added], uow=uow, on=date(2026, 11, 25))
        uow.commit()

    [after] = dropship_pos(pb, "SO-1")
    assert after.po_ref == before.po_ref
    assert [(li.sku, li.quantity, li.expected_date, li.order_line_no) for li in after.lines] == [
        ("CHAIR", 1, date(2026, 11, 28), 1),
        ("LAMP", 2, date(2026, 11, 30), 2),
    ]
    receive(pb, after.po_ref, "LAMP", 2)
    assert line_state(pb, "SO-1") == [("CHAIR", 0, 0, 0, 0), ("LAMP", 0, 2, 0, 0)]


def test_an_order_of_a_dropship_item_without_a_supplier_is_refused_and_nothing_is_written(
    pb: Pegboard,
) -> None:
    add_catalogue(pb)
    # Data from before the rule that a dropship item needs a supplier.
    with pb.engine.begin() as conn:
        conn.execute(update(t.items).where(t.items.c.sku == "RUG").values(supplier_id=None))

    with pytest.raises(InvalidValue, match="RUG"):
        place(pb, "SO-1", ("KETTLE", 1), ("RUG", 1))

    with pb.engine.connect() as conn:
        for table in (t.sales_orders, t.order_lines, t.purchase_orders, t.purchase_order_lines, t.outbox):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0, table.name


def test_the_suppliers_dispatch_ships_the_line_without_moving_stock(pb: Pegboard) -> None:
    add_catalogue(pb)
    set_stock(pb, CHAIR=4)
    place(pb, "SO-1", ("CHAIR", 3))
    [po] = dropship_pos(pb, "SO-1")
    moves_before = stock_moves(pb)

    after_first = receive(pb, po.po_ref, "CHAIR", 1, tracking="1Z-CHAIR")

    assert after_first.status is SupplyStatus.PARTIALLY_RECEIVED
    assert line_state(pb, "SO-1") == [("CHAIR", 0, 1, 0, 0)]
    assert stock_moves(pb) == moves_before
    with pb.reader() as uow:
        order = uow.orders.get("SO-1")
        chairs = uow.stock.levels(["CHAIR"])["CHAIR"]
    assert order is not None and order.status is OrderStatus.PARTIALLY_SHIPPED
    assert chairs.on_hand == 4
    assert events(pb, "OrderShipped") == [
        {
            "order_ref": "SO-1",
            "shipment_ref": "SO-1-S1",
            "tracking": "1Z-CHAIR",
            "lines": [{"line_no": 1, "sku": "CHAIR", "quantity": "1"}],
        }
    ]
    assert events(pb, "StockReceived") == []

    receive(pb, po.po_ref, "CHAIR", 2)

    [po] = dropship_pos(pb, "SO-1")
    assert po.status is SupplyStatus.RECEIVED
    assert line_state(pb, "SO-1") == [("CHAIR", 0, 3, 0, 0)]
    with pb.reader() as uow:
        order = uow.orders.get("SO-1")
    assert order is not None and order.status is OrderStatus.SHIPPED
    assert [e["shipment_ref"] for e in events(pb, "OrderShipped")] == ["SO-1-S1", "SO-1-S2"]


def test_one_dispatch_of_a_sku_on_two_lines_ships_them_in_line_order(pb: Pegboard) -> None:
    add_catalogue(pb)
    place(pb, "SO-1", ("CHAIR", 1), ("CHAIR", 2))
    [po] = dropship_pos(pb, "SO-1")

    receive(pb, po.po_ref, "CHAIR", 2)

    assert line_state(pb, "SO-1") == [("CHAIR", 0, 1, 0, 0), ("CHAIR", 0, 1, 0, 0)]
    assert events(pb, "OrderShipped")[0]["lines"] == [
        {"line_no": 1, "sku": "CHAIR", "quantity": "1"},
        {"line_no": 2, "sku": "CHAIR", "quantity": "1"},
    ]


def test_more_than_the_supplier_still_owes_is_refused(pb: Pegboard) -> None:
    add_catalogue(pb)
    place(pb, "SO-1", ("CHAIR", 2))
    [po] = dropship_pos(pb, "SO-1")

    with pytest.raises(OverReceipt):
        receive(pb, po.po_ref, "CHAIR", 3)

    assert line_state(pb, "SO-1") == [("CHAIR", 0, 0, 0, 0)]
    assert events(pb, "OrderShipped") == []


def test_dropship_lines_never_take_warehouse_stock(pb: Pegboard) -> None:
    add_catalogue(pb)
    place(pb, "SO-1", ("CHAIR", 2))

    set_stock(pb, CHAIR=5)

    assert line_state(pb, "SO-1") == [("CHAIR", 0, 0, 0, 0)]
    with pytest.raises(NothingToShip, match="nothing is allocated"):
        shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)


def test_a_complete_order_ships_its_stock_lines_without_waiting_for_the_supplier(pb: Pegboard) -> None:
    add_catalogue(pb)
    set_stock(pb, KETTLE=1)
    place(pb, "SO-1", ("KETTLE", 1), ("CHAIR", 1), ship_policy=ShipPolicy.COMPLETE)

    shipment = shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)

    assert [(line.sku, line.quantity) for line in shipment.lines] == [("KETTLE", 1)]
    assert line_state(pb, "SO-1") == [("KETTLE", 0, 1, 0, 0), ("CHAIR", 0, 0, 0, 0)]


def test_cancelling_a_dropship_line_cancels_what_the_supplier_still_owes(pb: Pegboard) -> None:
    add_catalogue(pb)
    place(pb, "SO-1", ("CHAIR", 3), ("LAMP", 1))
    [po] = dropship_pos(pb, "SO-1")
    receive(pb, po.po_ref, "CHAIR", 1)

    orders.cancel_order("SO-1", "CHAIR", uow=pb.uow(), clock=pb.clock, policy=FIFO)

    [po] = dropship_pos(pb, "SO-1")
    assert [(li.sku, li.quantity, li.received_quantity) for li in po.lines] == [
        ("CHAIR", 1, 1),
        ("LAMP", 1, 0),
    ]
    assert po.status is SupplyStatus.PARTIALLY_RECEIVED
    assert line_state(pb, "SO-1") == [("CHAIR", 0, 1, 0, 2), ("LAMP", 0, 0, 0, 0)]
    with pytest.raises(OverReceipt):
        receive(pb, po.po_ref, "CHAIR", 1)

    orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=FIFO)

    [po] = dropship_pos(pb, "SO-1")
    assert po.status is SupplyStatus.RECEIVED
    with pb.reader() as uow:
        order = uow.orders.get("SO-1")
    assert order is not None and order.status is OrderStatus.SHIPPED


def test_cancelling_an_untouched_dropship_order_cancels_its_po(pb: Pegboard) -> None:
    add_catalogue(pb)
    place(pb, "SO-1", ("CHAIR", 2))
    [po] = dropship_pos(pb, "SO-1")

    orders.cancel_order("SO-1", uow=pb.uow(), clock=pb.clock, policy=FIFO)

    [po] = dropship_pos(pb, "SO-1")
    assert po.status is SupplyStatus.CANCELLED
    with pb.reader() as uow:
        assert lists.supply(uow.connection) == []
    with pytest.raises(InvalidTransition):
        receive(pb, po.po_ref, "CHAIR", 1)


# Promises


def test_a_dropship_line_is_promised_for_its_po_date_naming_the_supplier(pb: Pegboard) -> None:
    add_catalogue(pb)
    set_stock(pb, CHAIR=10)
    place(pb, "SO-1", ("CHAIR", 2))
    [po] = dropship_pos(pb, "SO-1")

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert [(p.order_ref, p.sku, p.quantity, p.date, p.reason, p.basis) for p in run.result.promises] == [
        (
            "SO-1",
            "CHAIR",
            2,
            date(2026, 11, 28),
            f"ships from Chair Co, {po.po_ref} due 2026-11-28",
            po.po_ref,
        )
    ]
    assert run.result.purchase_suggestions == []
    assert run.result.production_suggestions == []


def test_a_dropship_po_without_any_lead_time_is_open_term(pb: Pegboard) -> None:
    add_catalogue(pb)
    catalogue.save_items([Item("RUG", "Rug", Procurement.DROPSHIP, supplier="Rug Ltd")], uow=pb.uow())
    place(pb, "SO-1", ("RUG", 1))
    [po] = dropship_pos(pb, "SO-1")

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert po.lines[0].expected_date is None
    assert [(p.date, p.reason) for p in run.result.promises] == [
        (None, f"open term: ships from Rug Ltd, {po.po_ref} has no expected date")
    ]


def test_rescheduling_a_dropship_po_moves_the_promise_and_tells_the_customer(pb: Pegboard) -> None:
    add_catalogue(pb)
    place(pb, "SO-1", ("CHAIR", 2))
    [po] = dropship_pos(pb, "SO-1")
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    purchasing.reschedule(po.po_ref, date(2026, 12, 4), uow=pb.uow(), clock=pb.clock)

    assert events(pb, "PromiseChanged") == [
        {
            "order_ref": "SO-1",
            "line_no": 1,
            "sku": "CHAIR",
            "old_date": "2026-11-28",
            "new_date": "2026-12-04",
            "reason": f"ships from Chair Co, {po.po_ref} due 2026-12-04",
        }
    ]


def test_a_dispatch_leaves_only_the_rest_promised(pb: Pegboard) -> None:
    add_catalogue(pb)
    place(pb, "SO-1", ("CHAIR", 3))
    [po] = dropship_pos(pb, "SO-1")

    receive(pb, po.po_ref, "CHAIR", 2)
    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert [(p.sku, p.quantity) for p in run.result.promises] == [("CHAIR", 1)]


def test_a_dropship_po_is_no_supply_for_the_warehouse(pb: Pegboard) -> None:
    add_catalogue(pb)
    place(pb, "SO-1", ("LAMP", 5))
    # LAMP is stocked from now on: a new order's line waits for our stock, not for SO-1's PO.
    catalogue.save_items([Item("LAMP", "Lamp", Procurement.BUY, supplier="Chair Co")], uow=pb.uow())
    place(pb, "SO-2", ("LAMP", 1))

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    so2 = next(p for p in run.result.promises if p.order_ref == "SO-2")
    assert (so2.basis, so2.date) == ("planned PO", date(2026, 11, 28))
    assert [(s.sku, s.quantity) for s in run.result.purchase_suggestions] == [("LAMP", 1)]


# Lists, the CLI and the REST API


def test_the_dropship_po_shows_in_supply_and_the_line_is_no_backorder(pb: Pegboard) -> None:
    add_catalogue(pb)
    place(pb, "SO-1", ("CHAIR", 2), ("KETTLE", 1))
    [po] = dropship_pos(pb, "SO-1")

    with pb.reader() as uow:
        supply = [row.to_json() for row in lists.supply(uow.connection)]
        backorders = [row.to_json() for row in lists.backorders(uow.connection, today=pb.clock.today())]
        listed = [row.to_json() for row in lists.orders(uow.connection)]

    assert supply == [
        {
            "ref": po.po_ref,
            "kind": "po",
            "sku": "CHAIR",
            "quantity": 2,
            "received": 0,
            "expected_date": "2026-11-28",
            "status": "open",
            "supplier": "Chair Co",
            "dropship": True,
            "order_ref": "SO-1",
            "feasible_start": None,
            "feasible_due": None,
            "late_because": None,
            "options": {},
            "plan_as_of": None,
            "plan_out_of_date": None,
        }
    ]
    assert [(b["order_ref"], b["sku"]) for b in backorders] == [("SO-1", "KETTLE")]
    assert listed[0]["ship_to"] == ADDRESS
    assert [
        (line["sku"], line["kind"], line["backordered"], line["awaiting_supplier"])
        for line in listed[0]["lines"]
    ] == [("CHAIR", "dropship", 0, 2), ("KETTLE", "stock", 1, 0)]


def test_the_cli_places_a_dropship_order_and_confirms_the_suppliers_dispatch(
    pb: Pegboard, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    add_catalogue(pb)

    def cli(*args: str) -> tuple[int, str, str]:
        code = main(["--db", db_url, "--today", "2026-11-23", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    code, out, _ = cli("place", "SO-1", "CHAIR:2", "--customer", "Ada", "--ship-to", ADDRESS)
    assert code == 0 and "2 drop-shipped by the supplier" in out
    [po] = dropship_pos(pb, "SO-1")
    assert po.ship_to == ADDRESS
    code, out, _ = cli("supply", "--json")
    assert [(s["ref"], s["dropship"], s["order_ref"]) for s in json.loads(out)] == [(po.po_ref, True, "SO-1")]
    code, out, _ = cli("supply")
    assert code == 0 and "dropship" in out

    code, out, _ = cli("receive", po.po_ref, "CHAIR", "2", "--tracking", "1Z-42")
    assert code == 0 and "Chair Co shipped 2 CHAIR" in out
    assert events(pb, "OrderShipped")[0]["tracking"] == "1Z-42"
    code, _, err = cli("receive", po.po_ref, "CHAIR", "1")
    assert code == 1 and "only 0 is still expected" in err
    code, out, _ = cli("orders", "--json")
    assert json.loads(out)[0]["status"] == "shipped"


def test_the_orders_csv_takes_a_ship_to_address_for_drop_ship(pb: Pegboard) -> None:
    add_catalogue(pb)

    import_text(
        pb,
        ImportKind.ORDERS,
        "order_ref,customer,sku,quantity,ship_to\n"
        f'SO-1,Ada,CHAIR,1,"{ADDRESS}"\n'
        f'SO-1,Ada,LAMP,1,"{ADDRESS}"\n',
    )

    [po] = dropship_pos(pb, "SO-1")
    assert (po.ship_to, [li.sku for li in po.lines]) == (ADDRESS, ["CHAIR", "LAMP"])


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def test_the_api_takes_a_ship_to_address_and_a_dispatch_with_tracking(api: Api) -> None:
    add_catalogue(api.pb)
    make_items(api.pb, "MUG")

    placed = api.post("/orders", order_body("SO-1", ("CHAIR", 2), ship_to=ADDRESS))
    assert placed.status_code == 201, placed.text
    assert placed.json()["ship_to"] == ADDRESS
    assert [
        (line["kind"], line["backordered"], line["awaiting_supplier"]) for line in placed.json()["lines"]
    ] == [("dropship", 0, 2)]
    [row] = api.get("/supply").json()
    assert (row["dropship"], row["order_ref"]) == (True, "SO-1")
    po = api.get(f"/purchase-orders/{row['ref']}").json()
    assert (po["dropship"], po["order_ref"], po["ship_to"], po["lines"][0]["order_line_no"]) == (
        True,
        "SO-1",
        ADDRESS,
        1,
    )

    shipped = api.post(
        f"/purchase-orders/{row['ref']}/receipts", {"sku": "CHAIR", "quantity": 2, "tracking": "1Z"}
    )
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["status"] == "received"
    assert api.get("/orders/SO-1").json()["status"] == "shipped"
    assert events(api.pb, "OrderShipped")[0]["tracking"] == "1Z"
    again = api.post(f"/purchase-orders/{row['ref']}/receipts", {"sku": "CHAIR", "quantity": 1})
    assert_error(again, 409, "over_receipt")


def test_a_shop_reducing_a_dropship_line_in_part_still_asks_the_supplier_for_the_rest(pb: Pegboard) -> None:
    from tests.integration.services.test_shopify import CREATE, UPDATED, deliver
    from tests.shopify_server import order_json

    add_catalogue(pb)
    deliver(pb, CREATE, order_json(lines=[("CHAIR", 5)]))

    deliver(
        pb, UPDATED, order_json(updated_at="2026-11-23T16:00:00Z", lines=[("CHAIR", 5)], current={"CHAIR": 3})
    )

    [po] = dropship_pos(pb, "SHOP-1001")
    assert [(line.sku, line.quantity, line.open_quantity) for line in po.lines] == [("CHAIR", 3, 3)]
    assert po.status is SupplyStatus.OPEN
    assert [(sku, cancelled) for sku, *_, cancelled in line_state(pb, "SHOP-1001")] == [("CHAIR", 2)]
