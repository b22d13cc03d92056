"""A short fingerprint of a plan's line promises: what a plan run compares against its stored
promises (each line's order, line number, date and reason), folded into one string.

Two plans with the same digest give every line the same date and reason, so a re-plan whose
digest equals the stored plan's, on inputs nobody changed since, has no promise to store and
nothing to announce (`services.planning.run_plan`). Only speed rests on it: the answer is the
one the line-by-line comparison gives.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from pegboard.planning.promises import Lines


def promises_digest(lines: Lines) -> str:
    """The digest (64 hex digits) of these lines' promises, in their order."""
    # JSON keeps every field apart whatever a reason holds, so different lists never share a text.
    days = [None if day is None else day.toordinal() for day in lines.dates]
    digest = hashlib.sha256()
    # The text of `json.dumps([refs, line numbers, days, reasons], separators=(",", ":"))`, made
    # a block at a time: no one call holds the interpreter long, so a thread of this process
    # (the driver's, sending a COPY to the server) is not kept waiting.
    columns: list[Sequence[Any]] = [lines.order_refs, lines.line_nos, days, lines.reasons]
    for n, column in enumerate(columns):
        digest.update(b"[[" if n == 0 else b",[")
        for start in range(0, len(column), _BLOCK):
            text = json.dumps(column[start : start + _BLOCK], separators=(",", ":"), default=int)
            digest.update((b"," if start else b"") + text[1:-1].encode())
        digest.update(b"]")
    digest.update(b"]")
    return digest.hexdigest()


#: Entries of a column written to JSON at once.
_BLOCK = 20_000
