"""Quotes: the dates an order would get if placed now, by the same rules as a promise, writing nothing.

Only what the order's own lines rest on is read (`planning.scope.narrowed_for_new_lines`: the
supply below its SKUs and every demand on that supply, the part of a re-promise's scope that a
new line needs), the order is added in memory (`planning.quoting`) and planned; the
transaction is never committed. Placing the same order next, with nothing else changing, gives
each line the promise its quote stated (property tests hold the two together).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from pegboard.domain.errors import InvalidValue
from pegboard.domain.items import BomLine
from pegboard.domain.options import choices_text
from pegboard.domain.quantities import Quantity
from pegboard.domain.sales import LineKind, ShipPolicy
from pegboard.planning.collector import replacing_long_lived
from pegboard.planning.leftover import Leftover
from pegboard.planning.quoting import LineQuote, OrderQuote, QuoteLine, from_stock, quote_order
from pegboard.planning.snapshot import PlanConfiguration, PlanInput, PlanItem
from pegboard.services.holds import check_minutes, end_expired_holds
from pegboard.services.orders import line_configuration
from pegboard.services.ports import Clock, UnitOfWork

#: More lines than an order may carry through the API is not a quote anyone needs.
MAX_LINES = 1000


@dataclass(frozen=True)
class QuoteRequest:
    """An order as it would be placed, without a ref: (SKU, quantity) lines, priority, ship policy."""

    lines: tuple[tuple[str, Decimal], ...]
    priority: int = 0
    ship_policy: ShipPolicy = ShipPolicy.PARTIAL
    #: Each line's choices by option name (none: every line plain), as an order line takes them.
    options: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class Quote:
    """Each line's quote and the order's date; with ship policy complete, every line leaves on it."""

    lines: tuple[LineQuote, ...]
    date: dt.date | None
    ship_policy: ShipPolicy
    today: dt.date
    #: Each quoted SKU's free stock before the quote (not part of the quote's JSON).
    available: dict[str, Decimal]
    #: With a hold: the id to place the order with, and when the hold ends unless it is placed.
    quote_id: str | None = None
    hold_until: dt.datetime | None = None

    def line_date(self, line: LineQuote) -> dt.date | None:
        """When the line leaves: its own date, or the order's when the order ships complete."""
        return self.date if self.ship_policy is ShipPolicy.COMPLETE else line.date


class LeftoverCache:
    """The whole plan's leftover (`planning.leftover`), kept in the server process for quotes.

    It is current for the last plan-input change it saw (a row in `plan_input_changes`) and the
    day. When what changed since is only orders placed, it follows them (each takes what its
    quote would have used, `Leftover.with_placed`); shipments of allocated stock change nothing
    it holds. After any other change (a cancellation, receipt, count, hold, plan confirmed,
    import of anything but orders, an edit), or orders it cannot follow exactly, it is built
    again from a snapshot.

    Thread-safe: the server answers quotes on a pool of threads; one builds at a time, and the
    others answer by the narrowed full path meanwhile rather than wait. A kept leftover is never
    changed: following orders makes a new one."""

    def __init__(self) -> None:
        self._kept: tuple[tuple[int, dt.date], Leftover] | None = None
        self._building = threading.Lock()
        self._keeping = threading.Lock()
        #: Quotes answered from the leftover, and those it sent to the full path (for benchmarks).
        self.answered = self.planned = 0
        #: Leftovers built from a snapshot, and brought up to date by the orders placed since.
        self.built = self.followed = 0

    def seen(self, day: dt.date) -> int | None:
        """The last plan-input change the kept leftover of `day` follows; None: none is kept."""
        kept = self._kept
        return kept[0][0] if kept is not None and kept[0][1] == day else None

    def current(self, key: tuple[int, dt.date], uow: UnitOfWork) -> Leftover | None:
        """The leftover as of `key` (the last change seen, read before anything else in `uow`,
        and the day): the kept one, following the orders placed since where it can, else built
        again; None when another thread is building already."""
        kept = self._kept
        if kept is not None and kept[0][1] == key[1]:
            if kept[0][0] >= key[0]:  # as new as this transaction's view, or newer
                return kept[1]
            followed = self._follow(kept, key, uow)
            if followed is not None:
                return followed
        return self.build(key, uow)

    def _follow(
        self, kept: tuple[tuple[int, dt.date], Leftover], key: tuple[int, dt.date], uow: UnitOfWork
    ) -> Leftover | None:
        """The kept leftover once the orders placed since follow; None when that is not all that
        changed, or it cannot follow them exactly."""
        refs = uow.plans.placed_since(kept[0][0], key[0])
        if refs == []:  # shipments only: available stock and backorders are as they were
            leftover: Leftover | None = kept[1]
        else:
            placed = None if refs is None else uow.planning.placed(refs)
            leftover = None if placed is None else kept[1].with_placed(*placed)
        if leftover is None:
            return None
        with self._keeping:  # unless a newer one was kept meanwhile
            if self._kept is kept:
                self._kept = (key, leftover)
        self.followed += 1
        return leftover

    def build(self, key: tuple[int, dt.date], uow: UnitOfWork) -> Leftover | None:
        """Plan the whole snapshot read in `uow` (its changes read no earlier than `key`) and keep
        its leftover; None when another thread is building already."""
        if not self._building.acquire(blocking=False):
            return None
        try:
            # The kept leftover (a snapshot's worth of objects: 220k at M) lives until the next
            # build: a full collection pass over it stopped every request for a second at M.
            with replacing_long_lived():
                leftover = Leftover(uow.planning.snapshot(key[1]))
            with self._keeping:
                self._kept = (key, leftover)
            self.built += 1
            return leftover
        finally:
            self._building.release()


