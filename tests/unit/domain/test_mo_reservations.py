"""A confirmed MO's reserved components: what it still needs, and what completing uses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pegboard.domain.items import BomLine
from pegboard.domain.quantities import Quantity
from pegboard.domain.supply import ManufacturingOrder

#: One KIT takes two bolts and half a nut.
KIT = [BomLine("BOLT", Quantity(Decimal(2))), BomLine("NUT", Quantity(Decimal("0.5")))]


def kit_mo(quantity: int, **reserved: Decimal) -> ManufacturingOrder:
    mo = ManufacturingOrder.planned(
        mo_ref="MO-1",
        sku="KIT",
        quantity=Quantity(Decimal(quantity)),
        start=date(2026, 11, 23),
        lead_time_days=1,
    )
    for sku, amount in reserved.items():
        mo.reserve(sku, amount)
    return mo


def test_an_mo_needs_what_its_open_quantity_takes_beyond_its_reservation() -> None:
    mo = kit_mo(3, BOLT=Decimal(4))

    assert mo.material_needs(KIT) == {"BOLT": 2, "NUT": Decimal("1.5")}


def test_an_mo_with_everything_reserved_needs_nothing() -> None:
    mo = kit_mo(2, BOLT=Decimal(4), NUT=Decimal(1))

    assert mo.material_needs(KIT) == {}


def test_a_partial_completion_uses_its_share_of_the_reservation_and_keeps_the_rest() -> None:
    mo = kit_mo(3, BOLT=Decimal(5), NUT=Decimal("1.5"))

    used, freed = mo.use_reserved(Decimal(1), KIT)

    assert used == {"BOLT": 2, "NUT": Decimal("0.5")}
    assert freed == {}
    assert mo.reserved == {"BOLT": 3, "NUT": 1}


def test_the_last_completion_lets_go_of_what_its_bom_no_longer_takes() -> None:
    mo = kit_mo(1, BOLT=Decimal(2), NUT=Decimal("0.5"), WASHER=Decimal(3))

    used, freed = mo.use_reserved(Decimal(1), KIT)

    assert used == {"BOLT": 2, "NUT": Decimal("0.5")}
    assert freed == {"WASHER": 3}
    assert mo.reserved == {}
