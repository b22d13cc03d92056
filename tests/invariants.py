"""The invariants of DESIGN.md, checked against the stored data."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, Engine, func, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.repositories.catalogue import read_options
from pegboard.domain.books import money
from pegboard.domain.items import BomLine
from pegboard.domain.options import ItemOptions
from pegboard.domain.quantities import component_need
from pegboard.domain.valuation import CostMethod, ValuedMove, replay
from pegboard.views.sql import units


def assert_invariants(engine: Engine, *, method: CostMethod | None = None) -> None:
    """On hand is the ledger's sum (and so is the total kept on the item's row) and never
    negative; the allocated total kept on the row is the lines' sum, the waiting total its stock
    lines' backordered quantities; allocated never exceeds on hand;
    every line adds up (held quotes reserve stock
    too, and so does stock kept for a configuration, both counted with the lines'); a configured
    line never holds more than its configuration's MOs made (`_assert_configurations_hold`); what
    shipped matches the shipments and the ledger (drop-ship lines
    ship from the supplier: they never hold stock, never move the ledger, and ship what their
    PO lines received); only stock lines carry a backorder date."""
    with engine.connect() as conn:
        on_hand: dict[int, Decimal] = dict(
            conn.execute(
                select(t.stock_moves.c.item_id, func.sum(t.stock_moves.c.quantity)).group_by(
                    t.stock_moves.c.item_id
                )
            ).all()
        )
        allocated: dict[int, Decimal] = dict(
            conn.execute(
                select(t.order_lines.c.item_id, func.sum(t.order_lines.c.allocated)).group_by(
                    t.order_lines.c.item_id
                )
            ).all()
        )
        # A quote's hold reserves stock too (`pegboard quote --hold`): it counts in the kept total.
        for item_id, held in conn.execute(
            select(t.quote_hold_lines.c.item_id, func.sum(t.quote_hold_lines.c.quantity))
            .join(t.quote_holds, t.quote_holds.c.id == t.quote_hold_lines.c.hold_id)
            .where(t.quote_holds.c.status == "held")
            .group_by(t.quote_hold_lines.c.item_id)
        ):
            allocated[item_id] = allocated.get(item_id, Decimal(0)) + held
        # Stock kept for one configuration (a configured MO's surplus) is reserved for its lines.
        cs = t.configured_stock.c
        for item_id, kept in conn.execute(select(cs.item_id, func.sum(cs.quantity)).group_by(cs.item_id)):
            allocated[item_id] = allocated.get(item_id, Decimal(0)) + kept
        # Components reserved for confirmed MOs, too (`services.reserving`).
        mr = t.mo_reservations.c
        for item_id, reserved in conn.execute(select(mr.item_id, func.sum(mr.quantity)).group_by(mr.item_id)):
            allocated[item_id] = allocated.get(item_id, Decimal(0)) + reserved
        ol = t.order_lines.c
        waiting: dict[int, Decimal] = dict(
            conn.execute(
                select(ol.item_id, units(func.sum(ol.quantity - ol.allocated - ol.shipped - ol.cancelled)))
                .where(ol.kind == "stock")
                .group_by(ol.item_id)
            ).all()
        )
        for item_id, kept_on_hand, kept_allocated, kept_waiting in conn.execute(
            select(t.items.c.id, t.items.c.on_hand, t.items.c.allocated, t.items.c.waiting)
        ):
            assert kept_waiting == waiting.get(item_id, 0), (
                f"item {item_id}: waiting kept {kept_waiting}, stock lines wait for {waiting.get(item_id)}"
            )
            assert kept_on_hand == on_hand.get(item_id, 0), (
                f"item {item_id}: on hand kept {kept_on_hand}, ledger sum {on_hand.get(item_id)}"
            )
            assert kept_allocated == allocated.get(item_id, 0), (
                f"item {item_id}: allocated kept {kept_allocated}, lines hold {allocated.get(item_id)}"
            )
        for item_id, quantity in on_hand.items():
            assert quantity >= 0, f"item {item_id}: on hand {quantity} is negative"
        for item_id, quantity in allocated.items():
            have = on_hand.get(item_id, Decimal(0))
            assert quantity <= have, f"item {item_id}: allocated {quantity} exceeds on hand {have}"
        for line in conn.execute(select(t.order_lines)):
            for state in ("allocated", "shipped", "cancelled"):
                assert getattr(line, state) >= 0, f"line {line.id}: {state} is negative"
            assert line.allocated + line.shipped + line.cancelled <= line.quantity, (
                f"line {line.id}: allocated+shipped+cancelled exceeds ordered"
            )
        shipped_by_line = {
            (order_id, line_no): total
            for order_id, line_no, total in conn.execute(
                select(
                    t.shipments.c.order_id, t.shipment_lines.c.line_no, func.sum(t.shipment_lines.c.quantity)
                )
                .join(t.shipments, t.shipments.c.id == t.shipment_lines.c.shipment_id)
                .group_by(t.shipments.c.order_id, t.shipment_lines.c.line_no)
            )
        }
        for line in conn.execute(select(t.order_lines).where(t.order_lines.c.shipped > 0)):
            assert shipped_by_line.get((line.order_id, line.line_no)) == line.shipped, (
                f"line {line.id}: shipped {line.shipped} does not match its shipments"
            )
        shipped_out = conn.execute(
            select(func.coalesce(func.sum(t.stock_moves.c.quantity), 0)).where(
                t.stock_moves.c.kind == "shipment"
            )
        ).scalar_one()
        from_stock = t.order_lines.c.kind != "dropship"
        shipped_lines = conn.execute(
            select(func.coalesce(func.sum(t.order_lines.c.shipped), 0)).where(from_stock)
        ).scalar_one()
        assert -Decimal(shipped_out) == Decimal(shipped_lines), "shipment movements differ from shipped lines"
        _assert_kinds_hold(conn)
        _assert_configurations_hold(conn)
        _assert_reservations_hold(conn)
        _assert_books_hold(conn)
        _assert_promise_parts_hold(conn)
        _assert_stock_value_holds(conn, on_hand, method)


def _assert_promise_parts_hold(conn: Connection) -> None:
    """Every stored promise names parts that are kept (`promise_parts`, migration 0040): a reader
    joining on `parts_key` never loses a promise."""
    lp, pp = t.line_promises.c, t.promise_parts.c
    nameless = conn.execute(
        select(lp.line_id, lp.parts_key)
        .where(~select(pp.parts_key).where(pp.parts_key == lp.parts_key).exists())
        .limit(5)
    ).all()
    assert not nameless, f"promises name parts that are not kept: {nameless}"


def _assert_kinds_hold(conn: Connection) -> None:
    ol, pol = t.order_lines, t.purchase_order_lines
    received = dict(
        conn.execute(
            select(pol.c.order_line_id, func.sum(pol.c.received))
            .where(pol.c.order_line_id.is_not(None))
            .group_by(pol.c.order_line_id)
        ).all()
    )
    for line in conn.execute(select(ol).where(ol.c.kind != "stock")):
        assert line.backordered_on is None, f"{line.kind} line {line.id} has a backorder date"
        if line.kind == "dropship":
            assert line.allocated == 0, f"drop-ship line {line.id} holds stock"
            assert received.get(line.id, Decimal(0)) == line.shipped, (
                f"drop-ship line {line.id}: shipped {line.shipped} differs from its PO's receipts"
            )


def _assert_reservations_hold(conn: Connection) -> None:
    """A reservation for an MO is above zero, belongs to an open MO, is of one of the MO's direct
    components (of its configuration's BOM: the base BOM changed by each chosen option value, as
    `ItemOptions.bom` builds it), and never exceeds what the MO's open quantity takes of it
    (quantity per unit x open quantity, as the completion consumes it)."""
    mr, mo = t.mo_reservations.c, t.manufacturing_orders.c
    made, used = t.items.alias("made"), t.items.alias("used")
    reservations = conn.execute(
        select(
            mo.mo_ref,
            mo.status,
            made.c.sku,
            mo.options,
            mo.quantity.label("made"),
            mo.completed,
            used.c.sku.label("component"),
            mr.quantity.label("reserved"),
        )
        .join(t.manufacturing_orders, mo.id == mr.mo_id)
        .join(made, made.c.id == mo.item_id)
        .join(used, used.c.id == mr.item_id)
    ).all()
    if not reservations:
        return
    parent, component = t.items.alias("parent"), t.items.alias("component")
    base: dict[str, list[BomLine]] = {}
    for parent_sku, component_sku, quantity in conn.execute(
        select(parent.c.sku, component.c.sku, t.bom_lines.c.quantity)
        .join(parent, parent.c.id == t.bom_lines.c.parent_id)
        .join(component, component.c.id == t.bom_lines.c.component_id)
    ):
        base.setdefault(parent_sku, []).append(BomLine(component_sku, quantity))
    options = read_options(conn, {row.sku for row in reservations if row.options})
    for row in reservations:
        lines = base.get(row.sku, [])
        if row.options:
            lines = options.get(row.sku, ItemOptions(row.sku, ())).bom(lines, row.options)
        per = {line.component_sku: line.quantity_per for line in lines}
        what = f"{row.mo_ref}: {row.reserved} of {row.component} reserved"
        assert row.reserved > 0, what
        assert row.status in ("open", "partially_completed"), f"{what}, but it is {row.status}"
        assert row.component in per, f"{what}, which is not its component"
        need = component_need(per[row.component], row.made - row.completed)
        assert row.reserved <= need, f"{what}, more than it takes ({need})"


def _assert_configurations_hold(conn: Connection) -> None:
    """Configured stock is kept only for a configuration (never "": plain stock is the rest), and
    above zero; and a configured line takes only its own configuration's stock: for each item and
    configuration, what its lines hold or shipped plus what is kept for it never exceeds what its
    MOs made (a count may have written some off, never added any)."""
    cs, ol, mo = t.configured_stock.c, t.order_lines.c, t.manufacturing_orders.c
    kept: dict[tuple[int, str], Decimal] = {}
    for row in conn.execute(select(cs.item_id, cs.options, cs.quantity)):
        assert row.options != "", f"item {row.item_id}: plain stock kept as a configuration's"
        assert row.quantity > 0, f"item {row.item_id} [{row.options}]: kept {row.quantity}"
        kept[row.item_id, row.options] = row.quantity
    made: dict[tuple[int, str], Decimal] = {
        (item_id, options): Decimal(total)
        for item_id, options, total in conn.execute(
            select(mo.item_id, mo.options, func.sum(mo.completed))
            .where(mo.options != "")
            .group_by(mo.item_id, mo.options)
        )
    }
    taken: dict[tuple[int, str], Decimal] = {
        (item_id, options): Decimal(total)
        for item_id, options, total in conn.execute(
            select(ol.item_id, ol.options, units(func.sum(ol.allocated + ol.shipped)))
            .where(ol.options != "")
            .group_by(ol.item_id, ol.options)
        )
    }
    for key in kept.keys() | taken.keys():
        used = taken.get(key, Decimal(0)) + kept.get(key, Decimal(0))
        assert used <= made.get(key, Decimal(0)), (
            f"item {key[0]} [{key[1]}]: lines hold or shipped {taken.get(key, 0)} and {kept.get(key, 0)} is "
            f"kept, but its MOs made {made.get(key, 0)}: it took stock of another configuration"
        )


def _assert_books_hold(conn: Connection) -> None:
    """Every journal entry balances; no order holds a negative deposit, refund due or receivable;
    the revenue booked on each order is the value (price x quantity, to the cent) of what it shipped."""
    jl = t.journal_lines
    for entry_id, debit, credit in conn.execute(
        select(jl.c.entry_id, func.sum(jl.c.debit), func.sum(jl.c.credit)).group_by(jl.c.entry_id)
    ):
        assert debit == credit, f"journal entry {entry_id}: debits {debit} != credits {credit}"
    booked: dict[str, dict[str, Decimal]] = {}
    for order_ref, account, debit, credit in conn.execute(
        select(jl.c.order_ref, jl.c.account, func.sum(jl.c.debit), func.sum(jl.c.credit))
        .where(jl.c.order_ref.is_not(None))
        .group_by(jl.c.order_ref, jl.c.account)
    ):
        booked.setdefault(order_ref, {})[account] = debit - credit
    for order_ref, accounts in booked.items():
        assert accounts.get("2100", 0) <= 0, f"{order_ref}: deposit {-accounts['2100']} is negative"
        assert accounts.get("2110", 0) <= 0, f"{order_ref}: preorder deposit {-accounts['2110']} is negative"
        held = -accounts.get("2100", Decimal(0)) - accounts.get("2110", Decimal(0))
        earned = -sum((accounts.get(a, Decimal(0)) for a in ("4000", "4050", "4100", "2200")), Decimal(0))
        due, owed = -accounts.get("2150", Decimal(0)), accounts.get("1100", Decimal(0))
        # What was received, less what was paid back, is what shipped (net of discounts, with tax
        # and shipping) plus what is held, less what is owed.
        assert accounts.get("1000", Decimal(0)) == earned + held + due - owed, (
            f"{order_ref}: cash {accounts.get('1000')} != earned {earned} + deposits {held} "
            f"+ refund due {due} - owed {owed}"
        )
        assert accounts.get("2150", 0) <= 0, f"{order_ref}: refund due {-accounts['2150']} is negative"
        assert accounts.get("1100", 0) >= 0, f"{order_ref}: receivable {accounts['1100']} is negative"
    so, ol, sh, sl = t.sales_orders, t.order_lines, t.shipments, t.shipment_lines
    shipped_value: dict[str, Decimal] = {}
    for order_ref, quantity, unit_price, item_price in conn.execute(
        select(so.c.order_ref, sl.c.quantity, ol.c.unit_price, t.items.c.price)
        .join(sh, sh.c.id == sl.c.shipment_id)
        .join(so, so.c.id == sh.c.order_id)
        .join(ol, (ol.c.order_id == sh.c.order_id) & (ol.c.line_no == sl.c.line_no))
        .join(t.items, t.items.c.id == ol.c.item_id)
    ):
        price = unit_price if unit_price is not None else (item_price or Decimal(0))
        shipped_value[order_ref] = shipped_value.get(order_ref, Decimal(0)) + money(price * quantity)
    # Tax inside the prices (a shop whose prices include tax) is not revenue: each line's share of
    # it for what shipped (rounded running totals add up to the share of all shipped so far).
    oc = t.order_charges
    for order_ref, included, quantity, shipped in conn.execute(
        select(so.c.order_ref, oc.c.amount, ol.c.quantity, ol.c.shipped)
        .join(so, so.c.id == oc.c.order_id)
        .join(ol, (ol.c.order_id == oc.c.order_id) & (ol.c.line_no == oc.c.line_no))
        .where(oc.c.kind == "included_tax")
    ):
        shipped_value[order_ref] = shipped_value.get(order_ref, Decimal(0)) - money(
            included * shipped / quantity
        )
    for order_ref in set(shipped_value) | set(booked):
        revenue = -booked.get(order_ref, {}).get("4000", Decimal(0))
        assert revenue == shipped_value.get(order_ref, 0), (
            f"{order_ref}: revenue booked {revenue}, value shipped {shipped_value.get(order_ref)}"
        )


def _assert_stock_value_holds(
    conn: Connection, on_hand: dict[int, Decimal], method: CostMethod | None
) -> None:
    """The value ledger holds what the stock ledger holds, item by item; replaying it by the cost
    method (either, when not known) values every issue as stored; and the inventory account equals
    the valuation."""
    sv = t.stock_values
    rows = conn.execute(
        select(sv.c.item_id, sv.c.quantity, sv.c.value, sv.c.moved_on).order_by(sv.c.id)
    ).all()
    held: dict[int, tuple[Decimal, Decimal]] = {}
    for item_id, quantity, value, _ in rows:
        before = held.get(item_id, (Decimal(0), Decimal(0)))
        held[item_id] = (before[0] + quantity, before[1] + value)
    for item_id in set(on_hand) | set(held):
        quantity, value = held.get(item_id, (Decimal(0), Decimal(0)))
        assert quantity == on_hand.get(item_id, 0), f"item {item_id}: valued {quantity}, on hand differs"
        assert value >= 0 and (quantity > 0 or value == 0), f"item {item_id}: {quantity} worth {value}"
    moves = [ValuedMove(str(item_id), quantity, value, day) for item_id, quantity, value, day in rows]
    replays = [replay(moves, way) for way in ([method] if method else list(CostMethod))]
    for item_id, (_, value) in held.items():
        found = [replayed[str(item_id)].value for replayed in replays]
        assert value in found, f"item {item_id}: stored value {value}, {method or 'any'} replay {found}"
    jl = t.journal_lines
    debit, credit = conn.execute(
        select(func.coalesce(func.sum(jl.c.debit), 0), func.coalesce(func.sum(jl.c.credit), 0)).where(
            jl.c.account == "1200"
        )
    ).one()
    valued = sum((value for _, value in held.values()), Decimal(0))
    assert Decimal(debit) - Decimal(credit) == valued, (
        f"inventory account {Decimal(debit) - Decimal(credit)} != stock valuation {valued}"
    )
