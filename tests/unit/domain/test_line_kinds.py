"""Line kinds: how an item is sold decides a line's kind, and each kind counts its open quantity
in its own figure; drop-ship lines ship when the supplier says so."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from pegboard.domain.errors import InvalidTransition, OverReceipt
from pegboard.domain.items import Procurement, SaleTerms
from pegboard.domain.quantities import qty
from pegboard.domain.sales import LineKind, OrderStatus, SalesOrder, SalesOrderLine, ShipPolicy
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine, SupplyStatus

RELEASE = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("terms", "ordered_on", "kind"),
    [
        (SaleTerms(Procurement.BUY, RELEASE), date(2026, 11, 30), LineKind.PREORDER),
        (SaleTerms(Procurement.BUY, RELEASE), RELEASE, LineKind.STOCK),
        (SaleTerms(Procurement.MAKE, RELEASE), date(2026, 12, 2), LineKind.STOCK),
        (SaleTerms(Procurement.BUY), date(2026, 11, 30), LineKind.STOCK),
        (SaleTerms(Procurement.DROPSHIP), date(2026, 11, 30), LineKind.DROPSHIP),
        (SaleTerms(Procurement.DROPSHIP, RELEASE), date(2026, 11, 30), LineKind.DROPSHIP),
    ],
)
def test_the_items_terms_and_the_order_date_decide_the_line_kind(
    terms: SaleTerms, ordered_on: date, kind: LineKind
) -> None:
    assert terms.line_kind(ordered_on) is kind


def test_a_preorder_may_take_stock_from_its_release_date_on() -> None:
    terms = SaleTerms(Procurement.BUY, RELEASE)

    assert (terms.released_by(date(2026, 11, 30)), terms.released_by(RELEASE)) == (False, True)


def test_each_kind_counts_its_open_quantity_in_its_own_figure() -> None:
    figures = []
    for kind in LineKind:
        line = SalesOrderLine(1, "LAMP", qty(5), allocated_quantity=Decimal(0), kind=kind)
        line.shipped_quantity = Decimal(1)
        figures.append(
            (
                kind,
                line.open_quantity,
                line.backordered_quantity,
                line.preordered_quantity,
                line.awaiting_supplier_quantity,
            )
        )

    assert figures == [
        (LineKind.STOCK, 4, 4, 0, 0),
        (LineKind.PREORDER, 4, 0, 4, 0),
        (LineKind.DROPSHIP, 4, 0, 0, 4),
    ]


def test_a_drop_ship_line_takes_no_stock_and_a_preorder_gets_no_backorder_date() -> None:
    dropped = SalesOrderLine(1, "CHAIR", qty(2), kind=LineKind.DROPSHIP)
    preordered = SalesOrderLine(2, "LAMP", qty(2), kind=LineKind.PREORDER)
    preordered.allocate(Decimal(2))

    with pytest.raises(ValueError, match="drop-shipped"):
        dropped.allocate(Decimal(1))
    preordered.deallocate(Decimal(1), on=RELEASE)
    assert preordered.backordered_on is None


def order_with_chairs() -> SalesOrder:
    return SalesOrder(
        "SO-1",
        "Ada",
        datetime(2026, 11, 23, 9),
        [
            SalesOrderLine(1, "KETTLE", qty(1), allocated_quantity=Decimal(1)),
            SalesOrderLine(2, "CHAIR", qty(3), kind=LineKind.DROPSHIP),
        ],
        ship_policy=ShipPolicy.COMPLETE,
    )


def test_the_suppliers_dispatch_ships_drop_ship_lines_only_up_to_what_is_open() -> None:
    order = order_with_chairs()

    with pytest.raises(InvalidTransition):
        order.confirm_dispatch({1: Decimal(1)}, shipment_ref="SO-1-S1", on=RELEASE)
    with pytest.raises(OverReceipt):
        order.confirm_dispatch({2: Decimal(4)}, shipment_ref="SO-1-S1", on=RELEASE)
    shipment = order.confirm_dispatch({2: Decimal(3)}, shipment_ref="SO-1-S1", on=RELEASE, tracking="1Z")

    assert [(line.line_no, line.quantity) for line in shipment.lines] == [(2, 3)]
    assert order.status is OrderStatus.PARTIALLY_SHIPPED


def test_a_complete_order_does_not_wait_for_its_drop_ship_lines() -> None:
    order = order_with_chairs()

    assert [(line.sku, quantity) for line, quantity in order.shippable()] == [("KETTLE", 1)]


def test_cancelling_a_drop_ship_line_leaves_the_po_line_what_the_supplier_shipped() -> None:
    po = PurchaseOrder(
        "PO-1",
        "Chair Co",
        [
            PurchaseOrderLine("CHAIR", qty(3), RELEASE, received_quantity=Decimal(1), order_line_no=2),
            PurchaseOrderLine("LAMP", qty(1), RELEASE, order_line_no=3),
        ],
        order_ref="SO-1",
    )

    assert po.cancel_open(2) == 2
    assert (po.lines[0].quantity, po.status) == (1, SupplyStatus.PARTIALLY_RECEIVED)
    assert po.cancel_open(3) == 1
    assert po.status is SupplyStatus.RECEIVED
    assert po.cancel_open(3) == 0


def test_a_drop_ship_po_with_nothing_left_to_order_is_cancelled() -> None:
    po = PurchaseOrder(
        "PO-1", "Chair Co", [PurchaseOrderLine("CHAIR", qty(3), RELEASE, order_line_no=1)], order_ref="SO-1"
    )

    po.cancel_open(1)

    assert po.status is SupplyStatus.CANCELLED
    assert po.is_dropship
