"""Open MOs whose materials come late: the dates their components allow, and why.

The user's dates of an MO stay as they were typed; the plan dates it by its materials
(`planning.dating`: it starts no earlier than its last component arrives and takes its own
length of time), and every promise and the production queue use those dates. This gives them
for each open MO, with the component supply that holds it up in words.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pegboard.planning.arrays import Existing
from pegboard.planning.dating import Dated
from pegboard.planning.reasons import Supply, SupplyKind, waits_for
from pegboard.planning.result import FeasibleDates
from pegboard.planning.segments import Ints
from pegboard.planning.snapshot import PlanInput
from pegboard.planning.values import as_dates


def late_because(root: Supply) -> str:
    """Why an MO cannot keep its dates: "waiting for KYBER-GREEN on PO-12 due 2026-03-03"."""
    if root.date is None:
        return f"open term: {waits_for(root)}"
    return f"waiting for {waits_for(root)}"


def feasible_mos(
    snapshot: PlanInput, existing: Existing, dated: Dated, supplies: Callable[[Ints], list[Supply]]
) -> list[FeasibleDates]:
    """Each open MO's feasible start and finish, in the snapshot's order; `supplies` names supplies
    by id as reasons do (`assembly.Describer.supplies`)."""
    mos = np.flatnonzero(existing.kind == SupplyKind.MO)
    mos = mos[np.argsort(existing.seq[mos], kind="stable")]
    held = dated.held_up[mos]
    roots = iter(supplies(dated.root[mos[held]]))
    orders = snapshot.manufacturing_orders
    return [
        FeasibleDates(
            orders[seq].mo_ref,
            orders[seq].sku,
            start,
            finish,
            late_because(next(roots)) if late else None,
        )
        for seq, start, finish, late in zip(
            existing.seq[mos].tolist(),
            as_dates(dated.start[mos]),
            as_dates(dated.finish[mos]),
            held.tolist(),
            strict=True,
        )
    ]
