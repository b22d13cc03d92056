"""A sequence kept in another form (columns, compressed parts) and equal to any sequence of the same rows."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Sequence
from typing import TypeVar

Row = TypeVar("Row")


class RowSequence(Sequence[Row]):
    """Rows built only when someone reads them all (`rows`); it iterates them, equals any list or
    tuple of the same rows (as the plan held them before it was stored), and shows them as a list."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]

    @abstractmethod
    def rows(self) -> list[Row]:
        """Every row, as built objects."""

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(self) == len(other) and self.rows() == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.rows()!r})"
