"""A whole plan's stored promises read as columns (one row of arrays on PostgreSQL) are the
promises read row by row."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import text

from pegboard.adapters.db.planning import promises as promise_store
from pegboard.bootstrap import Pegboard
from pegboard.planning.line_changes import StoredLines
from pegboard.services import planning
from tests.integration.services.test_planning import lightsaber_after_first_shipments

Columns = tuple[list[int], list[date | None], list[str], list[str], list[date | None]]


def columns_of(stored: StoredLines) -> Columns:
    """What the columns say, line by line (the promises in order of line id)."""
    promises = stored.promises(np.arange(len(stored.ids)))
    return (
        stored.ids.tolist(),
        [p.promised_date for p in promises],
        [p.reason for p in promises],
        [p.basis for p in promises],
        [p.first_date for p in promises],
    )


@pytest.mark.parametrize("reason", ["", "\nsecond line"], ids=["plain", "newline"])
def test_every_stored_promise_read_as_columns_is_the_promise_read_by_rows(
    pb: Pegboard, monkeypatch: pytest.MonkeyPatch, reason: str
) -> None:
    lightsaber_after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    with pb.uow() as uow:
        # A reason holding the columns' separator sends the read back to rows.
        uow.connection.execute(text("UPDATE line_promises SET reason = reason || :extra"), {"extra": reason})
        ids = list(uow.connection.execute(text("SELECT line_id FROM line_promises")).scalars())
        by_rows = StoredLines.of(uow.planning.stored_line_promises(ids))
        monkeypatch.setattr(promise_store, "WHOLE", 0)

        as_columns = uow.planning.stored_line_columns(ids)

    assert None in columns_of(by_rows)[1]  # an open-term promise, with no first date
    assert columns_of(as_columns) == columns_of(by_rows)
