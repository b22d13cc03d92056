"""The cyclic garbage collector, paused while a plan is built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; the collector is on again after it if it was.

    Planning makes many small objects (promise rows, Decimals, dates) and no reference cycles,
    so a collection there finds nothing to free and only walks every live object again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
