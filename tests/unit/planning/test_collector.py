"""The collector after a paused block: what the block made and kept is moved to the oldest
generation unwalked, unless the process keeps objects out of collection. Each case runs in a
process of its own, as the collector's state is the whole process's."""

from __future__ import annotations

import subprocess
import sys

_AFTER_A_PLAN = """
import gc
from pegboard.planning.collector import collector_paused
{before}
with collector_paused():
    made = [[k] for k in range(200_000)]
print(gc.isenabled(), any(o is made for o in gc.get_objects(generation=2)))
"""


def _run(before: str = "") -> str:
    code = _AFTER_A_PLAN.format(before=before)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_what_a_paused_block_kept_goes_to_the_oldest_generation_without_a_collection() -> None:
    """The collector is on again, and the block's objects wait in the oldest generation for a
    full pass (no young collection walks them all at once)."""
    assert _run().split() == ["True", "True"]


def test_a_process_that_keeps_objects_out_of_collection_keeps_them_and_moves_nothing() -> None:
    """Once start-up objects are frozen (a server's), they stay out of collection: the block's
    objects are left to the young collections, as before."""
    before = "from pegboard.planning.collector import keep_out_of_collection\nkeep_out_of_collection()"
    code = _AFTER_A_PLAN.format(before=before) + "print(gc.get_freeze_count() > 0)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    assert out.split() == ["True", "False", "True"]


def test_the_end_of_a_paused_block_never_counts_the_frozen_objects() -> None:
    """Counting them walks every frozen object (a server's whole start-up) at each plan's end: the
    process's own flag says whether it keeps objects out of collection."""
    before = (
        "from pegboard.planning.collector import keep_out_of_collection\n"
        "keep_out_of_collection()\n"
        "def counted(): raise AssertionError('the frozen objects were counted')\n"
        "gc.get_freeze_count = counted"
    )
    assert _run(before).split() == ["True", "False"]
    assert _run("gc.get_freeze_count = lambda: 1 / 0").split() == ["True", "True"]


def test_work_after_which_the_process_ends_keeps_what_it_leaves_until_asked_and_no_more() -> None:
    from pegboard.planning.collector import keep_until_exit, kept_until_exit, leave_until_exit

    plan = [[k] for k in range(10)]
    leave_until_exit(plan)  # not such work: nothing kept
    assert kept_until_exit() == []

    keep_until_exit()
    leave_until_exit(plan, "snapshot")
    assert kept_until_exit() == [plan, "snapshot"]
    leave_until_exit(plan)  # no longer kept once handed back
    assert kept_until_exit() == []
