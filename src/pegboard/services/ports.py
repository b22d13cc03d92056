"""What the services need from the outside world, as Protocols the adapters implement."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol

from pegboard.domain.allocation import ItemStock, WaitingLine
from pegboard.domain.events import Event
from pegboard.domain.items import BillsOfMaterials, BomLine, Item, Supplier
from pegboard.domain.ledger import StockMove
from pegboard.domain.sales import SalesOrder, Shipment
from pegboard.domain.supply import ManufacturingOrder, PurchaseOrder
from pegboard.planning.promises import LinePromise, StoredPromise
from pegboard.planning.snapshot import PlanInput


class TransientConflict(Exception):
    """The database gave up on a transaction (deadlock, serialization); running it again helps."""


class Clock(Protocol):
    def today(self) -> date: ...

    def now(self) -> datetime: ...


class Catalogue(Protocol):
    def supplier(self, name: str) -> Supplier | None: ...

    def save_supplier(self, supplier: Supplier) -> None: ...

    def suppliers(self) -> list[Supplier]: ...

    def item(self, sku: str) -> Item | None: ...

    def items(self, skus: Iterable[str] | None = None) -> dict[str, Item]: ...

    def save_item(self, item: Item) -> None: ...

    def boms(self) -> BillsOfMaterials: ...

    def replace_bom(self, parent_sku: str, lines: Sequence[BomLine]) -> None: ...


class StockRepository(Protocol):
    def lock(self, skus: Iterable[str]) -> dict[str, ItemStock]: ...

    def levels(self, skus: Iterable[str], *, lock: bool = False) -> dict[str, ItemStock]: ...

    def add_move(self, move: StockMove) -> None: ...

    def moves(self, sku: str, *, limit: int = 50) -> list[StockMove]: ...


class OrderRepository(Protocol):
    def get(self, order_ref: str, *, lock: bool = False) -> SalesOrder | None: ...

    def get_many(self, order_refs: Iterable[str]) -> dict[str, SalesOrder]: ...

    def add(self, order: SalesOrder) -> None: ...

    def add_many(self, orders: Sequence[SalesOrder]) -> None: ...

    def save(self, order: SalesOrder) -> None: ...

    def waiting(self, skus: Iterable[str]) -> list[WaitingLine]: ...

    def holding(self, sku: str) -> list[WaitingLine]: ...

    def shipment_count(self, order_ref: str) -> int: ...

    def add_shipment(self, shipment: Shipment) -> None: ...


class SupplyRepository(Protocol):
    def purchase_order(self, po_ref: str, *, lock: bool = False) -> PurchaseOrder | None: ...

    def add_purchase_order(self, po: PurchaseOrder) -> None: ...

    def save_purchase_order(self, po: PurchaseOrder) -> None: ...

    def manufacturing_order(self, mo_ref: str, *, lock: bool = False) -> ManufacturingOrder | None: ...

    def add_manufacturing_order(self, mo: ManufacturingOrder) -> None: ...

    def save_manufacturing_order(self, mo: ManufacturingOrder) -> None: ...

    def next_ref(self, prefix: str) -> str: ...

    def record_date_change(
        self, supply_ref: str, *, kind: str, old_date: date | None, new_date: date, on: date
    ) -> None: ...


class Outbox(Protocol):
    def add(self, events: Sequence[Event]) -> None: ...


@dataclass(frozen=True)
class StoredEvent:
    """An event as the outbox holds it, on its way to the channels that deliver it."""

    id: str
    event_type: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    order_ref: str | None


class Channel(Protocol):
    """Somewhere events go after commit (customer email, the shop, re-promising).

    `deliver` gets the due events the channel wants, oldest first, and returns the ids that
    failed with the reason; every other event counts as delivered to this channel and is
    never given to it again. Delivery is at least once: a channel must tolerate a repeat
    after a crash between its work and the record of it.
    """

    name: str

    def wants(self, event_type: str) -> bool: ...

    def deliver(self, events: Sequence[StoredEvent]) -> dict[str, str]: ...


class StatusLinks(Protocol):
    def add(self, order_ref: str, token_hash: str) -> None: ...

    def order_ref_of(self, token_hash: str) -> str | None: ...

    def revoke(self, order_ref: str) -> int: ...


class TokenRepository(Protocol):
    def add(self, name: str, role: str, token_hash: str) -> bool: ...

    def role_of(self, token_hash: str) -> tuple[str, str] | None: ...

    def revoke(self, name: str) -> bool: ...


class RequestRepository(Protocol):
    def get(self, key: str) -> tuple[str, int, str] | None: ...

    def save(self, key: str, request_hash: str, status_code: int, response: str) -> None: ...


class PlanningRepository(Protocol):
    def snapshot(self, today: date, *, around: Iterable[str] | None = None) -> PlanInput: ...

    def stored_promises(
        self, order_refs: Iterable[str] | None = None
    ) -> dict[tuple[str, int], StoredPromise]: ...

    def save_promises(self, promises: Iterable[LinePromise], *, on: date) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: everything done inside commits together or not at all."""

    @property
    def catalogue(self) -> Catalogue: ...

    @property
    def stock(self) -> StockRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def supply(self) -> SupplyRepository: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def tokens(self) -> TokenRepository: ...

    @property
    def requests(self) -> RequestRepository: ...

    @property
    def planning(self) -> PlanningRepository: ...

    @property
    def status_links(self) -> StatusLinks: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


QuantityBySku = dict[str, Decimal]
