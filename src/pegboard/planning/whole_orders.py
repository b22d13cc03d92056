"""The search behind complete-first: a sequence of exact knapsack solves (HiGHS) before a deadline.

Orders with exactly the same needs are alike: the best set takes the oldest of them first (to
take a younger one and leave an older out loses the tie and gains nothing), so the solver sees
one integer variable per kind of order, `y[g]` = how many of that kind are made whole, oldest
first. Order `o`, the `k`-th oldest of its kind, is in the set when `y[g] >= k`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import highspy
import numpy as np
import numpy.typing as npt

#: Orders weighed together in one tie-breaking solve. Their weights 2**11 .. 2**0 keep every
#: objective an integer below 4096: exact in floating point, and a solution off by the solver's
#: integrality tolerance (1e-6 per variable) moves it by less than 0.01, far from the next integer.
BLOCK = 12

Ints = npt.NDArray[np.int64]
Choice = npt.NDArray[np.bool_]


class Knapsack:
    """Each order's needs and the stock as exact integers (micro-units, one row per SKU), the
    orders oldest first; and the kinds of order (alike needs) the solver works with."""

    def __init__(self, needs: Ints, capacity: Ints) -> None:
        self.needs, self.capacity = needs, capacity
        self.size = needs.shape[1]
        kinds: dict[bytes, int] = {}
        self.kind = np.array([kinds.setdefault(needs[:, j].tobytes(), len(kinds)) for j in range(self.size)])
        self.kinds = len(kinds)
        counts = np.zeros(self.kinds, dtype=np.int64)
        self.place = np.zeros(self.size, dtype=np.int64)
        for j, g in enumerate(self.kind.tolist()):
            counts[g] += 1
            self.place[j] = counts[g]
        self.kind_size = counts
        first = np.unique(self.kind, return_index=True)[1]
        self.kind_needs = needs[:, first]

    def fits(self, chosen: Choice) -> bool:
        """Whether the stock covers every chosen order at once, in exact integer arithmetic."""
        return bool(np.all(self.needs @ chosen.astype(np.int64) <= self.capacity))

    def chosen(self, taken: Ints) -> Choice:
        """The orders in the set when `taken[g]` of kind g are made whole, oldest first."""
        return np.asarray(self.place <= taken[self.kind], dtype=bool)

    def taken(self, chosen: Choice) -> Ints:
        """How many of each kind a set takes."""
        return np.bincount(self.kind[chosen], minlength=self.kinds).astype(np.int64)

    def greedy(self) -> Choice:
        """Oldest first, every order that still fits: a good first answer, found at once."""
        left = self.capacity.copy()
        chosen = np.zeros(self.size, dtype=bool)
        for j in range(self.size):
            if np.all(self.needs[:, j] <= left):
                left -= self.needs[:, j]
                chosen[j] = True
        return chosen

    def swapped_older(self, chosen: Choice, *, until: float) -> Choice:
        """The set improved by one-for-one swaps: an older order in, a younger one out.

        Oldest first, each left-out order takes the place of the youngest chosen order whose
        stock, with what is left over, covers it; the count stays, the set only gets older, and
        of each kind the oldest stay in (a swap between orders alike changes nothing). It stops
        at `until` (a time.monotonic() deadline) with the swaps made so far.
        """
        chosen = chosen.copy()
        left = self.capacity - self.needs @ chosen.astype(np.int64)
        for o in np.flatnonzero(~chosen):
            if time.monotonic() > until:
                break
            out = np.flatnonzero(chosen)
            out = out[(out > o) & (self.kind[out] != self.kind[o])]
            if not len(out):
                break
            able = out[np.all(self.needs[:, out] + left[:, None] >= self.needs[:, o : o + 1], axis=0)]
            if len(able):
                p = able[-1]
                chosen[p], chosen[o] = False, True
                left += self.needs[:, p] - self.needs[:, o]
        # Alike orders are interchangeable: the set takes the oldest of each kind.
        return self.chosen(self.taken(chosen))


# highspy's own methods carry no annotations; these typed names let strict mypy call them.
_enable_callbacks: Callable[[highspy.Highs], None] = highspy.Highs.enableCallbacks


class _QuietHighs(highspy.Highs):
    """highspy.Highs without its licence banner, which it prints on stdout as it is built."""

    def enableCallbacks(self) -> None:  # noqa: N802 (highspy's name)
        # Called by Highs.__init__ before the banner; silencing first keeps `--json` clean.
        self.setOptionValue("output_flag", False)
        _enable_callbacks(self)


_new_highs: Callable[[], highspy.Highs] = _QuietHighs


class Search:
    """The solves of `choose_whole_orders`: the count, then the ties oldest first, by a deadline."""

    def __init__(self, knapsack: Knapsack, *, seconds: float) -> None:
        self.knapsack = knapsack
        self.started = time.monotonic()
        # A tenth of the time is kept back: HiGHS checks its limit between steps, and the set
        # found still has to be read and checked while the items stay locked.
        self.deadline = self.started + 0.9 * seconds
        self.best = knapsack.swapped_older(knapsack.greedy(), until=self.deadline)
        self.lower = np.zeros(knapsack.kinds, dtype=np.int64)
        self.upper = knapsack.kind_size.copy()
        self.count: int | None = None
        self.highs = self._solver()

    @staticmethod
    def _solver() -> highspy.Highs:
        """A fresh solver for each solve: highspy 1.16 answered a model passed to a solver that had
        run before with a solve error, or with the earlier solution beside the new objective."""
        highs = _new_highs()
        highs.setOptionValue("mip_rel_gap", 0.0)
        # Every objective is an integer: a gap below one proves the incumbent optimal.
        highs.setOptionValue("mip_abs_gap", 0.5)
        # HiGHS 1.16's presolve returned a solution violating a row of these models (micro-unit
        # capacities) and then a solve error; without it the same models solve exactly.
        highs.setOptionValue("presolve", "off")
        return highs

    def run(self) -> tuple[Choice, bool]:
        """The best set found, and whether every solve on the way was proven optimal in time.

        The count gets at most half the time, so that a count the solver cannot prove in time
        still leaves time to make the set found as old as it can.
        """
        halfway = self.started + (self.deadline - self.started) / 2
        proven = self._solve([], until=halfway)
        self.best = self.knapsack.swapped_older(self.best, until=self.deadline)
        self.count = int(self.best.sum())
        for start in range(0, self.knapsack.size, BLOCK):
            if int(self.lower.sum()) == self.count:
                break  # K orders are fixed in: the best set is exactly those, the rest are out.
            block = np.arange(start, min(start + BLOCK, self.knapsack.size))
            if not self._decided(block) and not self._solve(block.tolist(), until=self.deadline):
                return self.best, False
            self._fix(block)
        return self.best, proven

    def _decided(self, block: Ints) -> bool:
        """Every order of the block is in the best set, or out for sure (its kind is capped below it)."""
        places, kinds = self.knapsack.place[block], self.knapsack.kind[block]
        return bool(np.all(self.best[block] | (places > self.upper[kinds])))

    def _fix(self, block: Ints) -> None:
        """Keep the block's orders in or out as the best set has them, for every later solve."""
        for o in block.tolist():
            g, k = int(self.knapsack.kind[o]), int(self.knapsack.place[o])
            if self.best[o]:
                self.lower[g] = max(self.lower[g], k)
            else:
                self.upper[g] = min(self.upper[g], k - 1)

    def _solve(self, block: list[int], *, until: float) -> bool:
        """Solve from the best set so far and keep a better answer; true if it is proven optimal.

        The solver's answer is checked again in exact integers: one that does not fit (a rounding
        inside the solver) is not used, and then the search is not proven either.
        """
        remaining = until - time.monotonic()
        if remaining <= 0:
            return False
        self.highs = self._solver()
        self.highs.passModel(self._model(block))
        self.highs.setOptionValue("time_limit", remaining)
        # No warm start: highspy 1.16 can answer a solution passed by setSolution() back from
        # getSolution() while reporting the better objective it found (a set one order short
        # was taken as proven). The best set so far is kept by `_better` instead.
        self.highs.run()
        optimal = self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        if self.highs.getInfo().primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
            return False
        values = np.asarray(self.highs.getSolution().col_value)
        found = self.knapsack.chosen(np.rint(values[: self.knapsack.kinds]).astype(np.int64))
        if not self._better(found, block):
            return bool(optimal)
        if not self.knapsack.fits(found):
            return False
        self.best = found
        return bool(optimal)

    def _better(self, found: Choice, block: Sequence[int]) -> bool:
        if not block:
            return int(found.sum()) > int(self.best.sum())
        # Lexicographic by age within the block: the first order where the sets differ decides.
        differ = [o for o in block if found[o] != self.best[o]]
        return bool(differ) and bool(found[differ[0]])

    def _model(self, block: list[int]) -> highspy.HighsLp:
        """The kinds' counts within their bounds and the stock; with a block, exactly `count`
        orders and one 0-1 variable per order of the block, weighted oldest first."""
        knapsack, g, b = self.knapsack, self.knapsack.kinds, len(block)
        m = len(knapsack.capacity)
        sku_rows, kind_cols = np.nonzero(knapsack.kind_needs)
        rows = [sku_rows]
        cols = [kind_cols]
        values = [knapsack.kind_needs[sku_rows, kind_cols].astype(np.float64)]
        lower = [np.full(m, -highspy.kHighsInf)]
        upper = [knapsack.capacity.astype(np.float64)]
        if block:
            assert self.count is not None
            # Exactly `count` orders: the sum of the kinds' counts.
            rows.append(np.full(g, m))
            cols.append(np.arange(g))
            values.append(np.ones(g))
            lower.append(np.array([float(self.count)]))
            upper.append(np.array([float(self.count)]))
            # Order o of the block is in only if its kind takes at least its place:
            # y[kind] - place * z[o] >= 0.
            z = np.arange(b)
            rows += [m + 1 + z, m + 1 + z]
            cols += [knapsack.kind[block], g + z]
            values += [np.ones(b), -knapsack.place[block].astype(np.float64)]
            lower.append(np.zeros(b))
            upper.append(np.full(b, highspy.kHighsInf))
        row, col, value = np.concatenate(rows), np.concatenate(cols), np.concatenate(values)
        # Column-wise, the layout HiGHS keeps internally.
        order = np.lexsort((row, col))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = g + b, m + (1 + b if block else 0)
        lp.col_cost_ = np.r_[np.zeros(g) if block else np.ones(g), 2.0 ** np.arange(b - 1, -1, -1)]
        lp.col_lower_ = np.r_[self.lower.astype(np.float64), np.zeros(b)]
        lp.col_upper_ = np.r_[self.upper.astype(np.float64), np.ones(b)]
        lp.row_lower_, lp.row_upper_ = np.concatenate(lower), np.concatenate(upper)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.integrality_ = [highspy.HighsVarType.kInteger] * (g + b)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.searchsorted(col[order], np.arange(lp.num_col_ + 1)).astype(np.int32)
        lp.a_matrix_.index_ = row[order].astype(np.int32)
        lp.a_matrix_.value_ = value[order]
        return lp
