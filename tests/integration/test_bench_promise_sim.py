"""The promise simulation (`bench/promise_sim.py`) on a short seeded run: history brought in before
the first order teaches every supplier, and every late line is given a cause."""

from __future__ import annotations

from bench.promise_sim import START, simulate


def test_history_teaches_every_supplier_before_the_first_order_and_each_late_line_has_a_cause() -> None:
    """Past POs and receipts come before the first order (so every line is promised on history),
    the same orders are placed as on a cold start, and the causes count every late line."""
    cold = simulate(seed=3, days=5, adjusted=True, confidence=0.9)
    warm = simulate(seed=3, days=5, adjusted=True, confidence=0.9, history=60)

    assert warm.learned_on == START
    assert warm.orders == cold.orders
    assert warm.informed is not None and warm.informed.dated == warm.every.dated
    for run in (cold, warm):
        late = run.every.dated - run.every.on_time - run.every.unshipped
        assert sum(run.causes.values()) == late
