"""A configured MO's surplus stays stock of its configuration, on SQLite and PostgreSQL: only a
later line of the identical configuration takes it, never a plain line or another configuration;
the item's counts and value stay whole."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pegboard.bootstrap import Pegboard
from pegboard.domain.quantities import to_quantity
from pegboard.services import manufacturing, orders, stock
from pegboard.services.imports import ImportKind
from pegboard.services.planning import run_plan
from pegboard.services.quoting import QuoteRequest, quote, quote_and_hold
from pegboard.services.valuation import valuation
from tests.builders import import_text
from tests.scenarios.test_lightsaber_options import OPTIONS, line_of, load_engraving, place

ENGRAVED = {"HILT": "engraved"}
#: Another configuration with the same engraved hilt: not identical, so it shares nothing.
LEATHER = {"HILT": "engraved", "GRIP": "leather"}


def load_grips(pb: Pegboard) -> None:
    """The engraving workshop, with a grip option too (leather adds a LEATHER strip)."""
    load_engraving(pb)
    import_text(pb, ImportKind.ITEMS, "sku,name,procurement,unit,lead_time_days\nLEATHER,Leather,buy,pcs,2\n")
    import_text(
        pb, ImportKind.OPTIONS, OPTIONS + "SABER-BLUE,GRIP,plain,,,\nSABER-BLUE,GRIP,leather,LEATHER,1,\n"
    )
    import_text(pb, ImportKind.STOCK, "sku,quantity\nHILT-ENGRAVED,5\nLEATHER,5\n")


def make(pb: Pegboard, quantity: int, choices: dict[str, str]) -> str:
    """Open and complete an MO of this configuration; its ref."""
    mo = manufacturing.open_manufacturing_order(
        "SABER-BLUE", to_quantity(quantity), uow=pb.uow(), clock=pb.clock, options=choices
    )
    manufacturing.complete_manufacturing_order(mo.mo_ref, uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    return mo.mo_ref


def kept(pb: Pegboard) -> dict[str, Decimal]:
    """Configured stock of blue sabers kept, by configuration."""
    with pb.reader() as uow:
        return {s.options: s.quantity for s in uow.stock.configured_of(["SABER-BLUE"])}


def blue(pb: Pegboard) -> tuple[Decimal, Decimal, Decimal]:
    """On hand, reserved and free of blue sabers."""
    with pb.reader() as uow:
        level = uow.stock.levels(["SABER-BLUE"])["SABER-BLUE"]
    return level.on_hand, level.allocated, level.available


def test_a_cancelled_configured_lines_mo_output_goes_to_the_next_identical_configuration_only(
    pb: Pegboard,
) -> None:
    load_grips(pb)
    place(pb, "SO-7", "SABER-BLUE", 1, **ENGRAVED)
    make(pb, 1, ENGRAVED)
    assert line_of(pb, "SO-7") == (1, 0, "HILT=engraved")
    place(pb, "SO-10", "SABER-BLUE", 6)  # takes the five plain sabers and waits for one
    place(pb, "SO-11", "SABER-BLUE", 1, **LEATHER)  # waits for its own

    orders.cancel_order("SO-7", uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    # The engraved saber is kept for its configuration: neither waiting line gets it.
    assert kept(pb) == {"HILT=engraved": 1}
    assert line_of(pb, "SO-10") == (5, 1, "")
    assert line_of(pb, "SO-11") == (0, 1, "GRIP=leather;HILT=engraved")
    assert blue(pb) == (6, 6, 0)

    # A plain order placed now does not take it either; an identical configuration does, at once.
    place(pb, "SO-12", "SABER-BLUE", 1)
    place(pb, "SO-13", "SABER-BLUE", 1, **ENGRAVED)

    assert line_of(pb, "SO-12") == (0, 1, "")
    assert line_of(pb, "SO-13") == (1, 0, "HILT=engraved")
    assert kept(pb) == {}
    assert blue(pb) == (6, 6, 0)


def test_an_mo_making_more_than_its_lines_need_keeps_the_rest_for_that_configuration(pb: Pegboard) -> None:
    load_grips(pb)
    place(pb, "SO-7", "SABER-BLUE", 1, **ENGRAVED)
    place(pb, "SO-10", "SABER-BLUE", 5)  # the five plain sabers

    make(pb, 3, ENGRAVED)  # a lot of three for a line of one

    assert line_of(pb, "SO-7") == (1, 0, "HILT=engraved")
    assert line_of(pb, "SO-10") == (5, 0, "")
    assert kept(pb) == {"HILT=engraved": 2}
    # Counted and valued as blue sabers: 5 plain + 3 engraved on hand, all of them reserved.
    assert blue(pb) == (8, 8, 0)
    held = {item.sku: item.on_hand for item in valuation(pb.reader()).items}
    assert held["SABER-BLUE"] == 8

    # A quote for three engraved sabers: two now from the kept ones, one made; the promise agrees.
    request = QuoteRequest((("SABER-BLUE", Decimal(3)),), options=(ENGRAVED,))
    quoted = quote(request, uow=pb.reader(), clock=pb.clock)
    leather = quote(
        QuoteRequest((("SABER-BLUE", Decimal(1)),), options=(LEATHER,)), uow=pb.reader(), clock=pb.clock
    )
    place(pb, "SO-14", "SABER-BLUE", 3, **ENGRAVED)
    run = run_plan(uow=pb.uow(), clock=pb.clock)

    assert quoted.lines[0].now == 2
    assert leather.lines[0].now == 0
    assert line_of(pb, "SO-14") == (2, 1, "HILT=engraved")
    promised = [(p.quantity, p.date) for p in run.result.promises if p.order_ref == "SO-14"]
    assert [(q.quantity, q.date) for q in quoted.lines[0].parts] == promised
    assert promised == [(1, pb.clock.today() + timedelta(days=1))]  # hilts in stock: a day's making
    # Planning makes the one engraved saber missing, not the lot again.
    assert [(s.sku, s.quantity) for s in run.result.production_suggestions if "engraved" in s.sku] == [
        ("SABER-BLUE [HILT=engraved]", 1)
    ]


def test_a_count_below_what_is_reserved_takes_the_kept_configured_stock_before_any_line(pb: Pegboard) -> None:
    load_grips(pb)
    place(pb, "SO-7", "SABER-BLUE", 1, **ENGRAVED)
    place(pb, "SO-10", "SABER-BLUE", 4)
    make(pb, 3, ENGRAVED)
    assert (blue(pb), kept(pb)) == ((8, 7, 1), {"HILT=engraved": 2})

    stock.count({"SABER-BLUE": Decimal(6)}, reason="two lost", uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    # One plain saber was free: the count takes it and one of the two kept engraved sabers.
    assert (blue(pb), kept(pb)) == ((6, 6, 0), {"HILT=engraved": 1})
    assert line_of(pb, "SO-7") == (1, 0, "HILT=engraved")
    assert line_of(pb, "SO-10") == (4, 0, "")


def test_a_held_quote_of_a_configured_saber_holds_no_plain_stock(pb: Pegboard) -> None:
    load_grips(pb)
    make(pb, 2, ENGRAVED)  # no line waits: both are kept for the engraved configuration
    request = QuoteRequest((("SABER-BLUE", Decimal(2)),), options=(ENGRAVED,))

    held = quote_and_hold(request, 30, uow=pb.uow(), clock=pb.clock)

    # The quote takes the two kept sabers now; the hold does not take two plain ones for them.
    assert held.lines[0].now == 2
    assert blue(pb) == (7, 2, 5)
    place(pb, "SO-12", "SABER-BLUE", 5)
    assert line_of(pb, "SO-12") == (5, 0, "")
