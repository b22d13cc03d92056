"""The memory pages a short `pegboard` process asks the kernel for.

NumPy asks Linux for huge pages (2 MB, `madvise`) for every array of 4 MB or more. A command
that plans once and ends touches each page of its arrays about once: the kernel then compacts
memory and clears 2 MB at a time for it, which cost a first plan at L more system time than the
huge pages saved it (BENCHMARKS.md "first5"). Elsewhere (not Linux, or an old kernel) NumPy asks
for none, and this changes nothing.
"""

from __future__ import annotations

import os
from importlib import import_module

#: NumPy's own setting: when the user (or the shell) sets it, its value is kept.
SETTING = "NUMPY_MADVISE_HUGEPAGE"


def arrays_on_small_pages() -> None:
    """From now on, this process's new arrays get ordinary pages, unless NUMPY_MADVISE_HUGEPAGE says."""
    if SETTING in os.environ:
        return
    # NumPy reads its setting when first imported; it may be imported already (in process), so
    # its switch is turned, where NumPy 2 keeps it (NumPy 1: `numpy.core`).
    try:
        multiarray = import_module("numpy._core.multiarray")
    except ImportError:
        multiarray = import_module("numpy.core.multiarray")
    choose = getattr(multiarray, "_set_madvise_hugepage", None)
    if choose is not None:
        choose(False)
