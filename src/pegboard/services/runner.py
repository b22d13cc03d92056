"""Running a use case again when the database asks for it (deadlock, serialization failure)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from pegboard.services.ports import TransientConflict

T = TypeVar("T")


def with_retries(call: Callable[[], T], *, attempts: int = 10) -> T:
    """Run `call`; on a transient conflict wait a little (jittered, growing) and run it again."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except TransientConflict:
            if attempt == attempts:
                raise
            time.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise AssertionError("unreachable")
