"""The plan as JSON: promises, purchase and production suggestions, the production queue.

The planning engine returns data (`PlanResult`); this is the one place that turns it into the
`pegboard plan --json` contract, read alike by the CLI and `GET /api/v1/plan`.
"""

from __future__ import annotations

from pegboard.domain.options import parse_choices
from pegboard.planning.configurations import split_sku
from pegboard.planning.promise_table import PromiseTable, iso_dates, json_numbers
from pegboard.planning.result import PlanResult, Promise, QueueEntry
from pegboard.planning.values import JsonValue
from pegboard.views.json import day, number


def plan_json(result: PlanResult) -> dict[str, JsonValue]:
    """The plan with the words of DESIGN.md as keys, ISO dates and numbers as numbers."""
    promises = result.promises
    rows: list[JsonValue] = (
        _table_rows(promises) if isinstance(promises, PromiseTable) else [_promise(p) for p in promises]
    )
    return {
        "promises": rows,
        "purchase_suggestions": [
            {
                "supplier": s.supplier,
                "sku": s.sku,
                "quantity": number(s.quantity),
                "order_date": day(s.order_date),
                "expected_date": day(s.expected_date),
            }
            for s in result.purchase_suggestions
        ],
        "production_suggestions": [
            {
                "ref": s.ref,
                "sku": split_sku(s.sku)[0],
                "quantity": number(s.quantity),
                "start_date": day(s.start_date),
                "finish_date": day(s.finish_date),
                "options": _options(s.sku),
            }
            for s in result.production_suggestions
        ],
        "production_queue": [queue_entry_json(e) for e in result.production_queue],
        "adjusted_dates": [
            {
                "supplier": a.supplier,
                "sku": a.sku,
                "po_ref": a.po_ref,
                "stated_date": day(a.stated_date),
                "date": day(a.date),
                "receipts": a.receipts,
                "learned": a.learned,
                "reason": a.reason,
            }
            for a in result.adjusted_dates
        ],
    }


def queue_entry_json(entry: QueueEntry) -> dict[str, JsonValue]:
    """One MO of the production queue: what it makes, whose orders it completes, what it lacks."""
    return {
        "ref": entry.ref,
        "sku": split_sku(entry.sku)[0],
        "quantity": number(entry.quantity),
        "start_date": day(entry.start_date),
        "finish_date": day(entry.finish_date),
        "completes": list(entry.completes),
        "missing": [
            {"sku": m.sku, "quantity": number(m.quantity), "available_date": day(m.available_date)}
            for m in entry.missing
        ],
        "options": _options(entry.sku),
    }


def _options(planned_sku: str) -> dict[str, JsonValue]:
    """A configured MO's choices by option name ({} for the plain item, `planning.configurations`)."""
    return dict(parse_choices(split_sku(planned_sku)[1]))


def _promise(p: Promise) -> dict[str, JsonValue]:
    return {
        "order_ref": p.order_ref,
        "line_no": p.line_no,
        "sku": p.sku,
        "quantity": number(p.quantity),
        "date": day(p.date),
        "reason": p.reason,
        "basis": p.basis,
        "stated_date": day(p.stated_date),
    }


def _table_rows(table: PromiseTable) -> list[JsonValue]:
    """A promise table's rows read column by column (one object per distinct value), then its extras."""
    days = iso_dates(table.day)
    rows: list[JsonValue] = [
        {
            "order_ref": ref,
            "line_no": line_no,
            "sku": sku,
            "quantity": quantity,
            "date": when,
            "reason": reason,
            "basis": basis,
            "stated_date": stated,
        }
        for ref, line_no, sku, quantity, when, reason, basis, stated in table.fields(
            json_numbers(table.quantity), days, days if table.unadjusted else iso_dates(table.stated)
        )
    ]
    return rows + [_promise(p) for p in table.extra]
