"""What-if: re-plan a scenario (late supply, more demand, an extra order) in memory; nothing is written.

The scenario is read as text (`SKU:+200%[:FROM..TO]`, `PO_OR_SUPPLIER:+DAYS`, `SKU:QTY`), the same
for the CLI, the API and the web form; a bad part is refused naming the field and the text, before
anything is read. The plan's snapshot is read once, around what the scenario changes, planned as
the scenario has it, and compared with the plan as it is (`planning.whatif`): the whole plan kept
for today when nothing changed since (`planning.kept_plan`), else the snapshot planned as it is
too. A late supplier's large snapshot takes its lines from that kept plan, when it was planned
from plain demand, instead of reading them. The transaction is rolled back, never committed.

A demand rise of P% over FROM..TO (default: the next 28 days) adds P% of what was ordered of the
SKU over as many days up to today, needed from FROM and ranked after every waiting order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Protocol, TypeVar

from pegboard.domain.errors import InvalidValue
from pegboard.planning.collector import collector_paused
from pegboard.planning.engine import plan
from pegboard.planning.result import PlanResult
from pegboard.planning.segments import Ints
from pegboard.planning.snapshot import PlanInput
from pegboard.planning.whatif import (
    ExtraDemand,
    Outcome,
    Slip,
    compare,
    compare_with_kept,
    scenario_input,
    with_kept_lines,
)
from pegboard.services import parsing
from pegboard.services.ports import Clock, UnitOfWork

#: The window a demand rise covers when none is given.
DEFAULT_DAYS = 28
#: Limits that keep a scenario meaningful (and its plan small enough).
MAX_PERCENT, MAX_DAYS, MAX_ENTRIES, MAX_SPAN, MAX_TEXT = Decimal(10000), 365, 50, 366, 200
#: From this many demand lines in a scenario's snapshot, the plan as it is is read from the kept
#: plan rather than planned again (at M, 0.2 s against 0.45 s for 70,000 lines; BENCHMARKS.md).
KEPT_FROM_LINES = 50_000
#: Demand lines an item of a narrowed snapshot has, as counted before its lines are read (at M
#: and L, 14: a late supplier's 5,012 items hold 71,571 lines, its 50,411 items 723,328).
LINES_PER_ITEM = 14
_PERCENT = re.compile(r"^\+?(\d+(?:\.\d+)?)%$")
_DAYS = re.compile(r"^\+?(\d+)$")


@dataclass(frozen=True)
class DemandRise:
    """Demand for `sku` higher by `percent` from `from_date` to `to_date` (None: the default window)."""

    text: str
    sku: str
    percent: Decimal
    from_date: date | None = None
    to_date: date | None = None


@dataclass(frozen=True)
class LateSupply:
    """A PO, an MO or every PO of a supplier arriving `days` later."""

    text: str
    ref: str
    days: int


@dataclass(frozen=True)
class ExtraOrder:
    """An order of `quantity` of `sku` placed now."""

    text: str
    sku: str
    quantity: Decimal


#: One entry of a scenario's field, as read from its text.
_Entry = TypeVar("_Entry", DemandRise, LateSupply, ExtraOrder)


class ScenarioRefused(InvalidValue):
    """Scenario entries that name no known item, PO, MO or supplier: refused as the first of them,
    with `errors` holding the first of each field, so that a form shows each beside its field."""

    def __init__(self, errors: Sequence[InvalidValue]) -> None:
        first = errors[0]
        super().__init__(first.field, first.value, first.reason)
        first_of: dict[str, InvalidValue] = {}
        for error in errors:
            first_of.setdefault(error.field, error)
        self.errors = list(first_of.values())


@dataclass(frozen=True)
class Scenario:
    """Everything a what-if tries at once."""

    demand: tuple[DemandRise, ...] = ()
    late: tuple[LateSupply, ...] = ()
    orders: tuple[ExtraOrder, ...] = ()


@dataclass(frozen=True)
class Costed:
    """Extra supply with its unit cost (the item's standard cost, else the last PO price; None: unknown)."""

    kind: str
    sku: str
    supplier: str | None
    quantity: Decimal
    by_date: date | None
    ready_date: date | None
    unit_cost: Decimal | None

    @property
    def cost(self) -> Decimal | None:
        """Quantity times unit cost."""
        return None if self.unit_cost is None else self.quantity * self.unit_cost


@dataclass(frozen=True)
class WhatIf:
    """A scenario's answer: what goes late or open term, what more to buy or make, and its cost."""

    scenario: Scenario
    today: date
    outcome: Outcome
    extra: tuple[Costed, ...]

    @property
    def cost(self) -> Decimal:
        """The known costs of the extra supply, summed."""
        return sum((e.cost for e in self.extra if e.cost is not None), Decimal(0))

    @property
    def uncosted(self) -> list[str]:
        """SKUs of extra supply with no cost to go by."""
        return [e.sku for e in self.extra if e.unit_cost is None]


class ScenarioFacts(Protocol):
    """What a scenario reads beyond the snapshot."""

    def supplier_po_refs(self, supplier: str) -> set[str]: ...

    def supplier_skus(self, supplier: str) -> set[str]: ...

    def last_po_costs(self, skus: Sequence[str]) -> dict[str, Decimal]: ...


class DemandHistory(Protocol):
    """Quantity ordered per SKU per day."""

    def daily_demand(self, skus: Sequence[str] | None = None) -> dict[str, dict[date, Decimal]]: ...


class WithScenarios(UnitOfWork, Protocol):
    """A unit of work that also reads what a scenario needs."""

    @property
    def scenarios(self) -> ScenarioFacts: ...

    @property
    def learning(self) -> DemandHistory: ...


def parse_scenario(
    demand: Sequence[str] = (), late: Sequence[str] = (), orders: Sequence[str] = ()
) -> Scenario:
    """A scenario from its text parts; the first bad one is refused, naming its field and text."""
    scenario = Scenario(
        _entries("demand", demand, _demand), _entries("late", late, _late), _entries("order", orders, _order)
    )
    if not (scenario.demand or scenario.late or scenario.orders):
        raise InvalidValue("scenario", "", "give at least one demand rise, late supply or extra order")
    return scenario


def scenario_errors(
    demand: Sequence[str] = (), late: Sequence[str] = (), orders: Sequence[str] = ()
) -> list[InvalidValue]:
    """Each field's first bad entry, so that a form shows every field's error at once."""
    found = (
        _error_of("demand", demand, _demand),
        _error_of("late", late, _late),
        _error_of("order", orders, _order),
    )
    return [error for error in found if error is not None]


def _error_of(field: str, given: Sequence[str], read: Callable[[str], _Entry]) -> InvalidValue | None:
    try:
        _entries(field, given, read)
    except InvalidValue as error:
        return error
    return None


def _entries(field: str, given: Sequence[str], read: Callable[[str], _Entry]) -> tuple[_Entry, ...]:
    """One field's entries, one a line (blank lines skipped); the first bad one is refused."""
    if len(given) > MAX_ENTRIES:
        raise InvalidValue(field, len(given), f"at most {MAX_ENTRIES} entries")
    for text in given:
        _printable(field, text)
    return tuple(read(text.strip()) for text in given if text.strip())


def _printable(field: str, text: str) -> None:
    if len(text) > MAX_TEXT:
        raise InvalidValue(field, text[:MAX_TEXT] + "...", f"at most {MAX_TEXT} characters an entry")
    bad = parsing.control_character(text)
    if bad is not None:
        raise InvalidValue(field, text.encode("unicode_escape").decode("ascii"), parsing.control_reason(bad))


def _demand(text: str) -> DemandRise:
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0]:
        raise InvalidValue("demand", text, "write SKU:+PERCENT% or SKU:+PERCENT%:FROM..TO")
    found = _PERCENT.match(parts[1].strip())
    if found is None:
        raise InvalidValue("demand", text, f"{parts[1]!r} is not a percent such as +200%")
    percent = Decimal(found.group(1))
    if not 0 < percent <= MAX_PERCENT:
        raise InvalidValue("demand", text, f"the percent must be above 0 and at most {MAX_PERCENT}%")
    if len(parts) == 2:
        return DemandRise(text, parts[0], percent)
    span = parts[2].split("..")
    try:
        start, end = (date.fromisoformat(day.strip()) for day in span) if len(span) == 2 else (None, None)
    except ValueError:
        start = end = None
    if start is None or end is None:
        raise InvalidValue("demand", text, f"{parts[2]!r} is not a range YYYY-MM-DD..YYYY-MM-DD")
    if end < start:
        raise InvalidValue("demand", text, f"the range {parts[2]!r} ends before it starts")
    if (end - start).days + 1 > MAX_SPAN:
        raise InvalidValue("demand", text, f"the range {parts[2]!r} is longer than {MAX_SPAN} days")
    return DemandRise(text, parts[0], percent, start, end)


