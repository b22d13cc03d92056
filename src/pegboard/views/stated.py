"""A stored promise's stated date: the day its line would get on the dates suppliers state,
before their delivery history moved them (`Promise.stated_date`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from pegboard.planning.result import OPEN_TERM, PLANNED_MO, PLANNED_PO, STOCK
from pegboard.planning.terms import RELEASE

#: Bases that name no PO or MO.
NOT_A_REF = frozenset({STOCK, PLANNED_PO, PLANNED_MO, OPEN_TERM, RELEASE, ""})


@dataclass(frozen=True)
class Stated:
    """A line's stated date, and the PO or MO it is due on (None: planned supply, or no one ref)."""

    date: date
    ref: str | None


def stated_beside(parts: str | None, promised: date | None) -> Stated | None:
    """The stated date to show beside a line's promised date when the two differ: the latest of
    its parts' stated dates (a part kept before stated dates were stored counts its own date),
    with the PO or MO of the part that sets it; None when they are the same, or either is open term."""
    if not parts or promised is None:
        return None
    found: list[tuple[date, str]] = []
    for part in json.loads(parts):
        stated = part.get("stated_date", part.get("date"))
        if stated is None:
            return None
        found.append((date.fromisoformat(stated), str(part.get("basis", ""))))
    if not found:
        return None
    latest = max(day for day, _ in found)
    if latest == promised:
        return None
    refs = [basis for day, basis in found if day == latest and basis not in NOT_A_REF]
    return Stated(latest, refs[0] if refs else None)
