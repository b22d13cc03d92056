"""Supplier reliability: lateness and lead time learned from a seeded PO history."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from pegboard.planning.reliability import (
    MIN_HISTORY,
    Delivery,
    best_reliability,
    distribution,
    item_reliability,
    overdue_lines,
    supplier_reliability,
    with_overdue,
)
from pegboard.planning.snapshot import OpenPurchaseLine

START = date(2026, 1, 5)
#: Crystal Broker's lateness in days and how often (p50 0, p90 4, p95 7 days; never early).
LATENESS = {0: 0.65, 2: 0.15, 4: 0.12, 7: 0.08}


def _history(n: int, *, seed: int) -> list[Delivery]:
    rng = random.Random(seed)
    days, weights = list(LATENESS), list(LATENESS.values())
    history = []
    for i in range(n):
        ordered = START + timedelta(days=i)
        expected = ordered + timedelta(days=14)
        late = rng.choices(days, weights)[0]
        history.append(
            Delivery(
                "Crystal Broker",
                "KYBER-GREEN" if i % 2 else "KYBER-BLUE",
                f"PO-{i}",
                ordered,
                expected,
                expected + timedelta(days=late),
                Decimal(rng.randint(1, 5)),
            )
        )
    return history


def test_learned_lateness_matches_the_distribution_that_made_the_history() -> None:
    history = _history(2000, seed=13)
    mean = sum(day * p for day, p in LATENESS.items())

    (broker,) = supplier_reliability(history)

    assert broker.supplier == "Crystal Broker" and broker.count == 2000 and broker.learned
    assert broker.on_time_rate is not None and abs(broker.on_time_rate - 0.65) < 0.03
    assert broker.lateness is not None and abs(broker.lateness.mean - mean) < 0.2
    assert (broker.lateness.p50, broker.lateness.p90) == (0.0, 4.0)
    assert broker.lateness.quantile(0.95) == 7.0
    assert broker.lead_time is not None and abs(broker.lead_time.mean - (14 + mean)) < 0.2


def test_a_supplier_and_item_pair_is_learned_only_with_enough_receipts() -> None:
    history = _history(2 * MIN_HISTORY - 1, seed=3)

    pairs = item_reliability(history)
    per_supplier = {r.supplier: r for r in supplier_reliability(history)}

    assert list(pairs) == [("Crystal Broker", "KYBER-BLUE")]
    chosen = best_reliability("Crystal Broker", "KYBER-GREEN", per_supplier=per_supplier, per_item=pairs)
    assert chosen is not None and chosen.sku is None


def test_too_little_history_teaches_nothing() -> None:
    history = _history(MIN_HISTORY - 1, seed=5)

    (broker,) = supplier_reliability(history)

    assert not broker.learned
    assert (
        best_reliability("Crystal Broker", "KYBER-BLUE", per_supplier={"Crystal Broker": broker}, per_item={})
        is None
    )


def _next_within(
    n: int, *, seed: int, draw: Callable[[random.Random], float], trials: int = 4000
) -> tuple[float, float]:
    """Over seeded trials of n past deliveries and one more: how often the next one stays
    within the bound at 90% learned from the n, and within their plain 90th percentile."""
    rng, bound, plain = random.Random(seed), 0, 0
    for _ in range(trials):
        days = [float(draw(rng)) for _ in range(n + 1)]
        learned = distribution(days[:n])
        assert learned is not None
        bound += days[n] <= learned.bound(0.9)
        plain += days[n] <= learned.quantile(0.9)
    return bound / trials, plain / trials


def _uniform(rng: random.Random) -> int:
    return rng.randint(1, 30)


def _smooth(rng: random.Random) -> float:
    """Days late without ties, so the bound's coverage is exactly what the order statistics say."""
    return rng.uniform(0, 10)


def _slipping(rng: random.Random) -> int:
    """A supplier that is on time half the time, else 1 to 7 days late (as in `bench.promise_sim`)."""
    return 0 if rng.random() < 0.5 else rng.randint(1, 7)


def test_the_bound_holds_a_next_delivery_at_the_confidence_where_the_plain_percentile_does_not() -> None:
    for n in (9, 12, 20, 40):
        for draw in (_uniform, _slipping):
            bound, plain = _next_within(n, seed=n, draw=draw)

            assert bound >= 0.9 - 0.015, (n, draw.__name__, bound)
    assert _next_within(20, seed=20, draw=_uniform)[1] < 0.89


