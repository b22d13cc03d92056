"""Configured products on random workshops (SQLite): a quote is the promise the plan gives once
the order is placed, nothing else changing; and a configured line never takes stock of another
configuration (nor a plain line any configuration's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import MissingMaterials
from pegboard.domain.options import choices_text, parse_choices
from pegboard.domain.quantities import to_quantity
from pegboard.domain.sales import ShipPolicy
from pegboard.services import manufacturing, orders, planning
from pegboard.services.imports import ImportKind
from pegboard.services.quoting import LeftoverCache, QuoteRequest, quote
from tests.conftest import MONDAY
from tests.integration.services.test_quotes_match_promises import Workshop, opened
from tests.invariants import assert_invariants

PARTS = ["AXE", "BOLT", "CAP", "DIAL"]
#: SET is AXE + BOLT; COLOUR red adds a CAP, blue puts a DIAL in the AXE's place; TRIM gold adds
#: half a DIAL. Defaults (plain, none) describe the plain SET.
OPTIONS = """parent_sku,option,value,component_sku,quantity,replaces_sku
SET,COLOUR,plain,,,
SET,COLOUR,red,CAP,1,
SET,COLOUR,blue,DIAL,1,AXE
SET,TRIM,none,,,
SET,TRIM,gold,DIAL,0.5,
"""
#: The configurations a line may choose, as typed ("" = the plain SET).
CHOICES = ["", "", "COLOUR=red", "COLOUR=blue", "TRIM=gold", "COLOUR=red;TRIM=gold", "COLOUR=plain"]
quantities = st.sampled_from(["1", "2", "3"])


@dataclass(frozen=True)
class Configured:
    """A workshop with configurable SETs: configured orders waiting, configured MOs made (their
    surplus kept for their configuration), perhaps a configured order cancelled after its MO,
    and an order to quote whose lines carry choices."""

    workshop: Workshop
    choices: tuple[str, ...]
    mos: tuple[tuple[str, str], ...]
    cancel: str | None


@st.composite
def configured_workshops(draw: st.DrawFn) -> Configured:
    suppliers = "name,email,lead_time_days\nAcme,,2\nVague,,\n"
    items = ["sku,name,procurement,lead_time_days,supplier,min_order_qty"]
    for sku in PARTS:
        supplier = draw(st.sampled_from(["Acme", "Vague", ""]))
        items.append(f"{sku},{sku},buy,{draw(st.sampled_from(['', '0', '1', '3']))},{supplier},")
    items.append(f"SET,Set,make,{draw(st.sampled_from(['0', '1', '2']))},,{draw(st.sampled_from(['', '2']))}")
    boms = f"parent_sku,component_sku,quantity\nSET,AXE,1\nSET,BOLT,{draw(st.sampled_from(['1', '2']))}\n"
    # Enough parts, mostly, for the configured MOs below to be made (and leave a surplus).
    stocked = [(sku, draw(st.sampled_from(["8", "", "4", "12"]))) for sku in PARTS]
    stocked.append(("SET", draw(st.sampled_from(["", "1", "3"]))))
    stock = ["sku,quantity"] + [f"{sku},{quantity}" for sku, quantity in stocked if quantity]
    pos = ["po_ref,supplier,sku,quantity,expected_date"]
    for k in range(draw(st.integers(0, 2))):
        days = draw(st.one_of(st.none(), st.integers(1, 8)))
        due = "" if days is None else (MONDAY + timedelta(days=days)).isoformat()
        pos.append(f"PO-{k + 1},Acme,{draw(st.sampled_from(PARTS))},{draw(quantities)},{due}")
    waiting = ["order_ref,customer,ordered_at,sku,quantity,priority,options"]
    for k in range(draw(st.integers(0, 3))):
        at = f"{MONDAY - timedelta(days=1)}T{8 + k:02d}:00"
        sku = draw(st.sampled_from(["SET", "SET", *PARTS]))
        chosen = draw(st.sampled_from(CHOICES)) if sku == "SET" else ""
        waiting.append(
            f"SO-{k + 1},Someone,{at},{sku},{draw(quantities)},{draw(st.sampled_from([0, 1]))},{chosen}"
        )
    csv = [
        (ImportKind.SUPPLIERS, suppliers),
        (ImportKind.ITEMS, "\n".join(items) + "\n"),
        (ImportKind.BOMS, boms),
        (ImportKind.OPTIONS, OPTIONS),
        (ImportKind.STOCK, "\n".join(stock) + "\n"),
        (ImportKind.PURCHASE_ORDERS, "\n".join(pos) + "\n"),
        (ImportKind.ORDERS, "\n".join(waiting) + "\n"),
    ]
    mos = tuple(
        (draw(st.sampled_from(CHOICES[2:])), draw(quantities))
        for _ in range(draw(st.sampled_from([1, 2, 0])))
    )
    wanted = draw(st.lists(st.sampled_from(["SET", "SET", "SET", *PARTS]), min_size=1, max_size=3))
    # Often the very configuration an MO made (its surplus may be kept), or another one.
    made = [chosen for chosen, _ in mos]
    choices = tuple(draw(st.sampled_from([*made, *CHOICES])) if sku == "SET" else "" for sku in wanted)
    workshop = Workshop(
        tuple((kind, text) for kind, text in csv if text.count("\n") > 1),
        tuple((sku, Decimal(draw(quantities))) for sku in wanted),
        draw(st.sampled_from([0, 0, 1])),
        draw(st.sampled_from(list(ShipPolicy))),
    )
    cancel = draw(st.sampled_from([None, None, *(f"SO-{k + 1}" for k in range(len(waiting) - 1))]))
    return Configured(workshop, choices, mos, cancel)


def make_and_cancel(pb: Pegboard, case: Configured) -> None:
    """Make the configured MOs whose materials are there (the rest stays open), then cancel."""
    for chosen, quantity in case.mos:
        mo = manufacturing.open_manufacturing_order(
            "SET", to_quantity(quantity), uow=pb.uow(), clock=pb.clock, options=parse_choices(chosen)
        )
        try:
            manufacturing.complete_manufacturing_order(
                mo.mo_ref, uow=pb.uow(), clock=pb.clock, policy=pb.policy
            )
        except MissingMaterials:
            pass
    if case.cancel is not None:
        orders.cancel_order(case.cancel, uow=pb.uow(), clock=pb.clock, policy=pb.policy)


def kept_stock(pb: Pegboard) -> dict[str, Decimal]:
    with pb.reader() as uow:
        return {s.options: s.quantity for s in uow.stock.configured_of(["SET"])}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=configured_workshops())
def test_a_configured_quote_is_the_promise_and_no_line_takes_another_configurations_stock(
    case: Configured, sqlite_template: Path, tmp_path: Path
) -> None:
    workshop = case.workshop
    with opened(workshop, sqlite_template, tmp_path) as pb:
        make_and_cancel(pb, case)
        options = tuple(parse_choices(chosen) for chosen in case.choices)
        request = QuoteRequest(workshop.lines, workshop.priority, workshop.ship_policy, options)
        kept_before = kept_stock(pb)
        free_before = _free(pb)

        quoted = quote(request, uow=pb.reader(), clock=pb.clock)
        served = quote(request, uow=pb.reader(), clock=pb.clock, leftovers=LeftoverCache())
        draft = orders.OrderDraft(
            order_ref="Q-1",
            customer="Quoted",
            lines=tuple(
                orders.LineDraft(sku, to_quantity(q), options=chosen)
                for (sku, q), chosen in zip(workshop.lines, options, strict=True)
            ),
            priority=workshop.priority,
            ship_policy=workshop.ship_policy,
        )
        placed = orders.place_order(draft, uow=pb.uow(), clock=pb.clock).order
        run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

        assert (served.lines, served.date) == (quoted.lines, quoted.date)
        promised: dict[int, list[tuple[Decimal, object, str, str]]] = {}
        for p in run.result.promises:
            if p.order_ref == "Q-1":
                promised.setdefault(p.line_no, []).append((p.quantity, p.date, p.reason, p.basis))
        for line, got in zip(placed.lines, quoted.lines, strict=True):
            assert got.now == line.allocated_quantity
            assert [(q.quantity, q.date, q.reason, q.basis) for q in got.parts] == promised.get(
                line.line_no, []
            )

        # Each configuration's kept stock went only to lines of that very configuration, and
        # plain lines took only what was free.
        took: dict[str, Decimal] = {}
        plain = Decimal(0)
        for line in placed.lines:
            if line.sku == "SET" and line.options:
                took[line.options] = took.get(line.options, Decimal(0)) + line.allocated_quantity
            elif line.sku == "SET":
                plain += line.allocated_quantity
        kept_after = kept_stock(pb)
        for configuration in kept_before.keys() | took.keys():
            left = kept_before.get(configuration, Decimal(0)) - took.get(configuration, Decimal(0))
            assert kept_after.get(configuration, Decimal(0)) == left
        assert plain <= free_before
        assert all(choices_text(parse_choices(c)) == c for c in kept_after)
        assert_invariants(pb.engine)


def _free(pb: Pegboard) -> Decimal:
    with pb.reader() as uow:
        return uow.stock.levels(["SET"])["SET"].available
