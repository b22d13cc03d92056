"""A production queue's entries as values to compare, a kept plan's read from its columns.

A re-plan writes only the stored queue rows whose entries changed (`adapters.db.stored_plan_rows`):
it compares the kept plan's queue with this plan's. At L the kept queue holds 62k entries and 174k
missing materials; making them into `QueueEntry`s only to compare them took about as long as the
comparison itself (BENCHMARKS.md, "confirmday2"). A kept queue not read yet is keyed straight from
the values of its fields (`kept_plan.kept_fields`), as its entries would hold them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from pegboard.planning.kept_plan import kept_fields
from pegboard.planning.result import QueueEntry

#: An entry's ref, SKU, quantity, start and finish, completed orders, and per missing material its
#: SKU, its quantity's text and the day it comes.
QueueKey = tuple[
    str, str, Decimal, date | None, date | None, tuple[str, ...], tuple[tuple[str, str, date | None], ...]
]


def entry_key(e: QueueEntry) -> QueueKey:
    """Equal for two entries exactly when they are equal and their missing quantities read the
    same (equal Decimals may read differently, 1 and 1.0, and their rows hold the text)."""
    ref, sku, quantity, start, finish, completes, missing = e
    texts = tuple([(m[0], str(m[1]), m[2]) for m in missing]) if missing else ()
    return ref, sku, quantity, start, finish, completes, texts


def queue_keys(entries: Sequence[QueueEntry]) -> list[QueueKey]:
    """Each entry's `entry_key`; a kept queue not read yet is keyed from its fields, its entries
    never made."""
    parts = kept_fields(entries)
    if parts is None:
        return list(map(entry_key, entries))
    keys: list[QueueKey] = []
    for fields in parts:
        keys += _keys_of_fields(fields)
    return keys


def _keys_of_fields(fields: dict[str, Any]) -> Iterable[QueueKey]:
    """The `entry_key`s of the entries with these fields (`kept_plan._fields`)."""
    counts, materials = fields["missing"]
    # Each text made anew: equal Decimals that read differently are one key of a mapping.
    quantities = map(str, materials["quantity"])
    flat = list(zip(materials["sku"], quantities, materials["available_date"], strict=True))
    missing: list[tuple[tuple[str, str, date | None], ...]] = []
    at = 0
    for count in counts:
        if count:
            missing.append(tuple(flat[at : at + count]))
            at += count
        else:
            missing.append(())
    names = ("ref", "sku", "quantity", "start_date", "finish_date", "completes")
    return zip(*(fields[n] for n in names), missing, strict=True)
