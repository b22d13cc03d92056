"""A quote is the promise the plan gives once the order is placed, nothing else changing (SQLite),
by the narrowed full path and from the plan's leftover alike."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain.quantities import to_quantity
from pegboard.domain.sales import SalesOrder, ShipPolicy
from pegboard.planning.quoting import NEW_DROPSHIP_PO
from pegboard.services import orders, planning
from pegboard.services.imports import ImportKind
from pegboard.services.quoting import LeftoverCache, QuoteRequest, quote
from pegboard.views import lists
from tests.builders import import_text
from tests.conftest import MONDAY

NAMES = ["AXE", "BOLT", "CAP", "DIAL", "EYE"]
quantities = st.sampled_from(["1", "2", "3", "0.5", "5"])
lot = st.sampled_from(["", "", "2", "5", "0.5"])
lead = st.sampled_from(["", "0", "1", "3", "5"])


@dataclass(frozen=True)
class Workshop:
    """A small workshop as the CSV files a user would import, and the order to quote."""

    csv: tuple[tuple[ImportKind, str], ...]
    lines: tuple[tuple[str, Decimal], ...]
    priority: int
    ship_policy: ShipPolicy


@st.composite
def workshops(draw: st.DrawFn) -> Workshop:
    """Made and bought items in random acyclic BOMs, stock, lot sizes, reorder points, open POs
    (some without a date), orders already waiting (with priorities), sometimes a drop-ship
    item, and an order to quote."""
    skus = draw(st.permutations(NAMES))[: draw(st.integers(1, 5))]
    suppliers = "name,email,lead_time_days\nAcme,,2\nVague,,\n"
    rows = [
        "sku,name,procurement,lead_time_days,supplier,safety_stock,reorder_point,min_order_qty,order_multiple"
    ]
    made: set[str] = set()
    for sku in skus:
        make = draw(st.booleans())
        if make:
            made.add(sku)
        supplier = "" if make else draw(st.sampled_from(["Acme", "Vague", ""]))
        point = draw(st.sampled_from(["", "", "", "2"]))
        safety = draw(st.sampled_from(["", "", "1"]))
        rows.append(
            f"{sku},{sku},{'make' if make else 'buy'},{draw(lead)},{supplier},{safety},{point},"
            f"{draw(lot)},{draw(lot)}"
        )
    # Sometimes a drop-ship item too: its line takes no stock and is dated by the PO it opens
    # (the supplier's lead time, else the item's; neither: open term).
    dropship = ["FERN"] if draw(st.booleans()) else []
    for sku in dropship:
        rows.append(f"{sku},{sku},dropship,{draw(lead)},{draw(st.sampled_from(['Acme', 'Vague']))},,,,")
    boms = ["parent_sku,component_sku,quantity"]
    for k, parent in enumerate(skus):
        if parent not in made:
            continue
        for component in draw(st.lists(st.sampled_from(skus[k + 1 :] or ["-"]), max_size=2, unique=True)):
            if component != "-":
                boms.append(f"{parent},{component},{draw(st.sampled_from(['1', '2', '0.5']))}")
    stock = ["sku,quantity"] + [f"{sku},{draw(quantities)}" for sku in skus if draw(st.booleans())]
    pos = ["po_ref,supplier,sku,quantity,expected_date"]
    for k in range(draw(st.integers(0, 3))):
        days = draw(st.one_of(st.none(), st.integers(-2, 10)))
        due = "" if days is None else (MONDAY + timedelta(days=days)).isoformat()
        pos.append(f"PO-{k + 1},Acme,{draw(st.sampled_from(skus))},{draw(quantities)},{due}")
    waiting = ["order_ref,customer,ordered_at,sku,quantity,priority"]
    for k in range(draw(st.integers(0, 4))):
        at = f"{MONDAY - timedelta(days=1)}T{8 + k:02d}:00"
        priority = draw(st.sampled_from([0, 0, 1]))
        for sku in draw(st.lists(st.sampled_from(skus), min_size=1, max_size=2, unique=True)):
            waiting.append(f"SO-{k + 1},Someone,{at},{sku},{draw(quantities)},{priority}")
    csv = [
        (ImportKind.SUPPLIERS, suppliers),
        (ImportKind.ITEMS, "\n".join(rows) + "\n"),
        (ImportKind.BOMS, "\n".join(boms) + "\n"),
        (ImportKind.STOCK, "\n".join(stock) + "\n"),
        (ImportKind.PURCHASE_ORDERS, "\n".join(pos) + "\n"),
        (ImportKind.ORDERS, "\n".join(waiting) + "\n"),
    ]
    wanted = draw(st.lists(st.sampled_from([*skus, *dropship]), min_size=1, max_size=3))
    return Workshop(
        tuple((kind, text) for kind, text in csv if text.count("\n") > 1),
        tuple((sku, Decimal(draw(quantities))) for sku in wanted),
        draw(st.sampled_from([0, 0, 1, 2])),
        draw(st.sampled_from(list(ShipPolicy))),
    )


@contextmanager
def opened(workshop: Workshop, template: Path, tmp_path: Path) -> Iterator[Pegboard]:
    """The workshop imported into a copy of the migrated SQLite template, removed after."""
    path = tmp_path / f"workshop-{abs(hash(workshop))}.db"
    shutil.copy(template, path)
    pb = bootstrap(Settings(database_url=f"sqlite:///{path}"), today=MONDAY)
    try:
        for kind, text in workshop.csv:
            import_text(pb, kind, text)
        yield pb
    finally:
        pb.close()
        path.unlink()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(workshop=workshops())
def test_a_quote_is_the_promise_the_plan_gives_once_the_order_is_placed(
    workshop: Workshop, sqlite_template: Path, tmp_path: Path
) -> None:
    with opened(workshop, sqlite_template, tmp_path) as pb:
        request = QuoteRequest(workshop.lines, workshop.priority, workshop.ship_policy)

        quoted = quote(request, uow=pb.reader(), clock=pb.clock)
        # The server's path: from the whole plan's leftover where it can answer exactly.
        kept = quote(request, uow=pb.reader(), clock=pb.clock, leftovers=LeftoverCache())
        assert (kept.lines, kept.date) == (quoted.lines, quoted.date)

        placed, promised = placed_and_promised(pb, workshop)
        for line, got in zip(placed.lines, quoted.lines, strict=True):
            assert got.now == line.allocated_quantity
            assert [(q.quantity, q.date, q.reason, q.basis) for q in got.parts] == promised.get(
                line.line_no, []
            )


def placed_and_promised(
    pb: Pegboard, workshop: Workshop
) -> tuple[SalesOrder, dict[int, list[tuple[Decimal, date | None, str, str]]]]:
    """Place the workshop's order as Q-1 and plan: the order, and each line's promised parts, with
    the ref of a drop-ship PO the placing opened read as a quote words it."""
    draft = orders.OrderDraft(
        order_ref="Q-1",
        customer="Quoted",
        lines=tuple(orders.LineDraft(sku, to_quantity(quantity)) for sku, quantity in workshop.lines),
        priority=workshop.priority,
        ship_policy=workshop.ship_policy,
        ship_to="1 Fern Lane, Leeds",  # where a drop-ship supplier would send it
    )
    before = _purchase_orders(pb)
    placed = orders.place_order(draft, uow=pb.uow(), clock=pb.clock).order
    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    mine = [p for p in run.result.promises if p.order_ref == "Q-1"]
    # The one thing a quote cannot know: the ref a drop-ship PO gets when the order is placed
    # (named by its own line, and by the lines of a ship-complete order that wait for it).
    opened = _purchase_orders(pb) - before
    promised: dict[int, list[tuple[Decimal, date | None, str, str]]] = {}
    for p in mine:
        reason, basis = p.reason, p.basis
        if basis in opened:
            reason, basis = reason.replace(basis, NEW_DROPSHIP_PO), NEW_DROPSHIP_PO
        promised.setdefault(p.line_no, []).append((p.quantity, p.date, reason, basis))
    return placed, promised


def _purchase_orders(pb: Pegboard) -> set[str]:
    """The refs of every purchase order in the database."""
    with pb.reader() as uow:
        return {row.ref for row in lists.supply(uow.connection, include_closed=True) if row.kind == "po"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(workshop=workshops(), data=st.data())
def test_a_leftover_that_followed_placed_orders_quotes_as_the_full_path(
    workshop: Workshop, data: st.DataObject, sqlite_template: Path, tmp_path: Path
) -> None:
    with opened(workshop, sqlite_template, tmp_path) as pb:
        request = QuoteRequest(workshop.lines, workshop.priority, workshop.ship_policy)
        kept = LeftoverCache()
        quote(request, uow=pb.reader(), clock=pb.clock, leftovers=kept)
        skus = sorted({sku for sku, _ in workshop.lines})

        # Orders placed between two quotes, before the quote's moment.
        for n in range(data.draw(st.integers(1, 3))):
            lines = data.draw(st.lists(st.tuples(st.sampled_from(skus), quantities), min_size=1, max_size=2))
            draft = orders.OrderDraft(
                order_ref=f"P-{n + 1}",
                customer="Placed",
                lines=tuple(orders.LineDraft(sku, to_quantity(q)) for sku, q in lines),
                ordered_at=pb.clock.now() - timedelta(minutes=10 - n),
                priority=data.draw(st.sampled_from([0, 0, 1])),
                ship_to="1 Fern Lane, Leeds",
            )
            orders.place_order(draft, uow=pb.uow(), clock=pb.clock)
        fast = quote(request, uow=pb.reader(), clock=pb.clock, leftovers=kept)
        full = quote(request, uow=pb.reader(), clock=pb.clock)

        assert (fast.lines, fast.date) == (full.lines, full.date)
        assert kept.built + kept.followed <= 2