def _late(text: str) -> LateSupply:
    ref, colon, days = text.rpartition(":")
    found = _DAYS.match(days.strip())
    if not colon or not ref:
        raise InvalidValue("late", text, "write PO_OR_SUPPLIER:+DAYS")
    if found is None or not 0 < int(found.group(1)) <= MAX_DAYS:
        raise InvalidValue("late", text, f"{days!r} is not a number of days from +1 to +{MAX_DAYS}")
    return LateSupply(text, ref, int(found.group(1)))


def _order(text: str) -> ExtraOrder:
    sku, colon, quantity = text.rpartition(":")
    if not colon or not sku:
        raise InvalidValue("order", text, "write SKU:QUANTITY")
    try:
        amount = Decimal(quantity.strip())
    except InvalidOperation:
        amount = Decimal(0)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.000001")):
        raise InvalidValue("order", text, f"{quantity!r} is not a quantity above 0")
    return ExtraOrder(text, sku, amount)


def what_if(
    scenario: Scenario, *, uow: WithScenarios, clock: Clock, kept_from: int = KEPT_FROM_LINES
) -> WhatIf:
    """The scenario planned beside the plan as it is; nothing is written (the transaction is rolled back).

    The plan as it is comes from the plan kept for today when the scenario's snapshot holds at
    least `kept_from` demand lines and nothing changed since that plan; else it is planned."""
    # Reading and planning the snapshot make a million small objects and no cycles: a collection
    # meanwhile would only walk them all again (`planning.collector`).
    with uow, collector_paused():
        today = clock.today()
        skus = {d.sku for d in scenario.demand} | {o.sku for o in scenario.orders}
        items = uow.catalogue.items(skus)
        entries: list[DemandRise | ExtraOrder] = [*scenario.demand, *scenario.orders]
        refused = [
            InvalidValue(
                "demand" if isinstance(entry, DemandRise) else "order",
                entry.text,
                f"no item has the SKU {entry.sku!r}",
            )
            for entry in entries
            if entry.sku not in items
        ]
        found = []
        for late in scenario.late:
            try:
                found.append(_slip(late, uow))
            except InvalidValue as error:
                refused.append(error)
        if refused:
            raise ScenarioRefused(refused)
        slips = [slip for slip, _ in found]
        extra = _extra_demand(scenario, uow, today) + [
            ExtraDemand(f"order {k}: {o.sku}", o.sku, o.quantity) for k, o in enumerate(scenario.orders, 1)
        ]
        # Only what the scenario's SKUs can reach is read and planned (`planning.scope`): the
        # lines it can move get the promises a full plan would give them, the rest cannot move.
        touched = skus.union(*(reach for _, reach in found))
        seen = uow.plans.inputs_seen()
        # A late supplier reaches much of the catalogue: its snapshot is read without its lines
        # first, to take them from the kept plan when it is large. Other scenarios mostly reach
        # a few items, whose lines cost less to read than the kept plan (or a second read).
        wide = any(slip.supplier is not None for slip in slips)
        taken = _with_kept_lines(uow, seen, today, sorted(touched), kept_from) if wide else None
        kept: PlanResult | None
        if taken is not None:
            snapshot, kept, at = taken
        else:
            snapshot, at = uow.planning.snapshot(today, around=sorted(touched)), None
            # Reading the kept plan costs about the same whatever the scenario, planning the
            # snapshot again as much as the scenario's plan: only a large snapshot is worth it.
            kept = _kept_plan(uow, seen, today) if len(snapshot.demands) >= kept_from else None
        after = plan(scenario_input(snapshot, slips=slips, extra=extra, now=clock.now()))
        lines = len(snapshot.demands)
        if kept is None or snapshot.affected is None:
            outcome = compare(plan(snapshot), after, lines=lines)
        else:
            outcome = compare_with_kept(kept, after, lines=lines, affected=snapshot.affected, kept_lines=at)
        return WhatIf(scenario, today, outcome, _costed(outcome, uow))


