"""A ship-complete order on the lightsaber workshop of DESIGN.md gets one date for all its lines,
also the line already allocated and held, through the real services (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.quantities import to_quantity
from pegboard.domain.sales import ShipPolicy
from pegboard.entrypoints import demo
from pegboard.planning.scope import narrowed
from pegboard.services import orders, planning, purchasing
from pegboard.services.imports import ImportKind
from pegboard.services.quoting import QuoteRequest, quote
from pegboard.views.status import order_status
from tests.builders import import_text


def place_complete_order(pb: Pegboard) -> None:
    """SO-9 wants a blue saber (in stock, allocated and held) and a green one (waits for a crystal)."""
    draft = orders.OrderDraft(
        order_ref="SO-9",
        customer="Rey",
        lines=(
            orders.LineDraft("SABER-BLUE", to_quantity(1)),
            orders.LineDraft("SABER-GREEN", to_quantity(1)),
        ),
        ship_policy=ShipPolicy.COMPLETE,
    )
    orders.place_order(draft, uow=pb.uow(), clock=pb.clock)


def crystal_po(pb: Pegboard, due: date) -> None:
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-9,Crystal Broker,KYBER-GREEN,3,{due}\n",
    )


def promised(pb: Pegboard, order_ref: str) -> dict[str, tuple[date | None, str, str]]:
    """The stored promise of each line of the order, by SKU."""
    lp, ol, so, it = t.line_promises.c, t.order_lines.c, t.sales_orders.c, t.items.c
    query = (
        select(it.sku, lp.promised_date, lp.reason, lp.basis)
        .join(t.order_lines, ol.id == lp.line_id)
        .join(t.sales_orders, so.id == ol.order_id)
        .join(t.items, it.id == ol.item_id)
        .where(so.order_ref == order_ref)
    )
    with pb.engine.connect() as conn:
        return {r.sku: (r.promised_date, r.reason, r.basis) for r in conn.execute(query)}


def new_dates(pb: Pegboard, order_ref: str) -> list[tuple[str, str | None]]:
    """The PromiseChanged events queued for the order: (SKU, new date), oldest first."""
    import json

    with pb.engine.connect() as conn:
        rows = conn.execute(
            select(t.outbox.c.payload)
            .where(t.outbox.c.event_type == "PromiseChanged", t.outbox.c.order_ref == order_ref)
            .order_by(t.outbox.c.created_at)
        ).scalars()
        return [(json.loads(p)["sku"], json.loads(p).get("new_date")) for p in rows]


def test_the_held_blue_saber_of_a_ship_complete_order_is_promised_the_green_sabers_date(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    place_complete_order(pb)
    due = pb.clock.today() + timedelta(days=14)

    # A PO of three green crystals, due in 14 days: SO-2 takes two, SO-9's green saber the third.
    crystal_po(pb, due)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    found = promised(pb, "SO-9")
    green_day = due + timedelta(days=1)
    assert found["SABER-GREEN"][0] == green_day
    assert found["SABER-BLUE"] == (green_day, f"ships with SABER-GREEN, {green_day}", found["SABER-GREEN"][2])


def test_an_open_term_line_keeps_the_whole_ship_complete_order_open_term(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    place_complete_order(pb)

    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    found = promised(pb, "SO-9")
    assert found["SABER-BLUE"][0] is None
    assert found["SABER-BLUE"][1].startswith("open term: ships complete with SABER-GREEN, which is open term")


def test_a_slipped_crystal_po_moves_both_lines_of_the_ship_complete_order_once(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    place_complete_order(pb)
    due = pb.clock.today() + timedelta(days=14)
    crystal_po(pb, due)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    before = new_dates(pb, "SO-9")

    purchasing.reschedule("PO-9", due + timedelta(days=7), uow=pb.uow(), clock=pb.clock)

    later = (due + timedelta(days=8)).isoformat()
    assert sorted(new_dates(pb, "SO-9")[len(before) :]) == [("SABER-BLUE", later), ("SABER-GREEN", later)]
    assert promised(pb, "SO-9")["SABER-BLUE"][1] == f"ships with SABER-GREEN, {later}"
    # A plan run after the re-promise finds nothing more to move.
    assert [p.order_ref for p in planning.run_plan(uow=pb.uow(), clock=pb.clock).changed] == []


def test_the_status_page_says_the_held_saber_ships_with_the_green_one_on_the_orders_date(
    pb: Pegboard,
) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    place_complete_order(pb)
    due = pb.clock.today() + timedelta(days=14)
    crystal_po(pb, due)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    with pb.engine.connect() as conn:
        overview = order_status(conn, "SO-9")

    assert overview is not None
    assert overview.ships_on == due + timedelta(days=1)
    [green] = [line for line in overview.lines if line.sku == "SABER-GREEN"]
    assert green.promised_date == due + timedelta(days=1)


def test_a_ship_complete_quote_gives_every_line_the_orders_date_and_reason(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    due = pb.clock.today() + timedelta(days=14)
    crystal_po(pb, due)
    request = QuoteRequest(
        (("SABER-BLUE", to_quantity(1)), ("SABER-GREEN", to_quantity(1))), ship_policy=ShipPolicy.COMPLETE
    )

    found = quote(request, uow=pb.reader(), clock=pb.clock)

    blue, green = found.lines
    green_day = due + timedelta(days=1)
    assert (found.date, green.date, blue.date) == (green_day, green_day, green_day)
    assert blue.reason == f"ships with SABER-GREEN, {green_day}"
    assert blue.now == 1


def test_a_narrow_snapshot_with_a_ship_complete_order_is_the_full_one_narrowed(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    place_complete_order(pb)
    today = pb.clock.today()

    with pb.reader() as uow:
        full = uow.planning.snapshot(today)
        narrow = {
            sku: uow.planning.snapshot(today, around=[sku]) for sku in ("KYBER-GREEN", "HILT", "KYBER-BLUE")
        }

    assert full.ship_complete == {"SO-9"}
    assert [(h.order_ref, h.sku) for h in full.held] == [("SO-9", "SABER-BLUE")]
    for sku, found in narrow.items():
        assert found == narrowed(full, [sku])
    # The green crystal reaches SO-9's green saber, so its held blue saber is planned with it.
    assert "SABER-BLUE" in (narrow["KYBER-GREEN"].affected or ())
