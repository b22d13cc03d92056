"""Supplier reliability: how late a supplier's deliveries come and how long they really take.

Pure statistics over a PO history handed in as `Delivery` records (one per receipt); the
database gathers them (`adapters/db/learning.py`). Every figure is weighted by the quantity
received, so a late receipt of one unit weighs less than a late receipt of a hundred.

Lateness is the receipt date minus the *first* expected date the PO line had (the date
promised at ordering, before any reschedule), in days: negative is early; it judges the supplier
(`pegboard suppliers`, the KPIs). Planning counts on another figure: the lateness *after notice*,
the receipt date minus the last expected date stated before the day of the receipt (the date at
ordering, or the last reschedule: what the supplier last told us). A PO's date is moved by that
from its *current* stated date (`planning.reliable`), so a slip the supplier announced, and the
PO was rescheduled for, is counted once: in the new date, not again in what is learned. The real lead time
is the receipt date minus the order date. A supplier's (or a supplier and item's) figures are
learned only from at least `MIN_HISTORY` receipts; with fewer the pair falls back to the
supplier's figures, and a supplier with fewer has none (`learned` is False). Planning counts on
`Distribution.bound`, the value a next delivery stays within at the confidence given how many
receipts it was learned from, not on the sample's plain quantile; a PO line still open past its
date is a censored delivery (at least as late as it is), its weight moved onto the deliveries that
were later (Kaplan-Meier, `distribution`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pegboard.planning.snapshot import OpenPurchaseLine

#: Receipts needed before a distribution is trusted (per supplier, and per supplier and item).
MIN_HISTORY = 5


@dataclass(frozen=True)
class Delivery:
    """One receipt against a PO line: when ordered, first expected, received, and how much."""

    supplier: str
    sku: str
    po_ref: str
    ordered_on: date
    #: The line's expected date when it was ordered (None: ordered without a date).
    first_expected: date | None
    received_on: date
    quantity: Decimal
    #: The last expected date stated before the day of the receipt, when a reschedule changed it
    #: (None: the first expected date still stood).
    last_stated: date | None = None
    #: Not received yet: a PO line still open past its stated date, as of `received_on` (the day
    #: of planning); it will be at least as late as it shows (`overdue_lines`).
    overdue: bool = False

    @property
    def lateness_days(self) -> int | None:
        """Receipt minus the first expected date (None when the line never had a date)."""
        return None if self.first_expected is None else (self.received_on - self.first_expected).days

    @property
    def late_after_notice_days(self) -> int | None:
        """Receipt minus the last date stated before it (None when the line never had a date)."""
        stated = self.last_stated if self.last_stated is not None else self.first_expected
        return None if stated is None else (self.received_on - stated).days

    @property
    def lead_time_days(self) -> int:
        """Receipt minus order date."""
        return (self.received_on - self.ordered_on).days


@dataclass(frozen=True)
class Distribution:
    """A quantity-weighted sample of days: its count, mean, spread and quantiles."""

    count: int
    mean: float
    std: float
    p50: float
    p90: float
    #: The sample as (value, weight) pairs, sorted by value.
    sample: tuple[tuple[float, float], ...] = ()
    #: The largest value is censored (a PO line still open, at least that late), holding the
    #: weight of the censored values after the last one seen.
    open_tail: bool = False

    def quantile(self, q: float) -> float:
        """The smallest value whose cumulative weight reaches `q` of the total (e.g. 0.9)."""
        return _quantile(self.sample, q)

    def bound(self, q: float) -> float:
        """The value the *next* delivery stays within with probability `q`: of n past values, the
        k-th smallest with k = ceil(q (n + 1)), the largest seen when k > n.

        A new draw from the same distribution is equally likely to fall in any of the n + 1 gaps
        the sorted sample leaves, so it is at most the k-th value with probability k / (n + 1),
        whatever the distribution. The plain quantile (k = ceil(q n)) covers less than `q` on a
        short history: at n = 5 and q = 0.9 it is the 5th value, which a new draw exceeds one time
        in six. With weights (quantities received) the new draw weighs the mean weight."""
        return _bound(self.sample, q, self.count)

    def covers(self, q: float) -> bool:
        """Whether the sample is long enough for `bound` to hold a next delivery at `q`: the k-th
        value exists, ceil(q (n + 1)) <= n, so n >= q / (1 - q) (9 at 90%). Shorter, `bound` is
        the largest seen, which a next delivery stays within only with probability n / (n + 1)."""
        return _covers(self.count, q)

    def bound_beyond(self, q: float, at_least: float) -> float:
        """`bound` of a delivery known to be at least `at_least` (a PO already that many days
        overdue): learned from the past values as large, the deliveries that were as late; with
        none, `at_least` itself (nothing says how much later it comes)."""
        beyond = self._beyond(at_least)
        return _bound(beyond, q) if beyond else at_least

    def seen_beyond(self, at_least: float) -> int:
        """How many past values `bound_beyond` learns from: those at least `at_least`."""
        return len(self._beyond(at_least))

    def _beyond(self, at_least: float) -> tuple[tuple[float, float], ...]:
        """The values seen at least `at_least` (an open tail is not a delivery seen)."""
        seen = self.sample[:-1] if self.open_tail else self.sample
        return tuple(pair for pair in seen if pair[0] >= at_least)


@dataclass(frozen=True)
class Reliability:
    """What a supplier's history (or a supplier and item's) says about its deliveries."""

    supplier: str
    #: None for the supplier as a whole; a SKU for the supplier and item pair.
    sku: str | None
    count: int
    #: Share of units received on or before their first expected date (None: no dated receipt).
    on_time_rate: float | None
    lateness: Distribution | None
    lead_time: Distribution | None
    #: Days late after the last date stated before each receipt (what planning adds to a PO's
    #: current date); the same as `lateness` when no PO was rescheduled.
    late_after_notice: Distribution | None = None
    #: Of `count`, the PO lines still open past their stated date (`Delivery.overdue`).
    overdue: int = 0

    @property
    def learned(self) -> bool:
        """Enough history (at least `MIN_HISTORY` deliveries, received or overdue) to trust the figures."""
        return self.count >= MIN_HISTORY

    @property
    def receipts(self) -> int:
        """Deliveries received (`count` without the overdue lines)."""
        return self.count - self.overdue


def distribution(
    values: Sequence[float],
    weights: Sequence[float] | None = None,
    censored: Sequence[bool] | None = None,
) -> Distribution | None:
    """Weighted mean, standard deviation, median and 90th percentile; None for no values.

    A `censored` value is only known to be at least that large (a PO line still open past its
    date). Its weight goes to the values at least as large, in proportion to their weights as
    the Kaplan-Meier estimate does (Efron's redistribution to the right), so the sample says how
    late such deliveries come from the ones that did; with no value as large it stays where it is
    (a lower bound, never a padding). `count` still counts every value, censored or not.
    """
    if not values:
        return None
    w = list(weights) if weights is not None else [1.0] * len(values)
    if sum(w) <= 0:
        return None
    flags = list(censored) if censored is not None else [False] * len(values)
    found = sorted(zip(values, w, flags, strict=True), key=lambda f: (f[0], not f[2], f[1]))
    sample = _redistributed(found)
    total = sum(x for _, x in sample)
    mean = sum(v * x for v, x in sample) / total
    var = sum(x * (v - mean) ** 2 for v, x in sample) / total
    return Distribution(
        len(values),
        mean,
        math.sqrt(var),
        _quantile(sample, 0.5),
        _quantile(sample, 0.9),
        tuple(sample),
        found[-1][2],
    )


def _redistributed(found: Sequence[tuple[float, float, bool]]) -> list[tuple[float, float]]:
    """(value, weight) pairs of (value, weight, censored) sorted by value (a censored value before
    a seen one equal to it), each censored value's weight shared among the values after it in
    proportion to their weights; only the last, with none after it, keeps its own."""
    after = [0.0] * (len(found) + 1)
    for i in range(len(found) - 1, -1, -1):
        after[i] = after[i + 1] + found[i][1]
    # Every value after a censored one grows by the same factor, so one running scale carries it.
    pairs, scale = [], 1.0
    for i, (value, weight, cut) in enumerate(found):
        if cut and after[i + 1] > 0:
            scale *= 1 + weight / after[i + 1]
        else:
            pairs.append((value, weight * scale))
    return pairs


def _covers(n: int, q: float) -> bool:
    """ceil(q (n + 1)) <= n: n values are enough for the k-th of them to hold a next one at `q`."""
    return n >= values_needed(q)


def values_needed(q: float) -> int:
    """The fewest past values whose k-th holds a next one at `q`: ceil(q / (1 - q)), 9 at 90%."""
    if q >= 1:
        return 2**31
    return max(1, math.ceil(q / (1 - q) - 1e-9))


def _bound(pairs: Sequence[tuple[float, float]], q: float, n: int | None = None) -> float:
    """`Distribution.bound` of a sorted sample of (value, weight) pairs learned from `n` values
    (default: one a pair; more when censored ones gave their weight away); 0 for none."""
    total = sum(w for _, w in pairs)
    if not pairs or total <= 0:
        return 0.0
    n = len(pairs) if n is None else n
    target = q * total * (n + 1) / n
    if target > total + 1e-9:
        return pairs[-1][0]
    return _quantile(pairs, target / total)


def _quantile(pairs: Sequence[tuple[float, float]], q: float) -> float:
    """The smallest value whose cumulative weight reaches `q` of the total (pairs sorted by value)."""
    target, running = q * sum(w for _, w in pairs), 0.0
    for value, weight in pairs:
        running += weight
        if running >= target - 1e-12:
            return value
    return pairs[-1][0]


def reliability_of(supplier: str, sku: str | None, deliveries: Sequence[Delivery]) -> Reliability:
    """One supplier's (or one supplier and item's) figures from its receipts; its overdue PO lines
    (`overdue_lines`) count as deliveries at least as late as they are (censored, `distribution`)."""
    dated = [d for d in deliveries if d.first_expected is not None]
    late = [float(d.lateness_days or 0) for d in dated]
    late_w = [float(d.quantity) for d in dated]
    on_time = None
    if dated and sum(late_w) > 0:
        on_time = sum(w for d, w in zip(dated, late_w, strict=True) if (d.lateness_days or 0) <= 0) / sum(
            late_w
        )
    cut = [d.overdue for d in dated]
    return Reliability(
        supplier,
        sku,
        len(deliveries),
        on_time,
        distribution(late, late_w, cut),
        distribution(
            [float(d.lead_time_days) for d in deliveries],
            [float(d.quantity) for d in deliveries],
            [d.overdue for d in deliveries],
        ),
        distribution([float(d.late_after_notice_days or 0) for d in dated], late_w, cut),
        sum(d.overdue for d in deliveries),
    )


def overdue_lines(lines: Iterable[OpenPurchaseLine], today: date) -> list[Delivery]:
    """The open PO lines past their stated date, as deliveries not received by `today`.

    A supplier's late deliveries are the ones still on the way: learning from receipts alone sees
    the on-time ones first (its first receipts are mostly those), and would call a supplier
    reliable while its late POs pile up. Each line past its date counts as delivered `today`, as
    late as it already is: a lower bound of its lateness (it is at least that late), so the
    figures stay optimistic rather than padded. A line still within its date says nothing yet
    (it may come on time); a line without a date or a supplier is left out.
    """
    return [
        Delivery(
            line.supplier,
            line.sku,
            line.po_ref,
            line.ordered_on or line.expected_date,
            line.expected_date,
            today,
            line.open_quantity,
            overdue=True,
        )
        for line in lines
        if line.supplier is not None and line.expected_date is not None and line.expected_date < today
    ]


def with_overdue(received: Sequence[Delivery], overdue: Iterable[Delivery]) -> list[Delivery]:
    """The receipts, then the overdue lines (`overdue_lines`) of the suppliers with a receipt: a
    supplier that never delivered stays unknown, its stated dates and their wording unchanged."""
    delivered = {d.supplier for d in received}
    return [*received, *(d for d in overdue if d.supplier in delivered)]


def supplier_reliability(deliveries: Iterable[Delivery]) -> list[Reliability]:
    """Per supplier, by name: the figures learned from all its receipts."""
    by_supplier: dict[str, list[Delivery]] = {}
    for d in deliveries:
        by_supplier.setdefault(d.supplier, []).append(d)
    return [reliability_of(name, None, found) for name, found in sorted(by_supplier.items())]


def item_reliability(deliveries: Iterable[Delivery]) -> dict[tuple[str, str], Reliability]:
    """Per supplier and SKU: the figures of every pair with at least `MIN_HISTORY` receipts."""
    by_pair: dict[tuple[str, str], list[Delivery]] = {}
    for d in deliveries:
        by_pair.setdefault((d.supplier, d.sku), []).append(d)
    return {
        pair: reliability_of(pair[0], pair[1], found)
        for pair, found in sorted(by_pair.items())
        if len(found) >= MIN_HISTORY
    }


def best_reliability(
    supplier: str,
    sku: str,
    *,
    per_supplier: dict[str, Reliability],
    per_item: dict[tuple[str, str], Reliability],
) -> Reliability | None:
    """The most specific learned figures: the supplier and item's, else the supplier's, else None."""
    pair = per_item.get((supplier, sku))
    if pair is not None and pair.learned:
        return pair
    whole = per_supplier.get(supplier)
    return whole if whole is not None and whole.learned else None