def test_a_history_too_short_for_the_confidence_is_bounded_by_the_latest_delivery_seen() -> None:
    learned = distribution([0.0, 3.0, 1.0, 5.0, 0.0])

    assert learned is not None
    assert learned.bound(0.9) == 5.0  # ceil(0.9 x 6) = 6th of 5: the largest seen
    assert learned.quantile(0.9) == 5.0
    assert learned.bound(0.5) == 1.0  # ceil(0.5 x 6) = 3rd smallest


def test_the_bound_claims_the_confidence_only_from_a_history_long_enough_to_hold_it() -> None:
    for n in (5, 6, 7, 8, 9, 12, 20):
        learned = distribution([float(k) for k in range(n)])
        assert learned is not None
        bound, _ = _next_within(n, seed=100 + n, draw=_smooth, trials=2500)

        if n < 9:  # the largest of n: a next delivery stays within it n / (n + 1) of the time
            assert not learned.covers(0.9)
            assert abs(bound - n / (n + 1)) < 0.02, (n, bound)
        else:
            assert learned.covers(0.9)
            assert bound >= 0.9 - 0.015, (n, bound)


def test_on_a_long_history_the_bound_is_the_generating_distributions_quantile() -> None:
    (broker,) = supplier_reliability(_history(2000, seed=13))

    assert broker.lateness is not None and broker.late_after_notice is not None
    assert broker.lateness.bound(0.9) == 4.0 and broker.late_after_notice.bound(0.9) == 4.0
    assert broker.lateness.bound(0.95) == 7.0


def test_weights_count_as_that_many_deliveries_only_in_their_share() -> None:
    days = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0]

    once, doubled = distribution(days), distribution(days, [2.0] * len(days))

    assert once is not None and doubled is not None
    assert once.bound(0.9) == doubled.bound(0.9) == 11.0  # ceil(0.9 x 13) = 12th
    assert once.quantile(0.9) == 10.0  # ceil(0.9 x 12) = 11th


def test_open_po_lines_past_their_date_count_as_deliveries_at_least_as_late_as_they_are() -> None:
    today = START + timedelta(days=30)
    lines = [
        OpenPurchaseLine(
            "PO-1", "KYBER-BLUE", Decimal(3), today - timedelta(days=4), "Crystal Broker", START
        ),
        OpenPurchaseLine("PO-2", "KYBER-BLUE", Decimal(2), today, "Crystal Broker", START),
        OpenPurchaseLine("PO-3", "KYBER-BLUE", Decimal(2), None, "Crystal Broker", START),
        OpenPurchaseLine("PO-4", "KYBER-BLUE", Decimal(2), today - timedelta(days=1), None, START),
    ]

    (late,) = overdue_lines(lines, today)
    (broker,) = supplier_reliability([*_history(4, seed=5), late])

    assert (late.po_ref, late.overdue, late.quantity, late.late_after_notice_days) == ("PO-1", True, 3, 4)
    assert late.lead_time_days == 30
    assert (broker.count, broker.overdue, broker.receipts) == (5, 1, 4) and broker.learned
    assert broker.late_after_notice is not None and broker.late_after_notice.sample[-1] == (4.0, 3.0)


def _early(day: int, *, seed: int) -> tuple[list[Delivery], float]:
    """A supplier ordering one PO a day, due 3 days later, as late as `_slipping` says: on `day`,
    its receipts then its lines still open past their date (`overdue_lines`), and the lateness of
    a next PO."""
    rng = random.Random(seed)
    received, open_lines, today = [], [], START + timedelta(days=day)
    for k in range(day):
        ordered = START + timedelta(days=k)
        due = ordered + timedelta(days=3)
        came = due + timedelta(days=_slipping(rng))
        if came <= today:
            received.append(Delivery("S", "X", f"PO-{k}", ordered, due, came, Decimal(1)))
        else:
            open_lines.append(OpenPurchaseLine(f"PO-{k}", "X", Decimal(1), due, "S", ordered))
    return received + overdue_lines(open_lines, today), float(_slipping(rng))


def _learned_on(day: int, *, seed: int, with_overdue: bool) -> tuple[float, float]:
    """`_early`'s bound at 90% (from the receipts, and the overdue lines when `with_overdue`),
    and the lateness of a next PO."""
    history, nxt = _early(day, seed=seed)
    (found,) = supplier_reliability([d for d in history if with_overdue or not d.overdue])
    assert found.late_after_notice is not None
    return found.late_after_notice.bound(0.9), nxt


