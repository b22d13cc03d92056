"""Allocation optimiser: which waiting orders to make whole with the stock at hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import highspy
import numpy as np

SCALE = 1_000_000


@dataclass(frozen=True)
class WholeOrderCandidate:
    """An order that becomes whole if it gets `needs` (per SKU); `rank` 0 is the oldest."""

    order_ref: str
    rank: int
    needs: Mapping[str, Decimal]


def choose_whole_orders(
    candidates: Sequence[WholeOrderCandidate], available: Mapping[str, Decimal]
) -> list[str]:
    """The largest set of orders that the available stock makes whole; ties go to older orders.

    Solved exactly as a 0-1 knapsack over every SKU at once (HiGHS MIP): maximise
    sum(K - rank) over chosen orders, with K larger than any sum of ranks, so the count
    comes first and, among sets of equal size, the one with the older orders wins.
    """
    fitting = [
        c
        for c in candidates
        if c.needs and all(need <= available.get(sku, Decimal(0)) for sku, need in c.needs.items())
    ]
    if not fitting:
        return []
    skus = sorted({sku for c in fitting for sku in c.needs})
    n = len(fitting)
    ranks = np.array([c.rank for c in fitting], dtype=np.float64)
    big = float(ranks.sum() + n + 1)
    matrix = np.zeros((len(skus), n), dtype=np.float64)
    for j, candidate in enumerate(fitting):
        for sku, need in candidate.needs.items():
            matrix[skus.index(sku), j] = int(need * SCALE)
    capacity = np.array([int(available[sku] * SCALE) for sku in skus], dtype=np.float64)

    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(skus)
    lp.col_cost_ = big - ranks
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.full(len(skus), -highspy.kHighsInf)
    lp.row_upper_ = capacity
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    columns = matrix.T
    starts: list[int] = [0]
    indices: list[int] = []
    values: list[float] = []
    for column in columns:
        nonzero = np.nonzero(column)[0]
        indices.extend(int(i) for i in nonzero)
        values.extend(float(column[i]) for i in nonzero)
        starts.append(len(indices))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = indices
    lp.a_matrix_.value_ = values

    # The bare solver: highspy.Highs() prints a licence banner on stdout at construction,
    # which would corrupt `--json` output.
    solver = highspy._core._Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("mip_rel_gap", 0.0)
    solver.passModel(lp)
    solver.run()
    chosen = solver.getSolution().col_value
    picked = [c for c, value in zip(fitting, chosen, strict=True) if value > 0.5]
    return [c.order_ref for c in sorted(picked, key=lambda c: c.rank)]
