"""What-if in memory: a slip makes late exactly the lines resting on it, and planning only what the
scenario's SKUs reach (`planning.scope`) gives the same answer as planning everything, whether the
plan as it is is planned again or taken whole from the kept plan (`planning.kept_plan`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegboard.planning.engine import plan
from pegboard.planning.kept_plan import pack, unpack
from pegboard.planning.scope import narrowed
from pegboard.planning.snapshot import (
    BackorderDemand,
    DropshipDemand,
    OpenPurchaseLine,
    PlanBomLine,
    PlanInput,
    PlanItem,
)
from pegboard.planning.whatif import (
    ExtraDemand,
    Outcome,
    Slip,
    compare,
    compare_with_kept,
    scenario_input,
    with_kept_lines,
)
from tests.unit.planning.test_net_change import plain
from tests.unit.planning.workshops import with_history, workshops

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0)


def outcome(snapshot: PlanInput, *, slips: list[Slip], extra: list[ExtraDemand]) -> Outcome:
    changed = scenario_input(snapshot, slips=slips, extra=extra, now=NOW)
    return compare(plan(snapshot), plan(changed), lines=len(snapshot.demands))


def lightsaber() -> PlanInput:
    """SO-2's two green sabers wait for PO-K's crystals; SO-1's blue saber waits for PO-B's."""
    items = [
        PlanItem("SABER-GREEN", "make", 1),
        PlanItem("SABER-BLUE", "make", 1),
        PlanItem("HILT", "buy", 3, "Passing Traders", 3),
        PlanItem("KYBER-GREEN", "buy", None, "Crystal Broker"),
        PlanItem("KYBER-BLUE", "buy", None, "Crystal Broker"),
    ]
    boms = [
        PlanBomLine(parent, component, Decimal(1))
        for parent, crystal in (("SABER-GREEN", "KYBER-GREEN"), ("SABER-BLUE", "KYBER-BLUE"))
        for component in ("HILT", crystal)
    ]
    return PlanInput(
        today=TODAY,
        items=items,
        bom_lines=boms,
        available={"HILT": Decimal(10)},
        purchase_lines=[
            OpenPurchaseLine("PO-K", "KYBER-GREEN", Decimal(2), date(2026, 12, 7)),
            OpenPurchaseLine("PO-B", "KYBER-BLUE", Decimal(1), date(2026, 12, 1)),
        ],
        demands=[
            BackorderDemand("SO-1", 2, "SABER-BLUE", Decimal(1), ordered_at=datetime(2026, 11, 23, 9)),
            BackorderDemand("SO-2", 1, "SABER-GREEN", Decimal(2), ordered_at=datetime(2026, 11, 23, 10)),
        ],
    )


def test_a_crystal_po_a_week_late_makes_exactly_the_order_resting_on_it_late() -> None:
    found = outcome(lightsaber(), slips=[Slip(7, po_refs=frozenset({"PO-K"}))], extra=[])

    assert [(o.order_ref, o.before, o.after) for o in found.late_orders] == [
        ("SO-2", date(2026, 12, 8), date(2026, 12, 15))
    ]
    assert found.open_term == () and found.extra == ()


def test_a_late_drop_ship_po_makes_its_customer_late() -> None:
    dropship = DropshipDemand("SO-7", 1, "HILT", Decimal(1), "PO-D", "Passing Traders", date(2026, 12, 2))
    snapshot = replace(lightsaber(), dropships=[dropship])

    found = outcome(snapshot, slips=[Slip(4, po_refs=frozenset({"PO-D"}))], extra=[])

    assert [(o.order_ref, o.before, o.after) for o in found.late_orders] == [
        ("SO-7", date(2026, 12, 2), date(2026, 12, 6))
    ]


def test_an_extra_order_ranks_last_and_asks_for_more_crystals_without_making_anyone_late() -> None:
    found = outcome(lightsaber(), slips=[], extra=[ExtraDemand("order 1", "SABER-GREEN", Decimal(3))])

    assert found.late_orders == ()
    assert {(e.kind, e.sku, e.quantity) for e in found.extra} >= {
        ("make", "SABER-GREEN", Decimal(3)),
        ("buy", "KYBER-GREEN", Decimal(3)),
    }
    (added,) = found.added
    assert (added.label, added.sku, added.quantity, added.date) == (
        "order 1",
        "SABER-GREEN",
        Decimal(3),
        None,
    )


@st.composite
def scenarios(draw: st.DrawFn, snapshot: PlanInput) -> tuple[list[Slip], list[ExtraDemand], set[str]]:
    """A slip of some PO (when there is one) and perhaps extra demand; with the SKUs they change."""
    slips: list[Slip] = []
    extra: list[ExtraDemand] = []
    touched: set[str] = set()
    refs = sorted({p.po_ref for p in snapshot.purchase_lines})
    slip_one: bool = draw(st.booleans())
    if refs and slip_one:
        ref: str = draw(st.sampled_from(refs))
        slips.append(Slip(draw(st.integers(1, 20)), po_refs=frozenset({ref})))
        touched |= {p.sku for p in snapshot.purchase_lines if p.po_ref == ref}
    if not slips or draw(st.booleans()):
        sku = draw(st.sampled_from(sorted(item.sku for item in snapshot.items)))
        extra.append(ExtraDemand("extra", sku, Decimal(draw(st.integers(1, 30)))))
        touched.add(sku)
    return slips, extra, touched


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops(), st.data())
def test_planning_only_what_the_scenario_reaches_gives_the_full_answer(
    snapshot: PlanInput, data: st.DataObject
) -> None:
    slips, extra, touched = data.draw(scenarios(snapshot))

    full = outcome(snapshot, slips=slips, extra=extra)
    scoped = outcome(narrowed(snapshot, touched), slips=slips, extra=extra)

    assert scoped == full


@st.composite
def late_suppliers(draw: st.DrawFn, snapshot: PlanInput) -> tuple[list[Slip], list[ExtraDemand], set[str]]:
    """`scenarios`, sometimes with a supplier late too: the lead times of what it supplies grow."""
    slips, extra, touched = draw(scenarios(snapshot))
    supplier: str | None = draw(st.sampled_from(["Acme", "Bree", None]))
    if supplier is not None:
        slips.append(Slip(draw(st.integers(1, 9)), supplier=supplier))
        touched |= {item.sku for item in snapshot.items if item.supplier == supplier}
    return slips, extra, touched


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops(), st.data(), st.booleans())
def test_the_whole_plan_as_kept_gives_the_answer_of_planning_the_narrowed_snapshot_again(
    snapshot: PlanInput, data: st.DataObject, stored_lines: bool
) -> None:
    """The plan as it is may come from the kept whole plan: the scenario's answer is the same."""
    if stored_lines:  # lines read from the store carry their ids; those built by hand have none
        snapshot = replace(
            snapshot, demands=[replace(d, line_id=k) for k, d in enumerate(snapshot.demands, 7)]
        )
    slips, extra, touched = data.draw(late_suppliers(snapshot))
    scope = narrowed(snapshot, touched)
    kept = unpack(pack(plan(snapshot)))
    assert kept is not None

    found = compare_with_kept(
        kept,
        plan(scenario_input(scope, slips=slips, extra=extra, now=NOW)),
        lines=len(scope.demands),
        affected=scope.affected or frozenset(),
    )

    assert found == outcome(scope, slips=slips, extra=extra) == outcome(snapshot, slips=slips, extra=extra)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(workshops(), workshops().flatmap(with_history)), st.data())
def test_a_narrowed_snapshot_given_the_kept_plans_lines_answers_as_a_what_if_over_the_whole_snapshot(
    workshop: PlanInput, data: st.DataObject
) -> None:
    """Read without its lines, the snapshot narrowed around a late supplier or PO takes them from
    the kept plan of plain demand (`with_kept_lines`): the answer is the whole snapshot's."""
    snapshot = plain(workshop)
    slips, extra, touched = data.draw(late_suppliers(snapshot))
    kept = unpack(pack(plan(snapshot)))
    assert kept is not None
    taken = with_kept_lines(replace(narrowed(snapshot, touched), demands=[]), kept)
    assert taken is not None
    scope, at = taken

    found = compare_with_kept(
        kept,
        plan(scenario_input(scope, slips=slips, extra=extra, now=NOW)),
        lines=len(scope.demands),
        affected=scope.affected or frozenset(),
        kept_lines=at,
    )

    assert found == outcome(snapshot, slips=slips, extra=extra)
