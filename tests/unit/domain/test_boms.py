"""Bills of materials: cycles are refused and named; shortages are found at every level."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pegboard.domain.errors import BomCycle
from pegboard.domain.items import BillsOfMaterials, BomLine
from pegboard.domain.quantities import to_quantity


def bom(**parents: list[tuple[str, str]]) -> BillsOfMaterials:
    return BillsOfMaterials(
        {p.replace("_", "-"): [BomLine(c, to_quantity(q)) for c, q in lines] for p, lines in parents.items()}
    )


def test_a_cycle_is_refused_and_its_path_named() -> None:
    boms = bom(SABER=[("HILT", "1")], HILT=[("GRIP", "1")])

    with pytest.raises(BomCycle, match="GRIP -> SABER -> HILT -> GRIP|SABER -> HILT -> GRIP -> SABER"):
        boms.with_lines("GRIP", [BomLine("SABER", to_quantity(1))])


def test_a_shared_component_is_not_a_cycle() -> None:
    boms = bom(SABER=[("HILT", "1"), ("EMITTER", "1")], HILT=[("SCREW", "4")], EMITTER=[("SCREW", "2")])

    assert boms.find_cycle() is None


def test_shortages_are_listed_through_every_level() -> None:
    boms = bom(SABER=[("HILT", "1"), ("KYBER", "1")], HILT=[("GRIP", "2"), ("SCREW", "0.25")])
    available = {"HILT": Decimal(1), "KYBER": Decimal(3), "GRIP": Decimal(1), "SCREW": Decimal(10)}

    shortages = boms.shortages("SABER", Decimal(3), available)

    assert [(s.sku, s.quantity, s.level) for s in shortages] == [("HILT", 2, 1), ("GRIP", 3, 2)]


def test_a_fractional_need_is_rounded_up_so_the_shortage_is_a_whole_micro_unit() -> None:
    boms = bom(BRACKET=[("RESIN", "0.333333")])
    available = {"RESIN": Decimal("0.166666")}

    shortages = boms.shortages("BRACKET", Decimal("0.5"), available)

    assert [(s.sku, s.quantity) for s in shortages] == [("RESIN", Decimal("0.000001"))]