def test_late_deliveries_still_on_the_way_keep_an_early_history_from_looking_reliable() -> None:
    trials = range(3000)
    receipts_only = [_learned_on(12, seed=s, with_overdue=False) for s in trials]
    with_overdue = [_learned_on(12, seed=s, with_overdue=True) for s in trials]

    def within(found: list[tuple[float, float]]) -> float:
        return sum(nxt <= bound for bound, nxt in found) / len(found)

    # Receipts alone miss the late POs not yet come: the bound holds a next PO well under 90%.
    assert within(receipts_only) < 0.86
    assert within(with_overdue) > within(receipts_only) + 0.015


def test_a_delivery_already_overdue_is_bounded_by_the_deliveries_that_were_as_late() -> None:
    learned = distribution([0.0] * 12 + [1.0, 2.0, 3.0, 5.0, 6.0, 6.0, 7.0, 7.0])

    assert learned is not None
    assert learned.bound(0.9) == 7.0  # ceil(0.9 x 21) = 19th of 20
    assert learned.bound_beyond(0.9, 1) == 7.0  # of the 8 at least 1 late: the largest
    assert learned.bound_beyond(0.5, 3) == 6.0  # of 3, 5, 6, 6, 7, 7: ceil(0.5 x 7) = 4th
    assert learned.bound_beyond(0.9, 9) == 9.0  # none as late: nothing says more than it is


def test_an_overdue_po_stays_within_the_bound_beyond_at_the_confidence_where_the_plain_bound_does_not() -> (
    None
):
    rng, beyond, plain, trials = random.Random(17), 0, 0, 0
    while trials < 3000:
        days = [float(_slipping(rng)) for _ in range(41)]
        if days[40] < 4:  # only POs still open four days past their date
            continue
        trials += 1
        learned = distribution(days[:40])
        assert learned is not None
        beyond += days[40] <= learned.bound_beyond(0.9, 4)
        plain += days[40] <= max(learned.bound(0.9), 4)

    assert beyond / trials >= 0.9 - 0.015
    assert plain / trials < 0.8


def test_a_supplier_that_never_delivered_is_not_learned_from_its_overdue_lines_alone() -> None:
    today = START + timedelta(days=30)
    late = [
        OpenPurchaseLine(f"PO-{k}", "GEM", Decimal(1), today - timedelta(days=3), name, START)
        for k, name in enumerate(["Crystal Broker", "Late Gems"])
    ]

    history = with_overdue(_history(4, seed=5), overdue_lines(late, today))

    assert [(d.supplier, d.overdue) for d in history[-1:]] == [("Crystal Broker", True)]
    assert [r.supplier for r in supplier_reliability(history)] == ["Crystal Broker"]


def test_an_open_po_lines_weight_goes_to_the_deliveries_at_least_as_late_as_it_already_is() -> None:
    # four receipts (0, 0, 2 and 5 days late) and one PO line open 1 day past its date
    learned = distribution([0.0, 0.0, 2.0, 5.0, 1.0], [1.0, 1.0, 1.0, 2.0, 1.0], [False] * 4 + [True])

    assert learned is not None and learned.count == 5 and not learned.open_tail
    assert learned.sample == ((0.0, 1.0), (0.0, 1.0), (2.0, 4 / 3), (5.0, 8 / 3))
    assert learned.bound(0.9) == 5.0 and not learned.covers(0.9)


def test_an_open_po_line_later_than_every_delivery_stays_where_it_is_and_is_no_delivery_seen() -> None:
    learned = distribution([0.0, 1.0, 2.0, 4.0, 3.0], censored=[False, False, False, True, True])

    assert learned is not None and learned.open_tail
    assert learned.sample == ((0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (4.0, 2.0))
    assert learned.bound(0.5) == 2.0
    assert learned.seen_beyond(3.0) == 0 and learned.bound_beyond(0.9, 3.0) == 3.0


def test_an_open_po_line_as_late_as_a_delivery_shares_its_weight_with_it() -> None:
    learned = distribution([0.0, 2.0, 2.0], censored=[False, True, False])

    assert learned is not None and learned.sample == ((0.0, 1.0), (2.0, 2.0))


def test_overdue_lines_censored_hold_a_next_delivery_at_least_as_often_as_counted_delivered_today() -> None:
    def within(*, censor: bool) -> float:
        held = 0
        for seed in range(1500):
            history, nxt = _early(12, seed=seed)
            found = distribution(
                [float(d.late_after_notice_days or 0) for d in history],
                censored=[d.overdue and censor for d in history],
            )
            assert found is not None
            held += nxt <= found.bound(0.75)
        return held / 1500

    as_delivered, censored = within(censor=False), within(censor=True)

    # Counted as delivered today, the lines still open pull the bound under the confidence.
    assert as_delivered < 0.75 + 0.02
    assert censored >= as_delivered + 0.02
    assert censored >= 0.75
