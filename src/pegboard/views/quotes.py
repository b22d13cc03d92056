"""Quotes and product-page availability as JSON: what `pegboard quote --json`, `POST /api/v1/quotes`
and `GET /public/availability/{sku}` answer."""

from __future__ import annotations

from pegboard.planning.values import JsonValue
from pegboard.services.availability import Availability
from pegboard.services.quoting import Quote
from pegboard.views.json import day, number


def quote_json(found: Quote) -> dict[str, JsonValue]:
    """The quote as `pegboard quote --json` and `POST /api/v1/quotes` give it: the order's `date`,
    its `ship_policy` and `lines` (`sku, quantity, now, date, reason, parts` of `quantity, date,
    reason, basis, stated_date`, the last the date before suppliers' history moved it); with ship
    policy complete a line's `date` is the order's. A held quote adds `quote_id` and `hold_until`."""
    answer: dict[str, JsonValue] = {
        "date": day(found.date),
        "ship_policy": found.ship_policy.value,
        "lines": [
            {
                "sku": line.sku,
                "quantity": number(line.quantity),
                "now": number(line.now),
                "date": day(found.line_date(line)),
                "reason": line.reason,
                "parts": [
                    {
                        "quantity": number(part.quantity),
                        "date": day(part.date),
                        "reason": part.reason,
                        "basis": part.basis,
                        "stated_date": day(part.stated_date),
                    }
                    for part in line.parts
                ],
            }
            for line in found.lines
        ],
    }
    if found.quote_id is not None and found.hold_until is not None:
        # Only with a hold: `quote_id` to place the order with, and when the hold ends.
        answer["quote_id"] = found.quote_id
        answer["hold_until"] = found.hold_until.isoformat(timespec="seconds")
    return answer


def availability_json(found: Availability) -> dict[str, JsonValue]:
    """`sku, quantity, date, in_stock, message` (and `available` only when it is given)."""
    answer: dict[str, JsonValue] = {
        "sku": found.sku,
        "quantity": number(found.quantity),
        "date": day(found.date),
        "in_stock": found.in_stock,
        "message": found.message,
    }
    if found.available is not None:
        answer["available"] = number(found.available)
    return answer
