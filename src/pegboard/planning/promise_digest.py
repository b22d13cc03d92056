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
from collections.abc import Iterator, Sequence
from json.encoder import encode_basestring_ascii
from typing import Any

import numpy as np

from pegboard.planning.arrays import NONE
from pegboard.planning.coded import CodedTexts
from pegboard.planning.promises import Lines
from pegboard.planning.segments import Ints
from pegboard.planning.values import distinct


def promises_digest(lines: Lines) -> str:
    """The digest (64 hex digits) of these lines' promises, in their order: the SHA-256 of
    `json.dumps([refs, line numbers, days, reasons], separators=(",", ":"))`, days as ordinals."""
    digest = hashlib.sha256()
    for n, texts in enumerate(_column_texts(lines)):
        # Each column's text a block at a time: no one call holds the interpreter long, so a
        # thread of this process (the driver's, sending a COPY to the server) is not kept waiting.
        digest.update(b"[[" if n == 0 else b",[")
        for k, block in enumerate(texts):
            digest.update((b"," if k else b"") + block.encode())
        digest.update(b"]")
    digest.update(b"]")
    return digest.hexdigest()


def _column_texts(lines: Lines) -> list[Iterator[str]]:
    """Each column's JSON text without its brackets, in blocks; a promise table's lines' made from
    its columns, each distinct value written once (the JSON of a million values was most of it)."""
    tabled = lines.table_columns()
    if tabled is None:
        ordinals = [None if day is None else day.toordinal() for day in lines.dates]
        columns: list[Sequence[Any]] = [lines.order_refs, lines.line_nos, ordinals, lines.reasons]
        return [_json_blocks(column) for column in columns]
    table, line, day, wording = tabled
    refs = table.refs
    line_nos = np.fromiter(table.line_nos, dtype=np.int64, count=len(table.line_nos))[line]
    numbers, number_of = distinct(line_nos)
    days, day_of = distinct(day)
    return [
        _coded_blocks(list(map(encode_basestring_ascii, refs.distinct)), refs.codes[line])
        if isinstance(refs, CodedTexts)
        else _json_blocks(lines.order_refs),
        _coded_blocks(list(map(str, numbers.tolist())), number_of),
        _coded_blocks(["null" if d >= NONE else str(d) for d in days.tolist()], day_of),
        _coded_blocks(list(map(encode_basestring_ascii, table.reasons)), wording),
    ]


def _json_blocks(column: Sequence[Any]) -> Iterator[str]:
    """The column's JSON text without its brackets, `_BLOCK` entries at a time."""
    for start in range(0, len(column), _BLOCK):
        yield json.dumps(column[start : start + _BLOCK], separators=(",", ":"), default=int)[1:-1]


def _coded_blocks(texts: list[str], codes: Ints) -> Iterator[str]:
    """The texts `codes` pick, joined by commas, `_BLOCK` * 5 at a time."""
    table = np.empty(len(texts), dtype=object)
    table[:] = texts
    step = _BLOCK * 5
    for start in range(0, len(codes), step):
        yield ",".join(table[codes[start : start + step]].tolist())


#: Entries of a column written to JSON at once.
_BLOCK = 20_000