def _with_kept_lines(
    uow: WithScenarios, seen: int, today: date, around: list[str], kept_from: int
) -> tuple[PlanInput, PlanResult, Ints] | None:
    """The snapshot narrowed `around` the scenario's SKUs, its lines taken from the plan kept for
    today (`planning.whatif.with_kept_lines`), with that plan and each line's place in it; None
    when the scope is small (under `kept_from` / `LINES_PER_ITEM` items: reading its lines is
    cheaper than the kept plan) or no plan of plain demand is kept unchanged since `seen`."""
    bare = uow.planning.snapshot(today, around=around, orders=())
    if len(bare.items) * LINES_PER_ITEM < kept_from:
        return None
    kept = _kept_plan(uow, seen, today, plain_demand=True)
    taken = None if kept is None else with_kept_lines(bare, kept)
    return None if kept is None or taken is None else (taken[0], kept, taken[1])


def _kept_plan(
    uow: WithScenarios, seen: int, today: date, *, plain_demand: bool = False
) -> PlanResult | None:
    """The plan as it is, kept whole for today (`planning.kept_plan`; with `plain_demand`, only
    one of plain demand), when nothing planning reads changed since `seen` (read before the
    snapshot), also while the snapshot was read; else None, and the snapshot is planned as it is too."""
    kept = uow.plans.kept_result(seen, planned_on=today, plain_demand=plain_demand)
    if kept is None or uow.plans.inputs_seen(after=seen) != seen:
        return None
    return kept


