"""The web app's read models and order terms, on SQLite and PostgreSQL: Today's figures, the ranked
orders a page at a time, an order's new priority, and pages that work without the npm packages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import InvalidValue
from pegboard.domain.quantities import to_quantity
from pegboard.entrypoints.demo import STEPS, run_story
from pegboard.services import order_terms, orders, planning
from pegboard.services.tokens import Role
from pegboard.services.users import create_user
from pegboard.views.orders_page import PAGE_SIZE, OrderFilters, orders_page
from pegboard.views.today import today_page
from tests.conftest import MONDAY
from tests.e2e.test_api_support import Api, open_api


def quiet(*_: object) -> None:
    """The demo's narration, unheard."""


def test_today_counts_open_backorders_and_the_promises_kept_by_lines_shipped_complete(pb: Pegboard) -> None:
    run_story(pb, quiet, steps=3)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    STEPS[3](pb, quiet)  # the story's step 4: one green saber made, SO-1 ships complete

    with pb.reader() as uow:
        page = today_page(uow.connection, today=MONDAY)

    figures = page.figures
    assert (figures.open_backorder_lines, figures.open_backorder_units) == (1, Decimal(2))
    assert figures.oldest_backorder_days == 0
    assert figures.shipped_complete_lines == 3  # SO-1's two lines and SO-3's
    assert (figures.promises_judged, figures.promises_kept, figures.promises_kept_percent) == (1, 1, "100 %")
    assert [b.lines for b in figures.ages] == [1, 0, 0, 0]
    assert page.ready.total == 0
    assert [(b.order_ref, b.quantity) for b in page.backorders.rows] == [("SO-2", Decimal(2))]


def test_today_lists_orders_ready_to_ship_with_their_reserved_units(pb: Pegboard) -> None:
    run_story(pb, quiet, steps=2)

    with pb.reader() as uow:
        page = today_page(uow.connection, today=MONDAY + timedelta(days=9))

    assert [(o.order_ref, o.allocated, o.waiting) for o in page.ready.rows] == [
        ("SO-1", Decimal(3), Decimal(1)),
        ("SO-3", Decimal(1), Decimal(0)),
    ]
    assert page.backorders.rows[0].age_days == 9
    assert [b.lines for b in page.figures.ages] == [0, 2, 0, 0]


def _place(pb: Pegboard, count: int) -> None:
    run_story(pb, quiet, steps=1)
    start = datetime.combine(MONDAY, datetime.min.time())
    drafts = [
        orders.OrderDraft(
            order_ref=f"W-{n:03d}",
            customer=f"Customer {n}",
            lines=(orders.LineDraft("HILT" if n % 4 else "KYBER-GREEN", to_quantity(1)),),
            ordered_at=start + timedelta(minutes=n),
            priority=n % 3,
        )
        for n in range(count)
    ]
    orders.place_orders(drafts, uow=pb.uow(), clock=pb.clock)


def test_orders_come_a_page_at_a_time_by_priority_then_date_without_gaps_or_repeats(pb: Pegboard) -> None:
    _place(pb, 2 * PAGE_SIZE + 20)
    seen: list[str] = []
    after = ""
    pages = 0
    while True:
        with pb.reader() as uow:
            page = orders_page(uow.connection, OrderFilters(after=after), today=MONDAY, can_write=True)
        seen += [row.order_ref for row in page.rows]
        pages += 1
        if page.next_after is None:
            break
        after = page.next_after

    expected = sorted((f"W-{n:03d}" for n in range(2 * PAGE_SIZE + 20)), key=lambda r: (-(int(r[2:]) % 3), r))
    assert pages == 3
    assert seen == expected


def test_the_backordered_filter_and_search_narrow_the_orders(pb: Pegboard) -> None:
    _place(pb, 12)

    with pb.reader() as uow:
        waiting = orders_page(uow.connection, OrderFilters(backordered=True), today=MONDAY, can_write=False)
        found = orders_page(uow.connection, OrderFilters(q="customer 11"), today=MONDAY, can_write=False)
        by_sku = orders_page(uow.connection, OrderFilters(sku="KYBER-GREEN"), today=MONDAY, can_write=False)

    # Ten hilts are on hand: W-001..W-011 without the multiples of 4 take 9 of them; W-000, W-004
    # and W-008 want a green crystal, and only one is on hand (for the oldest, W-000).
    assert sorted(row.order_ref for row in waiting.rows) == ["W-004", "W-008"]
    assert [row.order_ref for row in found.rows] == ["W-011"]
    assert sorted(row.order_ref for row in by_sku.rows) == ["W-000", "W-004", "W-008"]
    assert {row.availability.kind for row in waiting.rows} == {"open_term"}


