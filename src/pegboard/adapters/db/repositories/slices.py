"""Long lists of values bound in slices, each small enough for one IN list."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

#: Values bound in one IN list at most: PostgreSQL takes 65,535 parameters per statement and
#: SQLite 32,766, and a statement may name a list twice.
IN_SLICE = 10_000


def in_slices(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """The values in slices small enough to bind in one IN list."""
    for start in range(0, len(values), IN_SLICE):
        yield values[start : start + IN_SLICE]