def quote(
    request: QuoteRequest, *, uow: UnitOfWork, clock: Clock, leftovers: LeftoverCache | None = None
) -> Quote:
    """What an order placed now would get: stock now, then the plan's dates for the rest; nothing written.

    With `leftovers` (a server's), the answer comes from the whole plan's leftover when it is
    up to date and can answer exactly; otherwise, as without, by planning what the lines rest on.
    """
    with uow:
        return quote_within(request, uow=uow, clock=clock, leftovers=leftovers)
        # Leaving the block without commit: nothing read here is kept or changed.


def quote_and_hold(request: QuoteRequest, minutes: int, *, uow: UnitOfWork, clock: Clock) -> Quote:
    """As `quote`, and hold for `minutes` what each line takes from stock now (`now`), for a
    checkout: placing the order with the quote's `quote_id` gives it that stock. Holds whose time
    has passed end first. `uow` must be a writing unit of work."""
    check_minutes(minutes)
    now = clock.now()
    with uow:
        end_expired_holds(uow, now)  # orders given the freed stock record it
        uow.stock.lock(sku for sku, _ in request.lines)
        found = quote_within(request, uow=uow, clock=clock)
        held: dict[str, Decimal] = {}
        # A configured line's `now` is its configuration's kept stock, not plain stock: not held.
        for line, options in zip(found.lines, _configurations(request, uow), strict=True):
            if line.now > 0 and not options:
                held[line.sku] = held.get(line.sku, Decimal(0)) + line.now
        quote_id = f"Q-{secrets.token_hex(6).upper()}"
        until = now + dt.timedelta(minutes=minutes)
        uow.holds.add(quote_id, held, expires_at=until)
        uow.commit()
    return replace(found, quote_id=quote_id, hold_until=until)