def test_a_new_priority_is_stored_and_a_bad_one_refused(pb: Pegboard) -> None:
    run_story(pb, quiet, steps=2)

    order_terms.change_priority("SO-2", 5, uow=pb.uow(), clock=pb.clock)
    with pb.reader() as uow:
        first = orders_page(uow.connection, OrderFilters(), today=MONDAY, can_write=True).rows[0]

    assert (first.order_ref, first.priority) == ("SO-2", 5)
    with pytest.raises(InvalidValue, match="whole number"):
        order_terms.a_priority("high")
    with pytest.raises(InvalidValue, match="from 0"):
        order_terms.a_priority("-1")


@pytest.fixture
def bare(db_url: str, tmp_path: Path) -> Iterator[Api]:
    """The app with an empty assets folder: no htmx, no Chart.js, no Sortable."""
    yield from open_api(db_url, assets_dir=str(tmp_path))


def test_pages_read_and_post_without_the_npm_packages(bare: Api) -> None:
    create_user("ada", Role.OPERATOR, "long-enough-pw", uow=bare.pb.uow())
    run_story(bare.pb, quiet, steps=2)
    client = bare.client

    signed = client.post("/login", data={"username": "ada", "password": "long-enough-pw"})
    order = client.get("/orders/SO-3")
    shipped = client.post("/orders/SO-3/ship", data={"tracking": ""})

    assert signed.status_code == 200 and "/static/vendor/" not in signed.text
    assert order.status_code == 200 and "/static/vendor/" not in order.text
    assert client.get("/static/vendor/htmx.min.js").status_code == 404
    assert client.get("/static/app.css").status_code == 200
    assert shipped.status_code == 200 and "Shipped SO-3-S1." in shipped.text


def test_an_unknown_order_and_a_viewers_write_are_pages_that_say_so(bare: Api) -> None:
    create_user("vic", Role.VIEWER, "long-enough-pw", uow=bare.pb.uow())
    bare.client.post("/login", data={"username": "vic", "password": "long-enough-pw"})

    missing = bare.client.get("/orders/SO-404")
    refused = bare.client.get("/orders/new")

    assert missing.status_code == 404 and "There is no order SO-404." in missing.text
    assert refused.status_code == 403 and "viewers can look but not change anything" in refused.text
    assert 'aria-label="Main"' in missing.text and 'aria-label="Main"' in refused.text


def test_a_refused_action_comes_back_as_the_order_page_with_the_error_beside_its_field(bare: Api) -> None:
    create_user("ada", Role.OPERATOR, "long-enough-pw", uow=bare.pb.uow())
    run_story(bare.pb, quiet, steps=2)
    bare.client.post("/login", data={"username": "ada", "password": "long-enough-pw"})

    bad_priority = bare.client.post("/orders/SO-2/priority", data={"priority": "high"})
    nothing_to_ship = bare.client.post("/orders/SO-2/ship", data={"tracking": ""})

    assert bad_priority.status_code == 422
    assert "<title>Error: Order SO-2" in bad_priority.text
    assert 'aria-describedby="priority-hint priority-error"' in bad_priority.text
    assert "Priority must be a whole number" in bad_priority.text
    assert nothing_to_ship.status_code == 422 and 'id="actions-error"' in nothing_to_ship.text
    assert 'href="#actions"' in nothing_to_ship.text
    with bare.pb.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.shipments)).scalar_one() == 0


def test_a_bad_csv_is_refused_whole_with_every_problem_by_row_and_a_good_one_imported(bare: Api) -> None:
    create_user("ada", Role.OPERATOR, "long-enough-pw", uow=bare.pb.uow())
    bare.client.post("/login", data={"username": "ada", "password": "long-enough-pw"})
    bad = "name,email,lead_time_days\nPassing Traders,pt@example.com,3\nCrystal Broker,cb@example.com,soon\n"
    good = "name,email,lead_time_days\nPassing Traders,pt@example.com,3\n"

    refused = bare.client.post(
        "/import", data={"kind": "suppliers"}, files={"file": ("s.csv", bad, "text/csv")}
    )
    with bare.pb.reader() as uow:
        assert uow.catalogue.suppliers() == []
    imported = bare.client.post(
        "/import", data={"kind": "suppliers"}, files={"file": ("s.csv", good, "text/csv")}
    )

    assert refused.status_code == 422 and "<title>Error: Import" in refused.text
    assert "line 3" in refused.text and "lead_time_days" in refused.text and "soon" in refused.text
    assert (
        imported.status_code == 200 and "Imported 1 suppliers row(s) from s.csv (1 written)." in imported.text
    )
    with bare.pb.reader() as uow:
        assert [s.name for s in uow.catalogue.suppliers()] == ["Passing Traders"]
