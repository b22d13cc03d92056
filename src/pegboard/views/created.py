"""What confirming a plan's suggestions created, in one sentence a person reads.

A workshop's plan can suggest thousands of MOs: a few refs are listed, many are counted per kind
with the first and the last ref (`pegboard plan --confirm --json` lists every one).
"""

from __future__ import annotations

from collections.abc import Sequence

#: Up to this many refs are listed one by one.
LISTED = 10
#: A created document's kind, by its ref's series.
KINDS = {"PO": ("purchase order", "purchase orders"), "MO": ("manufacturing order", "manufacturing orders")}


def created_words(refs: Sequence[str]) -> str:
    """The refs themselves when there are few ("PO-7, MO-3"); else each kind's count with its first
    and last ref ("40 purchase orders (PO-1 to PO-40) and 6,191 manufacturing orders (MO-1 to
    MO-6191)"); "nothing" when none."""
    if not refs:
        return "nothing"
    if len(refs) <= LISTED:
        return ", ".join(refs)
    series: dict[str, list[str]] = {}
    for ref in refs:
        series.setdefault(ref.split("-", 1)[0], []).append(ref)
    return " and ".join(_counted(prefix, made) for prefix, made in series.items())


def _counted(prefix: str, refs: list[str]) -> str:
    one, many = KINDS.get(prefix, (f"{prefix} document", f"{prefix} documents"))
    if len(refs) == 1:
        return f"1 {one} ({refs[0]})"
    return f"{len(refs):,} {many} ({refs[0]} to {refs[-1]})"
