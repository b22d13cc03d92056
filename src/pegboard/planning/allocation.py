"""Allocation optimiser: which waiting orders to make whole with the stock at hand (complete-first)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import numpy as np

from pegboard.planning.whole_orders import BLOCK, Knapsack, Search

SCALE = 1_000_000
#: How long complete-first may search by default (PEGBOARD_COMPLETE_FIRST_SECONDS).
DEFAULT_SECONDS = 2.0

__all__ = ["BLOCK", "DEFAULT_SECONDS", "WholeOrderCandidate", "WholeOrders", "choose_whole_orders"]


@dataclass(frozen=True)
class WholeOrderCandidate:
    """An order that becomes whole if it gets `needs` (per SKU); `rank` 0 is the oldest."""

    order_ref: str
    rank: int
    needs: Mapping[str, Decimal]


@dataclass(frozen=True)
class WholeOrders:
    """The orders to make whole (oldest first), and whether the solver proved the choice best."""

    order_refs: list[str]
    proven: bool = True
    seconds: float = DEFAULT_SECONDS

    @property
    def note(self) -> str:
        """What an allocation's reason adds when the time limit cut the search short."""
        if self.proven:
            return ""
        return f"best set found in the {self.seconds:g} s limit, not proven the best"


def choose_whole_orders(
    candidates: Sequence[WholeOrderCandidate],
    available: Mapping[str, Decimal],
    *,
    seconds: float = DEFAULT_SECONDS,
) -> WholeOrders:
    """The most orders the stock makes whole; among sets as large, the oldest order decides, then
    the next oldest (lexicographic by age); searched for at most `seconds`.

    Exact by a sequence of knapsack solves over every SKU at once (HiGHS MIP, `whole_orders`),
    never by one weighted objective (weights 2**k for a thousand orders overflow a float's
    precision): first the greatest count K; then, with "exactly K orders" as a constraint, the
    candidates oldest first in blocks of BLOCK, each block's best pattern (weights 2**11 for its
    oldest down to 1) fixed before the next block is weighed. Each solve's objective is an
    integer, so optimal is exact. A block whose orders are all in the best set so far (or out for
    sure) is fixed without a solve, and once K orders are fixed the rest are out. The greedy set
    (oldest first, whatever fits, then made older by swaps) is the first best set; every solve
    starts from the best set so far. When the time is up or a solve stops early, the best set
    found is used and `proven` is false.
    """
    fitting = sorted((c for c in candidates if _fits_alone(c, available)), key=lambda c: c.rank)
    skus = sorted({sku for c in fitting for sku in c.needs})
    # Needs round up and stock rounds down, so a set that fits here fits in Decimal too.
    row = {sku: i for i, sku in enumerate(skus)}
    needs = np.zeros((len(skus), len(fitting)), dtype=np.int64)
    for j, candidate in enumerate(fitting):
        for sku, need in candidate.needs.items():
            needs[row[sku], j] = _micro(need, ROUND_CEILING)
    capacity = np.array([_micro(available[sku], ROUND_FLOOR) for sku in skus], dtype=np.int64)
    knapsack = Knapsack(needs, capacity)
    if knapsack.fits(np.ones(len(fitting), dtype=bool)):
        return WholeOrders([c.order_ref for c in fitting], True, seconds)
    best, proven = Search(knapsack, seconds=max(seconds, 0.0)).run()
    return WholeOrders([c.order_ref for c, x in zip(fitting, best, strict=True) if x], proven, seconds)


def _fits_alone(candidate: WholeOrderCandidate, available: Mapping[str, Decimal]) -> bool:
    needs = candidate.needs.items()
    return bool(needs) and all(need <= available.get(sku, Decimal(0)) for sku, need in needs)


def _micro(quantity: Decimal, rounding: str) -> int:
    return int((quantity * SCALE).to_integral_value(rounding=rounding))