def _slip(late: LateSupply, uow: WithScenarios) -> tuple[Slip, set[str]]:
    """The slip and the SKUs it changes: a PO's ref first, then an MO's, then a supplier's name."""
    po = uow.supply.purchase_order(late.ref)
    if po is not None:
        return Slip(late.days, po_refs=frozenset([late.ref])), {line.sku for line in po.lines}
    mo = uow.supply.manufacturing_order(late.ref)
    if mo is not None:
        return Slip(late.days, mo_refs=frozenset([late.ref])), {mo.sku}
    if uow.catalogue.supplier(late.ref) is not None:
        refs = frozenset(uow.scenarios.supplier_po_refs(late.ref))
        return Slip(late.days, po_refs=refs, supplier=late.ref), uow.scenarios.supplier_skus(late.ref)
    raise InvalidValue("late", late.text, f"no PO, MO or supplier is called {late.ref!r}")


def _extra_demand(scenario: Scenario, uow: WithScenarios, today: date) -> list[ExtraDemand]:
    """Each rise as demand: its percent of what was ordered over as many days up to today."""
    if not scenario.demand:
        return []
    history = uow.learning.daily_demand(sorted({d.sku for d in scenario.demand}))
    extra = []
    for k, rise in enumerate(scenario.demand, 1):
        if rise.to_date is not None and rise.to_date < today:
            raise InvalidValue("demand", rise.text, f"the range ends before today, {today.isoformat()}")
        start = rise.from_date or today
        days = DEFAULT_DAYS if rise.to_date is None else (rise.to_date - start).days + 1
        since = today - timedelta(days=days - 1)
        ordered = sum(
            (q for day, q in history.get(rise.sku, {}).items() if since <= day <= today), Decimal(0)
        )
        quantity = (ordered * rise.percent / 100).quantize(Decimal("0.000001"), rounding=ROUND_CEILING)
        extra.append(
            ExtraDemand(f"demand {k}: {rise.sku} +{rise.percent}%", rise.sku, quantity, max(start, today))
        )
    return extra


def _costed(outcome: Outcome, uow: WithScenarios) -> tuple[Costed, ...]:
    """Extra supply priced at the item's cost, else the last PO price of a bought item."""
    skus = sorted({e.sku for e in outcome.extra})
    items = uow.catalogue.items(skus)
    paid = uow.scenarios.last_po_costs([e.sku for e in outcome.extra if e.kind == "buy"])
    rows = []
    for e in outcome.extra:
        item = items.get(e.sku)
        unit = item.cost if item is not None and item.cost is not None else paid.get(e.sku)
        rows.append(Costed(e.kind, e.sku, e.supplier, e.quantity, e.by_date, e.ready_date, unit))
    return tuple(rows)
