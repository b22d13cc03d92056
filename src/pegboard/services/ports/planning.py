"""What planning reads and keeps: the snapshot, line promises, the stored plan."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from typing import Protocol

from pegboard.planning.promises import LinePromise, StoredPromise
from pegboard.planning.result import PlanResult
from pegboard.planning.snapshot import PlanInput


class PlanningRepository(Protocol):
    """What the planner reads (a snapshot of stock, demand and supply) and the promises it stores."""

    def snapshot(
        self, today: date, *, around: Iterable[str] | None = None, lines_of_around: bool = False
    ) -> PlanInput: ...

    def stored_promises(
        self, order_refs: Iterable[str] | None = None
    ) -> dict[tuple[str, int], StoredPromise]: ...

    def stored_line_promises(self, line_ids: Collection[int]) -> dict[int, StoredPromise]: ...

    def save_promises(self, promises: Iterable[LinePromise], *, on: date) -> None: ...


class StoredPlans(Protocol):
    """The last plan's queue and suggestions, kept so pages read them instead of planning."""

    def inputs_seen(self) -> int:
        """The last change to what planning reads, committed so far (read before a snapshot)."""
        ...

    def save(self, result: PlanResult, *, planned_on: date, inputs_seen: int) -> None:
        """Replace the stored plan by `result`, planned from the inputs up to `inputs_seen`."""
        ...
