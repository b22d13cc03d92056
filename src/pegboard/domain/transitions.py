"""Document states: each document kind has one table of the states it may move to from each state."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from pegboard.domain.errors import InvalidTransition

S = TypeVar("S", bound=StrEnum)


def moved(table: Mapping[S, frozenset[S]], document: str, old: S, new: S) -> S:
    """The new state, when the table lets the document move there from the old; else InvalidTransition.

    Staying in the same state is always allowed.
    """
    if new is not old and new not in table[old]:
        raise InvalidTransition(f"{document} is {old}; it cannot become {new}")
    return new
