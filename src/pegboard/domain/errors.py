"""Errors in business words: bad input the caller can correct, and actions the rules refuse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


class DomainError(Exception):
    """A business rule was broken; the caller can fix the input and retry."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(DomainError):
    """The input itself is wrong: a field, a value or a reference."""

    code = "bad_input"


class InvalidValue(BadInput):
    """A field holds a value that is not allowed."""

    code = "invalid_value"

    def __init__(self, field: str, value: object, reason: str, *, row: int | None = None) -> None:
        where = f"row {row}, " if row is not None else ""
        super().__init__(f"{where}field {field!r}, value {str(value)!r}: {reason}")
        self.field, self.value, self.reason, self.row = field, value, reason, row


class UnknownReference(BadInput):
    """A reference names nothing Pegboard knows."""

    code = "unknown_reference"
    kind = "reference"

    def __init__(self, ref: str, *, field: str | None = None, row: int | None = None) -> None:
        where = f"row {row}, " if row is not None else ""
        what = f"field {field!r}, " if field else ""
        super().__init__(f"{where}{what}unknown {self.kind} {ref!r}")
        self.ref, self.field, self.row = ref, field, row


class UnknownSku(UnknownReference):
    """No item carries this SKU."""

    code = "unknown_sku"
    kind = "SKU"


class UnknownSupplier(UnknownReference):
    """No supplier has this name."""

    code = "unknown_supplier"
    kind = "supplier"


class UnknownOrder(UnknownReference):
    """No sales order has this ref."""

    code = "unknown_order"
    kind = "order"


class UnknownSupplyOrder(UnknownReference):
    """No purchase or manufacturing order has this ref."""

    code = "unknown_supply_order"
    kind = "supply order"


class DuplicateRef(BadInput):
    """The same ref arrived again with different content."""

    code = "duplicate_ref"

    def __init__(self, ref: str, detail: str = "") -> None:
        tail = f": {detail}" if detail else ""
        super().__init__(f"{ref!r} already exists with different content{tail}")
        self.ref = ref


class BomCycle(BadInput):
    """A bill of materials would contain its own parent."""

    code = "bom_cycle"

    def __init__(self, path: Sequence[str]) -> None:
        super().__init__("BOM cycle: " + " -> ".join(path))
        self.path = list(path)


class ActionRefused(DomainError):
    """The input is well formed, but the current state does not allow the action."""

    code = "refused"


class NothingToShip(ActionRefused):
    """The order has nothing allocated that its ship policy lets leave."""

    code = "nothing_to_ship"


class InvalidTransition(ActionRefused):
    """The document is in a state that does not allow this step."""

    code = "invalid_transition"


class OverReceipt(ActionRefused):
    """More would be received than the supply order still expects."""

    code = "over_receipt"


class NegativeStock(ActionRefused):
    """The movement would take on-hand stock below zero."""

    code = "negative_stock"


class LedgerRuleBroken(ActionRefused):
    """The change would break a rule of the stock ledger that the database itself holds."""

    code = "ledger_rule_broken"

    def __init__(self, rule: str, meaning: str) -> None:
        super().__init__(f"refused, nothing was written: the change would break the rule {rule!r}: {meaning}")
        self.rule = rule


@dataclass(frozen=True)
class Shortage:
    """A component that is missing for a manufacturing order, at some BOM level."""

    sku: str
    quantity: Decimal
    level: int


class MissingMaterials(ActionRefused):
    """The components to make this are not all on hand."""

    code = "missing_materials"

    def __init__(self, sku: str, shortages: Sequence[Shortage]) -> None:
        listed = ", ".join(f"{s.sku} short {s.quantity}" for s in shortages)
        super().__init__(f"cannot make {sku}: {listed}")
        self.shortages = list(shortages)


class Forbidden(DomainError):
    """The caller's role does not allow this action."""

    code = "forbidden"


class Unauthorised(DomainError):
    """No valid credentials came with the request."""

    code = "unauthorised"
