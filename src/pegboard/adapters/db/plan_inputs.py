"""Which writes can change a plan: each connection notes the plan inputs it writes, and what
placing orders wrote, so that the unit of work logs one `plan_input_changes` row at commit
(`SqlStoredPlan.note_changes`) naming the orders placed when that is all it did."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Delete, Engine, Insert, Update, event

#: The tables a plan's snapshot reads: a write to any of them can change the plan.
PLAN_INPUTS = frozenset(
    {
        "suppliers",
        "items",
        "bom_lines",
        "stock_moves",
        "sales_orders",
        "order_lines",
        "purchase_orders",
        "purchase_order_lines",
        "manufacturing_orders",
        # A quote's hold takes stock from what the plan sees as available.
        "quote_holds",
        # A configuration's kept stock serves only its lines (`planning.configurations`).
        "configured_stock",
        # Components reserved for an MO are pegged to it (`services.reserving`).
        "mo_reservations",
        # Configured lines' BOMs, and the reschedules suppliers' reliability is learned from.
        "item_options",
        "expected_date_changes",
    }
)
#: Item columns derived from the ledger and the lines (written with them): not inputs themselves.
_DERIVED_ITEM_COLUMNS = frozenset({"on_hand", "allocated", "waiting"})
_WRITTEN = "pegboard_plan_inputs_written"
_PLACED, _PLACED_LINES, _LINES = "pegboard_placed_orders", "pegboard_placed_lines", "pegboard_lines_inserted"
_SHIPPING = "pegboard_shipping_statements"
_NOTES = (_WRITTEN, _PLACED, _PLACED_LINES, _LINES, _SHIPPING)
#: No statements (never written to).
_NOTHING: Counter[tuple[str, str]] = Counter()
#: What placing new orders writes of the plan inputs: nothing else.
_PLACING = frozenset({("INSERT", "sales_orders"), ("INSERT", "order_lines")})


def watch_plan_inputs(engine: Engine) -> None:
    """Note on a connection each plan input it writes (verb and table), for
    `SqlStoredPlan.note_changes` at commit."""

    # At the cursor, so that driver-level SQL (the bulk paths' `exec_driver_sql`) is seen too.
    @event.listens_for(engine, "after_cursor_execute")
    def _after_cursor_execute(
        conn: Connection, _cursor: Any, sql: str, _p: Any, context: Any, _m: Any
    ) -> None:
        compiled = getattr(context, "compiled", None)
        written = _input_write(sql if compiled is None else compiled.statement)
        if written is not None:
            counts = conn.info.get(_WRITTEN)
            if counts is None:
                counts = conn.info[_WRITTEN] = Counter()
            counts[written] += 1


def _input_write(statement: Any) -> tuple[str, str] | None:
    """The verb and table of a Core INSERT, UPDATE or DELETE, or the text of one (bulk paths),
    that writes a plan input; None for any other statement."""
    if isinstance(statement, Insert | Update | Delete):
        name = getattr(statement.table, "name", None)
        columns = None
        if isinstance(statement, Update):
            columns = {getattr(column, "key", str(column)) for column in statement._values or {}}
        verb = (
            "INSERT"
            if isinstance(statement, Insert)
            else "UPDATE"
            if isinstance(statement, Update)
            else "DELETE"
        )
        return (verb, str(name)) if _writes_input(name, columns) else None
    if isinstance(statement, str) and (found := _RAW_WRITE.match(statement)):
        columns = None
        verb = found["verb"].split()[0].upper()
        if verb == "UPDATE" and (assigned := _RAW_SET.search(statement)):
            columns = set(_RAW_COLUMN.findall(assigned[1]))
        return (verb, found["table"]) if _writes_input(found["table"], columns) else None
    return None


def _writes_input(table: str | None, updated: set[str] | None) -> bool:
    """Whether writing `table` (updating the `updated` columns, when known) can change a plan."""
    if table not in PLAN_INPUTS:
        return False
    return not (table == "items" and updated and updated <= _DERIVED_ITEM_COLUMNS)


def note_placed(conn: Connection, order_refs: Sequence[str], lines: int) -> None:
    """Note on the connection the new orders just inserted, with their `lines` lines."""
    conn.info.setdefault(_PLACED, []).extend(order_refs)
    conn.info[_PLACED_LINES] = conn.info.get(_PLACED_LINES, 0) + lines


def note_lines(conn: Connection, lines: int) -> None:
    """Note on the connection order lines just inserted, of new orders or of orders there before."""
    conn.info[_LINES] = conn.info.get(_LINES, 0) + lines


def note_shipping(conn: Connection, verb: str, table: str) -> None:
    """Note on the connection one statement that ships allocated stock and nothing else (a
    shipment's stock move; a line's allocated moved to shipped, and its order's status): it
    leaves what planning sees as it was (available stock and backorders)."""
    conn.info.setdefault(_SHIPPING, Counter())[(verb, table)] += 1


def _placed_only(info: dict[Any, Any], written: Counter[tuple[str, str]]) -> str | None:
    """The refs (JSON) of the orders a transaction placed when placing them and shipping allocated
    stock is all it did to what planning reads (new orders' rows, shipments); else None."""
    placed = info.pop(_PLACED, [])
    placed_lines, lines = info.pop(_PLACED_LINES, 0), info.pop(_LINES, 0)
    shipping: Counter[tuple[str, str]] = info.pop(_SHIPPING, None) or _NOTHING
    if placed_lines != lines or not written.keys() <= _PLACING | shipping.keys():
        return None
    if any(written[key] != count for key, count in shipping.items()):
        return None
    return json.dumps(sorted(set(placed)))


_RAW_WRITE = re.compile(
    r'\s*(?P<verb>INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?P<table>\w+)"?', re.IGNORECASE
)
_RAW_SET = re.compile(r"\bSET\s+(.*?)\s+(?:FROM|WHERE)\b", re.IGNORECASE | re.DOTALL)
_RAW_COLUMN = re.compile(r"(?:^|,)\s*\"?(\w+)\"?\s*=")


def forget_writes(conn: Connection) -> None:
    """Forget the writes noted on this pooled connection (a new transaction begins)."""
    for key in _NOTES:
        conn.info.pop(key, None)


def wrote_plan_input(conn: Connection) -> bool:
    """Whether this transaction wrote a plan input so far."""
    return bool(conn.info.get(_WRITTEN))


def noted_change(conn: Connection) -> tuple[bool, str | None]:
    """Take what the transaction noted: whether it wrote a plan input, and the refs (JSON) of the
    orders it placed when placing them and shipping allocated stock is all it did."""
    written = conn.info.pop(_WRITTEN, None)
    return bool(written), _placed_only(conn.info, written or _NOTHING)
