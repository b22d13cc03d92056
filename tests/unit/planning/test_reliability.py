"""Supplier reliability: lateness and lead time learned from a seeded PO history."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from pegboard.planning.reliability import (
    MIN_HISTORY,
    Delivery,
    best_reliability,
    item_reliability,
    supplier_reliability,
)

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
