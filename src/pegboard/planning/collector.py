"""The cyclic garbage collector: paused while a plan is built, and kept off objects that live as
long as the process (start-up, the forecasting library, the kept leftover), so that no full pass
walks them again (their cost is in BENCHMARKS.md)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: What work after which the process ends leaves to its end (`leave_until_exit`); None: not
#: such work, everything is freed as usual.
_until_exit: list[object] | None = None

#: Whether this process keeps objects out of collection (`keep_out_of_collection`). A flag, not
#: `gc.get_freeze_count()`, which counts the frozen objects one by one: at the end of every paused
#: block, a server or a test process walked its whole frozen start-up again.
_keeping_out = False


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
            _made_old()
            gc.enable()


def _made_old() -> None:
    """Move every object alive now to the oldest generation, unwalked, in a process that keeps
    nothing out of collection (`keep_out_of_collection`: then nothing is moved).

    What a paused block made is all in the youngest generation, so the first allocation after
    it would walk every object of a plan still alive (seconds at L, then again a generation
    up); in the oldest, only a full pass walks them, which comes when as many again have lived
    through the younger ones. Garbage among them is still freed by that pass."""
    if not _keeping_out:
        gc.freeze()
        gc.unfreeze()


def keep_out_of_collection() -> None:
    """Move every object alive now to the collector's permanent generation: call it once what
    was built will live as long as the process (after start-up, after a library has loaded)."""
    global _keeping_out
    gc.freeze()
    _keeping_out = True


@contextmanager
def replacing_long_lived() -> Iterator[None]:
    """Around building what replaces a long-lived structure: the old one's objects are let back
    into collection first (so a pass can free what they leave), and all alive after are kept out."""
    global _keeping_out
    gc.unfreeze()
    try:
        yield
    finally:
        gc.freeze()
        _keeping_out = True


def keep_until_exit() -> None:
    """From now until `kept_until_exit`, what `leave_until_exit` is handed is kept: for work
    after which the process ends (a CLI command), which then need not free it."""
    global _until_exit
    if _until_exit is None:
        _until_exit = []


def leave_until_exit(*objects: object) -> None:
    """Keep these to the process's end when it ends right after this work (`keep_until_exit`):
    a whole plan's snapshot and plans are millions of objects, and freeing them one at a time
    cost half a second at L; elsewhere (a server, tests), nothing happens."""
    if _until_exit is not None:
        _until_exit.extend(objects)


def kept_until_exit() -> list[object]:
    """What was kept since `keep_until_exit` (nothing kept after): the caller ends the process
    without freeing it, or drops it."""
    global _until_exit
    kept, _until_exit = _until_exit or [], None
    return kept
