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

from pegboard.planning.promises import Lines


def promises_digest(lines: Lines) -> str:
    """The digest (64 hex digits) of these lines' promises, in their order."""
    # JSON keeps every field apart whatever a reason holds, so different lists never share a text.
    days = [None if day is None else day.toordinal() for day in lines.dates]
    text = json.dumps(
        [lines.order_refs, lines.line_nos, days, lines.reasons], separators=(",", ":"), default=int
    )
    return hashlib.sha256(text.encode()).hexdigest()
