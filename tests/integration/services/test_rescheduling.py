"""A reschedule's preview: which promises move, who would be told, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import UnknownReference
from pegboard.services import planning, purchasing
from pegboard.services.rescheduling import preview_reschedule
from tests.integration.views.story import (
    after_first_shipments,
    confirm_to_customer,
    in_days,
    order_green_crystals,
)


def everything(engine: Engine) -> dict[str, tuple[int, list[Any]]]:
    """Every table's row count and rows, to show that nothing changed."""
    with engine.connect() as conn:
        return {
            table.name: (
                conn.execute(select(func.count()).select_from(table)).scalar_one(),
                sorted(map(repr, conn.execute(select(table)).all())),
            )
            for table in t.metadata.sorted_tables
        }


def crystals_promised_to_so2(pb: Pegboard) -> None:
    """SO-2's two green sabers wait for PO-1's crystals (due in 14 days), and Leia has been told."""
    after_first_shipments(pb)
    order_green_crystals(pb, in_days(pb, 14))
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    for ref in ("SO-1", "SO-2"):
        confirm_to_customer(pb, ref)


def test_a_crystal_po_slipping_a_week_moves_only_so2_and_writes_nothing(pb: Pegboard) -> None:
    crystals_promised_to_so2(pb)
    before = everything(pb.engine)

    preview = preview_reschedule("PO-1", in_days(pb, 21), uow=pb.uow(), today=pb.clock.today())

    assert everything(pb.engine) == before
    assert (preview.supply_ref, preview.old_date, preview.new_date) == (
        "PO-1",
        in_days(pb, 14),
        in_days(pb, 21),
    )
    assert preview.order_refs == ["SO-2"]
    assert [(m.order_ref, m.line_no, m.old_date, m.new_date) for m in preview.moves] == [
        ("SO-2", 1, in_days(pb, 15), in_days(pb, 22))
    ]
    assert preview.customers_told == ["Leia"]
    assert [m.recipient for m in preview.moves] == ["leia@alderaan.example"]


def test_the_preview_shows_exactly_what_saving_the_reschedule_then_does(pb: Pegboard) -> None:
    crystals_promised_to_so2(pb)
    preview = preview_reschedule("PO-1", in_days(pb, 21), uow=pb.uow(), today=pb.clock.today())

    purchasing.reschedule("PO-1", in_days(pb, 21), uow=pb.uow(), clock=pb.clock)

    with pb.reader() as uow:
        stored = uow.planning.stored_promises(["SO-1", "SO-2"])
    assert {ref: p.promised_date for (ref, _), p in stored.items()} == {
        "SO-1": in_days(pb, 1),
        "SO-2": preview.moves[0].new_date,
    }


def test_an_earlier_date_moves_the_promise_but_tells_no_customer(pb: Pegboard) -> None:
    crystals_promised_to_so2(pb)

    preview = preview_reschedule("PO-1", in_days(pb, 7), uow=pb.uow(), today=pb.clock.today())

    assert [(m.order_ref, m.new_date, m.told) for m in preview.moves] == [("SO-2", in_days(pb, 8), False)]
    assert preview.customers_told == []


def test_previewing_an_unknown_supply_ref_is_refused_and_writes_nothing(pb: Pegboard) -> None:
    crystals_promised_to_so2(pb)
    before = everything(pb.engine)

    with pytest.raises(UnknownReference):
        preview_reschedule("PO-404", in_days(pb, 21), uow=pb.uow(), today=pb.clock.today())

    assert everything(pb.engine) == before
