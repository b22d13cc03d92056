"""Step timings of a planning run: a hook that notes each step's end, for benchmarks."""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter

#: Called with a step's name when the step ends.
Lap = Callable[[str], None]


def lap_into(laps: list[tuple[str, float]] | None) -> Lap:
    """A hook appending (step, perf_counter()) to `laps`; one that does nothing when there is none."""
    if laps is None:
        return _ignore
    return lambda step: laps.append((step, perf_counter()))


def _ignore(step: str) -> None:
    """No laps asked for."""
