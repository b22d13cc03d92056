"""Running a use case again on a transient conflict: how often, and what is raised in the end."""

from __future__ import annotations

import pytest

from pegboard.services.ports import TransientConflict, UniqueClash
from pegboard.services.runner import KeyTaken, with_retries


class Flaky:
    """Fails with the given errors in turn, then answers "done"; counts its runs."""

    def __init__(self, *errors: Exception) -> None:
        self.errors, self.runs = list(errors), 0

    def __call__(self) -> str:
        self.runs += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def test_a_call_without_conflict_runs_once() -> None:
    call = Flaky()

    assert with_retries(call) == "done"
    assert call.runs == 1


def test_transient_conflicts_are_run_again_until_the_call_passes() -> None:
    call = Flaky(TransientConflict("deadlock"), TransientConflict("deadlock"), TransientConflict("again"))

    assert with_retries(call) == "done"
    assert call.runs == 4


def test_the_last_conflict_is_raised_when_every_attempt_fails() -> None:
    call = Flaky(*[TransientConflict(f"deadlock {n}") for n in range(5)])

    with pytest.raises(TransientConflict, match="deadlock 2"):
        with_retries(call, attempts=3)
    assert call.runs == 3


def test_a_key_taken_once_is_run_again_and_found() -> None:
    call = Flaky(UniqueClash("taken", field="order_ref", value="SO-1"))

    assert with_retries(call) == "done"
    assert call.runs == 2


def test_a_key_taken_twice_is_refused_as_taken_naming_the_field_and_value() -> None:
    call = Flaky(*[UniqueClash("taken", field="order_ref", value="SO-1") for _ in range(3)])

    with pytest.raises(KeyTaken, match="order_ref 'SO-1' is already used by another record"):
        with_retries(call)
    assert call.runs == 2


def test_a_key_taken_on_the_last_attempt_is_refused_as_taken() -> None:
    call = Flaky(TransientConflict("deadlock"), UniqueClash("taken", field="po_ref", value="PO-9"))

    with pytest.raises(KeyTaken, match="po_ref 'PO-9'"):
        with_retries(call, attempts=2)
    assert call.runs == 2


def test_a_single_attempt_that_clashes_is_refused_as_taken() -> None:
    call = Flaky(UniqueClash("taken", field="sku", value="KETTLE"))

    with pytest.raises(KeyTaken):
        with_retries(call, attempts=1)
    assert call.runs == 1
