"""What planning reads and keeps: the snapshot, line promises, the stored plan."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from pegboard.planning.line_changes import StoredLines
from pegboard.planning.net_change import RankKey
from pegboard.planning.promises import LinePromise, StoredPromise
from pegboard.planning.result import FeasibleDates, PlanResult, Promise
from pegboard.planning.snapshot import BackorderDemand, PlanInput


class PlanningRepository(Protocol):
    """What the planner reads (a snapshot of stock, demand and supply) and the promises it stores."""

    def snapshot(
        self,
        today: date,
        *,
        around: Iterable[str] | None = None,
        lines_of_around: bool = False,
        orders: Collection[str] | None = None,
    ) -> PlanInput:
        """Everything planning reads (`adapters.db.planning.snapshot`); with `orders`, the
        demand of those orders' lines only (`planning.net_change` takes the others' from the
        kept plan)."""
        ...

    def stored_promises(
        self, order_refs: Iterable[str] | None = None
    ) -> dict[tuple[str, int], StoredPromise]: ...

    def stored_line_promises(self, line_ids: Collection[int]) -> dict[int, StoredPromise]: ...

    def stored_line_columns(self, line_ids: Collection[int]) -> StoredLines:
        """The stored promises of these lines (those that have one), as columns; others may come too."""
        ...

    def every_stored_line(self) -> StoredLines | None:
        """Every stored promise as columns, when one read of them all is how `stored_line_columns`
        reads a whole plan's (PostgreSQL); None otherwise."""
        ...

    def save_promises(
        self,
        promises: Iterable[LinePromise],
        *,
        on: date,
        whole_plan: bool = False,
        stored: Sequence[bool] | None = None,
        sent: Callable[[], object] | None = None,
        begun: Callable[[], object] | None = None,
    ) -> None:
        """Write these promises; unless `whole_plan`, mark their lines as promised since the plan.
        `stored`: whether each line has a stored promise, as just read (None: read them).
        `sent` is called once, if at all, when the promises are all sent but the database still
        works on them for a while (many at once): this process has nothing to do meanwhile.
        `begun` is called once, if there is any promise, when the database has the first of
        them to work on (the first block of many, else all): work begun then runs beside it."""
        ...

    def promised_since_plan(self) -> set[int]:
        """The lines (ids) whose promise a re-promise wrote since the last whole plan run."""
        ...

    def settle_since_plan(self, marked: Collection[int], plan: Mapping[int, tuple[date | None, str]]) -> None:
        """Unmark these lines where their stored promise is the plan's (date, reason by line id),
        and those the plan does not promise."""
        ...

    def placed(self, order_refs: Collection[str]) -> tuple[dict[str, Decimal], list[BackorderDemand]] | None:
        """What these orders took from stock (per SKU) and their backorders; None when one is not
        a plain stock order as placed (`planning.leftover.Leftover.with_placed`)."""
        ...


class StoredPlans(Protocol):
    """The last plan's queue and suggestions, kept so pages read them instead of planning."""

    def inputs_seen(self, *, after: int | None = None) -> int:
        """The last change to what planning reads, committed so far (read before a snapshot).

        With `after` (a change read so before), a change no earlier than `after` below which
        every change is committed, read without waiting for writers still committing."""
        ...

    def save(
        self,
        result: PlanResult,
        *,
        planned_on: date,
        inputs_seen: int,
        promises_digest: str | None = None,
        plain_demand: bool = False,
        beside: Callable[[], object] | None = None,
    ) -> None:
        """Replace the stored plan by `result`, planned from the inputs up to `inputs_seen`, its
        promises with `promises_digest` (`planning.promise_digest`); `plain_demand`: from a
        snapshot without preorders, configured lines or ship-complete orders (`net_change`).
        `beside`: other writes of this transaction, called once before the plan's rows are
        written, while the rows to write are worked out (`UnitOfWork.write_events`)."""
        ...

    def pack_beside(self, result: PlanResult) -> None:
        """Start making what `save` keeps of `result` now, in a thread, while this process waits
        on the database: `save` of this very result then takes it."""
        ...

    def promises_digest(self, inputs_seen: int) -> str | None:
        """The stored plan's promise digest when no input changed after it (up to `inputs_seen`)."""
        ...

    def planned_on(self) -> date | None:
        """The day the stored plan was planned on (None: no plan stored)."""
        ...

    def last_promises(self) -> Sequence[Promise] | None:
        """The stored plan's promises, whatever changed since (None: no plan kept): the stored
        ones, but for the lines re-promised since (`PlanningRepository.promised_since_plan`)."""
        ...

    def kept_result(
        self, inputs_seen: int, *, planned_on: date, plain_demand: bool = False
    ) -> PlanResult | None:
        """The stored plan itself when it was planned on `planned_on` under the same settings and
        nothing planning reads changed after it (up to `inputs_seen`, nor in this transaction);
        with `plain_demand`, only when it was planned from plain demand (`save`)."""
        ...

    def placed_since_plan(self, *, planned_on: date, upto: int) -> tuple[list[str], PlanResult] | None:
        """The orders placed since the stored plan (up to change `upto`) and that plan, when it
        was planned on `planned_on` under the same settings from plain demand and placing orders
        is all that changed since; None otherwise, or when this transaction wrote a plan input."""
        ...

    def order_skus(self, order_refs: Collection[str]) -> set[str]:
        """The SKUs of the lines of these orders."""
        ...

    def line_rank(self, line_id: int) -> RankKey | None:
        """Where an order line ranks among backorders (`planning.net_change.rank_key`); None
        when there is no such line."""
        ...

    def placed_since(self, seen: int, upto: int) -> list[str] | None:
        """The refs of the orders the changes after `seen` up to `upto` placed, when placing
        orders is all they did; None otherwise."""
        ...

    def feasible_mos(self, refs: Collection[str]) -> dict[str, FeasibleDates] | None:
        """The stored plan's dates of those open MOs it dated, by ref (an MO opened since the plan
        is not there, out of date or not); None when no plan is stored."""
        ...
