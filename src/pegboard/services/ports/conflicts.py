"""Failures a transaction reports that running it again may cure."""

from __future__ import annotations


class TransientConflict(Exception):
    """The database gave up on a transaction (deadlock, serialization); running it again helps."""


class UniqueClash(TransientConflict):
    """A unique key was taken: by a concurrent twin (running again finds it) or for real."""

    def __init__(self, message: str, *, field: str | None = None, value: str | None = None) -> None:
        super().__init__(message)
        self.field, self.value = field, value
