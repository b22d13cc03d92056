"""Running a use case again when the database asks for it (deadlock, serialization failure)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from pegboard.domain.errors import BadInput, DuplicateRef
from pegboard.services.ports import TransientConflict, UniqueClash

T = TypeVar("T")

#: A key taken by a concurrent twin is found by the next attempt; one taken twice is taken for real.
CLASHES_BEFORE_DUPLICATE = 2


class KeyTaken(DuplicateRef):
    """A value that must be unique is already used by another record."""

    def __init__(self, clash: UniqueClash) -> None:
        field, value = clash.field or "key", clash.value
        shown = f"{field} {value!r}" if value is not None else field
        BadInput.__init__(self, f"{shown} is already used by another record")
        self.ref, self.field, self.value = value or field, field, value


def pause_after(failed: BaseException | None, attempt: int) -> float:
    """Seconds to wait after the `attempt`-th run failed: none after a unique key clash (the twin
    has committed), else drawn between 0 and 5 ms * 2**attempt ("full jitter")."""
    return 0.0 if isinstance(failed, UniqueClash) else random.uniform(0, 0.005 * 2**attempt)


def with_retries(call: Callable[[], T], *, attempts: int = 10) -> T:
    """Run `call`; on a transient conflict wait a little (jittered, growing) and run it again.

    A unique key taken is run again at once, and only once: a concurrent twin has committed by
    then and is found; a second clash is a real duplicate, refused as `KeyTaken` (409, exit 2).
    After `attempts` runs the last conflict is raised. The first run is a plain call: most
    meet no conflict, and the retry loop (tenacity) costs tens of microseconds to set up.
    """
    clashes = 0

    def run() -> T:
        nonlocal clashes
        try:
            return call()
        except UniqueClash as clash:
            clashes += 1
            if clashes >= CLASHES_BEFORE_DUPLICATE:
                raise KeyTaken(clash) from clash
            raise

    def wait(state: RetryCallState) -> float:
        failed = state.outcome.exception() if state.outcome is not None else None
        return pause_after(failed, state.attempt_number + 1)

    try:
        try:
            return run()
        except TransientConflict as conflict:
            if attempts <= 1:
                raise
            first = conflict
        retrying = Retrying(
            retry=retry_if_exception_type(TransientConflict),
            stop=stop_after_attempt(attempts - 1),
            wait=wait,
            reraise=True,
        )
        retrying.sleep(pause_after(first, 1))
        return retrying(run)
    except UniqueClash as clash:  # the last run clashed
        raise KeyTaken(clash) from clash