def quote_within(
    request: QuoteRequest, *, uow: UnitOfWork, clock: Clock, leftovers: LeftoverCache | None = None
) -> Quote:
    """As `quote`, inside the caller's open transaction."""
    _check(request)
    skus = sorted({sku for sku, _ in request.lines})
    now = clock.now()
    # Levels first: they read the items' rows with their terms, so the terms need no query.
    free = {sku: level.available for sku, level in uow.stock.levels(skus).items()}
    terms = uow.catalogue.sale_terms(skus)
    configurations = _configurations(request, uow)
    wanted = [
        QuoteLine(sku, quantity, terms[sku].line_kind(now.date()).value, terms[sku].release_date, options)
        for (sku, quantity), options in zip(request.lines, configurations, strict=True)
    ]
    in_stock = from_stock(wanted, free, today=clock.today())
    if in_stock is not None:  # nothing waits: no plan to read or run
        return Quote(in_stock.lines, in_stock.date, request.ship_policy, clock.today(), free)
    # The leftover knows no ship-complete rule (`planning.ship_complete`): such quotes plan in full.
    whole = request.ship_policy is ShipPolicy.COMPLETE
    if leftovers is not None and not whole and all(line.kind == LineKind.STOCK.value for line in wanted):
        fast = _from_leftover(leftovers, wanted, request.priority, now, uow=uow, clock=clock)
        if fast is not None:
            return Quote(fast.lines, fast.date, request.ship_policy, clock.today(), free)
    # Only what the order's own lines rest on is read (`planning.scope.narrowed_for_new_lines`).
    snapshot = uow.planning.snapshot(clock.today(), around=skus, lines_of_around=True)
    snapshot = with_configurations(snapshot, {(q.sku, q.options) for q in wanted if q.options}, uow)
    for line in wanted:
        if line.kind == LineKind.DROPSHIP.value and not _supplier(snapshot.items, line.sku):
            raise InvalidValue("sku", line.sku, "is a dropship item without a supplier to ship it")
    found: OrderQuote = quote_order(
        snapshot,
        wanted,
        ordered_at=now,
        priority=request.priority,
        ship_complete=request.ship_policy is ShipPolicy.COMPLETE,
    )
    return Quote(found.lines, found.date, request.ship_policy, clock.today(), free)


def _from_leftover(
    leftovers: LeftoverCache,
    wanted: list[QuoteLine],
    priority: int,
    now: dt.datetime,
    *,
    uow: UnitOfWork,
    clock: Clock,
) -> OrderQuote | None:
    """The quote from the kept leftover, built first when out of date; None: plan in full."""
    # Read before the snapshot a build reads; past the kept leftover's without waiting for writers.
    key = (uow.plans.inputs_seen(after=leftovers.seen(clock.today())), clock.today())
    leftover = leftovers.current(key, uow)
    found = None if leftover is None else leftover.quote(wanted, ordered_at=now, priority=priority)
    if found is None:
        leftovers.planned += 1
    else:
        leftovers.answered += 1
    return found


def _configurations(request: QuoteRequest, uow: UnitOfWork) -> list[str]:
    """Each line's configuration ("" = plain), refused as an order line's would be."""
    if not any(request.options):
        return [""] * len(request.lines)
    options = uow.catalogue.options({sku for sku, _ in request.lines})
    choices = list(request.options) + [{}] * (len(request.lines) - len(request.options))
    return [
        line_configuration(sku, choices_text(chosen), options.get(sku), where=f"lines[{n}].options")
        for n, ((sku, _), chosen) in enumerate(zip(request.lines, choices, strict=True), start=1)
    ]


def with_configurations(snapshot: PlanInput, wanted: set[tuple[str, str]], uow: UnitOfWork) -> PlanInput:
    """The snapshot with the BOM of each quoted configuration it does not hold yet."""
    missing = wanted - {(c.sku, c.options) for c in snapshot.configurations}
    if not missing:
        return snapshot
    options = uow.catalogue.options({sku for sku, _ in missing})
    added = []
    for sku, chosen in sorted(missing):
        base = [
            BomLine(b.component_sku, Quantity(b.quantity_per))
            for b in snapshot.bom_lines
            if b.parent_sku == sku
        ]
        # A narrowed snapshot keeps only BOM lines between its own items (`planning.scope`).
        known = {item.sku for item in snapshot.items}
        lines = [x for x in options[sku].bom(base, chosen) if x.component_sku in known]
        added.append(PlanConfiguration(sku, chosen, tuple((x.component_sku, x.quantity_per) for x in lines)))
    return replace(snapshot, configurations=[*snapshot.configurations, *added])


def _check(request: QuoteRequest) -> None:
    if not request.lines:
        raise InvalidValue("lines", "", "a quote needs at least one line")
    if len(request.lines) > MAX_LINES:
        raise InvalidValue("lines", len(request.lines), f"at most {MAX_LINES} lines")
    for sku, quantity in request.lines:
        if quantity <= 0:
            raise InvalidValue("quantity", quantity, f"{sku}: must be above 0")


def _supplier(items: Sequence[PlanItem], sku: str) -> bool:
    return any(item.sku == sku and item.supplier for item in items)
