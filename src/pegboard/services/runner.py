"""Running a use case again when the database asks for it (deadlock, serialization failure)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

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


def with_retries(call: Callable[[], T], *, attempts: int = 10) -> T:
    """Run `call`; on a transient conflict wait a little (jittered, growing) and run it again.

    A unique key taken is run again at once, and only once: a concurrent twin has committed by
    then and is found; a second clash is a real duplicate, refused as `KeyTaken` (409, exit 2).
    """
    clashes = 0
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except UniqueClash as clash:
            clashes += 1
            if clashes >= CLASHES_BEFORE_DUPLICATE or attempt == attempts:
                raise KeyTaken(clash) from clash
        except TransientConflict:
            if attempt == attempts:
                raise
            time.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise AssertionError("unreachable")
