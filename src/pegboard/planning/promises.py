"""Line promises: the parts of a plan's promises gathered per order line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pegboard.planning.result import Promise, iso, json_number


@dataclass(frozen=True)
class StoredPromise:
    """The promise last given for a line, and the first dated one."""

    promised_date: date | None
    reason: str
    basis: str
    first_date: date | None


@dataclass(frozen=True)
class LinePromise:
    """The promise for a whole line: the day its last part is expected (None: open term)."""

    order_ref: str
    line_no: int
    sku: str
    promised_date: date | None
    reason: str
    basis: str
    parts: list[dict[str, Any]]


def by_line(promises: Iterable[Promise]) -> list[LinePromise]:
    """A line ships whole when its last part comes; any open-term part makes the line open term."""
    grouped: dict[tuple[str, int], list[Promise]] = {}
    for promise in promises:
        grouped.setdefault((promise.order_ref, promise.line_no), []).append(promise)
    found = []
    for (order_ref, line_no), parts in grouped.items():
        undated = [p for p in parts if p.date is None]
        deciding = undated[0] if undated else max(parts, key=lambda p: p.date or date.min)
        found.append(
            LinePromise(
                order_ref=order_ref,
                line_no=line_no,
                sku=parts[0].sku,
                promised_date=deciding.date,
                reason=deciding.reason,
                basis=deciding.basis,
                parts=[
                    {
                        "quantity": json_number(p.quantity),
                        "date": iso(p.date),
                        "reason": p.reason,
                        "basis": p.basis,
                    }
                    for p in parts
                ],
            )
        )
    return found
