"""The ledger's rules as the database holds them (CHECKs, the append-only trigger), in words."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError, StatementError

from pegboard.domain.errors import LedgerRuleBroken
from pegboard.domain.quantities import QuantityError

#: Each rule the database holds, by the name its error carries, with what it means.
RULES = {
    "ck_items_on_hand_not_negative": "an item's on hand is never negative",
    "ck_items_allocated_within_on_hand": "an item's allocated stays between zero and its on hand",
    "ck_order_lines_quantities_add_up": "allocated + shipped + cancelled never exceed a line's quantity",
    "ck_order_lines_positive_quantity": "a line's quantity is more than zero",
    "ck_purchase_order_lines_received_in_range": "a PO line receives between zero and its quantity",
    "ck_manufacturing_orders_completed_in_range": "an MO completes between zero and its quantity",
    "ledger_append_only": "a stock movement is never changed or deleted; a correction is a new movement",
    "journal_append_only": "a journal entry is never changed or deleted; a correction is a reversing entry",
    "ck_journal_lines_one_sided": "a journal line is a positive debit or a positive credit, never both",
}
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")
_SQLITE_TRIGGER = re.compile(r"\((ledger_append_only|journal_append_only)\)")
#: PostgreSQL's states for a failed CHECK, and for the trigger's integrity_constraint_violation.
_POSTGRES_STATES = {"23514", "23000"}


def broken_rule(error: StatementError) -> LedgerRuleBroken | None:
    """The ledger rule a database error reports as broken, or None for any other error."""
    if isinstance(error.orig, QuantityError):
        return LedgerRuleBroken(
            "exact_quantities", f"quantities are stored to 0.000001 exactly, and {error.orig}"
        )
    if not isinstance(error, IntegrityError):
        return None
    state = getattr(error.orig, "sqlstate", None)
    if state is not None:
        diag = getattr(error.orig, "diag", None)
        name = getattr(diag, "constraint_name", None) if state in _POSTGRES_STATES else None
    else:
        text = str(error.orig)
        found = _SQLITE_CHECK.search(text) or _SQLITE_TRIGGER.search(text)
        name = found.group(1) if found else None
    if not name:
        return None
    return LedgerRuleBroken(name, RULES.get(name, "a rule the database holds"))
